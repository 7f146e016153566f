/* rare-deadlock, broken: two threads that run at the same time take the same two locks in
 * opposite orders, but far apart in time.
 *
 * The ticket seller sells a seat now: it locks the seats, then the payments. The accountant
 * closes the day a little later: it locks the payments, then the seats. Both threads are alive
 * together and nothing keeps them apart, so if the accountant came while the seller was between
 * its two locks, each would wait for the other forever. In this program the accountant always
 * comes 200 ms later, long after the seller is done, so it never deadlocks by itself: the kind
 * of bug that hangs a server once a month. lockwatch --confirm re-runs it and holds the seller
 * between its locks until the accountant arrives: the deadlock becomes real. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t seats_lock = PTHREAD_MUTEX_INITIALIZER;    /* guards seats_left */
static pthread_mutex_t payments_lock = PTHREAD_MUTEX_INITIALIZER; /* guards takings */
static int seats_left = 100;
static long takings = 0;

/* Order seats then payments. */
/* @show */
static void *sell_seat(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&seats_lock);    /* @lock:sell-seats */
    pthread_mutex_lock(&payments_lock); /* @lock:sell-payments */
                                        /* @show-end */
    seats_left--;
    takings += 25;
    pthread_mutex_unlock(&payments_lock);
    pthread_mutex_unlock(&seats_lock);
    return NULL;
}

/* Later, order payments then seats: the opposite of sell_seat(). This is the bug. */
/* @show */
static void *close_day(void *arg)
{
    long *report = arg;
    struct timespec later = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
    nanosleep(&later, NULL);
    pthread_mutex_lock(&payments_lock); /* @lock:close-payments */
    pthread_mutex_lock(&seats_lock);    /* @lock:close-seats */
                                        /* @show-end */
    *report = takings + seats_left;
    pthread_mutex_unlock(&seats_lock);
    pthread_mutex_unlock(&payments_lock);
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
