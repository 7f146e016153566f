/* recursive-abba: a recursive mutex does not excuse a real inversion. Thread 1 takes rec_lock
 * (twice, recursively) then lock_b; thread 2 takes lock_b then rec_lock. Against another thread
 * a recursive mutex blocks like any other, so this is a real ABBA and must be reported.
 * rec_lock is made recursive through pthread_mutexattr_settype (the other way to get one). */
#define _GNU_SOURCE /* PTHREAD_MUTEX_RECURSIVE in C11 mode */
#include <pthread.h>
#include <stddef.h>

static pthread_mutex_t rec_lock;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void *rec_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&rec_lock); /* @lock:rb-rec */
    pthread_mutex_lock(&rec_lock); /* recursive re-lock: makes no edge */
    pthread_mutex_lock(&lock_b);   /* @lock:rb-b */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&rec_lock);
    pthread_mutex_unlock(&rec_lock);
    return NULL;
}

static void *b_then_rec(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b);   /* @lock:br-b */
    pthread_mutex_lock(&rec_lock); /* @lock:br-rec */
    pthread_mutex_unlock(&rec_lock);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_mutexattr_t attr;
    if (pthread_mutexattr_init(&attr) != 0 ||
        pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) != 0 ||
        pthread_mutex_init(&rec_lock, &attr) != 0)
        return 1;
    pthread_mutexattr_destroy(&attr);
    pthread_t t;
    if (pthread_create(&t, NULL, rec_then_b, NULL) != 0 || pthread_join(t, NULL) != 0 ||
        pthread_create(&t, NULL, b_then_rec, NULL) != 0 || pthread_join(t, NULL) != 0)
        return 1;
    pthread_mutex_destroy(&rec_lock);
    return 0;
}
