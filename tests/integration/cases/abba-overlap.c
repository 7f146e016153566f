/* abba-overlap: both threads are alive at once (neither is joined before the other starts); a
 * semaphore keeps their critical sections apart, so the run never deadlocks. Thread start and
 * join do not order them, and a semaphore does not count as an ordering (it could hide a real
 * deadlock): the inversion is labelled concurrent. */
#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static sem_t first_done;
static volatile int shared_value;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* @lock:ab-first */
    pthread_mutex_lock(&lock_b); /* @lock:ab-second */
    shared_value++;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    sem_post(&first_done);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    sem_wait(&first_done);
    pthread_mutex_lock(&lock_b); /* @lock:ba-first */
    pthread_mutex_lock(&lock_a); /* @lock:ba-second */
    shared_value++;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    if (sem_init(&first_done, 0, 0) != 0) return 1;
    if (pthread_create(&t2, NULL, take_b_then_a, NULL) != 0) return 1;
    if (pthread_create(&t1, NULL, take_a_then_b, NULL) != 0) return 1;
    if (pthread_join(t1, NULL) != 0 || pthread_join(t2, NULL) != 0) return 1;
    return shared_value == 2 ? 0 : 1;
}
