/* self-deadlock, fixed: the statement printer no longer locks; its callers hold the lock.
 *
 * print_statement_locked() states its contract in its name: call it with account_lock held.
 * deposit() holds it already; main() takes it around the call. (A recursive mutex would also
 * stop the hang, but it hides the question "who holds this lock here?" instead of answering it;
 * splitting the function keeps the locking visible.) */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t account_lock = PTHREAD_MUTEX_INITIALIZER;
static long balance = 100;

/* Call with account_lock held. */
/* @show */
static void print_statement_locked(void)
{
    /* @show-end */
    printf("statement: balance %ld\n", balance);
}

/* @show */
static void deposit(long amount)
{
    pthread_mutex_lock(&account_lock);
    balance += amount;
    print_statement_locked();
    pthread_mutex_unlock(&account_lock);
    /* @show-end */
}

int main(void)
{
    pthread_mutex_lock(&account_lock);
    print_statement_locked();
    pthread_mutex_unlock(&account_lock);
    printf("depositing 50\n");
    deposit(50);
    printf("done\n");
    return 0;
}
