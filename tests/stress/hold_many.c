/* hold_many.c — one thread holds 10,000 mutexes at once, then a second pass takes two of them
 * in the opposite order (an inversion lockwatch must still find). ThreadSanitizer aborts above
 * 64 locks held by one thread; lockwatch must neither crash nor lose the finding. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NLOCKS 10000

int main(void)
{
    pthread_mutex_t *locks = calloc(NLOCKS, sizeof *locks);
    if (!locks) return 1;
    for (int i = 0; i < NLOCKS; i++)
        pthread_mutex_init(&locks[i], NULL);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < NLOCKS; i++)
            pthread_mutex_lock(&locks[i]); /* @hold:ascending */
        for (int i = NLOCKS - 1; i >= 0; i--)
            pthread_mutex_unlock(&locks[i]);
    }
    pthread_mutex_lock(&locks[NLOCKS - 1]);
    pthread_mutex_lock(&locks[NLOCKS - 2]); /* @hold:inverted */
    pthread_mutex_unlock(&locks[NLOCKS - 2]);
    pthread_mutex_unlock(&locks[NLOCKS - 1]);
    for (int i = 0; i < NLOCKS; i++)
        pthread_mutex_destroy(&locks[i]);
    free(locks);
    puts("held 10000 locks at once");
    return 0;
}
