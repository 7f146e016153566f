/* two-lock-deadlock, fixed: both threads take the two locks in the same order, A then B.
 *
 * With one global order no thread can hold the second lock while waiting for the first, so no
 * cycle can form. To show that the order alone is enough, this version runs transfer() and
 * audit() at the same time, many times over. */
#include <pthread.h>
#include <stdio.h>

#define ROUNDS 10000

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER; /* guards balance_a */
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER; /* guards balance_b */
static long balance_a = 1000000;
static long balance_b = 0;

/* Order A then B. */
/* @show */
static void *transfer(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock_a);
        pthread_mutex_lock(&lock_b);
        /* @show-end */
        balance_a -= 10;
        balance_b += 10;
        pthread_mutex_unlock(&lock_b);
        pthread_mutex_unlock(&lock_a);
    }
    return NULL;
}

/* Also A then B: the fix. Every observed total must be the same. */
/* @show */
static void *audit(void *arg)
{
    long *wrong_totals = arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock_a);
        pthread_mutex_lock(&lock_b);
        /* @show-end */
        if (balance_a + balance_b != 1000000) (*wrong_totals)++;
        pthread_mutex_unlock(&lock_b);
        pthread_mutex_unlock(&lock_a);
    }
    return NULL;
}

int main(void)
{
    long wrong_totals = 0;
    pthread_t transferer, auditor;
    if (pthread_create(&transferer, NULL, transfer, NULL) != 0 ||
        pthread_create(&auditor, NULL, audit, &wrong_totals) != 0) {
        fprintf(stderr, "two-lock-deadlock: cannot start a thread\n");
        return 1;
    }
    pthread_join(transferer, NULL);
    pthread_join(auditor, NULL);
    printf("total %ld, %ld wrong totals seen (same lock order in both threads)\n",
           balance_a + balance_b, wrong_totals);
    return wrong_totals == 0 ? 0 : 1;
}
