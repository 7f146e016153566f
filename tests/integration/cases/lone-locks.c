/* lone-locks: three threads take two mutexes 100,000 times each, never one inside the other. No
 * lock-order chain forms, yet the program used two locks: the summary must count both. */
#include <pthread.h>
#include <stddef.h>

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter, lines;

static void *work(void *arg)
{
    for (int i = 0; i < 100000; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
        pthread_mutex_lock(&log_lock);
        lines++;
        pthread_mutex_unlock(&log_lock);
    }
    return arg;
}

int main(void)
{
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        if (pthread_create(&t[i], NULL, work, NULL) != 0) return 2;
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    return counter == 300000 && lines == 300000 ? 0 : 1;
}
