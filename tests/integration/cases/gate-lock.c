/* gate-lock: two threads take lock_a and lock_b in opposite orders, but always while holding
 * gate_lock. The gate serialises the two orders, so no thread can ever hold lock_a while another
 * holds lock_b: the cycle cannot close and must not be reported. The threads really run at the
 * same time, many rounds each, to show the program is safe. */
#include <pthread.h>
#include <stddef.h>

#define ROUNDS 2000

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static long shared_value;

static void *gated_a_then_b(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&gate_lock);
        pthread_mutex_lock(&lock_a);
        pthread_mutex_lock(&lock_b);
        shared_value++;
        pthread_mutex_unlock(&lock_b);
        pthread_mutex_unlock(&lock_a);
        pthread_mutex_unlock(&gate_lock);
    }
    return NULL;
}

static void *gated_b_then_a(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&gate_lock);
        pthread_mutex_lock(&lock_b);
        pthread_mutex_lock(&lock_a);
        shared_value++;
        pthread_mutex_unlock(&lock_a);
        pthread_mutex_unlock(&lock_b);
        pthread_mutex_unlock(&gate_lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t t1, t2;
    if (pthread_create(&t1, NULL, gated_a_then_b, NULL) != 0 ||
        pthread_create(&t2, NULL, gated_b_then_a, NULL) != 0)
        return 1;
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    return shared_value == 2 * ROUNDS ? 0 : 1;
}
