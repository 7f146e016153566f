/* crash_after.c — finds a lock-order inversion (two threads run one after the other, so the run
 * itself is lucky), then ends badly: `segv` dereferences NULL, `abort` calls abort(), `kill`
 * sends itself SIGKILL, `wait` blocks until a signal ends it (for Ctrl-C), `exit` exits 0. The
 * inversion must still be reported: records leave the program as they arise. */
#define _GNU_SOURCE /* pthread barriers, nanosleep, pause under -std=c11 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER, lock_b = PTHREAD_MUTEX_INITIALIZER;

static void *a_then_b(void *arg)
{
    pthread_mutex_lock(&lock_a); /* @lock:cr-a-first */
    pthread_mutex_lock(&lock_b); /* @lock:cr-b-second */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return arg;
}

static void *b_then_a(void *arg)
{
    pthread_mutex_lock(&lock_b); /* @lock:cr-b-first */
    pthread_mutex_lock(&lock_a); /* @lock:cr-a-second */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return arg;
}

int main(int argc, char **argv)
{
    const char *end = argc > 1 ? argv[1] : "exit";
    pthread_t t;
    if (pthread_create(&t, NULL, a_then_b, NULL) != 0) return 1;
    pthread_join(t, NULL);
    if (pthread_create(&t, NULL, b_then_a, NULL) != 0) return 1;
    pthread_join(t, NULL);
    printf("inversion done, now: %s\n", end);
    fflush(stdout);
    if (strcmp(end, "segv") == 0) {
        volatile int *nowhere = NULL;
        return *nowhere;
    }
    if (strcmp(end, "abort") == 0) abort();
    if (strcmp(end, "kill") == 0) raise(SIGKILL);
    if (strcmp(end, "wait") == 0)
        for (;;)
            pause();
    return 0;
}
