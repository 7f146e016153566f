/* two-lock-deadlock, broken: two threads take the same two locks in opposite orders.
 *
 * transfer() moves money from account A to account B and locks A, then B. audit() adds up both
 * balances and locks B, then A. If the two ran at the same time, transfer could hold A while
 * audit holds B, and each would wait for the other forever.
 *
 * This run is lucky on purpose: main() joins the transfer thread before it starts the audit
 * thread, so the two critical sections never overlap and the program always exits. The bug is
 * still in the code, and lockwatch reports it from this lucky run. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER; /* guards balance_a */
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER; /* guards balance_b */
static long balance_a = 100;
static long balance_b = 0;

/* Order A then B. */
/* @show */
static void *transfer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* @lock:transfer-a */
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
    pthread_mutex_lock(&lock_b); /* @lock:audit-b */
    pthread_mutex_lock(&lock_a); /* @lock:audit-a */
                                 /* @show-end */
    *total = balance_a + balance_b;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

/* Runs fn in a new thread and waits for it, so no two critical sections overlap. */
static int run_alone(void *(*fn)(void *), void *arg)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, fn, arg) != 0) return -1;
    return pthread_join(thread, NULL) == 0 ? 0 : -1;
}

int main(void)
{
    long total = 0;
    if (run_alone(transfer, NULL) != 0 || run_alone(audit, &total) != 0) {
        fprintf(stderr, "two-lock-deadlock: cannot start a thread\n");
        return 1;
    }
    printf("total %ld (this run did not deadlock: the threads never overlapped)\n", total);
    return 0;
}
