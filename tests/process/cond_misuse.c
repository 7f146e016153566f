/* cond_misuse.c — misuse of condition variables and semaphores, one per argument (each ends by
 * itself: the waits are timed), and the same steps done right:
 *   unheld-mutex     a condition wait with a mutex the thread does not hold (glibc returns with
 *                    it locked)
 *   two-mutexes      a worker waits with queue_lock while main waits on the same condition
 *                    variable with other_lock
 *   destroy-waited   main destroys the condition variable while a worker waits on it, unwoken
 *   sem-destroyed    main destroys a semaphore a worker is blocked on
 *   fixed            waits under their mutex, a destroy right after a broadcast (allowed: the
 *                    woken waiters leave by themselves), a semaphore destroyed after its waiter
 *                    got its token and was joined; nothing to report */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t other_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static sem_t items;
static bool waiting, ready;

static struct timespec in_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    return ts;
}

/* Waits on queue_cond under queue_lock for at most `ms` (or until `ready`). */
static void *waiter(void *arg)
{
    long ms = (long)arg;
    struct timespec deadline = in_ms(ms);
    pthread_mutex_lock(&queue_lock);
    waiting = true;
    int rc = 0;
    while (!ready && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&queue_cond, &queue_lock, &deadline); /* @lock:mis-cond-wait */
    pthread_mutex_unlock(&queue_lock);
    return NULL;
}

/* Starts waiter(ms) and returns once it is inside its wait: it released queue_lock there. */
static pthread_t start_waiter(long ms)
{
    pthread_t t;
    pthread_create(&t, NULL, waiter, (void *)ms);
    for (;;) {
        pthread_mutex_lock(&queue_lock);
        bool in = waiting;
        pthread_mutex_unlock(&queue_lock);
        if (in) return t;
        usleep(1000);
    }
}

static void *sem_waiter(void *arg)
{
    struct timespec deadline = in_ms((long)arg);
    sem_timedwait(&items, &deadline); /* @lock:mis-sem-wait */
    return NULL;
}

static void unheld_mutex(void)
{
    struct timespec deadline = in_ms(20);
    /* forgot pthread_mutex_lock(&queue_lock) */
    pthread_cond_timedwait(&queue_cond, &queue_lock, &deadline); /* @lock:mis-cond-unheld */
    pthread_mutex_unlock(&queue_lock);                           /* glibc returned with it locked */
}

static void two_mutexes(void)
{
    pthread_t t = start_waiter(400);
    struct timespec deadline = in_ms(20);
    pthread_mutex_lock(&other_lock);
    pthread_cond_timedwait(&queue_cond, &other_lock, &deadline); /* @lock:mis-cond-other */
    pthread_mutex_unlock(&other_lock);
    pthread_join(t, NULL);
}

static void destroy_waited(void)
{
    pthread_t t = start_waiter(300);
    pthread_cond_destroy(&queue_cond); /* @lock:mis-cond-destroy */
    pthread_join(t, NULL);
}

static void sem_destroyed(void)
{
    sem_init(&items, 0, 0);
    pthread_t t;
    pthread_create(&t, NULL, sem_waiter, (void *)300L);
    usleep(100000);      /* the waiter blocks meanwhile */
    sem_destroy(&items); /* @lock:mis-sem-destroy */
    pthread_join(t, NULL);
}

static void fixed(void)
{
    pthread_t t = start_waiter(5000);
    pthread_mutex_lock(&queue_lock);
    ready = true;
    pthread_cond_broadcast(&queue_cond);
    pthread_mutex_unlock(&queue_lock);
    pthread_cond_destroy(&queue_cond); /* right after the broadcast: allowed */
    pthread_join(t, NULL);
    sem_init(&items, 0, 0);
    pthread_create(&t, NULL, sem_waiter, (void *)5000L);
    usleep(50000);
    sem_post(&items);
    pthread_join(t, NULL);
    sem_destroy(&items);
}

/* A waiter polls with short timed waits; main holds the mutex long enough for one to run out
 * (the waiter then waits for the mutex, no longer on the condition variable), sets the flag,
 * broadcasts, unlocks and destroys at once: legal, as nobody is blocked on it any more. */
static void *poller(void *arg)
{
    pthread_mutex_lock(&queue_lock);
    while (!ready) {
        struct timespec deadline = in_ms(50);
        pthread_cond_timedwait(&queue_cond, &queue_lock, &deadline);
    }
    pthread_mutex_unlock(&queue_lock);
    return arg;
}

static void destroy_after_timeout(void)
{
    pthread_t t;
    pthread_create(&t, NULL, poller, NULL);
    usleep(20000);
    pthread_mutex_lock(&queue_lock);
    usleep(200000); /* the poller's wait runs out meanwhile */
    ready = true;
    pthread_cond_broadcast(&queue_cond);
    pthread_mutex_unlock(&queue_lock);
    pthread_cond_destroy(&queue_cond);
    pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "fixed";
    if (strcmp(mode, "unheld-mutex") == 0)
        unheld_mutex();
    else if (strcmp(mode, "two-mutexes") == 0)
        two_mutexes();
    else if (strcmp(mode, "destroy-waited") == 0)
        destroy_waited();
    else if (strcmp(mode, "sem-destroyed") == 0)
        sem_destroyed();
    else if (strcmp(mode, "destroy-after-timeout") == 0)
        destroy_after_timeout();
    else
        fixed();
    puts("done");
    return 0;
}
