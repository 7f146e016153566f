/* signal_locks.c — locks taken inside a signal handler, interrupting code that is itself taking
 * other locks (and so possibly interrupting lockwatch's bookkeeping). The handler's lock is never
 * held by the interrupted code, so the program cannot deadlock and nothing must be reported. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
    (void)sig;
    pthread_mutex_lock(&handler_lock);
    ticks++;
    pthread_mutex_unlock(&handler_lock);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval every = {{0, 200}, {0, 200}};
    setitimer(ITIMER_REAL, &every, NULL);
    long n = 0;
    while (ticks < 2000) {
        pthread_mutex_lock(&a);
        pthread_mutex_lock(&b);
        n++;
        pthread_mutex_unlock(&b);
        pthread_mutex_unlock(&a);
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("%d signals during %ld lock pairs\n", (int)ticks, n);
    return 0;
}
