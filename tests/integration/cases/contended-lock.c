/* contended-lock.c — a known contention pattern for --profile and --trace: four threads take
 * `hot_lock` 50 times each and hold it about 2 ms (so the others wait), and take `cold_lock`
 * alone, briefly, in between. hot_lock must top the profile with non-zero waits. Each hold of
 * hot_lock also takes `inner_lock` inside it (nested slices in the timeline) and, every fifth
 * time, releases the two out of LIFO order (hot_lock first), which a timeline has to draw
 * without breaking the nesting of the thread's other slices. No lock-order cycle: clean run. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define THREADS 4
#define ROUNDS 50

static pthread_mutex_t hot_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cold_lock = PTHREAD_MUTEX_INITIALIZER;
static long shared_count, cold_count;

static void busy_ms(long ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do
        clock_gettime(CLOCK_MONOTONIC, &now);
    while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) <
           ms * 1000000L);
}

static void *worker(void *arg)
{
    char name[16];
    snprintf(name, sizeof name, "worker-%ld", (long)arg);
    pthread_setname_np(pthread_self(), name);
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&hot_lock); /* @lock:hot */
        pthread_mutex_lock(&inner_lock);
        shared_count++;
        busy_ms(2);
        if (i % 5 == 0) {
            pthread_mutex_unlock(&hot_lock); /* non-LIFO: the outer lock first */
            pthread_mutex_unlock(&inner_lock);
        } else {
            pthread_mutex_unlock(&inner_lock);
            pthread_mutex_unlock(&hot_lock);
        }
        pthread_mutex_lock(&cold_lock);
        cold_count++;
        pthread_mutex_unlock(&cold_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];
    for (long t = 0; t < THREADS; t++)
        if (pthread_create(&threads[t], NULL, worker, (void *)t) != 0) return 1;
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    printf("shared_count=%ld cold_count=%ld\n", shared_count, cold_count);
    return shared_count == THREADS * ROUNDS && cold_count == THREADS * ROUNDS ? 0 : 1;
}
