/* evil-names: an ABBA inversion whose two threads are named with terminal control sequences (a
 * title change and a screen clear; a right-to-left override, a C1 CSI and a stray byte), so the
 * report must show them escaped. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stddef.h>

static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

static void *take_a_then_b(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "\x1b]2;pwn\x07\x1b[2J");
    pthread_mutex_lock(&lock_a);
    pthread_mutex_lock(&lock_b);
    pthread_mutex_unlock(&lock_b);
    pthread_mutex_unlock(&lock_a);
    return NULL;
}

static void *take_b_then_a(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "ok\xe2\x80\xae\xc2\x9b\xff\xc3\xa9");
    pthread_mutex_lock(&lock_b);
    pthread_mutex_lock(&lock_a);
    pthread_mutex_unlock(&lock_a);
    pthread_mutex_unlock(&lock_b);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, take_a_then_b, NULL) != 0 || pthread_join(t, NULL) != 0) return 1;
    if (pthread_create(&t, NULL, take_b_then_a, NULL) != 0 || pthread_join(t, NULL) != 0) return 1;
    return 0;
}
