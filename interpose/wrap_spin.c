/* wrap_spin.c — pthread_spin_* wrappers. Spinlocks have no owner field and no kind; the held
 * stack alone says who holds them. */
#include <pthread.h>

#include "lockref.h"
#include "profile.h"
#include "real.h"
#include "track.h"
#include "wait.h"

LWI_EXPORT int pthread_spin_lock(pthread_spinlock_t *lock)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_spin_lock)(lock);
    /* --profile / --trace (profile.h): one predicted branch when off */
    if (LWI_PROFILING())
        return lwi_profile_acquire(self, (void *)lock, lwi_ref_spin(lock, 0), LWI_CALLER_PC());
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_ref_unread((const void *)lock, LW_LOCK_SPIN, LW_MODE_EXCLUSIVE, 0),
                 LWI_CALLER_PC());
    if (__builtin_expect(!lwi_track_attempt_fast(self, &a), 0))
        return lwi_wait_untried(self, (void *)lock, LW_LOCK_SPIN, LW_MODE_EXCLUSIVE, a.pc);
    lwi_track_push_fast(self, &a);
    int rc = REAL_LIVE(pthread_spin_trylock)(lock); /* under the guard, as in wrap_mutex.c */
    if (__builtin_expect(rc != 0, 0)) return lwi_wait_staged(self, (void *)lock, rc);
    lwi_track_commit(self);
    return 0;
}

LWI_EXPORT int pthread_spin_trylock(pthread_spinlock_t *lock)
{
    int rc = REAL(pthread_spin_trylock)(lock);
    if (rc != 0) return rc;
    struct lwi_thread *self = lwi_enter();
    if (!self) return rc;
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_ref_spin(lock, LW_ACQF_TRY), LWI_CALLER_PC());
    lwi_track_taken(self, a);
    lwi_leave(self);
    return rc;
}

LWI_EXPORT int pthread_spin_unlock(pthread_spinlock_t *lock)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_spin_unlock)(lock);
    /* --profile / --trace (profile.h): one predicted branch when off */
    if (LWI_PROFILING()) lwi_profile_release(self, (uint64_t)(uintptr_t)lock);
    if (__builtin_expect(lwi_track_release(self, (uint64_t)(uintptr_t)lock, LW_LOCK_SPIN), 1))
        return REAL_LIVE(pthread_spin_unlock)(lock);
    int rc = REAL_LIVE(pthread_spin_unlock)(lock);
    lwi_leave(self);
    return rc;
}

LWI_EXPORT int pthread_spin_init(pthread_spinlock_t *lock, int pshared)
{
    int rc = REAL(pthread_spin_init)(lock, pshared);
    struct lwi_thread *self = lwi_enter();
    if (!self) return rc;
    if (rc == 0) lwi_track_init(self, (uint64_t)(uintptr_t)lock);
    lwi_leave(self);
    return rc;
}

LWI_EXPORT int pthread_spin_destroy(pthread_spinlock_t *lock)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_spin_destroy)(lock);
    struct lw_lock_ref ref = lwi_ref_spin(lock, 0);
    bool busy = lwi_track_lock_busy(&ref);
    lwi_leave(self);
    int rc = REAL(pthread_spin_destroy)(lock);
    if (lwi_reenter(self)) {
        lwi_track_destroy(self, &ref, busy, rc);
        lwi_leave(self);
    }
    return rc;
}
