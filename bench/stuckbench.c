/* stuckbench.c — programs that deadlock for ever, for measuring how soon lockwatch reports it.
 *
 * Each mode gets every thread stuck, in a known order: the threads that block first do so at
 * once, and the thread that blocks last first sleeps SETTLE (50 ms) so that the others are surely
 * blocked, then prints the CLOCK_MONOTONIC time in nanoseconds on a line of its own, flushes
 * stdout, and makes the blocking call that completes the deadlock. latency.py reads that line
 * and measures from it to lockwatch's exit. Run natively, the program never ends.
 *
 *   stuckbench abba|join|cond|sentinel
 *
 *   abba      two threads take locks A and B in opposite orders (a lock-order cycle); main joins.
 *             Last call: the second thread's lock of A.
 *   join      main holds a mutex and joins a worker that is blocked on that mutex.
 *             Last call: main's pthread_join.
 *   cond      a lost wake-up: a producer signals before the consumer waits; the consumer waits
 *             without a predicate, main joins the consumer. Last call: the consumer's
 *             pthread_cond_wait.
 *   sentinel  two consumers wait on a condition variable for an item nobody will produce (the
 *             producer forgot its sentinel); main joins them. Last call: main's pthread_join. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SETTLE_NS 50000000L

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t both_hold;
static bool item_ready;

static void settle(void)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = SETTLE_NS};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* The line latency.py waits for, written just before the call that completes the deadlock. */
static void stamp(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    printf("stuck-at %" PRIu64 "\n", (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
    fflush(stdout);
}

static void *abba_first(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    pthread_barrier_wait(&both_hold);
    pthread_mutex_lock(&lock_b); /* blocks: the second thread holds B */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *abba_second(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b);
    pthread_barrier_wait(&both_hold);
    settle();
    stamp();
    pthread_mutex_lock(&lock_a); /* closes the cycle */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

static void *needs_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* main holds it until it has joined us */
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *lost_signal(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    item_ready = true;
    pthread_cond_signal(&cond); /* nobody waits yet: the wake-up is lost */
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *unchecked_wait(void *arg)
{
    (void)arg;
    settle(); /* the producer has signalled and main is joining */
    pthread_mutex_lock(&lock_a);
    stamp();
    pthread_cond_wait(&cond, &lock_a); /* the bug: no `while (!item_ready)` */
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    while (!item_ready)
        pthread_cond_wait(&cond, &lock_a);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static int start(pthread_t *t, void *(*fn)(void *))
{
    int rc = pthread_create(t, NULL, fn, NULL);
    if (rc != 0) fprintf(stderr, "stuckbench: pthread_create: %s\n", strerror(rc));
    return rc;
}

int main(int argc, char **argv)
{
    pthread_t t[2];
    const char *mode = argc == 2 ? argv[1] : "";

    if (strcmp(mode, "abba") == 0) {
        pthread_barrier_init(&both_hold, NULL, 2);
        if (start(&t[0], abba_first) || start(&t[1], abba_second)) return 1;
        pthread_join(t[0], NULL);
        pthread_join(t[1], NULL);
    } else if (strcmp(mode, "join") == 0) {
        pthread_mutex_lock(&lock_a);
        if (start(&t[0], needs_a)) return 1;
        settle();
        stamp();
        pthread_join(t[0], NULL); /* the worker waits for lock_a, which we hold */
        pthread_mutex_unlock(&lock_a);
    } else if (strcmp(mode, "cond") == 0) {
        if (start(&t[0], lost_signal)) return 1;
        pthread_join(t[0], NULL);
        if (start(&t[1], unchecked_wait)) return 1;
        pthread_join(t[1], NULL);
    } else if (strcmp(mode, "sentinel") == 0) {
        if (start(&t[0], consumer) || start(&t[1], consumer)) return 1;
        settle();
        stamp();
        pthread_join(t[0], NULL);
        pthread_join(t[1], NULL);
    } else {
        fputs("usage: stuckbench abba|join|cond|sentinel\n", stderr);
        return 2;
    }
    return 0;
}
