/* abba-tryjoin: T1 takes lock_a then lock_b and ends; main joins it by a join that ends by
 * itself (argument "try": pthread_tryjoin_np until it succeeds; "timed": pthread_timedjoin_np;
 * "clock": pthread_clockjoin_np), then T2 takes lock_b then lock_a. The successful join orders
 * the two like pthread_join: labelled ordered.
 * Argument "detached": T1 is detached instead and never joined; main waits until it has ended,
 * starts T2 (which takes no lock, and often gets T1's pthread_t back) and joins T2, then takes
 * lock_b then lock_a itself. Nothing joined T1, so nothing orders its lock_a -> lock_b before
 * main's lock_b -> lock_a: labelled concurrent (joining the reused pthread_t is not joining T1). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static volatile int shared_value;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* @lock:ab-first */
    pthread_mutex_lock(&lock_b); /* @lock:ab-second */
    shared_value++;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void take_b_then_a(void)
{
    pthread_mutex_lock(&lock_b); /* @lock:ba-first */
    pthread_mutex_lock(&lock_a); /* @lock:ba-second */
    shared_value++;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
}

static void *worker_b_then_a(void *arg)
{
    (void)arg;
    take_b_then_a();
    return NULL;
}

static void *idle(void *arg)
{
    return arg;
}

static void nap_ms(long ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static int join_by(const char *how, pthread_t t)
{
    struct timespec deadline;
    if (strcmp(how, "try") == 0) {
        int rc;
        while ((rc = pthread_tryjoin_np(t, NULL)) == EBUSY) /* @lock:tryjoin */
            nap_ms(1);
        return rc;
    }
    if (strcmp(how, "timed") == 0) {
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 30;
        return pthread_timedjoin_np(t, NULL, &deadline); /* @lock:timedjoin */
    }
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += 30;
    return pthread_clockjoin_np(t, NULL, CLOCK_MONOTONIC, &deadline); /* @lock:clockjoin */
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "try";
    pthread_t t1, t2;
    if (strcmp(how, "detached") == 0) {
        if (pthread_create(&t1, NULL, take_a_then_b, NULL) != 0 || pthread_detach(t1) != 0)
            return 1;
        nap_ms(300); /* T1 has ended: its pthread_t is free for the next thread */
        if (pthread_create(&t2, NULL, idle, NULL) != 0 || pthread_join(t2, NULL) != 0) return 1;
        take_b_then_a();
        return shared_value == 2 ? 0 : 1;
    }
    if (pthread_create(&t1, NULL, take_a_then_b, NULL) != 0) return 1;
    if (join_by(how, t1) != 0) return 1;
    if (pthread_create(&t2, NULL, worker_b_then_a, NULL) != 0) return 1;
    if (pthread_join(t2, NULL) != 0) return 1;
    return shared_value == 2 ? 0 : 1;
}
