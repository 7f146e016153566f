/* wait.c — contended acquisitions: wait as the real call would (through its timed variant), for a
 * bounded time, publish, then block (see wait.h). */
#include "wait.h"

#include <errno.h>
#include <time.h>

#include "config.h"
#include "depot.h"
#include "emit.h"
#include "family.h"
#include "fastpath.h"
#include "real.h"
#include "watch.h"

#define LWI_SPIN_CLOCK_EVERY 1024u

static inline void lwi_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* An absolute deadline `wait_ns` from now on `coarse`, the coarse flavour of the clock the
 * timed call takes (wait.h: a few ms early at most). */
static struct timespec lwi_deadline(clockid_t coarse)
{
    struct timespec ts;
    clock_gettime(coarse, &ts);
    uint64_t ns = (uint64_t)ts.tv_nsec + lwi_config.wait_ns;
    ts.tv_sec += (time_t)(ns / 1000000000ull);
    ts.tv_nsec = (long)(ns % 1000000000ull);
    return ts;
}

/* The thread is about to block on a->ref for good: tell the driver who it waits for, and put
 * the wait on the board (watch.h). Returns whether it took the board's slot. */
static bool lwi_publish_wait(struct lwi_thread *self, const struct lwi_acq *a)
{
    if (!lwi_reenter(self)) return false;
    uint64_t stack = lwi_depot_capture(self);
    lwi_emit_wait(self, &a->ref, stack, lwi_lock_owner_tid(&a->ref), 0);
    bool took = lwi_watch_begin(self, LW_WAIT_LOCK, a->ref.addr, 0, &a->ref, a->pc);
    lwi_leave(self);
    return took;
}

static void lwi_publish_wait_end(struct lwi_thread *self, const struct lwi_acq *a, int rc,
                                 bool took)
{
    lwi_watch_end(self, took);
    if (!lwi_reenter(self)) return;
    lwi_emit_wait_end(self, &a->ref, rc);
    lwi_leave(self);
}

/* The bounded wait of a mutex: its real timed lock, with a deadline on a clock the kernel can
 * honour for its kind. A priority-inheritance mutex waits in FUTEX_LOCK_PI, which takes only
 * CLOCK_REALTIME deadlines; glibc serves a CLOCK_MONOTONIC one with FUTEX_LOCK_PI2, which kernels
 * before 5.14 lack (glibc then returns EINVAL). Its timed wait therefore uses CLOCK_REALTIME
 * (docs/internals.md, "Priority-inheritance mutexes"). */
static int lwi_wait_mutex_bounded(pthread_mutex_t *m)
{
    const volatile pthread_mutex_t *v = m;
    if (v->__data.__kind & LWI_GLIBC_MUTEX_PI_BIT) {
        struct timespec deadline = lwi_deadline(CLOCK_REALTIME_COARSE);
        return REAL(pthread_mutex_timedlock)(m, &deadline);
    }
    /* Without clocklock (glibc < 2.30) the plain call waits, unpublished. */
    if (!lwi_real_fast(LWI_REAL_pthread_mutex_clocklock)) return -1;
    struct timespec deadline = lwi_deadline(CLOCK_MONOTONIC_COARSE);
    return REAL(pthread_mutex_clocklock)(m, CLOCK_MONOTONIC, &deadline);
}

int lwi_wait_mutex(struct lwi_thread *self, const struct lwi_acq *a, pthread_mutex_t *m)
{
    int rc = lwi_wait_mutex_bounded(m);
    /* -1: no bounded wait. EINVAL: the timed call refused what the plain one may accept (a
     * deadline clock the kernel lacks); the plain call's result is the one the program gets. */
    if (rc == -1 || rc == EINVAL) return REAL(pthread_mutex_lock)(m);
    if (rc != ETIMEDOUT) return rc;
    bool took = lwi_publish_wait(self, a);
    rc = REAL(pthread_mutex_lock)(m);
    lwi_publish_wait_end(self, a, rc, took);
    return rc;
}

int lwi_wait_rwlock(struct lwi_thread *self, const struct lwi_acq *a, pthread_rwlock_t *rw,
                    bool write)
{
    int rc;
    bool took = false;
    enum lwi_real_id timed =
        write ? LWI_REAL_pthread_rwlock_clockwrlock : LWI_REAL_pthread_rwlock_clockrdlock;
    if (lwi_real_fast(timed)) {
        struct timespec deadline = lwi_deadline(CLOCK_MONOTONIC_COARSE);
        rc = write ? REAL(pthread_rwlock_clockwrlock)(rw, CLOCK_MONOTONIC, &deadline)
                   : REAL(pthread_rwlock_clockrdlock)(rw, CLOCK_MONOTONIC, &deadline);
        if (rc != ETIMEDOUT) return rc;
        took = lwi_publish_wait(self, a);
    }
    rc = write ? REAL(pthread_rwlock_wrlock)(rw) : REAL(pthread_rwlock_rdlock)(rw);
    if (lwi_real_fast(timed)) lwi_publish_wait_end(self, a, rc, took);
    return rc;
}

int lwi_wait_spin(struct lwi_thread *self, const struct lwi_acq *a, pthread_spinlock_t *lock)
{
    int rc;
    uint64_t start = 0;
    for (unsigned i = 1;; i++) {
        lwi_cpu_relax();
        rc = REAL(pthread_spin_trylock)(lock);
        if (rc != EBUSY) return rc;
        if (i % LWI_SPIN_CLOCK_EVERY) continue;
        uint64_t now = lwi_now_ns();
        if (!start)
            start = now;
        else if (now - start >= lwi_config.wait_ns)
            break;
    }
    bool took = lwi_publish_wait(self, a);
    rc = REAL(pthread_spin_lock)(lock);
    lwi_publish_wait_end(self, a, rc, took);
    return rc;
}

int lwi_wait_mtx(struct lwi_thread *self, const struct lwi_acq *a, mtx_t *m)
{
    int rc;
    /* mtx_timedlock only takes TIME_UTC deadlines. */
    struct timespec deadline = lwi_deadline(CLOCK_REALTIME_COARSE);
    rc = REAL(mtx_timedlock)(m, &deadline);
    if (rc != thrd_timedout) return rc;
    bool took = lwi_publish_wait(self, a);
    rc = REAL(mtx_lock)(m);
    lwi_publish_wait_end(self, a, rc, took);
    return rc;
}

bool lwi_trylock_busy(const struct lw_lock_ref *ref, int rc)
{
    return lwi_family_busy(ref->type, rc);
}

bool lwi_lock_acquired(const struct lw_lock_ref *ref, int rc)
{
    return ref->type != LW_LOCK_SEM && lwi_family_acquired(ref->type, rc);
}

static int lwi_wait(struct lwi_thread *self, const struct lwi_acq *a, void *lock)
{
    switch ((enum lw_lock_type)a->ref.type) {
    case LW_LOCK_MUTEX:
        return lwi_wait_mutex(self, a, lock);
    case LW_LOCK_MTX:
        return lwi_wait_mtx(self, a, lock);
    case LW_LOCK_RWLOCK:
        return lwi_wait_rwlock(self, a, lock, a->ref.mode == LW_MODE_EXCLUSIVE);
    case LW_LOCK_SPIN:
        return lwi_wait_spin(self, a, lock);
    case LW_LOCK_SEM:
        break;
    }
    return EINVAL;
}

/* lwi_wait_acquire on an acquisition in the caller's frame. An attempt that took the fast path
 * (`tried`) has the lock's flags from the memo or the chain cache; a full attempt reads them first
 * (its records carry them and the cache keeps them). */
static int lwi_wait_acquire_at(struct lwi_thread *self, struct lwi_acq *a, void *lock, bool tried,
                               int rc)
{
    if (!tried) {
        a->ref.flags = lwi_lock_flags(lock, a->ref.type);
        lwi_track_attempt(self, a);
        rc = lwi_family_try_live(a->ref.type, a->ref.mode, lock);
    }
    if (lwi_trylock_busy(&a->ref, rc)) {
        lwi_leave(self);
        rc = lwi_wait(self, a, lock);
        if (!lwi_reenter(self)) return rc;
    }
    if (lwi_lock_acquired(&a->ref, rc)) lwi_track_acquired(self, a);
    lwi_leave(self);
    return rc;
}

int lwi_wait_acquire(struct lwi_thread *self, struct lwi_acq a, void *lock, int rc)
{
    return lwi_wait_acquire_at(self, &a, lock, true, rc);
}

int lwi_wait_untried(struct lwi_thread *self, void *lock, uint8_t type, uint8_t mode, uint64_t pc)
{
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_ref_unread(lock, type, mode, 0), pc);
    return lwi_wait_acquire_at(self, &a, lock, false, 0);
}

int lwi_wait_staged(int rc)
{
    struct lwi_thread *self = &lwi_tls;
    struct lwi_acq a = lwi_track_unpush(self);
    return lwi_wait_acquire_at(self, &a, (void *)(uintptr_t)a.ref.addr, true, rc);
}
