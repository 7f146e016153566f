/* wrap_semlock.c — semaphores as locks: sem_wait, sem_trywait, sem_timedwait, sem_clockwait,
 * sem_post, sem_init and sem_open (sem_destroy is in wrap_sem.c; sem_close unmaps the semaphore,
 * which ends its generation like any unmapped lock).
 *
 * A semaphore that a thread waits on and then posts itself is a lock for lock-order purposes
 * (CPython's threading.Lock is sem_init(s, 0, 1) + sem_trywait / sem_wait / sem_clockwait +
 * sem_post). Every successful wait is tracked as an acquisition of family LW_LOCK_SEM, with the
 * edges of a mutex: a blocking wait makes them at the attempt, a timed wait as a timed lock, and a
 * successful sem_trywait makes them too (after it succeeded), because the blocking acquire of a
 * lock built on a semaphore tries first and waits only when that fails: a trywait without edges
 * would leave every uncontended acquisition out. A post by the thread that took the semaphore is
 * its release (the fast path of an unlock). A semaphore that behaves otherwise is a signal for the
 * rest of its generation (a wait or a try by the thread that holds it, a post by one that does
 * not, an initial value other than 1), and track.h tells the driver so; the driver keeps edges
 * through a semaphore aside until the end of the run and drops those through a signal
 * (docs/internals.md, "Semaphores"). A wait also stays on the wait board (watch.h) as the semaphore
 * wait it is.
 *
 * Hand-over notes (wrap_sem.c) need every post of a signal and may miss waits: a wait that
 * returns on a semaphore known to be a signal (lwi_track_sem_known_signal, or its taker's wait
 * again) is no hold and sends a SEM WAIT record, and a post that releases the poster's hold (the
 * fast path) sends none: that hold's wait sent none either, so the records still count every
 * token a recorded wait could have taken. A post that is a signal sends a SEM POST record.
 *
 * The real call's result and errno are the program's. sem_wait, sem_timedwait and sem_clockwait
 * are cancellation points and return EINTR when a signal handler runs: both pass through (a
 * cancelled sem_wait leaves the board through a cleanup handler). sem_post may run in a signal
 * handler: one that interrupted the runtime finds the guard taken and passes through. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <time.h>

#include "errsave.h"
#include "family.h"
#include "real.h"
#include "track.h"
#include "watch.h"
#include "wrap_sem.h"

static struct lw_lock_ref lwi_sem_ref(const sem_t *sem, uint8_t acq)
{
    struct lw_lock_ref ref = lwi_ref_unread(sem, LW_LOCK_SEM, LW_MODE_EXCLUSIVE, acq);
    ref.flags = lwi_sem_flags(sem);
    return ref;
}

/* A blocking wait in progress: the acquisition and the board slot it took. */
struct lwi_sem_wait {
    struct lwi_thread *self;
    struct lwi_acq a;
    bool took;
};

/* A wait that returned 0, its attempt tracked, under the guard: a semaphore known to be a signal
 * is no hold (a later post by this thread is then a signal too, recorded) and gets a WAIT record;
 * any other is an acquisition. */
static void lwi_sem_took(struct lwi_thread *self, struct lwi_acq *a)
{
    const sem_t *sem = (const sem_t *)(uintptr_t)a->ref.addr;
    if (a->signal || lwi_track_sem_known_signal(sem, a->ref.flags)) {
        lwi_sem_event(self, sem, a->ref.flags, LW_SEM_WAIT, 0, a->pc);
        return;
    }
    lwi_track_acquired(self, a);
    if (LWI_PROFILING()) lwi_profile_taken(self, &a->ref); /* --profile / --trace: profile.h */
}

/* lwi_sem_took after the real wait, when it returned 0. */
static void lwi_sem_finish(struct lwi_thread *self, struct lwi_acq *a, int rc)
{
    if (rc != 0 || !lwi_reenter(self)) return;
    lwi_sem_took(self, a);
    lwi_leave(self);
}

/* Leaves the board (a cleanup handler too: void *). */
static void lwi_sem_wait_end(void *arg)
{
    struct lwi_sem_wait *w = arg;
    lwi_watch_end(w->self, w->took);
}

LWI_EXPORT int sem_wait(sem_t *sem)
{
    struct lwi_sem_wait w = {.self = lwi_enter()};
    if (!w.self) return REAL(sem_wait)(sem);
    lwi_acq_init(&w.a, lwi_sem_ref(sem, 0), LWI_CALLER_PC());
    lwi_track_attempt(w.self, &w.a);
    w.took = lwi_watch_begin(w.self, LW_WAIT_SEM, w.a.ref.addr, w.a.ref.flags, NULL, w.a.pc);
    lwi_leave(w.self);
    int rc;
    pthread_cleanup_push(lwi_sem_wait_end, &w);
    rc = REAL(sem_wait)(sem);
    pthread_cleanup_pop(1);
    lwi_sem_finish(w.self, &w.a, rc);
    return rc;
}

LWI_EXPORT int sem_trywait(sem_t *sem)
{
    int rc = REAL(sem_trywait)(sem);
    struct lwi_thread *self = lwi_enter();
    if (!self) return rc;
    if (rc != 0) {
        /* Nothing taken; but a try by the thread that holds it shows that it waits for another
         * thread's post (CPython's Condition.wait(0) tries its waiter lock): a signal. */
        LWI_ERRNO_SAVE();
        lwi_track_sem_tried(self, sem, lwi_sem_flags(sem));
        LWI_ERRNO_RESTORE();
        lwi_leave(self);
        return rc;
    }
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_sem_ref(sem, 0), LWI_CALLER_PC());
    if (__builtin_expect(!lwi_track_sem_known_signal(sem, a.ref.flags), 1)) {
        lwi_track_taken(self, a);
    } else {
        LWI_ERRNO_SAVE(); /* the failed tries before it may have left errno set */
        lwi_sem_event(self, sem, a.ref.flags, LW_SEM_WAIT, 0, a.pc);
        LWI_ERRNO_RESTORE();
    }
    lwi_leave(self);
    return rc;
}

/* sem_timedwait (clocked false) and sem_clockwait: a timed acquisition. */
static int lwi_sem_timed(sem_t *sem, bool clocked, clockid_t clock, const struct timespec *abstime,
                         uint64_t pc)
{
    struct lwi_thread *self = lwi_enter();
    if (!self)
        return clocked ? REAL(sem_clockwait)(sem, clock, abstime)
                       : REAL(sem_timedwait)(sem, abstime);
    struct lwi_acq a;
    lwi_acq_init(&a, lwi_sem_ref(sem, LW_ACQF_TIMED), pc);
    lwi_track_attempt(self, &a);
    lwi_leave(self);
    int rc = clocked ? REAL(sem_clockwait)(sem, clock, abstime) : REAL(sem_timedwait)(sem, abstime);
    lwi_sem_finish(self, &a, rc);
    return rc;
}

LWI_EXPORT int sem_timedwait(sem_t *restrict sem, const struct timespec *restrict abstime)
{
    return lwi_sem_timed(sem, false, CLOCK_REALTIME, abstime, LWI_CALLER_PC());
}

LWI_EXPORT int sem_clockwait(sem_t *restrict sem, clockid_t clock,
                             const struct timespec *restrict abstime)
{
    return lwi_sem_timed(sem, true, clock, abstime, LWI_CALLER_PC());
}

LWI_EXPORT int sem_post(sem_t *sem)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return REAL(sem_post)(sem);
    uint64_t addr = (uint64_t)(uintptr_t)sem;
    if (LWI_PROFILING()) lwi_profile_release(self, addr); /* --profile / --trace: profile.h */
    if (__builtin_expect(lwi_track_pop_top(self, addr), 1)) {
        lwi_leave(self); /* a lock's release by its taker, the common case */
        return REAL_LIVE(sem_post)(sem);
    }
    bool released = lwi_track_sem_post(self, addr, lwi_sem_flags(sem));
    /* under the guard: a post neither blocks nor calls back into us */
    int rc = REAL_LIVE(sem_post)(sem);
    if (rc == 0 && !released) {
        LWI_ERRNO_SAVE();
        uint64_t pc = LWI_CALLER_PC();
        lwi_watch_signal(self, addr, pc); /* a signal: noted for hang reports */
        lwi_sem_event(self, sem, lwi_sem_flags(sem), LW_SEM_POST, 0, pc);
        LWI_ERRNO_RESTORE();
    }
    lwi_leave(self);
    return rc;
}

LWI_EXPORT int sem_init(sem_t *sem, int pshared, unsigned int value)
{
    int rc = REAL(sem_init)(sem, pshared, value);
    if (rc != 0) return rc;
    struct lwi_thread *self = lwi_enter();
    if (!self) return rc;
    /* A new semaphore at this address: the old one's hold (if any) and generation end. */
    lwi_track_sem_forget(self, (uint64_t)(uintptr_t)sem);
    lwi_gen_retire((uint64_t)(uintptr_t)sem);
    /* A semaphore that starts at any other value is no lock (a count, or a signal at 0, which a
     * post by a non-taker would prove anyway). */
    LWI_ERRNO_SAVE();
    uint8_t flags = lwi_sem_flags(sem);
    if (value != 1) lwi_track_sem_signal(self, sem, flags, LW_SEM_INITIAL_VALUE);
    if (!pshared) lwi_sem_event(self, sem, flags, LW_SEM_INIT, value, LWI_CALLER_PC());
    LWI_ERRNO_RESTORE();
    lwi_leave(self);
    return rc;
}

/* A named semaphore: one opened with O_CREAT and a value other than 1 is no lock (when it
 * already existed, glibc ignores the value: a lock order through it is then missed, never made
 * up). Opened without O_CREAT, its value is not known: it is judged by its waits and posts. */
LWI_EXPORT sem_t *sem_open(const char *name, int oflag, ...)
{
    if (!(oflag & O_CREAT)) return REAL(sem_open)(name, oflag);
    va_list ap;
    va_start(ap, oflag);
    mode_t mode = (mode_t)va_arg(ap, unsigned int); /* mode_t is promoted to unsigned int */
    unsigned int value = va_arg(ap, unsigned int);
    va_end(ap);
    sem_t *sem = REAL(sem_open)(name, oflag, mode, value);
    if (sem == SEM_FAILED || value == 1) return sem;
    struct lwi_thread *self = lwi_enter();
    if (!self) return sem;
    LWI_ERRNO_SAVE();
    lwi_track_sem_signal(self, sem, lwi_sem_flags(sem), LW_SEM_INITIAL_VALUE);
    LWI_ERRNO_RESTORE();
    lwi_leave(self);
    return sem;
}
