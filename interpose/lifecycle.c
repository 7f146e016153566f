/* lifecycle.c — use after destroy, init of a live lock, holds ended by others (lifecycle.h). */
#include "lifecycle.h"

#include <pthread.h>

#include "chain.h"
#include "depot.h"
#include "emit.h"
#include "family.h"
#include "lockstate.h"
#include "site.h"
#include "storage.h"
#include "threads.h"
#include "tls.h"

/* A destroyed mutex has kind -1; anything outside glibc's kind bits (family.h) is not a mutex. */
/* Salt of the site keys of init and destroy calls, apart from acquisitions at the same pc. */
#define LWI_LIFECYCLE_SITE 0x6c6966656379636cull

static bool lwi_mutex_kind_valid(int kind)
{
    if (kind < 0 || (kind & ~LWI_GLIBC_MUTEX_VALID_BITS)) return false;
    return (kind & (LWI_GLIBC_MUTEX_PI_BIT | LWI_GLIBC_MUTEX_PP_BIT)) !=
           (LWI_GLIBC_MUTEX_PI_BIT | LWI_GLIBC_MUTEX_PP_BIT);
}

bool lwi_lifecycle_check_use(struct lwi_thread *self, const struct lw_lock_ref *ref)
{
    if (ref->type != LW_LOCK_MUTEX && ref->type != LW_LOCK_MTX) return false;
    int kind = ((const volatile pthread_mutex_t *)(uintptr_t)ref->addr)->__data.__kind;
    if (lwi_mutex_kind_valid(kind)) return false;
    const struct lwi_lockstate *e = lwi_lockstate_find(ref->addr, LWI_LS_LOCK);
    bool destroyed = e && atomic_load_explicit(&e->life, memory_order_relaxed) == LWI_LS_DESTROYED;
    uint64_t stack = lwi_depot_capture(self);
    if (destroyed)
        lwi_emit_misuse(self, LW_MISUSE_INVALID_LOCK, 0, ref, stack,
                        atomic_load_explicit(&e->stack, memory_order_relaxed),
                        atomic_load_explicit(&e->thread, memory_order_relaxed));
    else
        lwi_emit_misuse(self, LW_MISUSE_UNINITIALISED, 0, ref, stack, 0, UINT32_MAX);
    return true;
}

void lwi_lifecycle_call_failed(const void *lock, uint8_t type)
{
    struct lwi_thread *self = lwi_enter();
    if (!self) return;
    struct lw_lock_ref ref = lwi_ref_mutex(lock, type, LW_MODE_EXCLUSIVE, LW_ACQF_TRY);
    lwi_lifecycle_check_use(self, &ref);
    lwi_leave(self);
}

/* The stack of an init or destroy call at `pc`, cached per site and lock generation (site.h).
 * The call itself retires the generation, so in practice each init and destroy unwinds once:
 * the stack a later misuse report shows ("destroyed here") is then that call's own. */
static uint64_t lwi_lifecycle_stack(const struct lwi_thread *self, const struct lw_lock_ref *ref,
                                    uint64_t pc)
{
    return lwi_site_stack(self, lwi_chain_site_key(LWI_LIFECYCLE_SITE, pc), ref);
}

static void lwi_lifecycle_set(struct lwi_lockstate *e, const struct lwi_thread *self,
                              enum lwi_ls_life life, uint64_t stack, uint64_t unloads)
{
    atomic_store_explicit(&e->stack, stack, memory_order_relaxed);
    atomic_store_explicit(&e->unloads, unloads, memory_order_relaxed);
    atomic_store_explicit(&e->thread, self->number, memory_order_relaxed);
    atomic_store_explicit(&e->pid, atomic_load_explicit(&lwi_pid, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&e->life, life, memory_order_release);
}

void lwi_lifecycle_init(struct lwi_thread *self, const struct lw_lock_ref *ref, bool maybe_held,
                        uint64_t pc)
{
    struct lwi_holder holder = {.number = self->number, .tid = self->tid, .stack = 0};
    long i = lwi_held_find(&self->held, ref->addr);
    bool held = i >= 0;
    if (held)
        holder.stack = lwi_held_at(&self->held, (uint32_t)i)->stack;
    else if (maybe_held)
        held = lwi_threads_holder(self, ref->addr, &holder);
    struct lwi_lockstate *e = lwi_lockstate_find(ref->addr, LWI_LS_LOCK);
    uint64_t unloads;
    bool is_static = lwi_storage_static(ref->addr, &unloads);
    uint64_t stack = 0;
    /* An earlier init of this static lock, with no object unloaded since (its storage may now be
     * another object's, loaded in the same place), in this process: a forked child's first init
     * of a lock its parent set up is the way to recover one that a thread gone in the fork may
     * have held (CPython re-initialises its runtime's mutexes so), no misuse. */
    bool inited = e && is_static &&
                  atomic_load_explicit(&e->life, memory_order_acquire) == LWI_LS_INITIALISED &&
                  atomic_load_explicit(&e->unloads, memory_order_relaxed) == unloads &&
                  atomic_load_explicit(&e->pid, memory_order_relaxed) ==
                      atomic_load_explicit(&lwi_pid, memory_order_relaxed);
    if (held || inited) {
        stack = lwi_depot_capture(self);
        if (held)
            lwi_emit_misuse(self, LW_MISUSE_REINIT_HELD, 0, ref, stack, holder.stack,
                            holder.number);
        else
            lwi_emit_misuse(self, LW_MISUSE_REINIT_LIVE, 0, ref, stack,
                            atomic_load_explicit(&e->stack, memory_order_relaxed),
                            atomic_load_explicit(&e->thread, memory_order_relaxed));
    }
    /* Only a static lock's init is worth an entry (storage.h); any other clears a destroy. */
    if (!e && is_static) e = lwi_lockstate_get(ref->addr, LWI_LS_LOCK);
    lwi_emit_degraded_now(self); /* the lock-state table may have filled */
    if (!e) return;
    if (!is_static) {
        lwi_lifecycle_set(e, self, LWI_LS_UNKNOWN, 0, unloads);
        return;
    }
    lwi_lifecycle_set(e, self, LWI_LS_INITIALISED,
                      stack ? stack : lwi_lifecycle_stack(self, ref, pc), unloads);
}

void lwi_lifecycle_destroyed(struct lwi_thread *self, const struct lw_lock_ref *ref, uint64_t pc)
{
    /* Only a mutex's use after destroy can be told (lifecycle.h); other families only end an
     * init's entry. */
    bool mutex = ref->type == LW_LOCK_MUTEX || ref->type == LW_LOCK_MTX;
    struct lwi_lockstate *e = mutex ? lwi_lockstate_get(ref->addr, LWI_LS_LOCK)
                                    : lwi_lockstate_find(ref->addr, LWI_LS_LOCK);
    lwi_emit_degraded_now(self); /* the lock-state table may have filled */
    if (!e) return;
    lwi_lifecycle_set(e, self, LWI_LS_DESTROYED, mutex ? lwi_lifecycle_stack(self, ref, pc) : 0, 0);
}

void lwi_lifecycle_released(struct lwi_thread *self, uint64_t addr, int32_t tid)
{
    struct lwi_lockstate *e = lwi_lockstate_get(addr, LWI_LS_LOCK);
    lwi_emit_degraded_now(self); /* the lock-state table may have filled */
    if (e) atomic_store_explicit(&e->released_tid, tid, memory_order_release);
}

bool lwi_lifecycle_take_released(const struct lwi_thread *self, uint64_t addr)
{
    struct lwi_lockstate *e = lwi_lockstate_find(addr, LWI_LS_LOCK);
    int32_t mine = self->tid;
    return e && atomic_compare_exchange_strong_explicit(&e->released_tid, &mine, 0,
                                                        memory_order_acq_rel, memory_order_relaxed);
}
