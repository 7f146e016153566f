/* wait.c — contended acquisitions: try, wait a bounded time, publish, then block (see wait.h). */
#include "wait.h"

#include <errno.h>
#include <time.h>

#include "config.h"
#include "depot.h"
#include "emit.h"
#include "lockref.h"
#include "real.h"

#define LWI_SPIN_CLOCK_EVERY 1024u

/* An absolute deadline `wait_ns` from now on `clock`. */
static struct timespec lwi_deadline(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    uint64_t ns = (uint64_t)ts.tv_nsec + lwi_config.wait_ns;
    ts.tv_sec += (time_t)(ns / 1000000000ull);
    ts.tv_nsec = (long)(ns % 1000000000ull);
    return ts;
}

/* The thread is about to block on a->ref for good: tell the driver who it waits for. */
static void lwi_publish_wait(struct lwi_thread *self, const struct lwi_acq *a)
{
    if (!lwi_reenter(self)) return;
    uint64_t stack = lwi_depot_capture(self);
    lwi_emit_wait(self, &a->ref, stack, lwi_lock_owner_tid(&a->ref), 0);
    lwi_leave(self);
}

static void lwi_publish_wait_end(struct lwi_thread *self, const struct lwi_acq *a, int rc)
{
    if (!lwi_reenter(self)) return;
    lwi_emit_wait_end(self, &a->ref, rc);
    lwi_leave(self);
}

int lwi_wait_mutex(struct lwi_thread *self, const struct lwi_acq *a, pthread_mutex_t *m)
{
    int rc = REAL(pthread_mutex_trylock)(m);
    if (rc != EBUSY) return rc;
    /* Without clocklock (glibc < 2.30) fall back to the plain call, unpublished. */
    if (!lwi_real_fast(LWI_REAL_pthread_mutex_clocklock)) return REAL(pthread_mutex_lock)(m);
    struct timespec deadline = lwi_deadline(CLOCK_MONOTONIC);
    rc = REAL(pthread_mutex_clocklock)(m, CLOCK_MONOTONIC, &deadline);
    if (rc != ETIMEDOUT) return rc;
    lwi_publish_wait(self, a);
    rc = REAL(pthread_mutex_lock)(m);
    lwi_publish_wait_end(self, a, rc);
    return rc;
}

int lwi_wait_rwlock(struct lwi_thread *self, const struct lwi_acq *a, pthread_rwlock_t *rw,
                    bool write)
{
    int rc = write ? REAL(pthread_rwlock_trywrlock)(rw) : REAL(pthread_rwlock_tryrdlock)(rw);
    if (rc != EBUSY) return rc;
    enum lwi_real_id timed =
        write ? LWI_REAL_pthread_rwlock_clockwrlock : LWI_REAL_pthread_rwlock_clockrdlock;
    if (lwi_real_fast(timed)) {
        struct timespec deadline = lwi_deadline(CLOCK_MONOTONIC);
        rc = write ? REAL(pthread_rwlock_clockwrlock)(rw, CLOCK_MONOTONIC, &deadline)
                   : REAL(pthread_rwlock_clockrdlock)(rw, CLOCK_MONOTONIC, &deadline);
        if (rc != ETIMEDOUT) return rc;
        lwi_publish_wait(self, a);
    }
    rc = write ? REAL(pthread_rwlock_wrlock)(rw) : REAL(pthread_rwlock_rdlock)(rw);
    if (lwi_real_fast(timed)) lwi_publish_wait_end(self, a, rc);
    return rc;
}

static inline void lwi_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

int lwi_wait_spin(struct lwi_thread *self, const struct lwi_acq *a, pthread_spinlock_t *lock)
{
    int rc = REAL(pthread_spin_trylock)(lock);
    if (rc != EBUSY) return rc;
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
    lwi_publish_wait(self, a);
    rc = REAL(pthread_spin_lock)(lock);
    lwi_publish_wait_end(self, a, rc);
    return rc;
}

int lwi_wait_mtx(struct lwi_thread *self, const struct lwi_acq *a, mtx_t *m)
{
    int rc = REAL(mtx_trylock)(m);
    if (rc != thrd_busy) return rc;
    /* mtx_timedlock only takes TIME_UTC deadlines. */
    struct timespec deadline = lwi_deadline(CLOCK_REALTIME);
    rc = REAL(mtx_timedlock)(m, &deadline);
    if (rc != thrd_timedout) return rc;
    lwi_publish_wait(self, a);
    rc = REAL(mtx_lock)(m);
    lwi_publish_wait_end(self, a, rc);
    return rc;
}
