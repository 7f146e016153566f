/* family.h — what differs between lock families (pthread mutex, C11 mtx, rwlock, spinlock,
 * semaphore, and the condition variables and barriers that wait with them), in one place:
 * glibc's layout of each object (kinds, flags, owners: docs/internals.md, "glibc layouts"), the
 * real calls of each family, and which results mean "now held". Statically initialised locks
 * never pass through *_init, so kinds are read from the object at use; reads are racy by nature
 * and volatile keeps each field a single load. C11 mtx_t has the pthread_mutex_t layout. */
#ifndef LWI_FAMILY_H
#define LWI_FAMILY_H

#include <pthread.h>
#include <stdint.h>

#include <errno.h>
#include <semaphore.h>
#include <stdbool.h>
#include <threads.h>

#include "gen.h"
#include "lockwatch/wire.h"
#include "real.h"

/* glibc's rwlock kinds: only the non-recursive writer-preferring kind makes a waiting writer
 * block new readers; PTHREAD_RWLOCK_PREFER_WRITER_NP behaves as reader-preferring in glibc's
 * rwlock implementation (checked on 2.36 with a reader re-entering while a writer waits). */
#define LWI_GLIBC_RWLOCK_WRITER_NONRECURSIVE 2
#define LWI_GLIBC_MUTEX_KIND_MASK 3
#define LWI_GLIBC_MUTEX_PSHARED_BIT 128
#define LWI_GLIBC_MUTEX_PI_BIT 32 /* PTHREAD_MUTEX_PRIO_INHERIT_NP */
#define LWI_GLIBC_MUTEX_PP_BIT 64 /* PTHREAD_MUTEX_PRIO_PROTECT_NP */
#define LWI_GLIBC_MUTEX_ROBUST_BIT 16
#define LWI_GLIBC_MUTEX_VALID_BITS (3 | 16 | 32 | 64 | 128 | 256 | 512)
#define LWI_GLIBC_RWLOCK_WRLOCKED 2u /* in __readers */
#define LWI_GLIBC_RWLOCK_READER_SHIFT 3u
#define LWI_GLIBC_COND_SHARED_MASK 1u          /* in __wrefs */
#define LWI_GLIBC_COND_CLOCK_MONOTONIC_MASK 2u /* in __wrefs */

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

static inline uint8_t lwi_sem_flags(const sem_t *sem)
{
    _Static_assert(sizeof(struct lwi_glibc_sem) <= sizeof(sem_t), "glibc's sem_t layout");
    return ((const volatile struct lwi_glibc_sem *)sem)->private_flag != 0 ? LW_LOCKF_PSHARED : 0;
}

/* Whether a condition variable, semaphore or barrier is process-shared: a process outside the run
 * may signal or post a shared one, so a wait on it never makes a run stuck. */
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

/* Our flags for glibc's mutex kind (kind & LWI_GLIBC_MUTEX_KIND_MASK): normal, recursive,
 * errorcheck, adaptive. A table, not a switch: this runs on every mutex acquisition. */
static const uint8_t lwi_mutex_kind_flags[4] = {
    [PTHREAD_MUTEX_NORMAL] = 0,
    [PTHREAD_MUTEX_RECURSIVE] = LW_LOCKF_RECURSIVE,
    [PTHREAD_MUTEX_ERRORCHECK] = LW_LOCKF_ERRORCHECK,
    [PTHREAD_MUTEX_ADAPTIVE_NP] = 0,
};

/* The flags of a lock (enum lw_lock_flags) read from its object, by family. */
static inline uint8_t lwi_mutex_flags(const void *mutex)
{
    const volatile pthread_mutex_t *m = mutex;
    int kind = m->__data.__kind;
    uint8_t flags = lwi_mutex_kind_flags[kind & LWI_GLIBC_MUTEX_KIND_MASK];
    if (kind & LWI_GLIBC_MUTEX_PSHARED_BIT) flags |= LW_LOCKF_PSHARED;
    return flags;
}

static inline uint8_t lwi_rwlock_flags(const void *rwlock)
{
    const volatile pthread_rwlock_t *r = rwlock;
    uint8_t flags = 0;
    if (r->__data.__flags == LWI_GLIBC_RWLOCK_WRITER_NONRECURSIVE) flags |= LW_LOCKF_WRITER_PREF;
    if (r->__data.__shared) flags |= LW_LOCKF_PSHARED;
    return flags;
}

static inline uint8_t lwi_lock_flags(const void *lock, uint8_t type)
{
    switch ((enum lw_lock_type)type) {
    case LW_LOCK_MUTEX:
    case LW_LOCK_MTX:
        return lwi_mutex_flags(lock);
    case LW_LOCK_RWLOCK:
        return lwi_rwlock_flags(lock);
    case LW_LOCK_SPIN:
        return 0;
    case LW_LOCK_SEM:
        return lwi_sem_flags(lock);
    }
    return 0;
}

/* A lock's identity without its flags, which live in the lock object itself: the plain
 * acquisitions build this one, and their fast path takes the flags from the memo or the chain
 * cache with the chain (chain.h: lwi_chain_value), so it touches the lock object only through the
 * real trylock. Reading them before the trylock would fetch a contended line shared and then again
 * exclusive (two coherence misses instead of one); reading them after it waits for the trylock's
 * locked instruction to complete. Chain keys do not include the flags, so they can be computed
 * first; a full attempt reads them (wait.c). The generation is left 0 as well: the fast path takes
 * it from the memo slot (which checks it is still current) or the chain-cache refill, and the
 * full attempt looks it up (track.c). */
static inline struct lw_lock_ref lwi_ref_unread(const void *lock, uint8_t type, uint8_t mode,
                                                uint8_t acq)
{
    uint64_t addr = (uint64_t)(uintptr_t)lock;
    return (struct lw_lock_ref){
        .addr = addr, .generation = 0, .type = type, .flags = 0, .mode = mode, .acq = acq};
}

/* The identity of a lock a trylock or timed lock takes: flags read now (the lock is ours or about
 * to be asked for), the generation left to the tracker like lwi_ref_unread's. */
static inline struct lw_lock_ref lwi_ref_acquiring(const void *lock, uint8_t type, uint8_t mode,
                                                   uint8_t acq)
{
    struct lw_lock_ref ref = lwi_ref_unread(lock, type, mode, acq);
    ref.flags = lwi_lock_flags(lock, type);
    return ref;
}

/* The whole identity, flags read now, the generation looked up (and marked used, gen.h). */
static inline struct lw_lock_ref lwi_ref_read(const void *lock, uint8_t type, uint8_t mode,
                                              uint8_t acq)
{
    struct lw_lock_ref ref = lwi_ref_unread(lock, type, mode, acq);
    ref.generation = lwi_gen_use(ref.addr);
    ref.flags = lwi_lock_flags(lock, type);
    return ref;
}

static inline struct lw_lock_ref lwi_ref_mutex(const void *mutex, uint8_t type, uint8_t mode,
                                               uint8_t acq)
{
    return lwi_ref_read(mutex, type, mode, acq);
}

static inline struct lw_lock_ref lwi_ref_rwlock(const pthread_rwlock_t *rw, uint8_t mode,
                                                uint8_t acq)
{
    return lwi_ref_read(rw, LW_LOCK_RWLOCK, mode, acq);
}

static inline struct lw_lock_ref lwi_ref_spin(const pthread_spinlock_t *spin, uint8_t acq)
{
    return lwi_ref_read((const void *)spin, LW_LOCK_SPIN, LW_MODE_EXCLUSIVE, acq);
}

static inline int32_t lwi_lock_owner_tid(const struct lw_lock_ref *ref)
{
    switch ((enum lw_lock_type)ref->type) {
    case LW_LOCK_MUTEX:
    case LW_LOCK_MTX:
        return ((const volatile pthread_mutex_t *)ref->addr)->__data.__owner;
    case LW_LOCK_RWLOCK:
        return ((const volatile pthread_rwlock_t *)ref->addr)->__data.__cur_writer;
    case LW_LOCK_SPIN:
    case LW_LOCK_SEM: /* no owner in the object: the held stacks say who took it */
        return 0;
    }
    return 0;
}

/* The real trylock and unlock of a plain lock call, chosen at compile time in an inlined
 * wrapper. Only on tracked paths (REAL_LIVE: the table is resolved). */
static inline __attribute__((always_inline)) int lwi_family_try_live(uint8_t type, uint8_t mode,
                                                                     void *lock)
{
    switch ((enum lw_lock_type)type) {
    case LW_LOCK_MUTEX:
        return REAL_LIVE(pthread_mutex_trylock)(lock);
    case LW_LOCK_MTX:
        return REAL_LIVE(mtx_trylock)(lock);
    case LW_LOCK_RWLOCK:
        return mode == LW_MODE_SHARED ? REAL_LIVE(pthread_rwlock_tryrdlock)(lock)
                                      : REAL_LIVE(pthread_rwlock_trywrlock)(lock);
    case LW_LOCK_SPIN:
        return REAL_LIVE(pthread_spin_trylock)(lock);
    case LW_LOCK_SEM: /* never a plain lock call (wrap_semlock.c) */
        break;
    }
    return EINVAL;
}

static inline __attribute__((always_inline)) int lwi_family_unlock_live(uint8_t type, void *lock)
{
    switch ((enum lw_lock_type)type) {
    case LW_LOCK_MUTEX:
        return REAL_LIVE(pthread_mutex_unlock)(lock);
    case LW_LOCK_MTX:
        return REAL_LIVE(mtx_unlock)(lock);
    case LW_LOCK_RWLOCK:
        return REAL_LIVE(pthread_rwlock_unlock)(lock);
    case LW_LOCK_SPIN:
        return REAL_LIVE(pthread_spin_unlock)(lock);
    case LW_LOCK_SEM:
        break;
    }
    return EINVAL;
}

/* The real blocking lock and unlock, for a thread that does not track (REAL: the table may not be
 * resolved yet). */
static inline int lwi_family_lock(uint8_t type, uint8_t mode, void *lock)
{
    switch ((enum lw_lock_type)type) {
    case LW_LOCK_MUTEX:
        return REAL(pthread_mutex_lock)(lock);
    case LW_LOCK_MTX:
        return REAL(mtx_lock)(lock);
    case LW_LOCK_RWLOCK:
        return mode == LW_MODE_SHARED ? REAL(pthread_rwlock_rdlock)(lock)
                                      : REAL(pthread_rwlock_wrlock)(lock);
    case LW_LOCK_SPIN:
        return REAL(pthread_spin_lock)(lock);
    case LW_LOCK_SEM:
        break;
    }
    return EINVAL;
}

static inline int lwi_family_unlock(uint8_t type, void *lock)
{
    switch ((enum lw_lock_type)type) {
    case LW_LOCK_MUTEX:
        return REAL(pthread_mutex_unlock)(lock);
    case LW_LOCK_MTX:
        return REAL(mtx_unlock)(lock);
    case LW_LOCK_RWLOCK:
        return REAL(pthread_rwlock_unlock)(lock);
    case LW_LOCK_SPIN:
        return REAL(pthread_spin_unlock)(lock);
    case LW_LOCK_SEM:
        break;
    }
    return EINVAL;
}

/* Per-family rules of re-acquisition and ownership (the held stacks are the source of truth;
 * the owner fields confirm). */
/* Is re-acquiring `held` with `want` a recursion the family allows? */
static inline bool lwi_family_reentrant(const struct lw_lock_ref *held,
                                        const struct lw_lock_ref *want)
{
    switch ((enum lw_lock_type)held->type) {
    case LW_LOCK_MUTEX:
    case LW_LOCK_MTX:
        return (held->flags & LW_LOCKF_RECURSIVE) != 0;
    case LW_LOCK_RWLOCK:
        return held->mode == LW_MODE_SHARED && want->mode == LW_MODE_SHARED;
    case LW_LOCK_SPIN:
    case LW_LOCK_SEM:
        return false;
    }
    return false;
}

/* Does the lock object confirm that thread `tid` still holds what its held entry says? Guards
 * against stale entries (a lock unlocked by another thread, against POSIX but common). Readers
 * and spinlocks have no owner field: the held stack is trusted. */
static inline bool lwi_family_still_owned(const struct lw_lock_ref *held, int32_t tid)
{
    switch ((enum lw_lock_type)held->type) {
    case LW_LOCK_MUTEX:
    case LW_LOCK_MTX:
        return lwi_lock_owner_tid(held) == tid;
    case LW_LOCK_RWLOCK:
        return held->mode == LW_MODE_SHARED || lwi_lock_owner_tid(held) == tid;
    case LW_LOCK_SPIN:
    case LW_LOCK_SEM:
        return true;
    }
    return true;
}

/* Will re-locking `held` with `want` block forever? glibc returns EDEADLK instead for
 * errorcheck mutexes and for any rwlock request by the current writer; timed calls give up. */
static inline bool lwi_family_relock_blocks(const struct lw_lock_ref *held,
                                            const struct lw_lock_ref *want)
{
    if (want->acq & LW_ACQF_TIMED) return false;
    switch ((enum lw_lock_type)held->type) {
    case LW_LOCK_MUTEX:
    case LW_LOCK_MTX:
        return (held->flags & LW_LOCKF_ERRORCHECK) == 0;
    case LW_LOCK_RWLOCK:
        return held->mode == LW_MODE_SHARED;
    case LW_LOCK_SPIN:
    case LW_LOCK_SEM:
        return true;
    }
    return true;
}

/* Does the lock object say thread `tid` holds it (an acquisition we did not see)? */
static inline bool lwi_family_owned_by(const struct lw_lock_ref *ref, int32_t tid)
{
    switch ((enum lw_lock_type)ref->type) {
    case LW_LOCK_MUTEX:
    case LW_LOCK_MTX:
    case LW_LOCK_RWLOCK:
        return lwi_lock_owner_tid(ref) == tid;
    case LW_LOCK_SPIN:
    case LW_LOCK_SEM:
        return false;
    }
    return false;
}

/* Is the lock held without naming an owner: read-locked, or a locked spinlock? Those holds carry
 * no owner in the object, so an unlock of one that no held stack records may end a hold taken
 * where lockwatch could not see it (a library constructor that ran before the runtime started):
 * the caller may well be its holder. */
static inline bool lwi_family_held_anonymously(const struct lw_lock_ref *ref)
{
    switch ((enum lw_lock_type)ref->type) {
    case LW_LOCK_MUTEX:
    case LW_LOCK_MTX:
    case LW_LOCK_SEM:
        return false;
    case LW_LOCK_RWLOCK: {
        unsigned readers = ((const volatile pthread_rwlock_t *)ref->addr)->__data.__readers;
        return !(readers & LWI_GLIBC_RWLOCK_WRLOCKED) && (readers >> LWI_GLIBC_RWLOCK_READER_SHIFT);
    }
    case LW_LOCK_SPIN: {
        int v = *(const volatile int *)ref->addr;
#if defined(__x86_64__) || defined(__i386__)
        return v <= 0; /* glibc's x86 spinlock counts down from 1 (= free) */
#else
        return v != 0;
#endif
    }
    }
    return false;
}

/* The identity of the lock at `addr` of family `type`, read now (mode exclusive). */
static inline struct lw_lock_ref lwi_family_ref(uint64_t addr, uint8_t type)
{
    const void *lock = (const void *)(uintptr_t)addr;
    switch ((enum lw_lock_type)type) {
    case LW_LOCK_MUTEX:
    case LW_LOCK_MTX:
        return lwi_ref_mutex(lock, type, LW_MODE_EXCLUSIVE, 0);
    case LW_LOCK_RWLOCK:
        return lwi_ref_rwlock(lock, LW_MODE_EXCLUSIVE, 0);
    case LW_LOCK_SPIN:
        return lwi_ref_spin(lock, 0);
    case LW_LOCK_SEM:
        return lwi_ref_read(lock, LW_LOCK_SEM, LW_MODE_EXCLUSIVE, 0);
    }
    return lwi_ref_spin(lock, 0);
}

/* Whether a lock call's result means the lock is now held: a robust mutex is held after
 * EOWNERDEAD too (its next owner repairs what it protects). */
static inline bool lwi_family_acquired(uint8_t type, int rc)
{
    switch ((enum lw_lock_type)type) {
    case LW_LOCK_MUTEX:
        return rc == 0 || rc == EOWNERDEAD;
    case LW_LOCK_MTX:
        return rc == thrd_success;
    case LW_LOCK_RWLOCK:
    case LW_LOCK_SPIN:
    case LW_LOCK_SEM:
        return rc == 0;
    }
    return false;
}

/* Whether a trylock's result means "held by someone". */
static inline bool lwi_family_busy(uint8_t type, int rc)
{
    return rc == (type == LW_LOCK_MTX ? thrd_busy : EBUSY);
}

#endif
