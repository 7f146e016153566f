/* abba-apart: two threads alive at once take lock_a and lock_b in opposite orders, 200 ms apart,
 * so the run never deadlocks by itself. Nothing orders them: the inversion is concurrent, and a
 * re-run steered toward it (--confirm) really deadlocks. With the argument "fixed" both threads
 * take lock_a first: nothing to report, nothing to confirm. */
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static volatile int shared_value;
static int fixed;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* @lock:ab-first */
    pthread_mutex_lock(&lock_b); /* @lock:ab-second */
    shared_value++;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    struct timespec later = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
    nanosleep(&later, NULL);
    pthread_mutex_t *first = fixed ? &lock_a : &lock_b;
    pthread_mutex_t *second = fixed ? &lock_b : &lock_a;
    pthread_mutex_lock(first);  /* @lock:ba-first */
    pthread_mutex_lock(second); /* @lock:ba-second */
    shared_value++;
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
    return NULL;
}

int main(int argc, char **argv)
{
    fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, take_a_then_b, NULL) != 0) return 1;
    if (pthread_create(&t2, NULL, take_b_then_a, NULL) != 0) return 1;
    if (pthread_join(t1, NULL) != 0 || pthread_join(t2, NULL) != 0) return 1;
    return shared_value == 2 ? 0 : 1;
}
