/* wrap_event.c — the indefinite waits that are not lock acquisitions: pthread_join and thrd_join
 * (also std::thread::join), pthread_barrier_wait, and waiting for a child process
 * (wait, waitpid, wait3, wait4, waitid without WNOHANG: a shell waiting for a deadlocked program
 * is part of the stuck run). Each puts the thread on the wait
 * board for the real call (watch.h) and changes nothing else: the real call, its result and errno
 * are the program's. A join that succeeds also ends the joiner's epoch and sends a JOIN record,
 * a barrier wait that returns a BARRIER record, and a wait for a child that returns its end a
 * REAP record (happens-before, docs/internals.md). The condition waits are in wrap_cond.c, the
 * semaphore waits in wrap_semlock.c. Waits with a deadline or that never block (timed and try
 * joins) end by themselves and stay off the board; they still end the joiner's epoch and send a
 * JOIN record when they succeed. A cancelled join or wait for a child (all cancellation points in
 * glibc) leaves the board through a cleanup handler. */
#include <pthread.h>
#include <semaphore.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <threads.h>

#include "chain.h"
#include "depot.h"
#include "emit.h"
#include "errsave.h"
#include "family.h"
#include "real.h"
#include "site.h"
#include "track.h"
#include "watch.h"

#define LWI_BARRIER_SITE 0x6261727269657273ull

struct lwi_event_ctx {
    struct lwi_thread *self;
    bool took;
};

/* Enters the board for a wait on `object` (object_flags: watch.h); ctx->self is NULL when the
 * thread is not tracked. */
static void lwi_event_begin(struct lwi_event_ctx *ctx, enum lw_wait_kind kind, uint64_t object,
                            uint8_t object_flags, uint64_t pc)
{
    ctx->self = lwi_enter();
    ctx->took = false;
    if (!ctx->self) return;
    ctx->took = lwi_watch_begin(ctx->self, kind, object, object_flags, NULL, pc);
    lwi_leave(ctx->self);
}

/* Leaves the board (a cleanup handler too: void *). */
static void lwi_event_end(void *arg)
{
    struct lwi_event_ctx *ctx = arg;
    if (ctx->self) lwi_watch_end(ctx->self, ctx->took);
}

/* result = call, a real wait that is a cancellation point: the board is left however it ends. */
#define LWI_EVENT_WAIT(ctx, result, call)                                                          \
    do {                                                                                           \
        pthread_cleanup_push(lwi_event_end, &(ctx));                                               \
        (result) = (call);                                                                         \
        pthread_cleanup_pop(1);                                                                    \
    } while (0)

/* After a join that succeeded: everything the joined thread did happened before what the joiner
 * does next (a new epoch, announced with a JOIN record). */
static void lwi_joined(uint64_t joined)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return;
    LWI_ERRNO_SAVE();
    lwi_thread_next_epoch(self);
    lwi_emit_join(self, joined, lwi_depot_capture(self));
    LWI_ERRNO_RESTORE();
    lwi_leave(self);
}

LWI_EXPORT int pthread_join(pthread_t thread, void **retval)
{
    struct lwi_event_ctx ctx;
    lwi_event_begin(&ctx, LW_WAIT_JOIN, (uint64_t)thread, 0, LWI_CALLER_PC());
    int rc;
    LWI_EVENT_WAIT(ctx, rc, REAL(pthread_join)(thread, retval));
    if (rc == 0) lwi_joined((uint64_t)thread);
    return rc;
}

LWI_EXPORT int thrd_join(thrd_t thread, int *res)
{
    struct lwi_event_ctx ctx;
    lwi_event_begin(&ctx, LW_WAIT_JOIN, (uint64_t)thread, 0, LWI_CALLER_PC());
    int rc;
    LWI_EVENT_WAIT(ctx, rc, REAL(thrd_join)(thread, res));
    if (rc == thrd_success) lwi_joined((uint64_t)thread);
    return rc;
}

/* Joins that end by themselves: not on the board, but a success orders like pthread_join. */
LWI_EXPORT int pthread_tryjoin_np(pthread_t thread, void **retval)
{
    int rc = REAL(pthread_tryjoin_np)(thread, retval);
    if (rc == 0) lwi_joined((uint64_t)thread);
    return rc;
}

LWI_EXPORT int pthread_timedjoin_np(pthread_t thread, void **retval, const struct timespec *abstime)
{
    int rc = REAL(pthread_timedjoin_np)(thread, retval, abstime);
    if (rc == 0) lwi_joined((uint64_t)thread);
    return rc;
}

LWI_EXPORT int pthread_clockjoin_np(pthread_t thread, void **retval, clockid_t clockid,
                                    const struct timespec *abstime)
{
    int rc = REAL(pthread_clockjoin_np)(thread, retval, clockid, abstime);
    if (rc == 0) lwi_joined((uint64_t)thread);
    return rc;
}

/* After a barrier wait that returned: every thread's arrival in that round happened before what
 * this thread does next (a new epoch, announced with a BARRIER record; the detector works out the
 * rounds). The call site's stack comes from the site cache: a wait in a loop is unwound once. */
static void lwi_barrier_passed(pthread_barrier_t *barrier, unsigned count, uint8_t flags,
                               uint64_t pc)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return;
    LWI_ERRNO_SAVE();
    lwi_thread_next_epoch(self);
    struct lw_lock_ref site_ref = {.addr = (uint64_t)(uintptr_t)barrier};
    uint64_t stack = lwi_site_stack(self, lwi_chain_site_key(LWI_BARRIER_SITE, pc), &site_ref);
    lwi_emit_barrier(self, (uint64_t)(uintptr_t)barrier, count, flags, stack);
    LWI_ERRNO_RESTORE();
    lwi_leave(self);
}

LWI_EXPORT int pthread_barrier_wait(pthread_barrier_t *barrier)
{
    uint64_t pc = LWI_CALLER_PC();
    uint8_t flags = lwi_barrier_flags(barrier);
    /* read before the wait: once it returns, another thread may destroy the barrier */
    unsigned count = lwi_barrier_count(barrier);
    struct lwi_event_ctx ctx;
    lwi_event_begin(&ctx, LW_WAIT_BARRIER, (uint64_t)(uintptr_t)barrier, flags, pc);
    int rc = REAL(pthread_barrier_wait)(barrier);
    lwi_event_end(&ctx);
    if ((rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD) && count >= 2)
        lwi_barrier_passed(barrier, count, flags, pc);
    return rc;
}

#define LWI_REAP_SITE 0x7265617065642121ull

/* After a wait for a child returned `child`: whether the child ended (exit or signal; without a
 * status, only options that report nothing but ends). Stopped and continued children are not. */
static bool lwi_child_ended(pid_t child, const int *status, int options)
{
    if (child <= 0) return false;
    if (status) return WIFEXITED(*status) || WIFSIGNALED(*status);
    return (options & (WUNTRACED | WCONTINUED)) == 0;
}

/* The child's end happened before what this thread does next: a new epoch and a REAP record. */
static void lwi_reaped(pid_t child, uint64_t pc)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return;
    LWI_ERRNO_SAVE();
    lwi_thread_next_epoch(self);
    struct lw_lock_ref site_ref = {.addr = (uint64_t)(int64_t)child};
    uint64_t stack = lwi_site_stack(self, lwi_chain_site_key(LWI_REAP_SITE, pc), &site_ref);
    lwi_emit_reap(self, (int32_t)child, stack);
    LWI_ERRNO_RESTORE();
    lwi_leave(self);
}

/* The wait for a child of `pid` (as waitpid names them); options with WNOHANG never block. */
static void lwi_child_begin(struct lwi_event_ctx *ctx, pid_t pid, int options, uint64_t pc)
{
    if (options & WNOHANG) {
        ctx->self = NULL;
        ctx->took = false;
        return;
    }
    lwi_event_begin(ctx, LW_WAIT_CHILD, (uint64_t)(int64_t)pid, 0, pc);
}

LWI_EXPORT pid_t waitpid(pid_t pid, int *status, int options)
{
    struct lwi_event_ctx ctx;
    lwi_child_begin(&ctx, pid, options, LWI_CALLER_PC());
    pid_t rc;
    LWI_EVENT_WAIT(ctx, rc, REAL(waitpid)(pid, status, options));
    if (lwi_child_ended(rc, status, options)) lwi_reaped(rc, LWI_CALLER_PC());
    return rc;
}

LWI_EXPORT pid_t wait(int *status)
{
    struct lwi_event_ctx ctx;
    lwi_child_begin(&ctx, -1, 0, LWI_CALLER_PC());
    pid_t rc;
    LWI_EVENT_WAIT(ctx, rc, REAL(wait)(status));
    if (lwi_child_ended(rc, status, 0)) lwi_reaped(rc, LWI_CALLER_PC());
    return rc;
}

LWI_EXPORT pid_t wait3(int *status, int options, struct rusage *usage)
{
    struct lwi_event_ctx ctx;
    lwi_child_begin(&ctx, -1, options, LWI_CALLER_PC());
    pid_t rc;
    LWI_EVENT_WAIT(ctx, rc, REAL(wait3)(status, options, usage));
    if (lwi_child_ended(rc, status, options)) lwi_reaped(rc, LWI_CALLER_PC());
    return rc;
}

LWI_EXPORT pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage)
{
    struct lwi_event_ctx ctx;
    lwi_child_begin(&ctx, pid, options, LWI_CALLER_PC());
    pid_t rc;
    LWI_EVENT_WAIT(ctx, rc, REAL(wait4)(pid, status, options, usage));
    if (lwi_child_ended(rc, status, options)) lwi_reaped(rc, LWI_CALLER_PC());
    return rc;
}

LWI_EXPORT int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
    struct lwi_event_ctx ctx;
    pid_t pid = idtype == P_PID ? (pid_t)id : idtype == P_PGID ? -(pid_t)id : -1;
    lwi_child_begin(&ctx, pid, options, LWI_CALLER_PC());
    int rc;
    LWI_EVENT_WAIT(ctx, rc, REAL(waitid)(idtype, id, info, options));
    if (rc == 0 && info && info->si_pid > 0 &&
        (info->si_code == CLD_EXITED || info->si_code == CLD_KILLED || info->si_code == CLD_DUMPED))
        lwi_reaped(info->si_pid, LWI_CALLER_PC());
    return rc;
}
