/* abba-after-create: main takes lock_a then lock_b before it starts a thread (that use is ordered
 * before the thread) and again after (that one is not). The thread takes lock_b then lock_a once
 * main's second use is over (a semaphore, which orders nothing for the label). The repeat of the
 * same chain in a new epoch must reach the detector: the inversion is labelled concurrent. */
#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static sem_t main_done;
static volatile int shared_value;

static void take_a_then_b(void)
{
    pthread_mutex_lock(&lock_a); /* @lock:ab-first */
    pthread_mutex_lock(&lock_b); /* @lock:ab-second */
    shared_value++;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    sem_wait(&main_done);
    pthread_mutex_lock(&lock_b); /* @lock:ba-first */
    pthread_mutex_lock(&lock_a); /* @lock:ba-second */
    shared_value++;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (sem_init(&main_done, 0, 0) != 0) return 1;
    take_a_then_b();
    if (pthread_create(&t, NULL, take_b_then_a, NULL) != 0) return 1;
    take_a_then_b();
    sem_post(&main_done);
    if (pthread_join(t, NULL) != 0) return 1;
    return shared_value == 3 ? 0 : 1;
}
