/* threads-vs-processes, fixed: the threads share the counter under a mutex; the processes share
 * it through shared memory, under a process-shared mutex that lives in that memory too.
 *
 * For threads, memory is already shared: a lock is all that is missing. For processes, nothing
 * is shared after fork() unless asked for: mmap(MAP_SHARED | MAP_ANONYMOUS) before the fork gives
 * parent and children the same page, and a mutex in that page, made with
 * PTHREAD_PROCESS_SHARED, is one lock for all of them. (A pipe, through which each child sends
 * its result for the parent to add up, would fix it too, with nothing shared at all.) */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 2
#define INCREMENTS 1000000L /* per worker; fewer than broken.c, as each one now takes a lock */

/* One shared counter and its lock. */
struct tally {
    pthread_mutex_t lock;
    long counter;
};

/* @show */
static void add_many(struct tally *tally)
{
    for (long i = 0; i < INCREMENTS; i++) {
        pthread_mutex_lock(&tally->lock);
        tally->counter++;
        pthread_mutex_unlock(&tally->lock);
        /* @show-end */
    }
}

static void *count_in_thread(void *arg)
{
    add_many(arg);
    return NULL;
}

static long count_with_threads(void)
{
    static struct tally tally = {PTHREAD_MUTEX_INITIALIZER, 0};
    pthread_t threads[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        if (pthread_create(&threads[i], NULL, count_in_thread, &tally) != 0) return -1;
    for (int i = 0; i < WORKERS; i++)
        pthread_join(threads[i], NULL);
    return tally.counter;
}

static long count_with_processes(void)
{
    /* Memory that stays shared across fork(), holding the counter and its lock. */
    struct tally *tally =
        mmap(NULL, sizeof *tally, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (tally == MAP_FAILED) return -1;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED); /* one lock for all processes */
    pthread_mutex_init(&tally->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    tally->counter = 0;

    for (int i = 0; i < WORKERS; i++) {
        pid_t child = fork();
        if (child < 0) return -1;
        if (child == 0) {
            add_many(tally); /* the same page as the parent's */
            _exit(0);
        }
    }
    for (int i = 0; i < WORKERS; i++)
        wait(NULL);
    long total = tally->counter;
    pthread_mutex_destroy(&tally->lock);
    munmap(tally, sizeof *tally);
    return total;
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
    printf("threads:   expected %ld, got %ld (shared memory, one mutex)\n", expected, by_threads);
    printf("processes: expected %ld, got %ld (shared mapping, process-shared mutex)\n", expected,
           by_processes);
    return by_threads == expected && by_processes == expected ? 0 : 1;
}
