/* false_alarms_lib.c — see false_alarms_lib.h. The locks of each family that carry no owner
 * (a read lock, a spinlock) and one that does (a mutex). */
#define _GNU_SOURCE
#include "false_alarms_lib.h"

#include <pthread.h>

static pthread_mutex_t setup_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t setup_table = PTHREAD_RWLOCK_INITIALIZER;
static pthread_spinlock_t setup_spin;

__attribute__((constructor)) static void lib_setup(void)
{
    pthread_spin_init(&setup_spin, PTHREAD_PROCESS_PRIVATE);
    pthread_mutex_lock(&setup_mutex);
    pthread_rwlock_rdlock(&setup_table);
    pthread_spin_lock(&setup_spin);
}

void lib_release_setup_locks(void)
{
    pthread_spin_unlock(&setup_spin);    /* @lock:mis-ctor-spin */
    pthread_rwlock_unlock(&setup_table); /* @lock:mis-ctor-rwlock */
    pthread_mutex_unlock(&setup_mutex);  /* @lock:mis-ctor-mutex */
}
