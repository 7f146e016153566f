/* two-lock-hang, broken: two threads take the same two locks in opposite orders, and a pause
 * between the two lock calls makes sure they really deadlock.
 *
 * transfer() locks A, waits a moment, then locks B. audit() locks B, waits a moment, then locks A.
 * Both threads start together (a barrier), so each takes its first lock during the other's pause:
 * transfer holds A and waits for B, audit holds B and waits for A. Neither can go on, and the
 * program hangs for ever.
 *
 * Under lockwatch the run does not hang for ever: the runtime tells the driver which lock each
 * blocked thread waits for, the driver sees the cycle of waiting threads, reports a `deadlock`
 * with both threads' stacks and ends the program. Without lockwatch, end it with Ctrl-C. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER; /* guards balance_a */
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER; /* guards balance_b */
static long balance_a = 100;
static long balance_b = 0;
static pthread_barrier_t start_line;

/* Long enough that the other thread surely takes its first lock meanwhile. */
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
    pthread_mutex_lock(&lock_a); /* @lock:transfer-a */
    pause_briefly();
    pthread_mutex_lock(&lock_b); /* @lock:transfer-b */
                                 /* @show-end */
    balance_a -= 10;
    balance_b += 10;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

/* Order B then A: the opposite of transfer(). This is the bug. */
/* @show */
static void *audit(void *arg)
{
    long *total = arg;
    pthread_barrier_wait(&start_line);
    pthread_mutex_lock(&lock_b); /* @lock:audit-b */
    pause_briefly();
    pthread_mutex_lock(&lock_a); /* @lock:audit-a */
                                 /* @show-end */
    *total = balance_a + balance_b;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
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
    printf("transfer and audit started; if this is the last line, they are deadlocked\n");
    fflush(stdout); /* so the line shows before the hang, even through a pipe */
    pthread_join(transferer, NULL);
    pthread_join(auditor, NULL);
    printf("total %ld (no deadlock this time)\n", total);
    return 0;
}
