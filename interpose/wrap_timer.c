/* wrap_timer.c — alarm, ualarm, setitimer and timer_settime, noted on the process's timer board
 * (wire.h: lw_timer_board) so that the driver never calls a run stuck while a timer may still
 * fire (a signal handler may post the semaphore every thread waits on). The real call is made
 * first and its result returned untouched; the board is written only when it succeeded. Timers
 * that count CPU time (ITIMER_VIRTUAL, ITIMER_PROF) cannot fire while every thread waits and are
 * not noted. A POSIX timer's clock is not known here, so any armed one counts. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "emit.h"
#include "errsave.h"
#include "real.h"
#include "watch.h"

#define LWI_NS_PER_SEC 1000000000ull

/* When a timer armed now with `value` (relative) and `interval` last fires: 0 for a disarmed
 * timer, UINT64_MAX for a periodic one. */
static uint64_t lwi_timer_until(uint64_t value_ns, uint64_t interval_ns)
{
    if (value_ns == 0) return 0;
    if (interval_ns != 0) return UINT64_MAX;
    return lwi_now_ns() + value_ns;
}

static void lwi_note_alarm(uint64_t until)
{
    __atomic_store_n(&lwi_timers.alarm_until_ns, until, __ATOMIC_RELEASE);
}

/* Several POSIX timers may be armed: keep the latest expiry (a disarm cannot tell which timer's
 * expiry it cancels, so the board only errs towards "may still wake"). */
static void lwi_note_timer(uint64_t until)
{
    uint64_t old = __atomic_load_n(&lwi_timers.timer_until_ns, __ATOMIC_RELAXED);
    while (until > old && !__atomic_compare_exchange_n(&lwi_timers.timer_until_ns, &old, until,
                                                       true, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
    }
}

LWI_EXPORT unsigned alarm(unsigned seconds)
{
    unsigned rc = REAL(alarm)(seconds);
    LWI_ERRNO_SAVE();
    lwi_note_alarm(lwi_timer_until((uint64_t)seconds * LWI_NS_PER_SEC, 0));
    LWI_ERRNO_RESTORE();
    return rc;
}

LWI_EXPORT useconds_t ualarm(useconds_t value, useconds_t interval)
{
    useconds_t rc = REAL(ualarm)(value, interval);
    LWI_ERRNO_SAVE();
    lwi_note_alarm(lwi_timer_until((uint64_t)value * 1000u, (uint64_t)interval * 1000u));
    LWI_ERRNO_RESTORE();
    return rc;
}

LWI_EXPORT int setitimer(__itimer_which_t which, const struct itimerval *restrict value,
                         struct itimerval *restrict old)
{
    int rc = REAL(setitimer)(which, value, old);
    if (rc == 0 && which == ITIMER_REAL && value) {
        LWI_ERRNO_SAVE();
        lwi_note_alarm(
            lwi_timer_until(lwi_timeval_ns(&value->it_value), lwi_timeval_ns(&value->it_interval)));
        LWI_ERRNO_RESTORE();
    }
    return rc;
}

LWI_EXPORT int timer_settime(timer_t timer, int flags, const struct itimerspec *restrict value,
                             struct itimerspec *restrict old)
{
    int rc = REAL(timer_settime)(timer, flags, value, old);
    if (rc == 0 && value) {
        LWI_ERRNO_SAVE();
        uint64_t first = lwi_timespec_ns(&value->it_value);
        /* An absolute expiry is on the timer's own clock, which is not known here. */
        uint64_t until = (flags & TIMER_ABSTIME) && first
                             ? UINT64_MAX
                             : lwi_timer_until(first, lwi_timespec_ns(&value->it_interval));
        lwi_note_timer(until);
        LWI_ERRNO_RESTORE();
    }
    return rc;
}
