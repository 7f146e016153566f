/* rwlock-writer-inversion, broken: a writer and a reader take two read-write locks in opposite
 * orders.
 *
 * A price list (catalog_lock) and sales figures (stats_lock) are each guarded by a read-write
 * lock. update_price() write-locks the catalog, then the stats (to reset them). report() read-
 * locks the stats, then the catalog. Readers share a read-write lock with each other, but not
 * with a writer: if report() holds stats for reading while update_price() holds the catalog for
 * writing, each waits for the other for ever. "It is only a read lock" does not make the order
 * safe once a writer is involved.
 *
 * This run is lucky on purpose: the two threads run one after the other, so it always exits. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

static pthread_rwlock_t catalog_lock = PTHREAD_RWLOCK_INITIALIZER; /* guards price */
static pthread_rwlock_t stats_lock = PTHREAD_RWLOCK_INITIALIZER;   /* guards units_sold */
static long price = 10, units_sold = 5;

/* catalog (write), then stats (write) */
/* @show */
static void *update_price(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&catalog_lock); /* @lock:writer-catalog */
    pthread_rwlock_wrlock(&stats_lock);   /* @lock:writer-stats */
                                          /* @show-end */
    price = 12;
    units_sold = 0; /* new price, new figures */
    pthread_rwlock_unlock(&stats_lock);
    pthread_rwlock_unlock(&catalog_lock);
    return NULL;
}

/* stats (read), then catalog (read): the opposite order */
/* @show */
static void *report(void *arg)
{
    long *revenue = arg;
    pthread_rwlock_rdlock(&stats_lock);   /* @lock:reader-stats */
    pthread_rwlock_rdlock(&catalog_lock); /* @lock:reader-catalog */
                                          /* @show-end */
    *revenue = units_sold * price;
    pthread_rwlock_unlock(&catalog_lock);
    pthread_rwlock_unlock(&stats_lock);
    return NULL;
}

int main(void)
{
    long revenue = 0;
    pthread_t thread;
    /* One after the other: the lucky run. */
    if (pthread_create(&thread, NULL, report, &revenue) != 0 || pthread_join(thread, NULL) != 0 ||
        pthread_create(&thread, NULL, update_price, NULL) != 0 || pthread_join(thread, NULL) != 0) {
        fprintf(stderr, "rwlock-writer-inversion: cannot start a thread\n");
        return 1;
    }
    printf("revenue %ld, new price %ld (the threads ran one at a time: no deadlock)\n", revenue,
           price);
    return 0;
}
