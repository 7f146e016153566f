/* watch.c — the process's timer board and the announcement of each thread's wait slot (watch.h). */
#include "watch.h"

#include <pthread.h>
#include <sys/time.h>

#include "chain.h"
#include "emit.h"
#include "errsave.h"
#include "site.h"

/* Site-cache context of signalling calls (site.h): apart from every lock's site chain. */
#define LWI_SIGNAL_SITE 0x7369676e616c6c73ull

struct lw_timer_board lwi_timers;

void lwi_watch_init_timers(void)
{
    struct itimerval left;
    if (getitimer(ITIMER_REAL, &left) != 0 || (!left.it_value.tv_sec && !left.it_value.tv_usec))
        return;
    bool periodic = left.it_interval.tv_sec || left.it_interval.tv_usec;
    uint64_t value = lwi_timeval_ns(&left.it_value);
    lwi_timers.alarm_until_ns = periodic ? UINT64_MAX : lwi_now_ns() + value;
}

void lwi_watch_announce(const struct lwi_thread *self)
{
    lwi_emit_watch(self, (uint64_t)(uintptr_t)&self->watch, (uint64_t)(uintptr_t)&self->signals,
                   (uint64_t)(uintptr_t)&lwi_timers, (uint64_t)pthread_self());
}

void lwi_watch_signal(struct lwi_thread *self, uint64_t object, uint64_t pc)
{
    LWI_ERRNO_SAVE(); /* the site cache may unwind */
    struct lw_lock_ref site_ref = {.addr = object};
    uint64_t stack = lwi_site_stack(self, lwi_chain_site_key(LWI_SIGNAL_SITE, pc), &site_ref);
    LWI_ERRNO_RESTORE();
    struct lw_signal_log *log = &self->signals;
    log->entries[log->next % LW_SIGNAL_LOG] =
        (struct lw_signal_entry){.object = object, .stack = stack, .time_ns = lwi_watch_now()};
    atomic_thread_fence(memory_order_release);
    log->next++;
}
