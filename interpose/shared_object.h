/* shared_object.h — whether a condition variable, semaphore or barrier is process-shared, read
 * from glibc's layout of the object (as family.h reads mutexes and rwlocks). A process outside
 * the run may signal or post a shared one, so a wait on it never makes a run stuck. The
 * semaphore and barrier layouts are glibc's internal ones: 0 for a private object, 128 for a
 * shared one (docs/internals.md, "glibc layouts"). */
#ifndef LWI_SHARED_OBJECT_H
#define LWI_SHARED_OBJECT_H

#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>

#include "lockwatch/wire.h"

/* glibc's struct new_sem on 64-bit targets, and struct pthread_barrier. */
struct lwi_glibc_sem {
    uint64_t data;
    int private_flag;
    int pad;
};
struct lwi_glibc_barrier {
    unsigned in, current_round, count;
    int shared;
    unsigned out;
};
#define LWI_GLIBC_COND_SHARED_MASK 1u /* in __wrefs */

static inline uint8_t lwi_sem_flags(const sem_t *sem)
{
    _Static_assert(sizeof(struct lwi_glibc_sem) <= sizeof(sem_t), "glibc's sem_t layout");
    return ((const volatile struct lwi_glibc_sem *)sem)->private_flag != 0 ? LW_LOCKF_PSHARED : 0;
}

static inline uint8_t lwi_barrier_flags(const pthread_barrier_t *barrier)
{
    _Static_assert(sizeof(struct lwi_glibc_barrier) <= sizeof(pthread_barrier_t),
                   "glibc's pthread_barrier_t layout");
    return ((const volatile struct lwi_glibc_barrier *)barrier)->shared != 0 ? LW_LOCKF_PSHARED : 0;
}

/* The number of threads the barrier waits for (fixed by pthread_barrier_init). */
static inline unsigned lwi_barrier_count(const pthread_barrier_t *barrier)
{
    return ((const volatile struct lwi_glibc_barrier *)barrier)->count;
}

static inline uint8_t lwi_cond_flags(const pthread_cond_t *cond)
{
    return (((const volatile pthread_cond_t *)cond)->__data.__wrefs & LWI_GLIBC_COND_SHARED_MASK)
               ? LW_LOCKF_PSHARED
               : 0;
}

#endif
