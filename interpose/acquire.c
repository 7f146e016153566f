/* acquire.c — the out-of-line paths of the plain lock and unlock calls (see fastpath.h). */
#include "fastpath.h"

#include "profile.h"
#include "track.h"
#include "wait.h"

/* The guard was not idle: a thread to adopt, or one that passes the call through (passive
 * runtime, re-entry from our own code or a signal handler interrupting it, thread gone). */
int lwi_acquire_unentered(void *lock, uint8_t type, uint8_t mode, uint64_t pc)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return lwi_family_lock(type, mode, lock);
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
    int rc = lwi_family_try_live(type, mode, lock);
    if (rc != 0) return lwi_wait_staged(rc);
    lwi_leave(self);
    return 0;
}

/* The guard was not idle: adopt the thread, or pass the call through. */
int lwi_release_unentered(void *lock, uint8_t type)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return lwi_family_unlock(type, lock);
    return lwi_release_entered(self, lock, type);
}

/* Under the guard: --profile, or a release the LIFO pop did not take (a recursion count, a release
 * out of order, a lock this thread does not hold). */
int lwi_release_entered(struct lwi_thread *self, void *lock, uint8_t type)
{
    uint64_t addr = (uint64_t)(uintptr_t)lock;
    if (LWI_PROFILING()) lwi_profile_release(self, addr);
    if (lwi_track_release(self, addr, type)) return lwi_family_unlock_live(type, lock);
    int rc = lwi_family_unlock_live(type, lock);
    lwi_leave(self);
    return rc;
}
