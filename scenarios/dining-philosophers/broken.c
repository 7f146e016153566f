/* dining-philosophers, broken: five philosophers around a table, one fork between each pair.
 * Every philosopher picks up the fork on the left, then the fork on the right.
 *
 * If all five pick up their left fork at the same moment, every fork is taken and each waits
 * forever for the right one, held by the neighbour: a lock-order cycle of length five
 * (fork 0 -> 1 -> 2 -> 3 -> 4 -> 0).
 *
 * This run does not deadlock on purpose: the philosophers eat in turns (a lock-free turn counter
 * lets exactly one of them at the table at a time), so it always exits. They still take the forks
 * in the cyclic order, and lockwatch reports the cycle from this run. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#define PHILOSOPHERS 5
#define MEALS 3

static pthread_mutex_t forks[PHILOSOPHERS] = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
};
static atomic_int turn; /* philosopher turn % PHILOSOPHERS may eat; no lock, so no lock order */
static int meals_eaten[PHILOSOPHERS];

static void *philosopher(void *arg)
{
    int seat = *(int *)arg;
    int left = seat;
    int right = (seat + 1) % PHILOSOPHERS;
    /* @show */
    for (int meal = 0; meal < MEALS; meal++) {
        while (atomic_load(&turn) % PHILOSOPHERS != seat)
            sched_yield();                 /* think until it is this philosopher's turn */
        pthread_mutex_lock(&forks[left]);  /* @lock:take-left */
        pthread_mutex_lock(&forks[right]); /* @lock:take-right */
                                           /* @show-end */
        meals_eaten[seat]++;
        pthread_mutex_unlock(&forks[right]);
        pthread_mutex_unlock(&forks[left]);
        atomic_fetch_add(&turn, 1);
    }
    return NULL;
}

int main(void)
{
    pthread_t threads[PHILOSOPHERS];
    int seats[PHILOSOPHERS];
    for (int i = 0; i < PHILOSOPHERS; i++) {
        seats[i] = i;
        if (pthread_create(&threads[i], NULL, philosopher, &seats[i]) != 0) {
            fprintf(stderr, "dining-philosophers: cannot start a thread\n");
            return 1;
        }
    }
    int total = 0;
    for (int i = 0; i < PHILOSOPHERS; i++) {
        pthread_join(threads[i], NULL);
        total += meals_eaten[i];
    }
    printf("%d meals eaten (this run took turns, so it did not deadlock)\n", total);
    return 0;
}
