/* abba-overlap: both threads are alive at once (neither is joined before the other starts); a
 * semaphore keeps their critical sections apart, so the run never deadlocks. Thread start and
 * join do not order them, and a semaphore does not count as an ordering (it could hide a real
 * deadlock): the inversion is labelled concurrent, with a note naming the hand-over.
 * With the argument "extra-post" main posts the semaphore once too before starting the threads,
 * so the wait may take main's post instead of T1's (the second thread then sleeps 200 ms to stay
 * clear of the first): no hand-over is certain, no note. */
#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static sem_t first_done;
static volatile int shared_value;
static int extra_post;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* @lock:ab-first */
    pthread_mutex_lock(&lock_b); /* @lock:ab-second */
    shared_value++;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    sem_post(&first_done); /* @lock:sem-post */
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    sem_wait(&first_done); /* @lock:sem-wait */
    if (extra_post) {
        struct timespec later = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
        nanosleep(&later, NULL);
    }
    pthread_mutex_lock(&lock_b); /* @lock:ba-first */
    pthread_mutex_lock(&lock_a); /* @lock:ba-second */
    shared_value++;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(int argc, char **argv)
{
    extra_post = argc > 1 && strcmp(argv[1], "extra-post") == 0;
    pthread_t t1, t2;
    if (sem_init(&first_done, 0, 0) != 0) return 1;
    if (extra_post) sem_post(&first_done);
    if (pthread_create(&t2, NULL, take_b_then_a, NULL) != 0) return 1;
    if (pthread_create(&t1, NULL, take_a_then_b, NULL) != 0) return 1;
    if (pthread_join(t1, NULL) != 0 || pthread_join(t2, NULL) != 0) return 1;
    return shared_value == 2 ? 0 : 1;
}
