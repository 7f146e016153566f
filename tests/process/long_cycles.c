/* long_cycles.c — lock-order cycles of any length, none of which deadlocks in this run.
 *
 *   long_cycles ring N    N threads, one after another: thread i takes lock i, then lock i + 1
 *                         (the last takes lock N - 1, then lock 0): one N-edge cycle
 *   long_cycles nested N  one thread takes locks 0 .. N - 1 in order, all held at once; another
 *                         then takes lock N - 1 and lock 0
 *   long_cycles chain N   the main thread alone takes each pair i, i + 1, then N - 1, 0: a
 *                         single-thread N-edge cycle (ThreadSanitizer's mutex_cycle_long) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LOCKS 4096

static pthread_mutex_t locks[MAX_LOCKS];
static unsigned nlocks;

static void lock_pair(unsigned first, unsigned second)
{
    pthread_mutex_lock(&locks[first]);  /* @lock:pair-hold */
    pthread_mutex_lock(&locks[second]); /* @lock:pair-take */
    pthread_mutex_unlock(&locks[second]);
    pthread_mutex_unlock(&locks[first]);
}

static void *ring_member(void *arg)
{
    unsigned i = (unsigned)(size_t)arg;
    lock_pair(i, (i + 1) % nlocks);
    return NULL;
}

static void *take_all(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < nlocks; i++)
        pthread_mutex_lock(&locks[i]); /* @lock:nest-take */
    for (unsigned i = nlocks; i-- > 0;)
        pthread_mutex_unlock(&locks[i]);
    return NULL;
}

static void *last_then_first(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&locks[nlocks - 1]); /* @lock:nest-last */
    pthread_mutex_lock(&locks[0]);          /* @lock:nest-first */
    pthread_mutex_unlock(&locks[0]);
    pthread_mutex_unlock(&locks[nlocks - 1]);
    return NULL;
}

static void run_thread(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    if (pthread_create(&t, NULL, fn, arg) != 0 || pthread_join(t, NULL) != 0) {
        perror("long_cycles: thread");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    nlocks = argc == 3 ? (unsigned)strtoul(argv[2], NULL, 10) : 0;
    if (nlocks < 2 || nlocks > MAX_LOCKS) {
        fprintf(stderr, "usage: long_cycles ring|nested|chain N (2 <= N <= %d)\n", MAX_LOCKS);
        return 2;
    }
    for (unsigned i = 0; i < nlocks; i++)
        pthread_mutex_init(&locks[i], NULL);
    if (strcmp(argv[1], "ring") == 0) {
        for (unsigned i = 0; i < nlocks; i++)
            run_thread(ring_member, (void *)(size_t)i);
    } else if (strcmp(argv[1], "nested") == 0) {
        run_thread(take_all, NULL);
        run_thread(last_then_first, NULL);
    } else if (strcmp(argv[1], "chain") == 0) {
        for (unsigned i = 0; i < nlocks; i++)
            lock_pair(i, (i + 1) % nlocks);
    } else {
        fprintf(stderr, "long_cycles: unknown mode %s\n", argv[1]);
        return 2;
    }
    printf("long_cycles: %s of %u locks done\n", argv[1], nlocks);
    return 0;
}
