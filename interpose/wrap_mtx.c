/* wrap_mtx.c — C11 mtx_* wrappers. glibc implements them apart from the pthread_mutex_* entry
 * points (they call its internals, not the exported functions), so they need their own; mtx_t
 * has the pthread_mutex_t layout, so kinds and owners are read the same way. */
#include <threads.h>

#include "family.h"
#include "fastpath.h"
#include "lifecycle.h"
#include "real.h"
#include "track.h"

static struct lw_lock_ref lwi_mtx_ref(const mtx_t *m, uint8_t acq)
{
    return lwi_ref_mutex(m, LW_LOCK_MTX, LW_MODE_EXCLUSIVE, acq);
}

LWI_EXPORT int mtx_lock(mtx_t *m)
{
    return lwi_acquire(m, LW_LOCK_MTX, LW_MODE_EXCLUSIVE, LWI_CALLER_PC());
}

LWI_EXPORT int mtx_trylock(mtx_t *m)
{
    int rc = REAL(mtx_trylock)(m);
    if (rc != thrd_success) {
        if (rc == thrd_error) lwi_lifecycle_call_failed(m, LW_LOCK_MTX); /* destroyed? */
        return rc;
    }
    struct lwi_thread *self = lwi_enter();
    if (!self) return rc;
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_ref_acquiring(m, LW_LOCK_MTX, LW_MODE_EXCLUSIVE, LW_ACQF_TRY),
                 LWI_CALLER_PC());
    lwi_track_taken(self, a);
    lwi_leave(self);
    return rc;
}

LWI_EXPORT int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict abstime)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(mtx_timedlock)(m, abstime);
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_ref_acquiring(m, LW_LOCK_MTX, LW_MODE_EXCLUSIVE, LW_ACQF_TIMED),
                 LWI_CALLER_PC());
    lwi_track_attempt(self, &a);
    lwi_leave(self);
    int rc = REAL(mtx_timedlock)(m, abstime);
    lwi_track_finish(self, &a, rc == thrd_success);
    return rc;
}

LWI_EXPORT int mtx_unlock(mtx_t *m)
{
    return lwi_release(m, LW_LOCK_MTX);
}

LWI_EXPORT int mtx_init(mtx_t *m, int type)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(mtx_init)(m, type);
    /* Does the object look held? Read before the init resets it: only then are the other
     * threads' held stacks searched for a holder. */
    struct lw_lock_ref before = lwi_mtx_ref(m, 0);
    bool busy = lwi_track_maybe_held(&before);
    lwi_leave(self);
    int rc = REAL(mtx_init)(m, type);
    if (rc == thrd_success && lwi_reenter(self)) {
        struct lw_lock_ref ref = lwi_mtx_ref(m, 0);
        lwi_track_init(self, &ref, busy, LWI_CALLER_PC());
        lwi_leave(self);
    }
    return rc;
}

/* mtx_destroy returns nothing and cannot fail: destroying a held mtx is still reported. */
LWI_EXPORT void mtx_destroy(mtx_t *m)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) {
        REAL(mtx_destroy)(m);
        return;
    }
    struct lw_lock_ref ref = lwi_mtx_ref(m, 0);
    bool busy = lwi_track_lock_busy(&ref);
    lwi_leave(self);
    REAL(mtx_destroy)(m);
    if (lwi_reenter(self)) {
        lwi_track_destroy(self, &ref, busy, 0, LWI_CALLER_PC());
        lwi_leave(self);
    }
}
