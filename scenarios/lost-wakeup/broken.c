/* lost-wakeup, broken: a thread waits on a condition variable without checking the condition,
 * and the signal it waits for was sent before it started waiting.
 *
 * The worker needs the configuration that main loads. main sets `config_ready` and signals
 * `config_loaded`; the worker takes the lock and waits on `config_loaded`. But a condition
 * variable has no memory: a signal sent while nobody waits is lost. Here the worker is slow to
 * start (setting up takes 200 ms), so main signals first, and the worker then waits for a signal
 * that already came and will never come again. It hangs for ever, and main hangs joining it.
 *
 * No lock is held in a cycle, but every thread waits and none can ever wake another: lockwatch
 * reports that as a deadlock, says that config_loaded was last signalled before the worker began
 * to wait, and ends the run. Without lockwatch, end it with Ctrl-C. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER; /* guards config_ready */
static pthread_cond_t config_loaded = PTHREAD_COND_INITIALIZER;
static bool config_ready;

static void set_up_worker(void)
{
    struct timespec pause = {0, 200 * 1000 * 1000}; /* 200 ms */
    nanosleep(&pause, NULL);
}

static void *worker(void *arg)
{
    (void)arg;
    set_up_worker();
    /* @show */
    pthread_mutex_lock(&config_lock);
    /* The bug: waits without looking at config_ready first. */
    pthread_cond_wait(&config_loaded, &config_lock); /* @lock:wait */
    pthread_mutex_unlock(&config_lock);
    /* @show-end */
    printf("worker: configuration received, working\n");
    return NULL;
}

int main(void)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, worker, NULL) != 0) {
        fprintf(stderr, "lost-wakeup: cannot start a thread\n");
        return 1;
    }
    /* @show */
    pthread_mutex_lock(&config_lock);
    config_ready = true;
    pthread_cond_signal(&config_loaded); /* nobody waits yet: this signal is lost */
    pthread_mutex_unlock(&config_lock);
    /* @show-end */
    printf("main: configuration loaded and signalled; waiting for the worker\n");
    fflush(stdout);             /* so the line shows before the hang, even through a pipe */
    pthread_join(thread, NULL); /* @lock:join */
    printf("main: worker finished\n");
    return 0;
}
