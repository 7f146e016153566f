/* places.c — one lock order taken at two places, both through one helper (as programs that lock
 * through their own wrapper do): a sender thread and a closing thread take a then b, an auditor
 * takes b then a. The report shows the inversion at the sender's lines and names the shutdown
 * path as another place the same order was taken. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;

static __attribute__((noinline)) void take_both(pthread_mutex_t *first, pthread_mutex_t *second)
{
    pthread_mutex_lock(first);  /* @lock:helper-first */
    pthread_mutex_lock(second); /* @lock:helper-second */
    pthread_mutex_unlock(second);
    pthread_mutex_unlock(first);
}

static __attribute__((noinline)) void send_message(void)
{
    take_both(&a, &b); /* @lock:send */
}

static __attribute__((noinline)) void shut_down(void)
{
    take_both(&a, &b); /* @lock:shutdown */
}

static void *sender(void *arg)
{
    (void)arg;
    send_message();
    return NULL;
}

static void *closer(void *arg)
{
    (void)arg;
    shut_down();
    return NULL;
}

static void *auditor(void *arg)
{
    (void)arg;
    take_both(&b, &a); /* @lock:audit */
    return NULL;
}

static void run(void *(*fn)(void *))
{
    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    pthread_join(t, NULL);
}

int main(void)
{
    run(sender);
    run(closer);
    run(auditor);
    puts("places: done");
    return 0;
}
