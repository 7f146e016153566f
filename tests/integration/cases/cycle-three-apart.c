/* cycle-three-apart: three threads alive at once take lock_a→lock_b, lock_b→lock_c and
 * lock_c→lock_a, 150 ms apart, so the run never deadlocks by itself. Nothing orders them: the
 * cycle is concurrent, and a re-run steered toward it (--confirm) really deadlocks, all three
 * threads waiting. */
#include <pthread.h>
#include <stddef.h>
#include <time.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_c = PTHREAD_MUTEX_INITIALIZER;
static volatile int shared_value;

static void pause_ms(long ms)
{
    struct timespec later = {.tv_sec = 0, .tv_nsec = ms * 1000 * 1000};
    nanosleep(&later, NULL);
}

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* @lock:ab-a */
    pthread_mutex_lock(&lock_b); /* @lock:ab-b */
    shared_value++;
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *take_b_then_c(void *arg)
{
    (void)arg;
    pause_ms(150);
    pthread_mutex_lock(&lock_b); /* @lock:bc-b */
    pthread_mutex_lock(&lock_c); /* @lock:bc-c */
    shared_value++;
    pthread_mutex_unlock(&lock_c);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

static void *take_c_then_a(void *arg)
{
    (void)arg;
    pause_ms(300);
    pthread_mutex_lock(&lock_c); /* @lock:ca-c */
    pthread_mutex_lock(&lock_a); /* @lock:ca-a */
    shared_value++;
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_c);
    return NULL;
}

int main(void)
{
    void *(*steps[])(void *) = {take_a_then_b, take_b_then_c, take_c_then_a};
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        if (pthread_create(&t[i], NULL, steps[i], NULL) != 0) return 1;
    for (int i = 0; i < 3; i++)
        if (pthread_join(t[i], NULL) != 0) return 1;
    return shared_value == 3 ? 0 : 1;
}
