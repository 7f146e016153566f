/* lock-wrapper-abba: the ABBA pattern where every lock goes through one helper function,
 * checked_lock(), as many programs (and C++'s std::mutex::lock) do. All pthread_mutex_lock calls
 * come from the same instruction, so only the frames above the helper tell the acquisitions
 * apart: the report must name the callers' lines, different for each edge. */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

/* The program's own wrapper: lock, or stop on error. */
static void checked_lock(pthread_mutex_t *m)
{
    if (pthread_mutex_lock(m) != 0) abort();
}

static void *take_a_then_b(void *arg)
{
    (void)arg;
    checked_lock(&lock_a); /* @lock:wab-a */
    checked_lock(&lock_b); /* @lock:wab-b */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    checked_lock(&lock_b); /* @lock:wba-b */
    checked_lock(&lock_a); /* @lock:wba-a */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, take_a_then_b, NULL) != 0 || pthread_join(t, NULL) != 0 ||
        pthread_create(&t, NULL, take_b_then_a, NULL) != 0 || pthread_join(t, NULL) != 0)
        return 1;
    return 0;
}
