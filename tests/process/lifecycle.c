/* lifecycle.c — misuse of a lock's life, one kind per argument, and the same steps done right:
 *   use-destroyed   a mutex is locked after its destroy (glibc: EINVAL)
 *   uninitialised   a mutex in memory that never held one is locked (glibc: EINVAL)
 *   reinit-held     a mutex is initialised again while its thread holds it
 *   reinit-live     a static mutex is initialised twice with no destroy in between
 *   reinit-child    the same in a forked child, after the child's own first init of it
 *   fixed           init, use, destroy, init again; a heap mutex freed without a destroy and its
 *                   memory initialised as a new mutex (not a second init: lockwatch does not see
 *                   free, so it judges only static storage); a forked child initialising
 *                   again a static mutex its parent set up (the after-fork recovery that
 *                   CPython's multiprocessing does); nothing to report */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t config_lock;

static void use_destroyed(void)
{
    pthread_mutex_init(&config_lock, NULL);
    pthread_mutex_lock(&config_lock);
    pthread_mutex_unlock(&config_lock);
    pthread_mutex_destroy(&config_lock);       /* @lock:mis-destroyed-at */
    int rc = pthread_mutex_lock(&config_lock); /* @lock:mis-use-destroyed */
    if (rc == 0) pthread_mutex_unlock(&config_lock);
}

static void uninitialised(void)
{
    pthread_mutex_t *m = malloc(sizeof *m);
    if (!m) return;
    memset(m, 0xab, sizeof *m);     /* garbage, as in memory reused without an init */
    int rc = pthread_mutex_lock(m); /* @lock:mis-use-uninit */
    if (rc == 0) pthread_mutex_unlock(m);
    free(m);
}

static void reinit_held(void)
{
    pthread_mutex_init(&config_lock, NULL);
    pthread_mutex_lock(&config_lock);       /* @lock:mis-reinit-locked */
    pthread_mutex_init(&config_lock, NULL); /* @lock:mis-reinit-held */
    pthread_mutex_unlock(&config_lock);
    pthread_mutex_destroy(&config_lock);
}

static void reinit_live(void)
{
    pthread_mutex_init(&config_lock, NULL); /* @lock:mis-init-first */
    pthread_mutex_lock(&config_lock);
    pthread_mutex_unlock(&config_lock);
    pthread_mutex_init(&config_lock, NULL); /* @lock:mis-init-again */
    pthread_mutex_destroy(&config_lock);
}

/* A child initialises config_lock (set up by the parent) once, or `twice`; the parent waits. */
static void child_inits(int times)
{
    pthread_mutex_init(&config_lock, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_init(&config_lock, NULL); /* @lock:mis-child-init */
        pthread_mutex_lock(&config_lock);
        pthread_mutex_unlock(&config_lock);
        if (times > 1) pthread_mutex_init(&config_lock, NULL); /* @lock:mis-child-again */
        _exit(0);
    }
    if (pid > 0) waitpid(pid, NULL, 0);
    pthread_mutex_destroy(&config_lock);
}

static void fixed(void)
{
    child_inits(1);
    for (int round = 0; round < 2; round++) {
        pthread_mutex_init(&config_lock, NULL);
        pthread_mutex_lock(&config_lock);
        pthread_mutex_unlock(&config_lock);
        pthread_mutex_destroy(&config_lock);
    }
    for (int round = 0; round < 3; round++) {
        pthread_mutex_t *m = malloc(sizeof *m);
        if (!m) return;
        pthread_mutex_init(m, NULL);
        pthread_mutex_lock(m);
        pthread_mutex_unlock(m);
        free(m); /* never destroyed: the next round may get the same memory */
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "fixed";
    if (strcmp(mode, "use-destroyed") == 0)
        use_destroyed();
    else if (strcmp(mode, "uninitialised") == 0)
        uninitialised();
    else if (strcmp(mode, "reinit-held") == 0)
        reinit_held();
    else if (strcmp(mode, "reinit-live") == 0)
        reinit_live();
    else if (strcmp(mode, "reinit-child") == 0)
        child_inits(2);
    else
        fixed();
    puts("done");
    return 0;
}
