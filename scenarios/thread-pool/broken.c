/* thread-pool, broken: work mapped over a pool of threads, the results gathered in a shared table
 * without a lock.
 *
 * Like Python's Pool.map: the numbers 1..ITEMS are handed out in chunks from a queue (guarded by
 * queue_lock) to WORKERS threads; each computes the number's Collatz step count and adds 1 to the
 * table entry for that count modulo BUCKETS. The queue is right; the result table is not:
 * `table[bucket] = table[bucket] + 1` is a load, an add and a store, and two workers that update
 * the same entry at once lose one of the updates, so the table counts fewer results than there
 * were items. The only lock is taken alone (never while holding another), so lockwatch reports no
 * lock-order problem: the bug is a data race, which a ThreadSanitizer build shows. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

#define WORKERS 4
#define ITEMS 2000000L /* the work: n = 1..ITEMS */
#define CHUNK 1000L    /* items a worker takes from the queue at a time */
#define BUCKETS 4      /* the result table: how many n have steps % BUCKETS == i */

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER; /* guards next_item */
static long next_item = 1;
static volatile long table[BUCKETS]; /* the results, gathered by every worker */

static int collatz_steps(long n)
{
    int steps = 0;
    for (; n != 1; steps++)
        n = n % 2 ? 3 * n + 1 : n / 2;
    return steps;
}

/* The pool's queue: the first item of the next chunk, or 0 once the work is handed out. */
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
            table[bucket] = table[bucket] + 1; /* the race: no lock @lock:tally */
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
    if (gathered == ITEMS)
        printf("gathered %ld of %ld results (none lost: this run was lucky)\n", gathered, ITEMS);
    else
        printf("gathered %ld of %ld results (%ld lost)\n", gathered, ITEMS, ITEMS - gathered);
    return 0;
}
