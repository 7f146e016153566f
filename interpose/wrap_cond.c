/* wrap_cond.c — pthread_cond_{wait,timedwait,clockwait} (also std::condition_variable) and C11
 * cnd_{wait,timedwait} (glibc implements those apart from the pthread_cond_* entry points, as it
 * does mtx_*, so they need their own wrappers). The mutex is released for the wait and
 * re-acquired before the call returns, on every return path (timeout and spurious wake-ups
 * included), so it leaves the held stack for the wait and comes back as a CONDWAIT acquisition.
 * A cancelled wait also re-acquires the mutex before the cancellation handlers run: a cleanup
 * handler puts the entry back.
 * Also pthread_cond_destroy and cnd_destroy: a destroy while threads wait is noted before the real
 * call, which in glibc waits until every waiter has left (cond_check.h says who reports it and
 * why). That wait is on the wait board for the real call (watch.h): a destroy that waits for a
 * waiter nobody will wake is part of a stuck run. */
#include <errno.h>
#include <pthread.h>
#include <threads.h>
#include <time.h>

#include "cond_check.h"
#include "family.h"
#include "profile.h"
#include "real.h"
#include "track.h"
#include "watch.h"

enum lwi_cond_call {
    LWI_COND_WAIT,
    LWI_COND_TIMEDWAIT,
    LWI_COND_CLOCKWAIT,
    LWI_CND_WAIT,
    LWI_CND_TIMEDWAIT,
};

struct lwi_cond_ctx {
    struct lwi_thread *self;
    bool had;     /* the mutex was on the held stack before the wait */
    bool watched; /* an untimed wait that took the wait board's slot (watch.h) */
    struct lwi_held_entry saved;
    struct lwi_cond_wait check; /* cond-misuse (cond_check.h) */
};

static void lwi_cond_cancelled(void *arg)
{
    struct lwi_cond_ctx *ctx = arg;
    lwi_watch_end(ctx->self, ctx->watched);
    if (!lwi_reenter(ctx->self)) return;
    lwi_cond_check_end(ctx->self, &ctx->check, CLOCK_REALTIME, NULL);
    if (ctx->had) lwi_track_restore(ctx->self, &ctx->saved);
    lwi_leave(ctx->self);
}

/* `c` and `m` are a pthread_cond_t and pthread_mutex_t, or a cnd_t and mtx_t for LWI_CND_*. */
static int lwi_cond_real(enum lwi_cond_call call, void *c, void *m, clockid_t clockid,
                         const struct timespec *abstime)
{
    switch (call) {
    case LWI_COND_WAIT:
        return REAL(pthread_cond_wait)(c, m);
    case LWI_COND_TIMEDWAIT:
        return REAL(pthread_cond_timedwait)(c, m, abstime);
    case LWI_COND_CLOCKWAIT:
        return REAL(pthread_cond_clockwait)(c, m, clockid, abstime);
    case LWI_CND_WAIT:
        return REAL(cnd_wait)(c, m);
    case LWI_CND_TIMEDWAIT:
        return REAL(cnd_timedwait)(c, m, abstime);
    }
    return EINVAL;
}

static uint8_t lwi_cond_lock_type(enum lwi_cond_call call)
{
    switch (call) {
    case LWI_COND_WAIT:
    case LWI_COND_TIMEDWAIT:
    case LWI_COND_CLOCKWAIT:
        return LW_LOCK_MUTEX;
    case LWI_CND_WAIT:
    case LWI_CND_TIMEDWAIT:
        return LW_LOCK_MTX;
    }
    return LW_LOCK_MUTEX;
}

/* LW_LOCKF_PSHARED for a process-shared pthread_cond_t (a C11 cnd_t is never shared). */
static uint8_t lwi_cond_object_flags(enum lwi_cond_call call, const void *c)
{
    return call == LWI_CND_WAIT || call == LWI_CND_TIMEDWAIT ? 0 : lwi_cond_flags(c);
}

/* The clock a timed wait's deadline is on: pthread_cond_clockwait's argument, the condition
 * variable's own clock for pthread_cond_timedwait (glibc keeps it in __wrefs), C11's UTC. */
static clockid_t lwi_cond_clock(enum lwi_cond_call call, const void *c, clockid_t clockid)
{
    switch (call) {
    case LWI_COND_CLOCKWAIT:
        return clockid;
    case LWI_COND_TIMEDWAIT:
        return (((const volatile pthread_cond_t *)c)->__data.__wrefs &
                LWI_GLIBC_COND_CLOCK_MONOTONIC_MASK)
                   ? CLOCK_MONOTONIC
                   : CLOCK_REALTIME;
    case LWI_COND_WAIT:
    case LWI_CND_WAIT:
    case LWI_CND_TIMEDWAIT:
        return CLOCK_REALTIME;
    }
    return CLOCK_REALTIME;
}

/* Untimed waits only: the others end by themselves. */
static bool lwi_cond_untimed(enum lwi_cond_call call)
{
    switch (call) {
    case LWI_COND_WAIT:
    case LWI_CND_WAIT:
        return true;
    case LWI_COND_TIMEDWAIT:
    case LWI_COND_CLOCKWAIT:
    case LWI_CND_TIMEDWAIT:
        return false;
    }
    return false;
}

static int lwi_cond_tracked(struct lwi_thread *self, enum lwi_cond_call call, uint64_t pc, void *c,
                            void *m, clockid_t clockid, const struct timespec *abstime)
{
    struct lwi_cond_ctx ctx;
    ctx.self = self;
    ctx.had = lwi_track_cond_release(self, (uint64_t)(uintptr_t)m, &ctx.saved);
    struct lw_lock_ref mref = lwi_ref_mutex(m, lwi_cond_lock_type(call), LW_MODE_EXCLUSIVE, 0);
    lwi_cond_check_begin(self, &ctx.check, c, &mref, ctx.had, pc);
    if (LWI_PROFILING()) lwi_profile_release(self, (uint64_t)(uintptr_t)m); /* profile.h */
    ctx.watched =
        lwi_cond_untimed(call) && lwi_watch_begin(self, LW_WAIT_COND, (uint64_t)(uintptr_t)c,
                                                  lwi_cond_object_flags(call, c), &mref, pc);
    lwi_leave(self);
    int rc;
    pthread_cleanup_push(lwi_cond_cancelled, &ctx);
    rc = lwi_cond_real(call, c, m, clockid, abstime);
    pthread_cleanup_pop(0);
    lwi_watch_end(self, ctx.watched);
    if (lwi_reenter(self)) {
        bool ran_out = rc == (call >= LWI_CND_WAIT ? thrd_timedout : ETIMEDOUT);
        lwi_cond_check_end(self, &ctx.check, lwi_cond_clock(call, c, clockid),
                           ran_out ? abstime : NULL);
        struct lw_lock_ref ref = mref; /* the mutex the wait was given, read before it */
        /* Held again on every return; a mutex we never saw taken is adopted if it is ours. */
        if (ctx.had || lwi_lock_owner_tid(&ref) == self->tid) {
            lwi_track_cond_reacquire(self, ref, pc, ctx.had ? &ctx.saved : NULL);
            if (LWI_PROFILING()) lwi_profile_taken(self, &ref); /* profile.h */
        }
        lwi_leave(self);
    }
    return rc;
}

LWI_EXPORT int pthread_cond_wait(pthread_cond_t *restrict c, pthread_mutex_t *restrict m)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_cond_wait)(c, m);
    return lwi_cond_tracked(self, LWI_COND_WAIT, LWI_CALLER_PC(), c, m, CLOCK_REALTIME, NULL);
}

LWI_EXPORT int pthread_cond_timedwait(pthread_cond_t *restrict c, pthread_mutex_t *restrict m,
                                      const struct timespec *restrict abstime)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_cond_timedwait)(c, m, abstime);
    return lwi_cond_tracked(self, LWI_COND_TIMEDWAIT, LWI_CALLER_PC(), c, m, CLOCK_REALTIME,
                            abstime);
}

LWI_EXPORT int pthread_cond_clockwait(pthread_cond_t *restrict c, pthread_mutex_t *restrict m,
                                      clockid_t clockid, const struct timespec *restrict abstime)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(pthread_cond_clockwait)(c, m, clockid, abstime);
    return lwi_cond_tracked(self, LWI_COND_CLOCKWAIT, LWI_CALLER_PC(), c, m, clockid, abstime);
}

LWI_EXPORT int cnd_wait(cnd_t *c, mtx_t *m)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(cnd_wait)(c, m);
    return lwi_cond_tracked(self, LWI_CND_WAIT, LWI_CALLER_PC(), c, m, CLOCK_REALTIME, NULL);
}

LWI_EXPORT int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m,
                             const struct timespec *restrict abstime)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(cnd_timedwait)(c, m, abstime);
    return lwi_cond_tracked(self, LWI_CND_TIMEDWAIT, LWI_CALLER_PC(), c, m, CLOCK_REALTIME,
                            abstime);
}

/* Before the real destroy: the misuse check, then the board. Returns whether it took the slot;
 * *self is NULL when the thread is not tracked. */
static bool lwi_cond_destroying(struct lwi_thread **self, const void *c, uint8_t flags, uint64_t pc)
{
    if (!(*self = lwi_enter())) return false;
    lwi_cond_check_destroy(*self, c);
    bool took =
        lwi_watch_begin(*self, LW_WAIT_COND_DESTROY, (uint64_t)(uintptr_t)c, flags, NULL, pc);
    lwi_leave(*self);
    return took;
}

LWI_EXPORT int pthread_cond_destroy(pthread_cond_t *c)
{
    struct lwi_thread *self;
    bool took = lwi_cond_destroying(&self, c, lwi_cond_flags(c), LWI_CALLER_PC());
    int rc = REAL(pthread_cond_destroy)(c);
    if (self) lwi_watch_end(self, took);
    return rc;
}

LWI_EXPORT void cnd_destroy(cnd_t *c)
{
    struct lwi_thread *self;
    bool took = lwi_cond_destroying(&self, c, 0, LWI_CALLER_PC());
    REAL(cnd_destroy)(c);
    if (self) lwi_watch_end(self, took);
}
