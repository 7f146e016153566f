/* warmup_helper.c — every lock goes through one helper function, so every acquisition has the
 * same call site (the helper's). A start-up loop takes 32 locks through it; then two threads take
 * lock_a and lock_b in opposite orders, also through it. Each "taken at" stack of the inversion
 * must show the inversion's own caller, not the start-up loop nor the other thread. */
#include <pthread.h>
#include <stdio.h>

#define WARM_LOCKS 32

static pthread_mutex_t warm[WARM_LOCKS];
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) static void lock_it(pthread_mutex_t *m)
{
    pthread_mutex_lock(m);
}

__attribute__((noinline)) static void unlock_it(pthread_mutex_t *m)
{
    pthread_mutex_unlock(m);
}

static void warm_up(void)
{
    for (int i = 0; i < WARM_LOCKS; i++) {
        pthread_mutex_init(&warm[i], NULL);
        lock_it(&warm[i]); /* @lock:warm-loop */
        unlock_it(&warm[i]);
    }
    lock_it(&lock_a); /* @lock:warm-a */
    unlock_it(&lock_a);
    lock_it(&lock_b); /* @lock:warm-b */
    unlock_it(&lock_b);
}

static void *take_a_then_b(void *arg)
{
    (void)arg;
    lock_it(&lock_a); /* @lock:wu-a-first */
    lock_it(&lock_b); /* @lock:wu-b-second */
    unlock_it(&lock_b);
    unlock_it(&lock_a);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    lock_it(&lock_b); /* @lock:wu-b-first */
    lock_it(&lock_a); /* @lock:wu-a-second */
    unlock_it(&lock_a);
    unlock_it(&lock_b);
    return NULL;
}

int main(void)
{
    warm_up();
    pthread_t t;
    if (pthread_create(&t, NULL, take_a_then_b, NULL) || pthread_join(t, NULL)) return 1;
    if (pthread_create(&t, NULL, take_b_then_a, NULL) || pthread_join(t, NULL)) return 1;
    puts("done");
    return 0;
}
