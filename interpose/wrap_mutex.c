/* wrap_mutex.c — pthread_mutex_* wrappers (also what std::mutex, std::recursive_mutex and
 * std::timed_mutex reach through libstdc++'s gthreads). Each follows the protocol of tls.h and
 * track.h: bookkeeping under the guard, any real call that can block outside it, return value and
 * errno of the real call untouched. pthread_mutex_lock and _unlock are the shared plain calls of
 * fastpath.h: the lock tries first under the guard (a trylock neither blocks nor calls back into
 * us), so the uncontended lock enters the guard once, and the unlock's fast path never does. */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "emit.h"
#include "family.h"
#include "fastpath.h"
#include "lifecycle.h"
#include "real.h"
#include "track.h"

static bool lwi_mutex_acquired(int rc)
{
    return lwi_family_acquired(LW_LOCK_MUTEX, rc);
}

static struct lw_lock_ref lwi_mutex_ref(const pthread_mutex_t *m, uint8_t acq)
{
    return lwi_ref_mutex(m, LW_LOCK_MUTEX, LW_MODE_EXCLUSIVE, acq);
}

LWI_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
    return lwi_acquire(m, LW_LOCK_MUTEX, LW_MODE_EXCLUSIVE, LWI_CALLER_PC());
}

LWI_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
    int rc = REAL(pthread_mutex_trylock)(m);
    if (!lwi_mutex_acquired(rc)) {
        if (rc == EINVAL) lwi_lifecycle_call_failed(m, LW_LOCK_MUTEX); /* destroyed? */
        return rc;
    }
    struct lwi_thread *self = lwi_enter();
    if (!self) return rc;
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_ref_acquiring(m, LW_LOCK_MUTEX, LW_MODE_EXCLUSIVE, LW_ACQF_TRY),
                 LWI_CALLER_PC());
    lwi_track_taken(self, a);
    lwi_leave(self);
    return rc;
}

LWI_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *restrict m,
                                       const struct timespec *restrict abstime)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_mutex_timedlock)(m, abstime);
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_ref_acquiring(m, LW_LOCK_MUTEX, LW_MODE_EXCLUSIVE, LW_ACQF_TIMED),
                 LWI_CALLER_PC());
    lwi_track_attempt(self, &a);
    lwi_leave(self);
    int rc = REAL(pthread_mutex_timedlock)(m, abstime);
    lwi_track_finish(self, &a, lwi_mutex_acquired(rc));
    return rc;
}

LWI_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *restrict m, clockid_t clockid,
                                       const struct timespec *restrict abstime)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_mutex_clocklock)(m, clockid, abstime);
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_ref_acquiring(m, LW_LOCK_MUTEX, LW_MODE_EXCLUSIVE, LW_ACQF_TIMED),
                 LWI_CALLER_PC());
    lwi_track_attempt(self, &a);
    lwi_leave(self);
    int rc = REAL(pthread_mutex_clocklock)(m, clockid, abstime);
    lwi_track_finish(self, &a, lwi_mutex_acquired(rc));
    return rc;
}

LWI_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
    return lwi_release(m, LW_LOCK_MUTEX);
}

LWI_EXPORT int pthread_mutex_init(pthread_mutex_t *restrict m,
                                  const pthread_mutexattr_t *restrict attr)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_mutex_init)(m, attr);
    /* Does the object look held? Read before the init resets it: only then are the other
     * threads' held stacks searched for a holder. */
    struct lw_lock_ref before = lwi_mutex_ref(m, 0);
    bool busy = lwi_track_maybe_held(&before);
    lwi_leave(self);
    int rc = REAL(pthread_mutex_init)(m, attr);
    if (rc == 0 && lwi_reenter(self)) {
        struct lw_lock_ref ref = lwi_mutex_ref(m, 0);
        lwi_track_init(self, &ref, busy, LWI_CALLER_PC());
        lwi_leave(self);
    }
    return rc;
}

LWI_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_mutex_destroy)(m);
    struct lw_lock_ref ref = lwi_mutex_ref(m, 0);
    bool busy = lwi_track_lock_busy(&ref);
    lwi_leave(self);
    int rc = REAL(pthread_mutex_destroy)(m);
    if (lwi_reenter(self)) {
        lwi_track_destroy(self, &ref, busy, rc, LWI_CALLER_PC());
        lwi_leave(self);
    }
    return rc;
}

/* The next owner of a robust mutex whose owner died (EOWNERDEAD) repaired what it protects: the
 * dead owner's exit while holding it is no finding (the driver drops it, detector/core/robust.c).
 */
static int lwi_mutex_recovered(pthread_mutex_t *m, int rc)
{
    if (rc != 0) return rc;
    struct lwi_thread *self = lwi_enter();
    if (!self) return rc;
    struct lw_lock_ref ref = lwi_mutex_ref(m, 0);
    lwi_emit_misuse(self, LW_MISUSE_RECOVERED, 0, &ref, 0, 0, UINT32_MAX);
    lwi_leave(self);
    return rc;
}

/* glibc's headers redirect the older pthread_mutex_consistent_np to this name. */
LWI_EXPORT int pthread_mutex_consistent(pthread_mutex_t *m)
{
    return lwi_mutex_recovered(m, REAL(pthread_mutex_consistent)(m));
}

/* Programs linked before that redirect call pthread_mutex_consistent_np@GLIBC_2.4, the same
 * function under its old name (which the headers now alias, hence the asm name here). */
LWI_EXPORT int lwi_mutex_consistent_np(pthread_mutex_t *m) __asm__("pthread_mutex_consistent_np");
LWI_EXPORT int lwi_mutex_consistent_np(pthread_mutex_t *m)
{
    return lwi_mutex_recovered(m, REAL(pthread_mutex_consistent)(m));
}
