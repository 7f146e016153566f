/* real.h — the original libc functions behind every wrapper, resolved in one place.
 *
 * REAL(sym) yields a callable pointer to the next definition of `sym` after liblockwatch.so
 * (dlsym(RTLD_NEXT)). It works before the constructor ran: the first use resolves the whole
 * table (real.c explains how a lock taken inside dlsym itself is served).
 * LWI_EXPORT marks the few symbols the library exports: the wrapped libc names. */
#ifndef LWI_REAL_H
#define LWI_REAL_H

#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#define LWI_EXPORT __attribute__((visibility("default")))

/* X(name) for every function the runtime wraps or calls through REAL. */
#define LWI_REAL_FUNCS(X)                                                                          \
    X(free)                                                                                        \
    X(realloc)                                                                                     \
    X(reallocarray)                                                                                \
    X(munmap)                                                                                      \
    X(pthread_mutex_lock)                                                                          \
    X(pthread_mutex_trylock)                                                                       \
    X(pthread_mutex_timedlock)                                                                     \
    X(pthread_mutex_clocklock)                                                                     \
    X(pthread_mutex_unlock)                                                                        \
    X(pthread_mutex_init)                                                                          \
    X(pthread_mutex_destroy)                                                                       \
    X(pthread_mutex_consistent)                                                                    \
    X(pthread_cond_destroy)                                                                        \
    X(cnd_destroy)                                                                                 \
    X(sem_destroy)                                                                                 \
    X(sem_init)                                                                                    \
    X(sem_open)                                                                                    \
    X(sem_trywait)                                                                                 \
    X(sem_timedwait)                                                                               \
    X(sem_clockwait)                                                                               \
    X(pthread_rwlock_rdlock)                                                                       \
    X(pthread_rwlock_wrlock)                                                                       \
    X(pthread_rwlock_tryrdlock)                                                                    \
    X(pthread_rwlock_trywrlock)                                                                    \
    X(pthread_rwlock_timedrdlock)                                                                  \
    X(pthread_rwlock_timedwrlock)                                                                  \
    X(pthread_rwlock_clockrdlock)                                                                  \
    X(pthread_rwlock_clockwrlock)                                                                  \
    X(pthread_rwlock_unlock)                                                                       \
    X(pthread_rwlock_init)                                                                         \
    X(pthread_rwlock_destroy)                                                                      \
    X(pthread_spin_lock)                                                                           \
    X(pthread_spin_trylock)                                                                        \
    X(pthread_spin_unlock)                                                                         \
    X(pthread_spin_init)                                                                           \
    X(pthread_spin_destroy)                                                                        \
    X(pthread_cond_wait)                                                                           \
    X(pthread_cond_timedwait)                                                                      \
    X(pthread_cond_clockwait)                                                                      \
    X(cnd_wait)                                                                                    \
    X(cnd_timedwait)                                                                               \
    X(mtx_lock)                                                                                    \
    X(mtx_trylock)                                                                                 \
    X(mtx_timedlock)                                                                               \
    X(mtx_unlock)                                                                                  \
    X(mtx_init)                                                                                    \
    X(mtx_destroy)                                                                                 \
    X(pthread_create)                                                                              \
    X(pthread_exit)                                                                                \
    X(pthread_setname_np)                                                                          \
    X(thrd_create)                                                                                 \
    X(thrd_exit)                                                                                   \
    X(pthread_join)                                                                                \
    X(thrd_join)                                                                                   \
    X(pthread_tryjoin_np)                                                                          \
    X(pthread_timedjoin_np)                                                                        \
    X(pthread_clockjoin_np)                                                                        \
    X(sem_wait)                                                                                    \
    X(pthread_barrier_wait)                                                                        \
    X(alarm)                                                                                       \
    X(ualarm)                                                                                      \
    X(setitimer)                                                                                   \
    X(timer_settime)                                                                               \
    X(waitpid)                                                                                     \
    X(wait)                                                                                        \
    X(wait3)                                                                                       \
    X(wait4)                                                                                       \
    X(waitid)                                                                                      \
    X(pthread_cond_signal)                                                                         \
    X(pthread_cond_broadcast)                                                                      \
    X(cnd_signal)                                                                                  \
    X(cnd_broadcast)                                                                               \
    X(sem_post)                                                                                    \
    X(prctl)                                                                                       \
    X(pipe2)                                                                                       \
    X(syscall)

enum lwi_real_id {
#define LWI_REAL_ENUM(name) LWI_REAL_##name,
    LWI_REAL_FUNCS(LWI_REAL_ENUM)
#undef LWI_REAL_ENUM
        LWI_REAL_COUNT
};

/* Returns the real function, resolving the table on first use; never NULL for a function glibc
 * provides. */
void *lwi_real_get(enum lwi_real_id id);

/* Resolves every entry now (called from the constructor so later calls take the fast branch). */
void lwi_real_resolve_all(void);

extern void *lwi_real_table[LWI_REAL_COUNT] __attribute__((visibility("hidden")));

static inline void *lwi_real_fast(enum lwi_real_id id)
{
    void *fn = __atomic_load_n(&lwi_real_table[id], __ATOMIC_ACQUIRE);
    return fn ? fn : lwi_real_get(id);
}

#define REAL(sym) ((__typeof__(&sym))lwi_real_fast(LWI_REAL_##sym))

/* REAL(sym) on a tracked path (inside lwi_enter): the runtime is active, so the constructor has
 * resolved the table (init.c) and the pointer is read without the lazy-resolution test. Only for
 * functions every glibc with these wrappers provides (the lock, trylock and unlock calls), whose
 * entries are written once, before any thread tracks: a plain read, which the compiler folds
 * into the call instruction. */
#define REAL_LIVE(sym) ((__typeof__(&sym))lwi_real_table[LWI_REAL_##sym])

#endif
