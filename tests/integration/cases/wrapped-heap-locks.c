/* wrapped-heap-locks: the ABBA pattern on heap mutexes where every lock and unlock goes through
 * the program's own one-line wrappers, as libraries do (nlMutexLock, sqlite3_mutex_enter). The
 * wrapper's frame is the same for every acquisition, so it says nothing: the report must name
 * and place the locks by the wrappers' callers. */
#include <pthread.h>
#include <stdlib.h>

struct account {
    pthread_mutex_t mutex;
    long balance;
};

static void acct_lock(struct account *a)
{
    pthread_mutex_lock(&a->mutex);
}

static void acct_unlock(struct account *a)
{
    pthread_mutex_unlock(&a->mutex);
}

static struct account *savings, *checking;

static void *move_to_checking(void *arg)
{
    (void)arg;
    acct_lock(savings);  /* @lock:to-checking-savings */
    acct_lock(checking); /* @lock:to-checking-checking */
    savings->balance--;
    checking->balance++;
    acct_unlock(checking);
    acct_unlock(savings);
    return NULL;
}

static void *move_to_savings(void *arg)
{
    (void)arg;
    acct_lock(checking); /* @lock:to-savings-checking */
    acct_lock(savings);  /* @lock:to-savings-savings */
    checking->balance--;
    savings->balance++;
    acct_unlock(savings);
    acct_unlock(checking);
    return NULL;
}

static struct account *open_account(void)
{
    struct account *a = calloc(1, sizeof *a);
    if (a == NULL) exit(2);
    pthread_mutex_init(&a->mutex, NULL);
    return a;
}

int main(void)
{
    savings = open_account();
    checking = open_account();
    pthread_t t;
    /* One after the other: the inversion is potential. */
    if (pthread_create(&t, NULL, move_to_checking, NULL) != 0 || pthread_join(t, NULL) != 0)
        return 2;
    if (pthread_create(&t, NULL, move_to_savings, NULL) != 0 || pthread_join(t, NULL) != 0)
        return 2;
    return 0;
}
