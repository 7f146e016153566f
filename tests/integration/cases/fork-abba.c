/* fork-abba: the two lock orders in a parent and its forked child.
 * "copies": static (not process-shared) lock_a and lock_b; after the fork the parent takes
 * lock_a then lock_b while the child, 200 ms later, takes lock_b then lock_a. Each process has
 * its own copy of both locks, so the cycle can never close: labelled ordered, saying so.
 * "shared": process-shared mutexes in shared memory; the parent takes the first before forking
 * and the child the second: the fork orders them (labelled ordered, naming the fork).
 * "heap": like "copies", with the two mutexes on the heap: lockwatch cannot tell a private heap
 * from memory the processes share, so it claims nothing: labelled concurrent.
 * "wait": the same mutexes; the child takes the first order, and the parent the second after
 * its waitpid returned the child's end: the wait orders them (labelled ordered, naming it). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void take(pthread_mutex_t *first, pthread_mutex_t *second)
{
    pthread_mutex_lock(first);
    pthread_mutex_lock(second); /* @lock:second */
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
}

static int wait_child(pid_t child)
{
    int status;
    return waitpid(child, &status, 0) == child /* @lock:waitpid */
                   && WIFEXITED(status) && WEXITSTATUS(status) == 0
               ? 0
               : 1;
}

static int copies(pthread_mutex_t *a, pthread_mutex_t *b)
{
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        struct timespec later = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
        nanosleep(&later, NULL);
        take(b, a);
        _exit(0);
    }
    take(a, b);
    return wait_child(child);
}

static int heap(void)
{
    pthread_mutex_t *m = malloc(2 * sizeof *m);
    if (m == NULL || pthread_mutex_init(&m[0], NULL) != 0 || pthread_mutex_init(&m[1], NULL) != 0)
        return 1;
    int rc = copies(&m[0], &m[1]);
    free(m);
    return rc;
}

/* Two process-shared mutexes in shared memory, or NULL. */
static pthread_mutex_t *shared_pair(void)
{
    pthread_mutex_t *m =
        mmap(NULL, 2 * sizeof *m, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (pthread_mutex_init(&m[0], &attr) != 0 || pthread_mutex_init(&m[1], &attr) != 0) return NULL;
    return m;
}

static int waited(void)
{
    pthread_mutex_t *m = shared_pair();
    if (m == NULL) return 1;
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        take(&m[0], &m[1]);
        _exit(0);
    }
    if (wait_child(child) != 0) return 1;
    take(&m[1], &m[0]);
    return 0;
}

static int shared(void)
{
    pthread_mutex_t *m = shared_pair();
    if (m == NULL) return 1;
    take(&m[0], &m[1]);
    pid_t child = fork(); /* @lock:fork */
    if (child < 0) return 1;
    if (child == 0) {
        take(&m[1], &m[0]);
        _exit(0);
    }
    return wait_child(child);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "shared") == 0) return shared();
    if (argc > 1 && strcmp(argv[1], "wait") == 0) return waited();
    if (argc > 1 && strcmp(argv[1], "heap") == 0) return heap();
    return copies(&lock_a, &lock_b);
}
