/* race-heap-mutex: a data race on a heap object where only one side takes the lock.
 *
 * The writer updates account->balance under account->lock; the reader reads it without the
 * lock. One lock held by one side protects nothing: ThreadSanitizer reports the race, with the
 * writer's mutex listed and none for the reader, and lockwatch carries it as a data-race finding.
 * Both threads run at once with nothing between them that TSan counts as synchronisation; the
 * reader sleeps first so the write is always the earlier access. Built with clang
 * -fsanitize=thread. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct account {
    pthread_mutex_t lock;
    long balance;
};

static void *deposit(void *arg)
{
    struct account *account = arg;
    pthread_mutex_lock(&account->lock);
    account->balance += 100; /* @lock:locked-write */
    pthread_mutex_unlock(&account->lock);
    return NULL;
}

static void *peek(void *arg)
{
    struct account *account = arg;
    struct timespec later = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
    nanosleep(&later, NULL);
    long seen = account->balance; /* @lock:unlocked-read */
    printf("peeked %ld\n", seen);
    return NULL;
}

int main(void)
{
    struct account *account = calloc(1, sizeof *account);
    if (account == NULL) return 1;
    pthread_mutex_init(&account->lock, NULL);
    pthread_t writer, reader;
    if (pthread_create(&reader, NULL, peek, account) != 0) return 1;
    if (pthread_create(&writer, NULL, deposit, account) != 0) return 1;
    pthread_join(writer, NULL);
    pthread_join(reader, NULL);
    pthread_mutex_destroy(&account->lock);
    free(account);
    return 0;
}
