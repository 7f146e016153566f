/* unlocked-counter, broken: several threads increment one shared counter without a lock.
 *
 * `counter++` is three steps: load, add, store. Two threads that load the same value both store
 * value+1, and one increment is lost. `volatile` forces each step to memory on every iteration
 * (so the compiler cannot fold the loop into one addition) but makes nothing atomic. A barrier
 * starts all threads together and each loop runs for tens of milliseconds, so the loops overlap
 * and the run loses updates on any machine with two or more cores (measured on a loaded 2-core
 * machine: 200 runs out of 200; pinned to one core it still loses them in most runs, through
 * preemption between the load and the store). There is no lock in this program, so lockwatch (which
 * checks lock order) reports nothing: data races are ThreadSanitizer's job. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

#define NTHREADS 4
#define INCREMENTS 20000000L /* per thread: long enough that the loops overlap */

static volatile long counter;
static pthread_barrier_t start_line;

static void *count_up(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start_line);
    /* @show */
    for (long i = 0; i < INCREMENTS; i++)
        counter = counter + 1; /* the race: read, add, write, with no lock. @lock:increment */
    /* @show-end */
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
    long got = counter;
    if (got == expected)
        printf("expected %ld, got %ld (no update lost: this run was lucky)\n", expected, got);
    else
        printf("expected %ld, got %ld (%ld updates lost)\n", expected, got, expected - got);
    return 0;
}
