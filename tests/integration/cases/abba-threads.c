/* abba-threads: the plainest inversion. Thread 1 takes lock_a then lock_b; thread 2, started
 * after thread 1 is joined (so the run cannot deadlock), takes lock_b then lock_a. Also built
 * with -O2 (abba-threads-o2): the thread functions are called through pointers, so they stay
 * real frames and their lines must still be right. */
#include <pthread.h>
#include <stddef.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static volatile int shared_value;

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
    pthread_mutex_lock(&lock_b); /* @lock:ba-first */
    pthread_mutex_lock(&lock_a); /* @lock:ba-second */
    shared_value++;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, take_a_then_b, NULL) != 0 || pthread_join(t, NULL) != 0) return 1;
    if (pthread_create(&t, NULL, take_b_then_a, NULL) != 0 || pthread_join(t, NULL) != 0) return 1;
    return shared_value == 2 ? 0 : 1;
}
