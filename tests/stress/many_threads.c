/* many_threads.c — 10,000 threads created over the run, 1,000 alive at once, each taking two
 * locks in a consistent order: lockwatch's thread tables must cope and report nothing. */
#include <pthread.h>
#include <stdio.h>

#define TOTAL 10000
#define ALIVE 1000

static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *work(void *arg)
{
    pthread_mutex_lock(&a);
    pthread_mutex_lock(&b);
    counter++;
    pthread_mutex_unlock(&b);
    pthread_mutex_unlock(&a);
    return arg;
}

int main(void)
{
    static pthread_t threads[ALIVE];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (int wave = 0; wave < TOTAL / ALIVE; wave++) {
        for (int i = 0; i < ALIVE; i++)
            if (pthread_create(&threads[i], &attr, work, NULL) != 0) return 1;
        for (int i = 0; i < ALIVE; i++)
            pthread_join(threads[i], NULL);
    }
    printf("%ld threads ran\n", counter);
    return counter == TOTAL ? 0 : 1;
}
