/* deadlock.c — a real ABBA deadlock: two threads each take one lock, meet at a barrier, then ask
 * for the other's lock. Nothing can ever finish, so lockwatch must report the deadlock and end
 * the run. With the argument `fork` the deadlock happens in a forked child while the parent
 * waits for it, so the finding belongs to the child's pid. */
#define _GNU_SOURCE /* pthread barriers, nanosleep, pause under -std=c11 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER, lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void *take_a_then_b(void *arg)
{
    pthread_mutex_lock(&lock_a); /* @lock:dl-a-first */
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&lock_b); /* @lock:dl-b-second */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return arg;
}

static void *take_b_then_a(void *arg)
{
    pthread_mutex_lock(&lock_b); /* @lock:dl-b-first */
    pthread_barrier_wait(&both_hold_one);
    pthread_mutex_lock(&lock_a); /* @lock:dl-a-second */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return arg;
}

static int deadlock(void)
{
    pthread_t t1, t2;
    pthread_barrier_init(&both_hold_one, NULL, 2);
    if (pthread_create(&t1, NULL, take_a_then_b, NULL) != 0 ||
        pthread_create(&t2, NULL, take_b_then_a, NULL) != 0)
        return 1;
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    puts("did not deadlock");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "fork") != 0) return deadlock();
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) _exit(deadlock());
    int status;
    waitpid(child, &status, 0);
    return 0;
}
