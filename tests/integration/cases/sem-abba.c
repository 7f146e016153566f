/* sem-abba: two semaphores used as locks (sem_init(..., 1), sem_wait, sem_post by the same
 * thread) taken in opposite orders by two threads run one after the other, the second taking
 * its first semaphore with sem_trywait (as CPython's Lock.acquire tries first): one inversion.
 * A third semaphore is a signal (posted by main, waited on by the threads) and is held around
 * nothing: it must not join the cycle. */
#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>

static sem_t sem_a, sem_b, go;
static volatile int shared_value;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    sem_wait(&go);
    sem_wait(&sem_a); /* @lock:ab-first */
    sem_wait(&sem_b); /* @lock:ab-second */
    shared_value++;
    sem_post(&sem_b);
    sem_post(&sem_a);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    sem_wait(&go);
    while (sem_trywait(&sem_b) != 0) /* @lock:ba-first */
        ;
    sem_wait(&sem_a); /* @lock:ba-second */
    shared_value++;
    sem_post(&sem_a);
    sem_post(&sem_b);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (sem_init(&sem_a, 0, 1) || sem_init(&sem_b, 0, 1) || sem_init(&go, 0, 0)) return 1;
    if (pthread_create(&t, NULL, take_a_then_b, NULL) != 0 || sem_post(&go) != 0 ||
        pthread_join(t, NULL) != 0)
        return 1;
    if (pthread_create(&t, NULL, take_b_then_a, NULL) != 0 || sem_post(&go) != 0 ||
        pthread_join(t, NULL) != 0)
        return 1;
    return shared_value == 2 ? 0 : 1;
}
