/* double_lock.c — a thread locks a mutex it already holds.
 *   default     a default (normal) mutex: the second lock would block for ever, so lockwatch
 *               reports it before the call blocks and ends the run
 *   errorcheck  an error-checking mutex: the second lock fails with EDEADLK, the program goes
 *               on; lockwatch reports it and lets the run finish
 *   fixed       the lock is released before it is taken again: nothing to report */
#define _GNU_SOURCE /* pthread barriers, nanosleep, pause under -std=c11 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;

static void reload_config(void)
{
    pthread_mutex_lock(&config_lock); /* @lock:dbl-inner */
    pthread_mutex_unlock(&config_lock);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "default";
    if (strcmp(mode, "errorcheck") == 0) {
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
        pthread_mutex_init(&config_lock, &attr);
        pthread_mutex_lock(&config_lock);          /* @lock:dbl-ec-first */
        int rc = pthread_mutex_lock(&config_lock); /* @lock:dbl-ec-again */
        printf("second lock: %s\n", rc == EDEADLK ? "EDEADLK" : strerror(rc));
        pthread_mutex_unlock(&config_lock);
        return 0;
    }
    pthread_mutex_lock(&config_lock); /* @lock:dbl-outer */
    if (strcmp(mode, "fixed") == 0) pthread_mutex_unlock(&config_lock);
    reload_config();
    if (strcmp(mode, "fixed") != 0) pthread_mutex_unlock(&config_lock);
    puts("config reloaded");
    return 0;
}
