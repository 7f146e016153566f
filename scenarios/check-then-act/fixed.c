/* check-then-act, fixed: the check and the withdrawal happen inside one critical section.
 *
 * withdraw() takes the lock, checks the balance, subtracts, and only then unlocks. Another
 * customer cannot slip in between, so the second withdrawal of each round sees a balance of 20
 * and is refused. Same rounds, same pause, no overdraft. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#define CUSTOMERS 2
#define ROUNDS 20
#define OPENING_BALANCE 100
#define AMOUNT 80

static pthread_mutex_t account_lock = PTHREAD_MUTEX_INITIALIZER; /* guards balance */
static long balance;
static pthread_barrier_t round_start, round_end;

static void fraud_check(void)
{
    struct timespec pause = {0, 1000 * 1000}; /* 1 ms */
    nanosleep(&pause, NULL);
}

/* Takes amount from the account if it holds enough; check and act under one lock. */
/* @show */
static bool withdraw(long amount)
{
    bool done = false;
    pthread_mutex_lock(&account_lock);
    if (balance >= amount) {
        fraud_check(); /* still slow, but nobody can change the balance meanwhile */
        balance -= amount;
        done = true;
    }
    pthread_mutex_unlock(&account_lock);
    /* @show-end */
    return done;
}

static void *customer(void *arg)
{
    (void)arg;
    for (int round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(&round_start);
        withdraw(AMOUNT);
        pthread_barrier_wait(&round_end);
    }
    return NULL;
}

int main(void)
{
    pthread_t customers[CUSTOMERS];
    pthread_barrier_init(&round_start, NULL, CUSTOMERS + 1);
    pthread_barrier_init(&round_end, NULL, CUSTOMERS + 1);
    for (int i = 0; i < CUSTOMERS; i++) {
        if (pthread_create(&customers[i], NULL, customer, NULL) != 0) {
            fprintf(stderr, "check-then-act: cannot start a thread\n");
            return 1;
        }
    }
    int overdrafts = 0;
    for (int round = 0; round < ROUNDS; round++) {
        balance = OPENING_BALANCE;
        pthread_barrier_wait(&round_start);
        pthread_barrier_wait(&round_end);
        if (balance < 0) overdrafts++;
    }
    for (int i = 0; i < CUSTOMERS; i++)
        pthread_join(customers[i], NULL);
    pthread_barrier_destroy(&round_start);
    pthread_barrier_destroy(&round_end);
    printf("%d overdrafts in %d rounds (balance %d, two withdrawals of %d each round)\n",
           overdrafts, ROUNDS, OPENING_BALANCE, AMOUNT);
    return overdrafts == 0 ? 0 : 1;
}
