/* self-deadlock, broken: a thread locks a mutex it already holds.
 *
 * deposit() takes account_lock and, to keep a log, calls print_statement(), which takes
 * account_lock too, to read a consistent balance. Each function is right on its own; together,
 * the thread asks for a lock it holds. A default (non-recursive) mutex does not count owners: the
 * second lock waits for the lock to be released, and only this thread could release it. The
 * thread waits for itself for ever.
 *
 * Under lockwatch the run ends: the runtime sees the second lock call before it blocks, reports
 * a `double-lock` and lockwatch ends the program. Without lockwatch, end it with Ctrl-C. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t account_lock = PTHREAD_MUTEX_INITIALIZER; /* default kind */
static long balance = 100;

/* @show */
static void print_statement(void)
{
    pthread_mutex_lock(&account_lock); /* second time for deposit's thread @lock:relock */
                                       /* @show-end */
    printf("statement: balance %ld\n", balance);
    pthread_mutex_unlock(&account_lock);
}

/* @show */
static void deposit(long amount)
{
    pthread_mutex_lock(&account_lock); /* @lock:first-lock */
    balance += amount;
    print_statement(); /* the bug: called with account_lock held */
    pthread_mutex_unlock(&account_lock);
    /* @show-end */
}

int main(void)
{
    print_statement(); /* fine: called without the lock */
    printf("depositing 50; if this is the last line, the thread is waiting for itself\n");
    fflush(stdout); /* so the line shows before the hang, even through a pipe */
    deposit(50);
    printf("done\n");
    return 0;
}
