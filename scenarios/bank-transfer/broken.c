/* bank-transfer, broken: transfer(from, to) locks `from` first, then `to`.
 *
 * Nothing looks wrong inside transfer(): it always locks in the same order, "from then to".
 * But the order of the locks depends on the arguments: Alice paying Bob locks Alice's account
 * then Bob's, Bob paying Alice locks Bob's then Alice's. Two such transfers at the same moment
 * can each hold one account and wait for the other for ever.
 *
 * This run is lucky on purpose: the two payments run one after the other. lockwatch still sees
 * that the same two locks were taken in both orders. */
#include <pthread.h>
#include <stdio.h>

struct account {
    int id;
    pthread_mutex_t lock; /* guards balance */
    long balance;
};

static struct account accounts[2] = {
    {1, PTHREAD_MUTEX_INITIALIZER, 100}, /* Alice */
    {2, PTHREAD_MUTEX_INITIALIZER, 100}, /* Bob */
};

struct payment {
    struct account *from, *to;
    long amount;
};

/* Moves money between two accounts, holding both locks so the total never looks wrong. */
/* @show */
static void transfer(struct account *from, struct account *to, long amount)
{
    pthread_mutex_lock(&from->lock); /* @lock:lock-from */
    pthread_mutex_lock(&to->lock);   /* @lock:lock-to */
                                     /* @show-end */
    from->balance -= amount;
    to->balance += amount;
    pthread_mutex_unlock(&to->lock);
    pthread_mutex_unlock(&from->lock);
}

static void *pay(void *arg)
{
    struct payment *p = arg;
    transfer(p->from, p->to, p->amount);
    return NULL;
}

int main(void)
{
    struct payment payments[2] = {
        {&accounts[0], &accounts[1], 30}, /* Alice pays Bob */
        {&accounts[1], &accounts[0], 10}, /* Bob pays Alice */
    };
    for (int i = 0; i < 2; i++) { /* one after the other: the lucky run */
        pthread_t thread;
        if (pthread_create(&thread, NULL, pay, &payments[i]) != 0) {
            fprintf(stderr, "bank-transfer: cannot start a thread\n");
            return 1;
        }
        pthread_join(thread, NULL);
    }
    printf("Alice %ld, Bob %ld (the payments ran one at a time: no deadlock)\n",
           accounts[0].balance, accounts[1].balance);
    return 0;
}
