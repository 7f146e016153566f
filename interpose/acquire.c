/* acquire.c — the out-of-line paths of the plain lock and unlock calls (see fastpath.h). */
#include "fastpath.h"

/* The real blocking call and unlock of a family, for a thread that does not track (REAL: the
 * table may not be resolved yet). */
static int lwi_real_lock(uint8_t type, uint8_t mode, void *lock)
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

static int lwi_real_unlock(uint8_t type, void *lock)
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

/* The guard was not idle: a thread to adopt, or one that passes the call through (passive
 * runtime, re-entry from our own code or a signal handler interrupting it, thread gone). */
int lwi_acquire_unentered(void *lock, uint8_t type, uint8_t mode, uint64_t pc)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return lwi_real_lock(type, mode, lock);
    if (LWI_PROFILING())
        return lwi_profile_acquire(self, lock, lwi_ref_read(lock, type, mode, 0), pc);
    return lwi_wait_untried(self, lock, type, mode, pc);
}

/* Under the guard. The memo missed (or the lock is on the held stack, or the stack is full):
 * lwi_track_attempt_fast asks the chain cache and fills the memo slot; the full attempt (wait.c)
 * runs only when that declines too. Not cold: a thread with more hot chains than memo slots
 * (memcached's item locks) comes here on most acquisitions. */
int lwi_acquire_missed(struct lwi_thread *self, void *lock, uint8_t type, uint8_t mode, uint64_t pc)
{
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_ref_unread(lock, type, mode, 0), pc);
    if (!lwi_track_attempt_fast(self, &a)) return lwi_wait_untried(self, lock, type, mode, pc);
    lwi_track_push_fast(self, &a);
    int rc = lwi_real_try_live(type, mode, lock);
    if (rc != 0) return lwi_wait_staged(rc);
    lwi_leave(self);
    return 0;
}

/* The guard was not idle: adopt the thread, or pass the call through. */
int lwi_release_unentered(void *lock, uint8_t type)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return lwi_real_unlock(type, lock);
    return lwi_release_entered(self, lock, type);
}

/* Under the guard: --profile, or a release the LIFO pop did not take (a recursion count, a release
 * out of order, a lock this thread does not hold). */
int lwi_release_entered(struct lwi_thread *self, void *lock, uint8_t type)
{
    uint64_t addr = (uint64_t)(uintptr_t)lock;
    if (LWI_PROFILING()) lwi_profile_release(self, addr);
    if (lwi_track_release(self, addr, type)) return lwi_real_unlock_live(type, lock);
    int rc = lwi_real_unlock_live(type, lock);
    lwi_leave(self);
    return rc;
}
