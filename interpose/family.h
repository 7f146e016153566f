/* family.h — builds a lock's identity and kind from the lock object itself, at use.
 *
 * Statically initialised locks never pass through *_init, so the kind (recursive, errorcheck,
 * writer-preferring, process-shared) is read from glibc's layout of the object at every
 * acquisition (docs/internals.md, "glibc layouts"). The same layout gives the owner's kernel tid,
 * used to confirm misuse and to name the owner of a busy lock. C11 mtx_t has the pthread_mutex_t
 * layout in glibc. Reads are racy by nature (another thread may be changing the lock); volatile
 * keeps each field a single load. Inline: this runs on every acquisition. */
#ifndef LWI_FAMILY_H
#define LWI_FAMILY_H

#include <pthread.h>
#include <stdint.h>

#include "gen.h"
#include "lockwatch/wire.h"
#include "shared_object.h"

/* glibc's rwlock kinds: only the non-recursive writer-preferring kind makes a waiting writer
 * block new readers; PTHREAD_RWLOCK_PREFER_WRITER_NP behaves as reader-preferring in glibc's
 * rwlock implementation (checked on 2.36 with a reader re-entering while a writer waits). */
#define LWI_GLIBC_RWLOCK_WRITER_NONRECURSIVE 2
#define LWI_GLIBC_MUTEX_KIND_MASK 3
#define LWI_GLIBC_MUTEX_PSHARED_BIT 128
#define LWI_GLIBC_MUTEX_PI_BIT 32 /* PTHREAD_MUTEX_PRIO_INHERIT_NP */

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

#endif
