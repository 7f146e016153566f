/* three-lock-cycle, broken: three threads, three locks, and no two threads take the same pair
 * in opposite orders, yet together they form a cycle.
 *
 * The shop has three tables: stock, orders and invoices, each with its lock. ship() locks stock
 * then orders, bill() locks orders then invoices, restock() locks invoices then stock. Looking at
 * any two functions finds nothing wrong; all three together make stock -> orders -> invoices ->
 * stock. If the three ran at the same moment, each could hold its first lock and wait for the
 * next one, held by the next thread, for ever.
 *
 * This run is lucky on purpose: main runs the three threads one after the other, so it always
 * exits. lockwatch still reports the cycle. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t stock_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t orders_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t invoices_lock = PTHREAD_MUTEX_INITIALIZER;
static int stock = 10, orders = 0, invoices = 0;

/* stock, then orders */
/* @show */
static void *ship(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&stock_lock);  /* @lock:ship-stock */
    pthread_mutex_lock(&orders_lock); /* @lock:ship-orders */
                                      /* @show-end */
    stock--;
    orders++;
    pthread_mutex_unlock(&orders_lock);
    pthread_mutex_unlock(&stock_lock);
    return NULL;
}

/* orders, then invoices */
/* @show */
static void *bill(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&orders_lock);   /* @lock:bill-orders */
    pthread_mutex_lock(&invoices_lock); /* @lock:bill-invoices */
                                        /* @show-end */
    invoices += orders;
    pthread_mutex_unlock(&invoices_lock);
    pthread_mutex_unlock(&orders_lock);
    return NULL;
}

/* invoices, then stock: this closes the cycle */
/* @show */
static void *restock(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&invoices_lock); /* @lock:restock-invoices */
    pthread_mutex_lock(&stock_lock);    /* @lock:restock-stock */
                                        /* @show-end */
    stock += invoices;
    pthread_mutex_unlock(&stock_lock);
    pthread_mutex_unlock(&invoices_lock);
    return NULL;
}

int main(void)
{
    void *(*const jobs[])(void *) = {ship, bill, restock};
    for (int i = 0; i < 3; i++) { /* one after the other: the lucky run */
        pthread_t thread;
        if (pthread_create(&thread, NULL, jobs[i], NULL) != 0) {
            fprintf(stderr, "three-lock-cycle: cannot start a thread\n");
            return 1;
        }
        pthread_join(thread, NULL);
    }
    printf("stock %d, orders %d, invoices %d (the threads ran one at a time: no deadlock)\n", stock,
           orders, invoices);
    return 0;
}
