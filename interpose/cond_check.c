/* cond_check.c — condition-variable misuse (see cond_check.h). */
#include "cond_check.h"

#include "chain.h"
#include "depot.h"
#include "emit.h"
#include "errsave.h"
#include "family.h"
#include "lifecycle.h"
#include "lockstate.h"
#include "site.h"
#include "threads.h"
#include "tls.h"
#include "watch.h"

/* Salt of the site keys of condition waits, apart from acquisitions at the same pc. */
#define LWI_COND_SITE 0x636f6e6477616974ull

/* The mutex is not the caller's: COND_UNOWNED, naming its holder when a held stack has it. */
static void lwi_cond_unowned(struct lwi_thread *self, const struct lw_lock_ref *mutex)
{
    if (self->held.overflowed || lwi_lock_owner_tid(mutex) == self->tid) return;
    struct lwi_holder holder = {.number = UINT32_MAX, .tid = 0, .stack = 0};
    lwi_threads_holder(self, mutex->addr, &holder);
    lwi_emit_misuse(self, LW_MISUSE_COND_UNOWNED, 0, mutex, lwi_depot_capture(self), holder.stack,
                    holder.number);
}

/* The mutex of the waits inside when this one began, as a lock identity. */
static struct lw_lock_ref lwi_cond_other_mutex(const struct lwi_lockstate *e)
{
    uint64_t addr = atomic_load_explicit(&e->mutex, memory_order_relaxed);
    uint8_t type = (uint8_t)atomic_load_explicit(&e->mutex_type, memory_order_relaxed);
    return lwi_ref_mutex((const void *)(uintptr_t)addr, type, LW_MODE_EXCLUSIVE, 0);
}

void lwi_cond_check_begin(struct lwi_thread *self, struct lwi_cond_wait *w, const void *cond,
                          const struct lw_lock_ref *mutex, bool held, uint64_t pc)
{
    w->entry = NULL;
    w->mutex = *mutex;
    if (lwi_lifecycle_check_use(self, mutex)) return; /* invalid-lock: glibc fails the wait */
    if (!held) lwi_cond_unowned(self, mutex);
    struct lwi_lockstate *e = lwi_lockstate_get((uint64_t)(uintptr_t)cond, LWI_LS_COND);
    lwi_emit_degraded_now(self); /* the lock-state table may have filled */
    if (!e) return;
    w->entry = e;
    struct lw_lock_ref site_ref = *mutex;
    site_ref.addr = (uint64_t)(uintptr_t)cond;
    w->stack = lwi_site_stack(self, lwi_chain_site_key(LWI_COND_SITE, pc), &site_ref);
    w->destroys = atomic_load_explicit(&e->destroys, memory_order_acquire);
    if (atomic_load_explicit(&e->waiters, memory_order_acquire) == 0) {
        atomic_store_explicit(&e->mutex, mutex->addr, memory_order_relaxed);
        atomic_store_explicit(&e->mutex_type, mutex->type, memory_order_relaxed);
        atomic_store_explicit(&e->wait_stack, w->stack, memory_order_relaxed);
        atomic_store_explicit(&e->wait_thread, self->number, memory_order_relaxed);
    } else if (atomic_load_explicit(&e->mutex, memory_order_relaxed) != mutex->addr) {
        struct lw_lock_ref other = lwi_cond_other_mutex(e);
        lwi_emit_misuse_pair(self, LW_MISUSE_TWO_MUTEXES, mutex, &other, w->stack,
                             atomic_load_explicit(&e->wait_stack, memory_order_relaxed),
                             atomic_load_explicit(&e->wait_thread, memory_order_relaxed));
    }
    atomic_fetch_add_explicit(&e->waiters, 1, memory_order_acq_rel);
}

static uint64_t lwi_clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return lwi_timespec_ns(&ts);
}

void lwi_cond_check_end(struct lwi_thread *self, struct lwi_cond_wait *w, clockid_t clock,
                        const struct timespec *deadline)
{
    struct lwi_lockstate *e = w->entry;
    if (!e) return;
    w->entry = NULL;
    atomic_fetch_sub_explicit(&e->waiters, 1, memory_order_acq_rel);
    if (!deadline || atomic_load_explicit(&e->destroys, memory_order_acquire) == w->destroys)
        return;
    uint64_t destroyed = atomic_load_explicit(clock == CLOCK_REALTIME ? &e->destroy_realtime_ns
                                                                      : &e->destroy_monotonic_ns,
                                              memory_order_relaxed);
    uint64_t until = lwi_timespec_ns(deadline);
    if (destroyed >= until) return; /* it had run out before the destroy began */
    /* Nobody woke this wait and its condition variable was destroyed meanwhile. */
    lwi_emit_misuse(self, LW_MISUSE_CV_DESTROYED, 0, &w->mutex,
                    atomic_load_explicit(&e->stack, memory_order_relaxed), w->stack,
                    atomic_load_explicit(&e->thread, memory_order_relaxed));
}

void lwi_cond_check_destroy(struct lwi_thread *self, const void *cond)
{
    struct lwi_lockstate *e = lwi_lockstate_find((uint64_t)(uintptr_t)cond, LWI_LS_COND);
    if (!e || atomic_load_explicit(&e->waiters, memory_order_acquire) == 0) return;
    LWI_ERRNO_SAVE(); /* the stack may be sent, and the clocks read */
    atomic_store_explicit(&e->stack, lwi_depot_capture(self), memory_order_relaxed);
    atomic_store_explicit(&e->thread, self->number, memory_order_relaxed);
    atomic_store_explicit(&e->destroy_realtime_ns, lwi_clock_ns(CLOCK_REALTIME),
                          memory_order_relaxed);
    atomic_store_explicit(&e->destroy_monotonic_ns, lwi_clock_ns(CLOCK_MONOTONIC),
                          memory_order_relaxed);
    LWI_ERRNO_RESTORE();
    atomic_fetch_add_explicit(&e->destroys, 1, memory_order_acq_rel);
}
