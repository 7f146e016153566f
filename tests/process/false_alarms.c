/* false_alarms.c — correct (or differently wrong) programs that earlier runtimes reported as
 * misuse they are not, one per argument:
 *   over-unlock     an extra unlock (a real unlock-unowned), then a destroy that glibc refuses
 *                   with EBUSY only because the extra unlock broke its user count: nobody holds
 *                   the mutex, so the destroy is no destroy-locked
 *   robust          a thread ends holding a robust mutex; the next locker gets EOWNERDEAD and
 *                   recovers it with pthread_mutex_consistent: no exit-holding-lock
 *   foreign-unlock  main unlocks a mutex a worker holds (a real unlock-unowned); the worker then
 *                   ends: its hold was already over, no exit-holding-lock
 *   constructor     locks taken by a library constructor before lockwatch's runtime started
 *                   (false_alarms_lib.c) are unlocked by main: no unlock-unowned
 *   robust-lost     the robust mutex's next owner does not recover it: exit-holding-lock, decided
 *                   when the run ends */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "false_alarms_lib.h"

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t shared_lock;

static void *dies_holding(void *arg)
{
    pthread_mutex_lock(&shared_lock); /* @lock:mis-robust-lock */
    return arg;                       /* the owner dies holding it */
}

static void *holds_a_while(void *arg)
{
    pthread_mutex_lock(&stats_lock); /* @lock:mis-foreign-lock */
    usleep(200000);
    return arg; /* main has unlocked it meanwhile */
}

static void over_unlock(void)
{
    pthread_mutex_lock(&stats_lock);
    pthread_mutex_unlock(&stats_lock);
    pthread_mutex_unlock(&stats_lock); /* @lock:mis-over-unlock */
    int rc = pthread_mutex_destroy(&stats_lock);
    printf("destroy: %s\n", rc == EBUSY ? "EBUSY" : "ok");
}

static void robust(int recover)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&shared_lock, &attr);
    pthread_t t;
    pthread_create(&t, NULL, dies_holding, NULL);
    pthread_join(t, NULL);
    int rc = pthread_mutex_lock(&shared_lock);
    printf("lock: %s\n", rc == EOWNERDEAD ? "EOWNERDEAD" : "ok");
    if (rc == EOWNERDEAD && recover) pthread_mutex_consistent(&shared_lock); /* state repaired */
    pthread_mutex_unlock(&shared_lock);
}

static void foreign_unlock(void)
{
    pthread_t t;
    pthread_create(&t, NULL, holds_a_while, NULL);
    usleep(50000);
    pthread_mutex_unlock(&stats_lock); /* @lock:mis-foreign-unlock */
    pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "over-unlock") == 0)
        over_unlock();
    else if (strcmp(mode, "robust") == 0)
        robust(1);
    else if (strcmp(mode, "robust-lost") == 0)
        robust(0);
    else if (strcmp(mode, "foreign-unlock") == 0)
        foreign_unlock();
    else if (strcmp(mode, "constructor") == 0)
        lib_release_setup_locks();
    puts("done");
    return 0;
}
