/* sem-sigint-wait: "run until Ctrl-C". A worker idles on a condition variable; main waits on a
 * semaphore that only its SIGINT handler posts (sem_post is async-signal-safe), then stops the
 * worker. Every thread waits, but a signal handler may still post: not stuck, and the run ends
 * normally when SIGINT comes. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static sem_t quit;
static pthread_mutex_t state = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static bool stopping;

static void on_interrupt(int sig)
{
    (void)sig;
    sem_post(&quit);
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&state);
    while (!stopping)
        pthread_cond_wait(&work, &state);
    pthread_mutex_unlock(&state);
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    pthread_t t;
    if (sem_init(&quit, 0, 0) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
        pthread_create(&t, NULL, worker, NULL) != 0)
        return 1;
    while (sem_wait(&quit) != 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&state);
    stopping = true;
    pthread_cond_signal(&work);
    pthread_mutex_unlock(&state);
    pthread_join(t, NULL);
    puts("done");
    return 0;
}
