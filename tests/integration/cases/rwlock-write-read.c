/* rwlock-write-read: thread 1 write-locks rw_a then rw_b; thread 2 read-locks rw_b then rw_a.
 * A reader waits for a writer, so the two orders can deadlock (thread 1 holds rw_a for writing
 * and waits for rw_b; thread 2 holds rw_b for reading and waits for rw_a): reported. The threads
 * run one after the other, so this run cannot deadlock. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stddef.h>

static pthread_rwlock_t rw_a = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t rw_b = PTHREAD_RWLOCK_INITIALIZER;

static void *write_a_then_b(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&rw_a); /* @lock:wr-a */
    pthread_rwlock_wrlock(&rw_b); /* @lock:wr-b */
    pthread_rwlock_unlock(&rw_b);
    pthread_rwlock_unlock(&rw_a);
    return NULL;
}

static void *read_b_then_a(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw_b); /* @lock:rd-b */
    pthread_rwlock_rdlock(&rw_a); /* @lock:rd-a */
    pthread_rwlock_unlock(&rw_a);
    pthread_rwlock_unlock(&rw_b);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, write_a_then_b, NULL) != 0 || pthread_join(t, NULL) != 0 ||
        pthread_create(&t, NULL, read_b_then_a, NULL) != 0 || pthread_join(t, NULL) != 0)
        return 1;
    return 0;
}
