/* forgotten-sentinel, broken: a producer/consumer queue whose producer never says "no more work".
 *
 * main puts 1000 jobs into a bounded queue; two workers take them and add up the results. The
 * queue itself is right: one mutex, two condition variables, every wait in a `while` loop. But
 * when main has put the last job it only joins the workers: nothing tells them the work is over.
 * Each worker empties the queue and waits on `not_empty` for a job that will never come, and main
 * waits for them for ever. Every thread waits and none can wake another: lockwatch reports it as
 * a deadlock and ends the run. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

#define WORKERS 2
#define JOBS 1000
#define SLOTS 16

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER; /* guards the queue and total */
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;    /* signalled after a put */
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;     /* signalled after a take */
static int slots[SLOTS];
static long head, tail, total;

static void put(int job)
{
    pthread_mutex_lock(&queue_lock);
    while (tail - head == SLOTS)
        pthread_cond_wait(&not_full, &queue_lock);
    slots[tail++ % SLOTS] = job;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&queue_lock);
}

static int take(void)
{
    pthread_mutex_lock(&queue_lock);
    while (tail == head)
        pthread_cond_wait(&not_empty, &queue_lock); /* @lock:worker-waits */
    int job = slots[head++ % SLOTS];
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&queue_lock);
    return job;
}

/* @show */
static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        int job = take(); /* the bug: no job ever means "stop", so this loop never ends */
        pthread_mutex_lock(&queue_lock);
        total += job;
        pthread_mutex_unlock(&queue_lock);
        /* @show-end */
    }
    return NULL;
}

int main(void)
{
    pthread_t workers[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        if (pthread_create(&workers[i], NULL, worker, NULL) != 0) return 1;
    /* @show */
    for (int job = 1; job <= JOBS; job++)
        put(job);
    /* @show-end */
    printf("main: all %d jobs queued; waiting for the workers\n", JOBS);
    fflush(stdout); /* so the line shows before the hang, even through a pipe */
    for (int i = 0; i < WORKERS; i++)
        pthread_join(workers[i], NULL); /* @lock:main-joins */
    printf("main: total %ld\n", total);
    return 0;
}
