/* timed_wait.c — a wait-for cycle that is not a deadlock: the program holds lock_a and blocks on
 * lock_b, while a second thread holds lock_b and waits for lock_a with pthread_mutex_timedlock.
 * The timed wait gives up after a second, the second thread lets lock_b go and everything ends.
 * lockwatch must report the lock-order inversion (the orders really conflict) but no deadlock,
 * and must not stop the run. */
#define _GNU_SOURCE /* pthread barriers, nanosleep, pause under -std=c11 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER, lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void *hold_b_try_a(void *arg)
{
    pthread_mutex_lock(&lock_b); /* @lock:tw-b-first */
    pthread_barrier_wait(&both_hold_one);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 1;
    int rc = pthread_mutex_timedlock(&lock_a, &deadline); /* @lock:tw-a-timed */
    if (rc == 0) pthread_mutex_unlock(&lock_a);
    printf("timed lock: %s\n", rc == ETIMEDOUT ? "timed out" : "taken");
    pthread_mutex_unlock(&lock_b);
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_barrier_init(&both_hold_one, NULL, 2);
    pthread_mutex_lock(&lock_a); /* @lock:tw-a-first */
    if (pthread_create(&t, NULL, hold_b_try_a, NULL) != 0) return 1;
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&lock_b); /* @lock:tw-b-second */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    pthread_join(t, NULL);
    return 0;
}
