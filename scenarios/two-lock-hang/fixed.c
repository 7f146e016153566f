/* two-lock-hang, fixed: both threads take lock A first, then lock B.
 *
 * The threads still start together and still pause while holding their first lock, but now
 * both want A first: whoever gets A also gets B, the other waits for A holding nothing, and
 * goes on once the first is done. With one global order no cycle of waiting threads can
 * form. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER; /* guards balance_a */
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER; /* guards balance_b */
static long balance_a = 100;
static long balance_b = 0;
static pthread_barrier_t start_line;

static void pause_briefly(void)
{
    struct timespec pause = {0, 100 * 1000 * 1000}; /* 100 ms */
    nanosleep(&pause, NULL);
}

/* Order A then B. */
/* @show */
static void *transfer(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start_line);
    pthread_mutex_lock(&lock_a);
    pause_briefly();
    pthread_mutex_lock(&lock_b);
    /* @show-end */
    balance_a -= 10;
    balance_b += 10;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

/* Also A then B: the fix. */
/* @show */
static void *audit(void *arg)
{
    long *total = arg;
    pthread_barrier_wait(&start_line);
    pthread_mutex_lock(&lock_a);
    pause_briefly();
    pthread_mutex_lock(&lock_b);
    /* @show-end */
    *total = balance_a + balance_b;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

int main(void)
{
    long total = 0;
    pthread_t transferer, auditor;
    pthread_barrier_init(&start_line, NULL, 2);
    if (pthread_create(&transferer, NULL, transfer, NULL) != 0 ||
        pthread_create(&auditor, NULL, audit, &total) != 0) {
        fprintf(stderr, "two-lock-hang: cannot start a thread\n");
        return 1;
    }
    printf("transfer and audit started\n");
    pthread_join(transferer, NULL);
    pthread_join(auditor, NULL);
    pthread_barrier_destroy(&start_line);
    printf("total %ld, both threads finished (same lock order in both)\n", total);
    return total == 100 ? 0 : 1;
}
