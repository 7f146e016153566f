/* exit_from_thread.c — a thread ends the whole process with _exit() while other threads hold
 * locks; an inversion found earlier must still be reported (records leave the program at once). */
#define _GNU_SOURCE
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;

static void *quitter(void *arg)
{
    pthread_mutex_lock(&b);
    pthread_mutex_lock(&a); /* @exit:ba */
    _exit(3);
    return arg;
}

int main(void)
{
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b); /* @exit:ab */
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    pthread_t t;
    pthread_create(&t, NULL, quitter, NULL);
    pthread_join(t, NULL);
    return 0;
}
