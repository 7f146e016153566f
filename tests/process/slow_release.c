/* slow_release.c — long waits that end by themselves: a thread sleeps in pthread_cond_wait for
 * over half a second while holding lock_a, another thread blocks on lock_a all that time (well
 * past --deadlock-delay), and a third waits on that one's lock_b. The waits form a chain, never a
 * cycle: lockwatch must report nothing and leave the run alone. */
#define _GNU_SOURCE /* pthread barriers, nanosleep, pause under -std=c11 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER, lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t state = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t woken = PTHREAD_COND_INITIALIZER;
static bool go;

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void *sleeper(void *arg)
{
    pthread_mutex_lock(&lock_a); /* @lock:sr-a-held */
    pthread_mutex_lock(&state);
    while (!go)
        pthread_cond_wait(&woken, &state); /* @lock:sr-cond-wait */
    pthread_mutex_unlock(&state);
    pthread_mutex_unlock(&lock_a);
    return arg;
}

static void *waiter(void *arg)
{
    pause_ms(50);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_lock(&lock_a); /* @lock:sr-a-waits */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return arg;
}

static void *second_waiter(void *arg)
{
    pause_ms(100);
    pthread_mutex_lock(&lock_b); /* @lock:sr-b-waits */
    pthread_mutex_unlock(&lock_b);
    return arg;
}

int main(void)
{
    pthread_t t[3];
    if (pthread_create(&t[0], NULL, sleeper, NULL) != 0 ||
        pthread_create(&t[1], NULL, waiter, NULL) != 0 ||
        pthread_create(&t[2], NULL, second_waiter, NULL) != 0)
        return 1;
    pause_ms(700);
    pthread_mutex_lock(&state);
    go = true;
    pthread_cond_signal(&woken);
    pthread_mutex_unlock(&state);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    puts("all waits ended");
    return 0;
}
