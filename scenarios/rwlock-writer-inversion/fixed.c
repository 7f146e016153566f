/* rwlock-writer-inversion, fixed: everybody takes catalog_lock before stats_lock, in whatever
 * mode they need.
 *
 * report() now read-locks the catalog first, then the stats. A reader can then only wait for a
 * writer that holds the catalog while it itself holds nothing, so no cycle can form. To show it,
 * a writer and two readers run at the same time, many times over. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

#define ROUNDS 10000

static pthread_rwlock_t catalog_lock = PTHREAD_RWLOCK_INITIALIZER; /* first */
static pthread_rwlock_t stats_lock = PTHREAD_RWLOCK_INITIALIZER;   /* second */
static long price = 10, units_sold = 5;

/* @show */
static void *update_price(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_rwlock_wrlock(&catalog_lock);
        pthread_rwlock_wrlock(&stats_lock);
        /* @show-end */
        price = 10 + i % 3;
        units_sold = i % 7;
        pthread_rwlock_unlock(&stats_lock);
        pthread_rwlock_unlock(&catalog_lock);
    }
    return NULL;
}

/* @show */
static void *report(void *arg)
{
    long *reports = arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_rwlock_rdlock(&catalog_lock); /* the fix: catalog first, like the writer */
        pthread_rwlock_rdlock(&stats_lock);
        /* @show-end */
        if (units_sold * price >= 0) (*reports)++;
        pthread_rwlock_unlock(&stats_lock);
        pthread_rwlock_unlock(&catalog_lock);
    }
    return NULL;
}

int main(void)
{
    long reports[2] = {0, 0};
    pthread_t writer, readers[2];
    if (pthread_create(&writer, NULL, update_price, NULL) != 0 ||
        pthread_create(&readers[0], NULL, report, &reports[0]) != 0 ||
        pthread_create(&readers[1], NULL, report, &reports[1]) != 0) {
        fprintf(stderr, "rwlock-writer-inversion: cannot start a thread\n");
        return 1;
    }
    pthread_join(writer, NULL);
    pthread_join(readers[0], NULL);
    pthread_join(readers[1], NULL);
    printf("%ld reports while the prices changed (one lock order for readers and writer)\n",
           reports[0] + reports[1]);
    return 0;
}
