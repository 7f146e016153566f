/* cycle-three-threads: no two threads share an inverted pair, but three together close a cycle:
 * thread 1 takes lock_a then lock_b, thread 2 lock_b then lock_c, thread 3 lock_c then lock_a
 * (lockdep's ABBCCA). The threads run one after another, so the run cannot deadlock. */
#include <pthread.h>
#include <stddef.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_c = PTHREAD_MUTEX_INITIALIZER;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* @lock:ab-a */
    pthread_mutex_lock(&lock_b); /* @lock:ab-b */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *take_b_then_c(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b); /* @lock:bc-b */
    pthread_mutex_lock(&lock_c); /* @lock:bc-c */
    pthread_mutex_unlock(&lock_c);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

static void *take_c_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_c); /* @lock:ca-c */
    pthread_mutex_lock(&lock_a); /* @lock:ca-a */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_c);
    return NULL;
}

int main(void)
{
    void *(*const steps[])(void *) = {take_a_then_b, take_b_then_c, take_c_then_a};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, steps[i], NULL) != 0 || pthread_join(t, NULL) != 0) return 1;
    }
    return 0;
}
