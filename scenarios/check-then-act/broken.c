/* check-then-act, broken: withdraw() checks the balance, then takes the money, but the check
 * and the withdrawal are not one step.
 *
 * Two customers share an account holding 100 and each asks for 80 at the same moment. Each
 * checks "balance >= 80" (true for both: the balance is still 100), then each takes 80 under
 * the lock: the balance ends at -60, an overdraft the bank's rule was meant to forbid. The lock
 * protects the subtraction, but not the decision that led to it, and the check reads the
 * balance with no lock at all (a data race, which ThreadSanitizer reports).
 *
 * The program plays ROUNDS rounds and counts the overdrafts. A short pause between the check and
 * the withdrawal (a slow fraud check) makes the window wide, so most rounds go wrong. There is
 * one lock and it is never nested, so lockwatch's lock-order checks have nothing to say: this is
 * an atomicity bug, not a lock-order bug. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
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

/* Takes amount from the account if it holds enough. The bug: the check and the withdrawal are
 * two steps, and another customer can withdraw in between. */
/* @show */
static void withdraw(long amount)
{
    if (balance >= amount) { /* the check, without the lock @lock:check */
        fraud_check();
        pthread_mutex_lock(&account_lock);
        balance -= amount; /* the act, with the lock @lock:withdraw */
        pthread_mutex_unlock(&account_lock);
        /* @show-end */
    }
}

static void *customer(void *arg)
{
    (void)arg;
    for (int round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(&round_start); /* both customers go at once */
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
        balance = OPENING_BALANCE; /* the customers wait at round_start meanwhile */
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
    return 0;
}
