/* recursive-relock: rec_lock is recursive. The thread takes rec_lock, then lock_a, then
 * rec_lock again (a re-acquisition by its owner: it cannot block). Elsewhere the order is
 * rec_lock then lock_a only. Treating the re-lock as "lock_a held, rec_lock requested" would
 * invent the cycle rec_lock -> lock_a -> rec_lock; nothing must be reported.
 * rec_lock is statically initialised, so its kind is visible only in the object itself. */
#define _GNU_SOURCE /* PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP */
#include <pthread.h>
#include <stddef.h>

static pthread_mutex_t rec_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static int depth_seen;

/* A helper that takes rec_lock itself, as library code called with it held would. */
static void helper_needing_rec_lock(void)
{
    pthread_mutex_lock(&rec_lock); /* re-lock by the owner */
    depth_seen++;
    pthread_mutex_unlock(&rec_lock);
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&rec_lock);
    pthread_mutex_lock(&lock_a);
    helper_needing_rec_lock();
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&rec_lock);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, worker, NULL) != 0 || pthread_join(t1, NULL) != 0 ||
        pthread_create(&t2, NULL, worker, NULL) != 0 || pthread_join(t2, NULL) != 0)
        return 1;
    return depth_seen == 2 ? 0 : 1;
}
