/* abba-barrier: two live threads take lock_a and lock_b in opposite orders, one before a
 * pthread_barrier_wait both reach and one after it, so the barrier orders them and no schedule
 * can deadlock: the label is `ordered` by the barrier, and --confirm never reproduces it. With the
 * argument "no-barrier" the same threads skip the barrier and are kept apart by a 200 ms sleep
 * instead, which orders nothing: the label is `concurrent`. */
#define _POSIX_C_SOURCE 200809L /* pthread barriers under -std=c11 */
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t round_end;
static volatile int shared_value;
static int use_barrier = 1;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* @lock:ab-first */
    pthread_mutex_lock(&lock_b); /* @lock:ab-second */
    shared_value++;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    if (use_barrier) pthread_barrier_wait(&round_end); /* @lock:ab-barrier */
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    if (use_barrier) {
        pthread_barrier_wait(&round_end);
    } else {
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
    use_barrier = !(argc > 1 && strcmp(argv[1], "no-barrier") == 0);
    if (pthread_barrier_init(&round_end, NULL, 2) != 0) return 1;
    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, take_a_then_b, NULL) != 0) return 1;
    if (pthread_create(&t2, NULL, take_b_then_a, NULL) != 0) return 1;
    if (pthread_join(t1, NULL) != 0 || pthread_join(t2, NULL) != 0) return 1;
    pthread_barrier_destroy(&round_end);
    return shared_value == 2 ? 0 : 1;
}
