/* sem-pool: counting semaphores with room for two (a named one from sem_open and an unnamed one
 * from sem_init), each waited on and posted by the same thread like a lock. Thread 1 takes a
 * pool slot and then the mutex, thread 2 the mutex and then a slot: counted as locks the pools
 * would close pool -> lock_m -> pool, but a semaphore that starts above 1 is no lock (two threads
 * can be inside at once). Nothing to report. */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

static sem_t *named;
static sem_t unnamed;
static pthread_mutex_t lock_m = PTHREAD_MUTEX_INITIALIZER;
static int used;

static void *slot_then_mutex(void *arg)
{
    sem_t *pool = arg;
    sem_wait(pool);
    pthread_mutex_lock(&lock_m);
    used++;
    pthread_mutex_unlock(&lock_m);
    sem_post(pool);
    return NULL;
}

static void *mutex_then_slot(void *arg)
{
    sem_t *pool = arg;
    pthread_mutex_lock(&lock_m);
    sem_wait(pool);
    used++;
    sem_post(pool);
    pthread_mutex_unlock(&lock_m);
    return NULL;
}

static int run(sem_t *pool)
{
    pthread_t t;
    if (pthread_create(&t, NULL, slot_then_mutex, pool) != 0 || pthread_join(t, NULL) != 0)
        return 1;
    if (pthread_create(&t, NULL, mutex_then_slot, pool) != 0 || pthread_join(t, NULL) != 0)
        return 1;
    return 0;
}

int main(void)
{
    char name[64];
    snprintf(name, sizeof name, "/lockwatch-sem-pool-%d", (int)getpid());
    named = sem_open(name, O_CREAT | O_EXCL, 0600, 2);
    if (named == SEM_FAILED) return 1;
    sem_unlink(name);
    if (sem_init(&unnamed, 0, 2) != 0) return 1;
    if (run(named) || run(&unnamed)) return 1;
    sem_close(named);
    printf("used %d\n", used);
    return used == 4 ? 0 : 1;
}
