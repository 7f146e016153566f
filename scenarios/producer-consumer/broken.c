/* producer-consumer, broken: two producers and two consumers share a bounded queue (a ring of
 * SLOTS items) with no lock at all.
 *
 * put() writes the item at slot `tail`, then advances `tail`; take() reads the slot at `head`,
 * then advances `head`. With one producer and one consumer this is almost safe; with two of
 * each, two producers can read the same `tail` and write the same slot (one item is lost), and
 * two consumers can read the same `head` and take the same item (delivered twice). `volatile`
 * makes every access go to memory but makes no two steps one.
 *
 * Every item has a unique number, and each consumer counts what it got, so the program can tell
 * how many items were lost or delivered twice. preempted_here() yields the CPU at the worst
 * moment, as a preemption could, so that this happens in every run. The loops spin (yielding the
 * CPU) instead of blocking, and consumers stop once the producers are done and the queue looks
 * empty, so the program always ends, however confused the indices get. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define PRODUCERS 2
#define CONSUMERS 2
#define ITEMS_PER_PRODUCER 20000
#define TOTAL_ITEMS (PRODUCERS * ITEMS_PER_PRODUCER)
#define SLOTS 8

static volatile int slots[SLOTS];
static volatile long head;         /* next slot to take; consumers advance it */
static volatile long tail;         /* next slot to fill; producers advance it */
static atomic_bool producers_done; /* set by main once both producers returned */
static unsigned char times_taken[CONSUMERS][TOTAL_ITEMS + 1]; /* per consumer: no sharing */

/* A thread can be preempted between any two steps; yielding here makes that worst moment
 * happen often instead of once in a blue moon. It only widens the window: the bug is the same. */
static void preempted_here(void)
{
    sched_yield();
}

/* @show */
static void put(int item)
{
    while (tail - head >= SLOTS) /* full: wait for a consumer */
        sched_yield();
    long at = tail;
    slots[at % SLOTS] = item; /* @lock:put-slot */
    preempted_here();         /* another producer may read the same tail now */
    tail = at + 1;            /* @lock:put-tail */
    /* @show-end */
}

/* Returns the next item, or 0 once the producers are done and the queue looks empty. */
/* @show */
static int take(void)
{
    while (head >= tail) { /* empty: wait for a producer */
        if (atomic_load(&producers_done)) return 0;
        sched_yield();
    }
    long at = head;
    int item = slots[at % SLOTS]; /* @lock:take-slot */
    preempted_here();             /* another consumer may read the same head now */
    head = at + 1;                /* @lock:take-head */
                                  /* @show-end */
    return item;
}

static void *producer(void *arg)
{
    int first = *(int *)arg;
    for (int i = 0; i < ITEMS_PER_PRODUCER; i++)
        put(first + i); /* items are numbered 1..TOTAL_ITEMS, each once */
    return NULL;
}

static void *consumer(void *arg)
{
    unsigned char *taken = arg;
    for (int item; (item = take()) != 0;)
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
    atomic_store(&producers_done, 1);
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
    return 0;
no_thread:
    fprintf(stderr, "producer-consumer: cannot start a thread\n");
    return 1;
}
