/* forgotten-sentinel, fixed: after the last job main puts one STOP job (a sentinel) per worker.
 * A worker that takes STOP returns, so main's joins end. The queue is the same as in broken.c.
 * (A `done` flag set under the lock and a pthread_cond_broadcast(&not_empty) work too: the
 * workers' wait loop then tests `tail == head && !done`.) */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

#define WORKERS 2
#define JOBS 1000
#define SLOTS 16
#define STOP 0 /* the sentinel: real jobs are numbered from 1 */

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
        pthread_cond_wait(&not_empty, &queue_lock);
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
        int job = take();
        if (job == STOP) return NULL; /* the fix: the sentinel ends the loop */
        pthread_mutex_lock(&queue_lock);
        total += job;
        pthread_mutex_unlock(&queue_lock);
        /* @show-end */
    }
}

int main(void)
{
    pthread_t workers[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        if (pthread_create(&workers[i], NULL, worker, NULL) != 0) return 1;
    /* @show */
    for (int job = 1; job <= JOBS; job++)
        put(job);
    for (int i = 0; i < WORKERS; i++)
        put(STOP); /* one per worker: each worker takes exactly one */
    /* @show-end */
    printf("main: all %d jobs queued; waiting for the workers\n", JOBS);
    for (int i = 0; i < WORKERS; i++)
        pthread_join(workers[i], NULL);
    printf("main: total %ld\n", total);
    return 0;
}
