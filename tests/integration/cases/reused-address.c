/* reused-address: a lock's memory is freed and reused for a different lock. Two heap objects,
 * each with a mutex: first pass init both, lock first->mutex then second->mutex, unlock,
 * destroy, free. Second pass malloc's two objects again (glibc hands back the same chunks; the
 * program prints whether it did), inits them and locks them in the opposite order. The locks of
 * the second pass are new locks (init/destroy start a new generation), so there is no cycle and
 * nothing may be reported. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct account {
    pthread_mutex_t mutex;
    long balance;
};

static struct account *new_account(void)
{
    struct account *acct = malloc(sizeof *acct);
    if (acct == NULL || pthread_mutex_init(&acct->mutex, NULL) != 0) exit(1);
    acct->balance = 0;
    return acct;
}

static void free_account(struct account *acct)
{
    pthread_mutex_destroy(&acct->mutex);
    free(acct);
}

/* Locks from->mutex, then to->mutex. */
static void move_one(struct account *from, struct account *to)
{
    pthread_mutex_lock(&from->mutex);
    pthread_mutex_lock(&to->mutex);
    from->balance--;
    to->balance++;
    pthread_mutex_unlock(&to->mutex);
    pthread_mutex_unlock(&from->mutex);
}

int main(void)
{
    struct account *first = new_account();
    struct account *second = new_account();
    void *old_first = first, *old_second = second;
    move_one(first, second); /* first then second */
    free_account(second);
    free_account(first);

    /* Freed in reverse, so the allocator's LIFO free list returns the same two chunks. */
    struct account *reused_first = new_account();
    struct account *reused_second = new_account();
    int same = (void *)reused_first == old_first && (void *)reused_second == old_second;
    printf("addresses %s\n", same ? "reused" : "not reused");
    move_one(reused_second, reused_first); /* the other order, on new locks at old addresses */
    free_account(reused_second);
    free_account(reused_first);
    return 0;
}
