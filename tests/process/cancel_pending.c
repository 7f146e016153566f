/* cancel_pending.c — lock calls are not cancellation points, and must not become ones under
 * lockwatch. A thread cancels itself (deferred: the cancel stays pending), then makes a lock
 * call that is new to the runtime, so the runtime unwinds its stack and sends a record inside
 * pthread_mutex_lock (send() is a cancellation point). The thread must come out of the lock
 * calls and be cancelled only at pthread_testcancel. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner = PTHREAD_MUTEX_INITIALIZER;
static volatile int progress;

static void *cancel_then_lock(void *arg)
{
    (void)arg;
    pthread_cancel(pthread_self());
    pthread_mutex_lock(&outer);
    pthread_mutex_lock(&inner); /* a new chain: outer -> inner */
    progress = 1;
    pthread_mutex_unlock(&inner);
    pthread_mutex_unlock(&outer);
    progress = 2;
    pthread_testcancel();
    progress = 3; /* not reached */
    return NULL;
}

int main(void)
{
    pthread_t t;
    void *result = NULL;
    if (pthread_create(&t, NULL, cancel_then_lock, NULL) != 0 || pthread_join(t, &result) != 0)
        return 2;
    if (result != PTHREAD_CANCELED || progress != 2) {
        printf("cancelled at the wrong place: progress %d\n", progress);
        return 1;
    }
    puts("cancelled at pthread_testcancel");
    return 0;
}
