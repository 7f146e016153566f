/* three-lock-cycle, fixed: one order for all three locks, stock < orders < invoices.
 *
 * ship() and bill() already follow it. restock() needs invoices and stock, so it now locks
 * stock first, then invoices. No thread ever holds a later lock while waiting for an earlier
 * one, so no cycle can form. To show it, the three threads run at the same time, many times. */
#include <pthread.h>
#include <stdio.h>

#define ROUNDS 10000

static pthread_mutex_t stock_lock = PTHREAD_MUTEX_INITIALIZER;    /* first */
static pthread_mutex_t orders_lock = PTHREAD_MUTEX_INITIALIZER;   /* second */
static pthread_mutex_t invoices_lock = PTHREAD_MUTEX_INITIALIZER; /* third */
static long stock = 10, orders = 0, invoices = 0;

static void *ship(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&stock_lock);
        pthread_mutex_lock(&orders_lock);
        stock--;
        orders++;
        pthread_mutex_unlock(&orders_lock);
        pthread_mutex_unlock(&stock_lock);
    }
    return NULL;
}

static void *bill(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&orders_lock);
        pthread_mutex_lock(&invoices_lock);
        invoices++;
        pthread_mutex_unlock(&invoices_lock);
        pthread_mutex_unlock(&orders_lock);
    }
    return NULL;
}

/* @show */
/* The fix: stock before invoices, like everybody else. */
static void *restock(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&stock_lock);
        pthread_mutex_lock(&invoices_lock);
        /* @show-end */
        stock++;
        pthread_mutex_unlock(&invoices_lock);
        pthread_mutex_unlock(&stock_lock);
    }
    return NULL;
}

int main(void)
{
    void *(*const jobs[])(void *) = {ship, bill, restock};
    pthread_t threads[3];
    for (int i = 0; i < 3; i++) {
        if (pthread_create(&threads[i], NULL, jobs[i], NULL) != 0) {
            fprintf(stderr, "three-lock-cycle: cannot start a thread\n");
            return 1;
        }
    }
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    printf("stock %ld, orders %ld, invoices %ld (all three at once, one lock order)\n", stock,
           orders, invoices);
    return stock == 10 && orders == ROUNDS && invoices == ROUNDS ? 0 : 1;
}
