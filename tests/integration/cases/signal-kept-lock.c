/* signal-kept-lock: a signal handler takes a lock and keeps it, while the interrupted thread is
 * blocked waiting for another lock. The thread's next acquisition repeats a pattern it has made
 * before (same locks held, same call site), so the fast path may know it; but the handler's lock
 * is now held too, and re-locking it is a double lock. handler_lock is an errorcheck mutex, so
 * the re-lock returns EDEADLK instead of blocking and the program ends by itself.
 *
 * Guards the runtime against trusting the memo key alone: the entry pushed after the wait keeps
 * the key computed before it, which does not include the handler's lock. */
#define _GNU_SOURCE /* PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t outer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t wait_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t handler_lock = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static pthread_t main_thread;
static volatile sig_atomic_t holder_ready;

static void keep_handler_lock(int sig)
{
    (void)sig;
    pthread_mutex_lock(&handler_lock); /* @lock:handler-lock */
}

/* One call site per lock in normal code, so the last round repeats the pattern of the first ones
 * exactly (a chain is made of the locks and the sites they were taken at). */
__attribute__((noinline)) static void lock_outer_lock(void)
{
    pthread_mutex_lock(&outer_lock);
}

__attribute__((noinline)) static void lock_wait_lock(void)
{
    pthread_mutex_lock(&wait_lock);
}

__attribute__((noinline)) static int lock_handler_lock(void)
{
    return pthread_mutex_lock(&handler_lock); /* @lock:relock */
}

/* Holds wait_lock while main blocks on it, interrupts main's wait, then lets it through. */
static void *holder(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&wait_lock);
    holder_ready = 1;
    usleep(50 * 1000);
    pthread_kill(main_thread, SIGUSR1);
    usleep(50 * 1000);
    pthread_mutex_unlock(&wait_lock);
    return NULL;
}

int main(void)
{
    main_thread = pthread_self();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = keep_handler_lock;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);

    for (int i = 0; i < 3; i++) { /* outer_lock, wait_lock, handler_lock: a known pattern */
        lock_outer_lock();
        lock_wait_lock();
        lock_handler_lock();
        pthread_mutex_unlock(&handler_lock);
        pthread_mutex_unlock(&wait_lock);
        pthread_mutex_unlock(&outer_lock);
    }

    pthread_t t;
    pthread_create(&t, NULL, holder, NULL);
    while (!holder_ready)
        usleep(1000);
    lock_outer_lock();
    lock_wait_lock(); /* blocks; the handler runs meanwhile */
    int rc = lock_handler_lock();
    printf("relock: %s\n", rc == EDEADLK ? "EDEADLK" : strerror(rc));
    pthread_mutex_unlock(&handler_lock);
    pthread_mutex_unlock(&wait_lock);
    pthread_mutex_unlock(&outer_lock);
    pthread_join(t, NULL);
    return 0;
}
