/* accounts.c — the account flood: NPAIRS pairs of accounts (or as many as the argument says, up
 * to NPAIRS), each pair transferred both ways by one pair of source lines (transfer), first by
 * one teller, then (after it ended) by another. Each pair is a lock-order inversion between its
 * own two locks, so the run has one instance-level cycle per pair, all of the same code, and
 * lockwatch must report them as one finding counting them. The tellers never overlap, so the
 * program never deadlocks. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NPAIRS 1000

/* 64 bytes each, so the locks are named accounts, accounts+64, ... on every ABI. */
struct account {
    _Alignas(64) pthread_mutex_t lock;
    long balance;
};

static struct account accounts[2 * NPAIRS];
static int pairs = NPAIRS;

static void transfer(struct account *from, struct account *to, long amount)
{
    pthread_mutex_lock(&from->lock); /* @lock:acct-from */
    pthread_mutex_lock(&to->lock);   /* @lock:acct-to */
    from->balance -= amount;
    to->balance += amount;
    pthread_mutex_unlock(&to->lock);
    pthread_mutex_unlock(&from->lock);
}

/* dir 0 pays each pair's first account into its second, dir 1 the other way round. */
static void *teller(void *dir)
{
    int back = *(const int *)dir;
    for (int i = 0; i < pairs; i++) {
        struct account *a = &accounts[2 * i], *b = &accounts[2 * i + 1];
        if (back)
            transfer(b, a, 1); /* @call:pay-back */
        else
            transfer(a, b, 1); /* @call:pay */
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (pairs = atoi(argv[1])) > NPAIRS) pairs = NPAIRS;
    static const int dirs[2] = {0, 1};
    for (int i = 0; i < 2 * NPAIRS; i++) {
        pthread_mutex_init(&accounts[i].lock, NULL);
        accounts[i].balance = 100;
    }
    for (int d = 0; d < 2; d++) {
        pthread_t t;
        if (pthread_create(&t, NULL, teller, (void *)&dirs[d]) != 0) return 1;
        pthread_join(t, NULL);
    }
    long total = 0;
    for (int i = 0; i < 2 * NPAIRS; i++)
        total += accounts[i].balance;
    printf("pairs %d total %ld\n", pairs, total);
    return 0;
}
