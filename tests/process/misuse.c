/* misuse.c — lock misuse that does not hang, one kind per argument, each with its fix:
 *   unlock-unowned  a worker unlocks an error-checking mutex the main thread holds (EPERM)
 *   destroy-locked  a mutex is destroyed while locked (glibc: EBUSY, the mutex stays usable)
 *   exit-holding    a worker returns while still holding a mutex
 *   fixed           the same steps done right: nothing to report */
#define _GNU_SOURCE /* pthread barriers, nanosleep, pause under -std=c11 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t queue_lock;
static const char *mode;

static void *worker(void *arg)
{
    if (strcmp(mode, "unlock-unowned") == 0) {
        pthread_mutex_unlock(&queue_lock); /* @lock:mis-unowned-unlock */
    } else if (strcmp(mode, "exit-holding") == 0) {
        pthread_mutex_lock(&queue_lock); /* @lock:mis-exit-lock */
        return arg;                      /* forgot the unlock on this path */
    } else if (strcmp(mode, "fixed") == 0) {
        pthread_mutex_lock(&queue_lock);
        pthread_mutex_unlock(&queue_lock);
    }
    return arg;
}

static void run_worker(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) == 0) pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
    mode = argc > 1 ? argv[1] : "fixed";
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&queue_lock, &attr);
    if (strcmp(mode, "unlock-unowned") == 0) {
        pthread_mutex_lock(&queue_lock); /* @lock:mis-unowned-lock */
        run_worker();
        pthread_mutex_unlock(&queue_lock);
    } else if (strcmp(mode, "destroy-locked") == 0) {
        pthread_mutex_lock(&queue_lock);    /* @lock:mis-destroy-lock */
        pthread_mutex_destroy(&queue_lock); /* @lock:mis-destroy */
        pthread_mutex_unlock(&queue_lock);
    } else if (strcmp(mode, "exit-holding") == 0) {
        run_worker(); /* the mutex stays locked for ever: nobody may touch it again */
        puts("done");
        return 0;
    } else {
        run_worker();
        pthread_mutex_lock(&queue_lock);
        pthread_mutex_unlock(&queue_lock);
    }
    pthread_mutex_destroy(&queue_lock);
    puts("done");
    return 0;
}
