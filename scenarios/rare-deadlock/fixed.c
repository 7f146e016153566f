/* rare-deadlock, fixed: the accountant takes the locks in the seller's order, seats then
 * payments. Both threads still run at the same time, and the accountant still comes later; no
 * thread can hold the payments while waiting for the seats, so no schedule deadlocks and
 * lockwatch --confirm has nothing to confirm. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t seats_lock = PTHREAD_MUTEX_INITIALIZER;    /* guards seats_left */
static pthread_mutex_t payments_lock = PTHREAD_MUTEX_INITIALIZER; /* guards takings */
static int seats_left = 100;
static long takings = 0;

static void *sell_seat(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&seats_lock);    /* @lock:sell-seats */
    pthread_mutex_lock(&payments_lock); /* @lock:sell-payments */
    seats_left--;
    takings += 25;
    pthread_mutex_unlock(&payments_lock);
    pthread_mutex_unlock(&seats_lock);
    return NULL;
}

/* The same order as sell_seat(): seats, then payments. */
/* @show */
static void *close_day(void *arg)
{
    long *report = arg;
    struct timespec later = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
    nanosleep(&later, NULL);
    pthread_mutex_lock(&seats_lock);    /* @lock:close-seats */
    pthread_mutex_lock(&payments_lock); /* @lock:close-payments */
                                        /* @show-end */
    *report = takings + seats_left;
    pthread_mutex_unlock(&payments_lock);
    pthread_mutex_unlock(&seats_lock);
    return NULL;
}

int main(void)
{
    long report = 0;
    pthread_t seller, accountant;
    if (pthread_create(&seller, NULL, sell_seat, NULL) != 0 ||
        pthread_create(&accountant, NULL, close_day, &report) != 0) {
        fprintf(stderr, "rare-deadlock: cannot start a thread\n");
        return 1;
    }
    pthread_join(seller, NULL);
    pthread_join(accountant, NULL);
    printf("day closed: %d seats left, takings %ld (this run did not deadlock)\n", seats_left,
           takings);
    return report == takings + seats_left ? 0 : 1;
}
