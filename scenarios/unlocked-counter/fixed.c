/* unlocked-counter, fixed: every increment happens while holding counter_lock.
 *
 * The mutex makes load-add-store one indivisible step as far as the other threads are concerned,
 * so no update is lost. There is only one lock, so there is no lock order to get wrong and
 * lockwatch stays silent. (A C11 atomic_fetch_add would fix it too, without a lock.) */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

#define NTHREADS 4
#define INCREMENTS 1000000L /* per thread; fewer than broken.c, as each one now takes a lock */

static long counter;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER; /* guards counter */
static pthread_barrier_t start_line;

static void *count_up(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start_line);
    /* @show */
    for (long i = 0; i < INCREMENTS; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
        /* @show-end */
    }
    return NULL;
}

int main(void)
{
    pthread_t threads[NTHREADS];
    pthread_barrier_init(&start_line, NULL, NTHREADS);
    for (int i = 0; i < NTHREADS; i++) {
        if (pthread_create(&threads[i], NULL, count_up, NULL) != 0) {
            fprintf(stderr, "unlocked-counter: cannot start a thread\n");
            return 1;
        }
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start_line);

    long expected = NTHREADS * INCREMENTS;
    if (counter != expected) {
        printf("expected %ld, got %ld (%ld updates lost)\n", expected, counter, expected - counter);
        return 1;
    }
    printf("expected %ld, got %ld (no update lost)\n", expected, counter);
    return 0;
}
