/* thread-pool, fixed: the workers gather their results in the shared table under table_lock.
 *
 * Each update of the table is now one step as far as the other workers are concerned, so every
 * result is counted. The two locks (queue_lock, table_lock) are never held together, so there is
 * no lock order to get wrong. Taking the lock per item costs a lock call per item; a worker could
 * also count into a table of its own and add it to the shared one once, at the end. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

#define WORKERS 4
#define ITEMS 2000000L
#define CHUNK 1000L
#define BUCKETS 4

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER; /* guards next_item */
static long next_item = 1;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER; /* guards table */
static long table[BUCKETS];

static int collatz_steps(long n)
{
    int steps = 0;
    for (; n != 1; steps++)
        n = n % 2 ? 3 * n + 1 : n / 2;
    return steps;
}

static long take_chunk(void)
{
    pthread_mutex_lock(&queue_lock);
    long first = next_item <= ITEMS ? next_item : 0;
    if (first != 0) next_item += CHUNK;
    pthread_mutex_unlock(&queue_lock);
    return first;
}

static void *worker(void *arg)
{
    (void)arg;
    for (long first; (first = take_chunk()) != 0;) {
        for (long n = first; n < first + CHUNK && n <= ITEMS; n++) {
            /* @show */
            int bucket = collatz_steps(n) % BUCKETS;
            pthread_mutex_lock(&table_lock);
            table[bucket]++;
            pthread_mutex_unlock(&table_lock);
            /* @show-end */
        }
    }
    return NULL;
}

int main(void)
{
    pthread_t pool[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        if (pthread_create(&pool[i], NULL, worker, NULL) != 0) {
            fprintf(stderr, "thread-pool: cannot start a thread\n");
            return 1;
        }
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(pool[i], NULL);
    long gathered = 0;
    for (int i = 0; i < BUCKETS; i++)
        gathered += table[i];
    if (gathered != ITEMS) {
        printf("gathered %ld of %ld results (%ld lost)\n", gathered, ITEMS, ITEMS - gathered);
        return 1;
    }
    printf("gathered %ld of %ld results (none lost)\n", gathered, ITEMS);
    return 0;
}
