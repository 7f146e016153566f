/* rwlock-read-read: two threads read-lock rw_a and rw_b in opposite orders. glibc's default
 * rwlock prefers readers: a reader enters whenever the lock is not write-held, even while a
 * writer waits. Readers never wait for readers, so a cycle made only of read acquisitions of
 * reader-preferring rwlocks can never block anyone: not a deadlock, not reported (lockdep's
 * recursive-read rule). The threads run at the same time, many rounds, to show it.
 * (With PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP a waiting writer would block new readers,
 * and the same orders could deadlock together with a writer.) */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stddef.h>

#define ROUNDS 2000

static pthread_rwlock_t rw_a = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t rw_b = PTHREAD_RWLOCK_INITIALIZER;
static int table_a[4] = {1, 2, 3, 4};
static int table_b[4] = {5, 6, 7, 8};

static void *read_a_then_b(void *arg)
{
    long *sum = arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_rwlock_rdlock(&rw_a);
        pthread_rwlock_rdlock(&rw_b);
        *sum += table_a[i % 4] + table_b[i % 4];
        pthread_rwlock_unlock(&rw_b);
        pthread_rwlock_unlock(&rw_a);
    }
    return NULL;
}

static void *read_b_then_a(void *arg)
{
    long *sum = arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_rwlock_rdlock(&rw_b);
        pthread_rwlock_rdlock(&rw_a);
        *sum += table_a[i % 4] + table_b[i % 4];
        pthread_rwlock_unlock(&rw_a);
        pthread_rwlock_unlock(&rw_b);
    }
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    long sum1 = 0, sum2 = 0;
    if (pthread_create(&t1, NULL, read_a_then_b, &sum1) != 0 ||
        pthread_create(&t2, NULL, read_b_then_a, &sum2) != 0)
        return 1;
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return sum1 == sum2 ? 0 : 1;
}
