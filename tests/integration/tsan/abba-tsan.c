/* abba-tsan: the classic lock-order inversion in a ThreadSanitizer build.
 *
 * lockwatch's runtime runs inside TSan builds (TSan's interceptors reach it through
 * dlsym(RTLD_NEXT)), so lockwatch finds the cycle itself; TSan's own deadlock detector would
 * report the same cycle a second time. The report must hold exactly one lock-order inversion,
 * also when the user asked TSan for its deadlock reports (TSAN_OPTIONS=detect_deadlocks=1).
 * The threads run one after the other, so the run never deadlocks. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_a); /* @lock:ab-first */
    pthread_mutex_lock(&lock_b); /* @lock:ab-second */
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock_b); /* @lock:ba-first */
    pthread_mutex_lock(&lock_a); /* @lock:ba-second */
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, take_a_then_b, NULL) != 0) return 1;
    pthread_join(t, NULL);
    if (pthread_create(&t, NULL, take_b_then_a, NULL) != 0) return 1;
    pthread_join(t, NULL);
    puts("did not deadlock");
    return 0;
}
