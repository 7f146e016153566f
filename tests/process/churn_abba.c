/* churn_abba.c — a lock-order inversion between two global locks, one order taken before and one
 * after 2,200,000 short-lived heap mutexes (as a server makes per request: initialised, locked,
 * destroyed, their memory freed), laid out at every 8-byte offset of 16 MiB of heap. The runtime's
 * chain cache fills on the way; the inversion must still be reported on every run: no table may
 * drop the chains, and the heap locks' lives may not rename the global ones. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define REQUESTS 2200000
#define ARENA (16l << 20)
#define CONNECTION (ARENA / 4) /* the arena is re-allocated at every quarter */

static pthread_mutex_t ga = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t gb = PTHREAD_MUTEX_INITIALIZER;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ga); /* @lock:churn-a-first */
    pthread_mutex_lock(&gb); /* @lock:churn-b-second */
    pthread_mutex_unlock(&gb);
    pthread_mutex_unlock(&ga);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&gb); /* @lock:churn-b-first */
    pthread_mutex_lock(&ga); /* @lock:churn-a-second */
    pthread_mutex_unlock(&ga);
    pthread_mutex_unlock(&gb);
    return NULL;
}

/* Requests are carved from an arena, one after another, each 8 bytes further on: over the run
 * their mutexes sit at every 8-byte offset of 16 MiB. Each request's mutex lives (initialised,
 * locked, destroyed) before the next one, which overlaps it, is made. Every few requests the
 * arena's memory is returned and allocated again, as a server's per-connection arena is. */
static int serve_requests(void)
{
    char *arena = NULL;
    for (long n = 0; n < REQUESTS; n++) {
        long offset = n * 8 % ARENA;
        if (offset % CONNECTION == 0) {
            free(arena);
            arena = malloc(ARENA + sizeof(pthread_mutex_t));
            if (!arena) return -1;
        }
        pthread_mutex_t *lock = (pthread_mutex_t *)(arena + offset);
        pthread_mutex_init(lock, NULL);
        pthread_mutex_lock(lock);
        pthread_mutex_unlock(lock);
        pthread_mutex_destroy(lock);
    }
    free(arena);
    return 0;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, take_a_then_b, NULL) || pthread_join(t, NULL)) return 1;
    if (serve_requests() < 0) return 1;
    if (pthread_create(&t, NULL, take_b_then_a, NULL) || pthread_join(t, NULL)) return 1;
    printf("served %d requests\n", REQUESTS);
    return 0;
}
