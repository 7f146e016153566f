/* lock-held-at-exit, broken: a worker thread returns on an error path without unlocking.
 *
 * save_settings() takes settings_lock, finds the settings invalid, and returns early: the
 * `return` skips the unlock. The thread ends, and the mutex stays locked for ever; nobody can
 * unlock it any more (only the owner may unlock a mutex, and the owner is gone).
 *
 * Any thread that locks settings_lock later waits for ever. Here main locks it with a deadline
 * (pthread_mutex_timedlock, 1 second), so the program can show the symptom and end; with a plain
 * pthread_mutex_lock it would hang. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t settings_lock = PTHREAD_MUTEX_INITIALIZER; /* guards settings */
static int settings = 7;

static bool valid(int value)
{
    return value >= 0 && value <= 10;
}

static void *save_settings(void *arg)
{
    int value = *(int *)arg;
    /* @show */
    pthread_mutex_lock(&settings_lock); /* @lock:worker-lock */
    if (!valid(value)) {
        fprintf(stderr, "save_settings: %d is out of range, not saved\n", value);
        return NULL; /* the bug: returns with settings_lock still held */
    }
    settings = value;
    pthread_mutex_unlock(&settings_lock);
    /* @show-end */
    return NULL;
}

int main(void)
{
    int bad_value = 42;
    pthread_t worker;
    if (pthread_create(&worker, NULL, save_settings, &bad_value) != 0) {
        fprintf(stderr, "lock-held-at-exit: cannot start a thread\n");
        return 1;
    }
    pthread_join(worker, NULL);

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 1;
    int rc = pthread_mutex_timedlock(&settings_lock, &deadline); /* @lock:main-wait */
    if (rc == ETIMEDOUT) {
        printf("main waited 1 s for settings_lock and gave up: the worker ended holding it\n");
        return 0;
    }
    if (rc != 0) {
        printf("pthread_mutex_timedlock failed: %s\n", strerror(rc));
        return 1;
    }
    printf("settings %d\n", settings);
    pthread_mutex_unlock(&settings_lock);
    return 0;
}
