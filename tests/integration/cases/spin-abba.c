/* spin-abba: the ABBA pattern with pthread spinlocks. Spinning is blocking for this purpose (a
 * spinner never gives up), so opposite orders can deadlock and are reported. The threads run one
 * after the other, so this run cannot. Spinlocks have no static initialiser: both are
 * pthread_spin_init'ed in main. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stddef.h>

static pthread_spinlock_t spin_a;
static pthread_spinlock_t spin_b;

static void *spin_a_then_b(void *arg)
{
    (void)arg;
    pthread_spin_lock(&spin_a); /* @lock:sab-a */
    pthread_spin_lock(&spin_b); /* @lock:sab-b */
    pthread_spin_unlock(&spin_b);
    pthread_spin_unlock(&spin_a);
    return NULL;
}

static void *spin_b_then_a(void *arg)
{
    (void)arg;
    pthread_spin_lock(&spin_b); /* @lock:sba-b */
    pthread_spin_lock(&spin_a); /* @lock:sba-a */
    pthread_spin_unlock(&spin_a);
    pthread_spin_unlock(&spin_b);
    return NULL;
}

int main(void)
{
    if (pthread_spin_init(&spin_a, PTHREAD_PROCESS_PRIVATE) != 0 ||
        pthread_spin_init(&spin_b, PTHREAD_PROCESS_PRIVATE) != 0)
        return 1;
    pthread_t t;
    if (pthread_create(&t, NULL, spin_a_then_b, NULL) != 0 || pthread_join(t, NULL) != 0 ||
        pthread_create(&t, NULL, spin_b_then_a, NULL) != 0 || pthread_join(t, NULL) != 0)
        return 1;
    pthread_spin_destroy(&spin_a);
    pthread_spin_destroy(&spin_b);
    return 0;
}
