/* bank-transfer, fixed: transfer() locks the account with the smaller id first, whichever way
 * the money goes.
 *
 * The order of the locks no longer depends on the arguments: every transfer between Alice (1)
 * and Bob (2) locks Alice's account first. No thread can hold Bob's lock while waiting for
 * Alice's, so no cycle can form. To show it, Alice and Bob pay each other at the same time,
 * many times over. */
#include <pthread.h>
#include <stdio.h>

#define ROUNDS 10000

struct account {
    int id; /* unique: gives the locks their order */
    pthread_mutex_t lock;
    long balance;
};

static struct account accounts[2] = {
    {1, PTHREAD_MUTEX_INITIALIZER, 100},
    {2, PTHREAD_MUTEX_INITIALIZER, 100},
};

struct payment {
    struct account *from, *to;
    long amount;
};

/* @show */
static void transfer(struct account *from, struct account *to, long amount)
{
    /* The fix: lock in id order, not in argument order. */
    struct account *first = from->id < to->id ? from : to;
    struct account *second = from->id < to->id ? to : from;
    pthread_mutex_lock(&first->lock);
    pthread_mutex_lock(&second->lock);
    /* @show-end */
    from->balance -= amount;
    to->balance += amount;
    pthread_mutex_unlock(&second->lock);
    pthread_mutex_unlock(&first->lock);
}

static void *pay(void *arg)
{
    struct payment *p = arg;
    for (int i = 0; i < ROUNDS; i++)
        transfer(p->from, p->to, p->amount);
    return NULL;
}

int main(void)
{
    struct payment payments[2] = {
        {&accounts[0], &accounts[1], 1}, /* Alice pays Bob */
        {&accounts[1], &accounts[0], 1}, /* Bob pays Alice, at the same time */
    };
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) {
        if (pthread_create(&threads[i], NULL, pay, &payments[i]) != 0) {
            fprintf(stderr, "bank-transfer: cannot start a thread\n");
            return 1;
        }
    }
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    long total = accounts[0].balance + accounts[1].balance;
    printf("Alice %ld, Bob %ld, total %ld (both directions at once, locks in id order)\n",
           accounts[0].balance, accounts[1].balance, total);
    return total == 200 ? 0 : 1;
}
