/* producer-consumer, fixed: the queue has one mutex and two condition variables.
 *
 * put() and take() do all their work on head, tail and the slots while holding queue_lock.
 * A producer that finds the queue full waits on not_full; a consumer that finds it empty waits
 * on not_empty. Each wait is in a `while` loop that re-checks the condition after waking up
 * (a wake-up only says "look again"). When both producers are done, main puts one STOP item
 * (a sentinel) per consumer; a consumer that takes STOP returns. Same preemption points as
 * broken.c: with the lock held across the whole step, they do no harm. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#define PRODUCERS 2
#define CONSUMERS 2
#define ITEMS_PER_PRODUCER 20000
#define TOTAL_ITEMS (PRODUCERS * ITEMS_PER_PRODUCER)
#define SLOTS 8
#define STOP 0 /* the sentinel: real items are numbered from 1 */

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER; /* guards slots, head, tail */
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;     /* signalled after a take */
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;    /* signalled after a put */
static int slots[SLOTS];
static long head, tail;
static unsigned char times_taken[CONSUMERS][TOTAL_ITEMS + 1];

static void preempted_here(void)
{
    sched_yield();
}

/* @show */
static void put(int item)
{
    pthread_mutex_lock(&queue_lock);
    while (tail - head >= SLOTS)
        pthread_cond_wait(&not_full, &queue_lock); /* releases the lock while waiting */
    long at = tail;
    slots[at % SLOTS] = item;
    preempted_here(); /* harmless now: nobody else can touch the queue meanwhile */
    tail = at + 1;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&queue_lock);
    /* @show-end */
}

/* @show */
static int take(void)
{
    pthread_mutex_lock(&queue_lock);
    while (head >= tail)
        pthread_cond_wait(&not_empty, &queue_lock);
    long at = head;
    int item = slots[at % SLOTS];
    preempted_here();
    head = at + 1;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&queue_lock);
    /* @show-end */
    return item;
}

static void *producer(void *arg)
{
    int first = *(int *)arg;
    for (int i = 0; i < ITEMS_PER_PRODUCER; i++)
        put(first + i);
    return NULL;
}

static void *consumer(void *arg)
{
    unsigned char *taken = arg;
    for (int item; (item = take()) != STOP;)
        if (item > 0 && item <= TOTAL_ITEMS && taken[item] < 255) taken[item]++;
    return NULL;
}

int main(void)
{
    pthread_t producers[PRODUCERS], consumers[CONSUMERS];
    int first_item[PRODUCERS];
    for (int i = 0; i < CONSUMERS; i++)
        if (pthread_create(&consumers[i], NULL, consumer, times_taken[i]) != 0) goto no_thread;
    for (int i = 0; i < PRODUCERS; i++) {
        first_item[i] = 1 + i * ITEMS_PER_PRODUCER;
        if (pthread_create(&producers[i], NULL, producer, &first_item[i]) != 0) goto no_thread;
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(producers[i], NULL);
    for (int i = 0; i < CONSUMERS; i++)
        put(STOP); /* one sentinel per consumer, after every real item */
    for (int i = 0; i < CONSUMERS; i++)
        pthread_join(consumers[i], NULL);

    int lost = 0, duplicated = 0;
    for (int item = 1; item <= TOTAL_ITEMS; item++) {
        int got = times_taken[0][item] + times_taken[1][item];
        if (got == 0) lost++;
        if (got > 1) duplicated++;
    }
    printf("%d items produced: %d lost, %d delivered more than once\n", TOTAL_ITEMS, lost,
           duplicated);
    return lost == 0 && duplicated == 0 ? 0 : 1;
no_thread:
    fprintf(stderr, "producer-consumer: cannot start a thread\n");
    return 1;
}
