/* threads-vs-processes, broken: the same counting job done by two threads and by two forked
 * processes, both without any coordination.
 *
 * Threads of one process share its memory: both threads add to the same `counter`, without a
 * lock, and updates are lost (a data race). Processes made by fork() each get their own copy of
 * the memory: each child adds to its own copy of `counter`, and the parent's stays 0 (no race, but
 * no sharing either: the children's work is simply lost to the parent).
 *
 * The program prints both results, so the two mistakes can be seen side by side. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 2
#define INCREMENTS 50000000L /* per worker: long enough for the threads to overlap */

static volatile long counter;
static pthread_barrier_t start_line;

/* @show */
static void add_many(void)
{
    for (long i = 0; i < INCREMENTS; i++)
        counter = counter + 1; /* no lock: threads race here @lock:increment */
    /* @show-end */
}

static void *count_in_thread(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start_line); /* start together, so the loops overlap */
    add_many();
    return NULL;
}

static long count_with_threads(void)
{
    pthread_t threads[WORKERS];
    counter = 0;
    pthread_barrier_init(&start_line, NULL, WORKERS);
    for (int i = 0; i < WORKERS; i++)
        if (pthread_create(&threads[i], NULL, count_in_thread, NULL) != 0) return -1;
    for (int i = 0; i < WORKERS; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start_line);
    return counter;
}

static long count_with_processes(void)
{
    counter = 0;
    for (int i = 0; i < WORKERS; i++) {
        pid_t child = fork();
        if (child < 0) return -1;
        if (child == 0) { /* the child: counts in its own copy of the memory, then exits */
            add_many();
            _exit(0);
        }
    }
    for (int i = 0; i < WORKERS; i++)
        wait(NULL);
    return counter; /* the parent's copy: nobody added to it */
}

int main(void)
{
    long expected = WORKERS * INCREMENTS;
    long by_threads = count_with_threads();
    long by_processes = count_with_processes();
    if (by_threads < 0 || by_processes < 0) {
        fprintf(stderr, "threads-vs-processes: cannot start a thread or a process\n");
        return 1;
    }
    if (by_threads < expected)
        printf("threads:   expected %ld, got %ld (shared memory, no lock: %ld updates lost)\n",
               expected, by_threads, expected - by_threads);
    else
        printf("threads:   expected %ld, got %ld (no update lost: this run was lucky)\n", expected,
               by_threads);
    printf("processes: expected %ld, got %ld (each child counted in its own copy)\n", expected,
           by_processes);
    return 0;
}
