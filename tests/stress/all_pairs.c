/* all_pairs.c — every pair of NLOCKS locks taken in both orders from one pair of source lines,
 * the pattern of ThreadSanitizer's deadlock stress test: one teller takes i then j for every
 * i < j, then (after it ended) another takes j then i. Each pair is its own two-lock cycle,
 * NLOCKS * (NLOCKS - 1) / 2 of them, all of the same code: one finding counting them all. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define NLOCKS 70

/* 64 bytes each, so the locks are named locks, locks+64, ... on every ABI. */
static struct {
    _Alignas(64) pthread_mutex_t m;
} locks[NLOCKS];

static void lock_two(int first, int second)
{
    pthread_mutex_lock(&locks[first].m);  /* @pairs:first */
    pthread_mutex_lock(&locks[second].m); /* @pairs:second */
    pthread_mutex_unlock(&locks[second].m);
    pthread_mutex_unlock(&locks[first].m);
}

static void *teller(void *backwards)
{
    for (int i = 0; i < NLOCKS; i++)
        for (int j = i + 1; j < NLOCKS; j++)
            if (*(const int *)backwards)
                lock_two(j, i);
            else
                lock_two(i, j);
    return NULL;
}

int main(void)
{
    static const int dirs[2] = {0, 1};
    for (int i = 0; i < NLOCKS; i++)
        pthread_mutex_init(&locks[i].m, NULL);
    for (int d = 0; d < 2; d++) {
        pthread_t t;
        if (pthread_create(&t, NULL, teller, (void *)&dirs[d]) != 0) return 1;
        pthread_join(t, NULL);
    }
    printf("%d locks, %d pairs both ways\n", NLOCKS, NLOCKS * (NLOCKS - 1) / 2);
    return 0;
}
