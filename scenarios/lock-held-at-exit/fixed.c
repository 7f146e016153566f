/* lock-held-at-exit, fixed: save_settings() has one way out, and it unlocks.
 *
 * The error path no longer returns from the middle: it only reports the bad value and goes on
 * to the single unlock at the end (one way out of the function, the habit behind C's "one exit
 * label"). main gets the lock at once. */
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
    pthread_mutex_lock(&settings_lock);
    if (valid(value))
        settings = value;
    else
        fprintf(stderr, "save_settings: %d is out of range, not saved\n", value);
    pthread_mutex_unlock(&settings_lock); /* reached on every path */
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
    int rc = pthread_mutex_timedlock(&settings_lock, &deadline);
    if (rc == ETIMEDOUT) {
        printf("main waited 1 s for settings_lock and gave up: the worker ended holding it\n");
        return 1;
    }
    if (rc != 0) {
        printf("pthread_mutex_timedlock failed: %s\n", strerror(rc));
        return 1;
    }
    printf("main got settings_lock at once: settings still %d\n", settings);
    pthread_mutex_unlock(&settings_lock);
    return 0;
}
