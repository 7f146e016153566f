/* million_locks.c — 1,000,000 distinct mutexes over one run (in batches, each nested under a
 * batch lock), never destroyed, with one inversion hidden among them. ThreadSanitizer forgets its
 * graph past 4,096 locks; lockwatch must keep it and stay within bounded memory. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define BATCH 10000
#define BATCHES 100

static pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t *keep_a, *keep_b;

int main(void)
{
    for (int b = 0; b < BATCHES; b++) {
        pthread_mutex_t *locks = calloc(BATCH, sizeof *locks);
        if (!locks) return 1;
        for (int i = 0; i < BATCH; i++) {
            pthread_mutex_init(&locks[i], NULL);
            pthread_mutex_lock(&outer);
            pthread_mutex_lock(&locks[i]); /* @million:nested */
            pthread_mutex_unlock(&locks[i]);
            pthread_mutex_unlock(&outer);
        }
        if (b == BATCHES / 2) {
            keep_a = &locks[17];
            keep_b = &locks[4242];
            continue; /* this batch stays allocated: its locks are used below */
        }
        free(locks); /* deliberately not destroyed: "locks never destroyed" */
    }
    pthread_mutex_lock(keep_a);
    pthread_mutex_lock(keep_b); /* @million:ab */
    pthread_mutex_unlock(keep_b);
    pthread_mutex_unlock(keep_a);
    pthread_mutex_lock(keep_b);
    pthread_mutex_lock(keep_a); /* @million:ba */
    pthread_mutex_unlock(keep_a);
    pthread_mutex_unlock(keep_b);
    puts("used 1000000 locks");
    return 0;
}
