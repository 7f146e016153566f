/* trylock-backoff: thread 1 takes lock_a then lock_b. Thread 2 takes lock_b, then only *tries*
 * lock_a; on EBUSY it releases lock_b, yields and starts again. A trylock never blocks, so thread
 * 2 can never wait while holding lock_b: no deadlock is possible and none must be reported.
 *
 * The first round is choreographed with lock-free flags so the back-off path surely runs:
 * thread 1 holds lock_a until thread 2 has failed its trylock once. The program fails if the
 * back-off never happened, so the test cannot pass without exercising it. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ROUNDS 2000

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static long shared_value;
static atomic_bool a_is_held; /* thread 1 holds lock_a in round 0 */
static atomic_long backoffs;  /* thread 2's failed trylocks */

static void *blocking_a_then_b(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock_a);
        if (i == 0) {
            atomic_store(&a_is_held, true);
            while (atomic_load(&backoffs) == 0)
                sched_yield();
        }
        pthread_mutex_lock(&lock_b);
        shared_value++;
        pthread_mutex_unlock(&lock_b);
        pthread_mutex_unlock(&lock_a);
    }
    return NULL;
}

static void *b_then_try_a(void *arg)
{
    (void)arg;
    while (!atomic_load(&a_is_held))
        sched_yield();
    for (int i = 0; i < ROUNDS; i++) {
        for (;;) {
            pthread_mutex_lock(&lock_b);
            int rc = pthread_mutex_trylock(&lock_a);
            if (rc == 0) break;
            pthread_mutex_unlock(&lock_b); /* EBUSY: back off, never wait while holding b */
            if (rc != EBUSY) return NULL;
            atomic_fetch_add(&backoffs, 1);
            sched_yield();
        }
        shared_value++;
        pthread_mutex_unlock(&lock_a);
        pthread_mutex_unlock(&lock_b);
    }
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, blocking_a_then_b, NULL) != 0 ||
        pthread_create(&t2, NULL, b_then_try_a, NULL) != 0)
        return 1;
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    long n = atomic_load(&backoffs);
    printf("%ld back-offs\n", n);
    return shared_value == 2 * ROUNDS && n > 0 ? 0 : 1;
}
