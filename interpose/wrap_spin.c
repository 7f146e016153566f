/* wrap_spin.c — pthread_spin_* wrappers. Spinlocks have no owner field and no kind; the held
 * stack alone says who holds them. */
#include <pthread.h>

#include "family.h"
#include "fastpath.h"
#include "real.h"
#include "track.h"

LWI_EXPORT int pthread_spin_lock(pthread_spinlock_t *lock)
{
    return lwi_acquire((void *)lock, LW_LOCK_SPIN, LW_MODE_EXCLUSIVE, LWI_CALLER_PC());
}

LWI_EXPORT int pthread_spin_trylock(pthread_spinlock_t *lock)
{
    int rc = REAL(pthread_spin_trylock)(lock);
    if (rc != 0) return rc;
    struct lwi_thread *self = lwi_enter();
    if (!self) return rc;
    struct lwi_acq a;
    lwi_acq_init(
        &a, lwi_ref_acquiring((const void *)lock, LW_LOCK_SPIN, LW_MODE_EXCLUSIVE, LW_ACQF_TRY),
        LWI_CALLER_PC());
    lwi_track_taken(self, a);
    lwi_leave(self);
    return rc;
}

LWI_EXPORT int pthread_spin_unlock(pthread_spinlock_t *lock)
{
    return lwi_release((void *)lock, LW_LOCK_SPIN);
}

LWI_EXPORT int pthread_spin_init(pthread_spinlock_t *lock, int pshared)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_spin_init)(lock, pshared);
    /* Does the object look held? Read before the init resets it: only then are the other
     * threads' held stacks searched for a holder. */
    struct lw_lock_ref before = lwi_ref_spin(lock, 0);
    bool busy = lwi_track_maybe_held(&before);
    lwi_leave(self);
    int rc = REAL(pthread_spin_init)(lock, pshared);
    if (rc == 0 && lwi_reenter(self)) {
        struct lw_lock_ref ref = lwi_ref_spin(lock, 0);
        lwi_track_init(self, &ref, busy, LWI_CALLER_PC());
        lwi_leave(self);
    }
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
        lwi_track_destroy(self, &ref, busy, rc, LWI_CALLER_PC());
        lwi_leave(self);
    }
    return rc;
}
