/* wrap_rwlock.c — pthread_rwlock_* wrappers (also std::shared_mutex). Read acquisitions carry
 * LW_MODE_SHARED; a read re-acquisition by a reader only bumps its count (track.c). Plain
 * rd/wrlock and unlock are the shared plain calls of fastpath.h. */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "family.h"
#include "fastpath.h"
#include "real.h"
#include "track.h"

LWI_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
    return lwi_acquire(rw, LW_LOCK_RWLOCK, LW_MODE_SHARED, LWI_CALLER_PC());
}

LWI_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
    return lwi_acquire(rw, LW_LOCK_RWLOCK, LW_MODE_EXCLUSIVE, LWI_CALLER_PC());
}

/* Which real function a timed read or write acquisition ends in. */
enum lwi_rw_timed_call {
    LWI_RW_TIMEDRD,
    LWI_RW_TIMEDWR,
    LWI_RW_CLOCKRD,
    LWI_RW_CLOCKWR,
};

static int lwi_rw_timed_real(enum lwi_rw_timed_call call, pthread_rwlock_t *rw, clockid_t clockid,
                             const struct timespec *abstime)
{
    switch (call) {
    case LWI_RW_TIMEDRD:
        return REAL(pthread_rwlock_timedrdlock)(rw, abstime);
    case LWI_RW_TIMEDWR:
        return REAL(pthread_rwlock_timedwrlock)(rw, abstime);
    case LWI_RW_CLOCKRD:
        return REAL(pthread_rwlock_clockrdlock)(rw, clockid, abstime);
    case LWI_RW_CLOCKWR:
        return REAL(pthread_rwlock_clockwrlock)(rw, clockid, abstime);
    }
    return EINVAL;
}

static bool lwi_rw_is_write(enum lwi_rw_timed_call call)
{
    switch (call) {
    case LWI_RW_TIMEDRD:
    case LWI_RW_CLOCKRD:
        return false;
    case LWI_RW_TIMEDWR:
    case LWI_RW_CLOCKWR:
        return true;
    }
    return true;
}

/* The tracked path shared by the four timed entry points (they cannot block for good, so they
 * are neither tried first nor published); `pc` is the program's call site, taken by the exported
 * function. */
static int lwi_rw_timed(struct lwi_thread *self, enum lwi_rw_timed_call call, uint64_t pc,
                        pthread_rwlock_t *rw, clockid_t clockid, const struct timespec *abstime)
{
    uint8_t mode = lwi_rw_is_write(call) ? LW_MODE_EXCLUSIVE : LW_MODE_SHARED;
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_ref_acquiring(rw, LW_LOCK_RWLOCK, mode, LW_ACQF_TIMED), pc);
    lwi_track_attempt(self, &a);
    lwi_leave(self);
    int rc = lwi_rw_timed_real(call, rw, clockid, abstime);
    lwi_track_finish(self, &a, rc == 0);
    return rc;
}

LWI_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *restrict rw,
                                          const struct timespec *restrict abstime)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_rwlock_timedrdlock)(rw, abstime);
    return lwi_rw_timed(self, LWI_RW_TIMEDRD, LWI_CALLER_PC(), rw, CLOCK_REALTIME, abstime);
}

LWI_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *restrict rw,
                                          const struct timespec *restrict abstime)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_rwlock_timedwrlock)(rw, abstime);
    return lwi_rw_timed(self, LWI_RW_TIMEDWR, LWI_CALLER_PC(), rw, CLOCK_REALTIME, abstime);
}

LWI_EXPORT int pthread_rwlock_clockrdlock(pthread_rwlock_t *restrict rw, clockid_t clockid,
                                          const struct timespec *restrict abstime)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_rwlock_clockrdlock)(rw, clockid, abstime);
    return lwi_rw_timed(self, LWI_RW_CLOCKRD, LWI_CALLER_PC(), rw, clockid, abstime);
}

LWI_EXPORT int pthread_rwlock_clockwrlock(pthread_rwlock_t *restrict rw, clockid_t clockid,
                                          const struct timespec *restrict abstime)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_rwlock_clockwrlock)(rw, clockid, abstime);
    return lwi_rw_timed(self, LWI_RW_CLOCKWR, LWI_CALLER_PC(), rw, clockid, abstime);
}

/* Trylocks: tracked only on success (a failed trylock changes nothing). */
static int lwi_rw_tried(int rc, pthread_rwlock_t *rw, uint8_t mode, uint64_t pc)
{
    if (rc != 0) return rc;
    struct lwi_thread *self = lwi_enter();
    if (!self) return rc;
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_ref_acquiring(rw, LW_LOCK_RWLOCK, mode, LW_ACQF_TRY), pc);
    lwi_track_taken(self, a);
    lwi_leave(self);
    return rc;
}

LWI_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
    return lwi_rw_tried(REAL(pthread_rwlock_tryrdlock)(rw), rw, LW_MODE_SHARED, LWI_CALLER_PC());
}

LWI_EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
    return lwi_rw_tried(REAL(pthread_rwlock_trywrlock)(rw), rw, LW_MODE_EXCLUSIVE, LWI_CALLER_PC());
}

LWI_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    return lwi_release(rw, LW_LOCK_RWLOCK);
}

LWI_EXPORT int pthread_rwlock_init(pthread_rwlock_t *restrict rw,
                                   const pthread_rwlockattr_t *restrict attr)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_rwlock_init)(rw, attr);
    /* Does the object look held? Read before the init resets it: only then are the other
     * threads' held stacks searched for a holder. */
    struct lw_lock_ref before = lwi_ref_rwlock(rw, LW_MODE_EXCLUSIVE, 0);
    bool busy = lwi_track_maybe_held(&before);
    lwi_leave(self);
    int rc = REAL(pthread_rwlock_init)(rw, attr);
    if (rc == 0 && lwi_reenter(self)) {
        struct lw_lock_ref ref = lwi_ref_rwlock(rw, LW_MODE_EXCLUSIVE, 0);
        lwi_track_init(self, &ref, busy, LWI_CALLER_PC());
        lwi_leave(self);
    }
    return rc;
}

LWI_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_rwlock_destroy)(rw);
    struct lw_lock_ref ref = lwi_ref_rwlock(rw, LW_MODE_EXCLUSIVE, 0);
    bool busy = lwi_track_lock_busy(&ref);
    lwi_leave(self);
    int rc = REAL(pthread_rwlock_destroy)(rw);
    if (lwi_reenter(self)) {
        lwi_track_destroy(self, &ref, busy, rc, LWI_CALLER_PC());
        lwi_leave(self);
    }
    return rc;
}
