/* lost-wakeup, fixed: the worker waits for the condition, not for a signal.
 *
 * The state lives in `config_ready`, guarded by config_lock; the condition variable only says
 * "look again". The worker checks config_ready under the lock and waits only while it is false,
 * in a `while` loop: if main signalled before the worker got there, the worker sees
 * config_ready and does not wait at all; if it wakes up for no reason (POSIX allows spurious
 * wake-ups) or because of another thread, it checks again. */
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
    while (!config_ready) /* the fix: wait for the condition, in a loop */
        pthread_cond_wait(&config_loaded, &config_lock);
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
    pthread_cond_signal(&config_loaded); /* may still be lost: the flag is not */
    pthread_mutex_unlock(&config_lock);
    /* @show-end */
    printf("main: configuration loaded and signalled; waiting for the worker\n");
    fflush(stdout);
    pthread_join(thread, NULL);
    printf("main: worker finished\n");
    return 0;
}
