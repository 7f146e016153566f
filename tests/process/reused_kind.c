/* reused_kind.c — one mutex's memory re-made as the other kind without pthread_mutex_init, the
 * way std::mutex and std::recursive_mutex are (glibc's static initialisers, no init call), and
 * locked from the same call site each time: lockwatch must judge a relock by what the lock is now,
 * not by what it cached for that address and site.
 *   to-recursive  normal, then recursive: the relock is legal, nothing to report
 *   to-normal     recursive, then normal: the relock would block for ever, a double lock */
#define _GNU_SOURCE /* PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One helper for every lock call, as many programs have: one call site for both kinds. */
static __attribute__((noinline)) int take(pthread_mutex_t *m)
{
    return pthread_mutex_lock(m); /* @lock:rk-take */
}

static __attribute__((noinline)) void give(pthread_mutex_t *m)
{
    pthread_mutex_unlock(m);
}

int main(int argc, char **argv)
{
    bool to_recursive = argc > 1 && strcmp(argv[1], "to-recursive") == 0;
    pthread_mutex_t *m = malloc(sizeof *m);
    if (!m) return 2;
    const pthread_mutex_t normal = PTHREAD_MUTEX_INITIALIZER;
    const pthread_mutex_t recursive = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
    *m = to_recursive ? normal : recursive;
    take(m);
    give(m);
    *m = to_recursive ? recursive : normal;
    take(m);
    int rc = take(m);
    printf("relock returned %d\n", rc);
    give(m);
    give(m);
    free(m);
    return 0;
}
