/* sem-signal: semaphores used as signals, never as locks. A consumer waits on `items` (posted by
 * the producer, main) and then takes lock_a. The consumer also takes `ticket` (value 1) and takes
 * lock_a while it has it; main then posts `ticket` without having taken it, and a third thread
 * waits on `ticket` while holding lock_a. Counted as a lock, `ticket` would close the cycle
 * ticket -> lock_a -> ticket across the consumer and the third thread; main's post proves it a
 * signal. Nothing to report. */
#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>
#include <stdio.h>

static sem_t items, ticket, started;
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static int taken;

static void *consumer(void *arg)
{
    (void)arg;
    sem_wait(&ticket); /* value 1: taken at once */
    pthread_mutex_lock(&lock_a);
    pthread_mutex_unlock(&lock_a);
    sem_post(&started);
    for (int i = 0; i < 1000; i++) {
        sem_wait(&items);
        pthread_mutex_lock(&lock_a);
        taken++;
        pthread_mutex_unlock(&lock_a);
    }
    return NULL;
}

static void *ticket_taker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a);
    sem_wait(&ticket); /* main's post lets it through */
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

int main(void)
{
    pthread_t c, t;
    if (sem_init(&items, 0, 0) || sem_init(&ticket, 0, 1) || sem_init(&started, 0, 0)) return 1;
    if (pthread_create(&c, NULL, consumer, NULL) != 0) return 1;
    sem_wait(&started);
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&lock_a);
        sem_post(&items);
        pthread_mutex_unlock(&lock_a);
    }
    if (pthread_join(c, NULL) != 0) return 1;
    sem_post(&ticket);
    if (pthread_create(&t, NULL, ticket_taker, NULL) != 0 || pthread_join(t, NULL) != 0) return 1;
    printf("taken %d\n", taken);
    return taken == 1000 ? 0 : 1;
}
