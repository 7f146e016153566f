/* track.c — held-stack bookkeeping, chain decisions and misuse (see track.h). */
#include "track.h"

#include <errno.h>
#include <pthread.h>

#include "chain.h"
#include "depot.h"
#include "emit.h"
#include "family.h"
#include "gen.h"
#include "lifecycle.h"
#include "steer.h"
#include "threads.h"

static void lwi_remove_entry(struct lwi_thread *self, uint32_t i)
{
    struct lwi_held_stack *h = &self->held;
    if (i + 1 == h->count) {
        h->count--; /* LIFO unlock, the common case: nothing above to move or rekey */
        return;
    }
    lwi_held_remove(h, i);
    lwi_chain_rekey(h, i, self->chain_root);
}

/* Drops entry i, a semaphore that stops being held without a release by its taker (proved a
 * signal, or re-made): its hold ends now for --profile too. */
static void lwi_sem_drop(struct lwi_thread *self, uint32_t i)
{
    uint64_t addr = lwi_held_at(&self->held, i)->ref.addr;
    lwi_remove_entry(self, i);
    if (LWI_PROFILING()) lwi_profile_release(self, addr);
}

/* `key`'s cached value says other flags than `flags`, just read from the lock object: its memory
 * was re-made as another kind of lock without *_init, which keeps the generation (chain.h:
 * lwi_chain_value). Corrects the value if the key is still cached (never adds a key: a cached key
 * means "already sent"), and empties the thread's memo, whose slots copied the stale value
 * (which slots is not worth knowing for so rare an event). */
static void lwi_track_fix_cached_flags(struct lwi_thread *self, uint64_t key, uint8_t flags)
{
    uint64_t v;
    if (lwi_cache_get(&lwi_chain_cache, key, &v) && lwi_chain_value_flags(v) != flags) {
        lwi_cache_put(&lwi_chain_cache, key, lwi_chain_value(lwi_chain_value_stack(v), flags));
        lwi_memo_clear(self->memo);
    }
}

/* The lock is already entry i of the held stack. a->ref's flags were read from the lock just now;
 * the entry's came from the memo or the chain cache, stale if the lock was re-made (above), and
 * recursion and relock rules must follow what the lock is now. */
static void lwi_track_attempt_held(struct lwi_thread *self, struct lwi_acq *a, uint32_t i)
{
    struct lwi_held_entry *e = lwi_held_at(&self->held, i);
    if (e->ref.type == LW_LOCK_SEM || a->ref.type == LW_LOCK_SEM) {
        /* The entry of an earlier generation (the memory was freed and re-used) is stale; a wait
         * on the same generation by its taker went through only if another thread posted it or
         * its value was above 1: a signal either way (track.h). */
        bool same = e->ref.type == a->ref.type && e->ref.generation == a->ref.generation;
        lwi_sem_drop(self, i);
        if (!same) {
            lwi_track_attempt(self, a);
            return;
        }
        a->signal = true;
        lwi_track_sem_signal(self, (const void *)(uintptr_t)a->ref.addr, a->ref.flags,
                             LW_SEM_RETAKEN);
        return;
    }
    if (e->ref.flags != a->ref.flags) {
        e->ref.flags = a->ref.flags;
        bool trylock = (e->ref.acq & LW_ACQF_TRY) != 0;
        lwi_track_fix_cached_flags(
            self, trylock ? lwi_track_try_key(self, &e->ref, e->pc) : e->lock_chain, a->ref.flags);
        lwi_memo_clear(self->memo); /* another thread may have corrected the cache already */
    }
    if (lwi_family_reentrant(&e->ref, &a->ref)) {
        a->reentry = true;
        return;
    }
    if (!(a->ref.acq & LW_ACQF_TRY) && lwi_family_still_owned(&e->ref, self->tid)) {
        a->double_lock = true;
        lwi_emit_misuse(self, LW_MISUSE_DOUBLE_LOCK, lwi_family_relock_blocks(&e->ref, &a->ref),
                        &a->ref, lwi_depot_capture(self), e->stack, self->number);
        return;
    }
    lwi_remove_entry(self, i); /* stale: the lock was released behind our back */
    lwi_lifecycle_take_released(self, a->ref.addr);
    lwi_track_attempt(self, a);
}

/* The stack the same chain (same held locks, lock and call sites) had in the thread's previous
 * epoch, 0 when the cache does not hold it: a chain repeated after a create, join, fork, barrier
 * round or semaphore hand-over is reported again for its new epoch, with the stack it was first
 * seen with, as a repeat within one epoch keeps it (docs/internals.md, "Chains per epoch"). */
static uint64_t lwi_track_previous_stack(const struct lwi_thread *self, const struct lwi_acq *a)
{
    if (self->epoch == 0) return 0;
    const struct lwi_held_stack *h = &self->held;
    uint64_t key = lwi_chain_thread_root(self->number, self->epoch - 1);
    for (uint32_t i = 0; i < h->count; i++)
        key = lwi_chain_lock_key(key, &h->entries[i].ref, h->entries[i].pc);
    key = lwi_chain_lock_key(key, &a->ref, a->pc);
    uint64_t v;
    return lwi_cache_get(&lwi_chain_cache, key, &v) ? lwi_chain_value_stack(v) : 0;
}

/* A chain missing from the cache: its stack, and an ACQUIRE when it has an edge, else a
 * LOCK_SEEN (the lock is used, with no edge). */
static void lwi_track_new_chain(struct lwi_thread *self, struct lwi_acq *a)
{
    struct lwi_held_stack *h = &self->held;
    /* The first acquisition of a new generation (a destroy, init or free ended the last) comes
     * here: the place to look at what the lock object has become, off the fast path. */
    lwi_lifecycle_check_use(self, &a->ref);
    /* Unwound here, never borrowed from another acquisition at the same site: locking through a
     * helper function gives every caller the same pc, not the same stack. With no held lock
     * there is no edge: the stack is kept for edges out of this lock later. */
    a->stack = lwi_track_previous_stack(self, a);
    if (!a->stack) a->stack = lwi_depot_capture(self);
    if (h->count) {
        lwi_emit_acquire(self, &a->ref, a->stack);
        self->dirty = true; /* a use of an edge in this epoch (semaphore notes, wrap_sem.c) */
    } else {
        lwi_emit_lock_seen(self, &a->ref); /* counted in the report's summary */
    }
    lwi_cache_put(&lwi_chain_cache, a->lock_chain, lwi_chain_value(a->stack, a->ref.flags));
    lwi_emit_degraded_now(self);
    if (h->count) lwi_steer_at(self, a->pc); /* --confirm: wait for the cycle's partners */
}

/* A successful trylock not on the held stack: its stack, cached under lwi_track_try_key
 * (track.h) and taken as for a lock acquired with nothing held (the site without the held
 * locks' pcs). No edge goes into a trylock; the ACQUIRE sent the first time a thread trylocks
 * the lock at this site, with locks held, only makes the lock known to the driver (a program
 * whose nested acquisitions are all trylocks, like std::scoped_lock, is then not invisible). */
static void lwi_track_try_stack(struct lwi_thread *self, struct lwi_acq *a)
{
    uint64_t key = lwi_track_try_key(self, &a->ref, a->pc);
    uint64_t v;
    if (lwi_cache_get(&lwi_chain_cache, key, &v)) {
        a->stack = lwi_chain_value_stack(v);
        lwi_track_fix_cached_flags(self, key, a->ref.flags);
        return;
    }
    a->stack = lwi_depot_capture(self);
    if (self->held.count)
        lwi_emit_acquire(self, &a->ref, a->stack);
    else
        lwi_emit_lock_seen(self, &a->ref);
    lwi_cache_put(&lwi_chain_cache, key, lwi_chain_value(a->stack, a->ref.flags));
    lwi_emit_degraded_now(self);
}

bool lwi_track_memo_refill(struct lwi_thread *self, struct lwi_held_entry *slot, uint64_t below,
                           uint64_t addr, uint64_t pc, uint32_t kind)
{
    if (!lwi_memo_usable(self->memo)) return false; /* no memo of its own: the full path */
    uint32_t stamp = lwi_gen_stamp(addr);           /* before the generation (gen.h) */
    _Atomic uint32_t *gen = lwi_gen_counter(addr);
    if (!gen) return false; /* no memory for it: the full path says so (gen.h) */
    struct lw_lock_ref ref = {.addr = addr,
                              .generation = lwi_gen_mark(gen, addr),
                              .type = (uint8_t)kind,
                              .flags = 0,
                              .mode = (uint8_t)(kind >> 8),
                              .acq = (uint8_t)(kind >> 16)};
    uint64_t key = lwi_chain_lock_key(below, &ref, pc);
    /* a trylock's stack is cached per lock and site (track.h: lwi_track_try_key) */
    uint64_t cached = (ref.acq & LW_ACQF_TRY) ? lwi_track_try_key(self, &ref, pc) : key;
    uint64_t v;
    if (!lwi_cache_get(&lwi_chain_cache, cached, &v)) return false;
    ref.flags = lwi_chain_value_flags(v);
    lwi_memo_fill(slot, below, ref, stamp, pc, key, lwi_chain_value_stack(v));
    return true;
}

void lwi_track_attempt(struct lwi_thread *self, struct lwi_acq *a)
{
    if (lwi_track_attempt_fast(self, a)) return;
    a->ref.generation = lwi_gen_use(a->ref.addr);
    bool trylock = (a->ref.acq & LW_ACQF_TRY) != 0;
    struct lwi_held_stack *h = &self->held;
    long i = lwi_held_find(h, a->ref.addr);
    if (i >= 0) {
        lwi_track_attempt_held(self, a, (uint32_t)i);
        return;
    }
    a->lock_chain = lwi_chain_lock_key(lwi_chain_lock_below(h, self->chain_root), &a->ref, a->pc);
    if (trylock) {
        lwi_track_try_stack(self, a);
        return;
    }
    uint64_t v;
    if (lwi_cache_get(&lwi_chain_cache, a->lock_chain, &v)) {
        a->stack = lwi_chain_value_stack(v); /* known chain: only the room check failed */
        lwi_track_fix_cached_flags(self, a->lock_chain, a->ref.flags);
        return;
    }
    lwi_track_new_chain(self, a);
}

void lwi_track_acquired(struct lwi_thread *self, struct lwi_acq *a)
{
    struct lwi_held_stack *h = &self->held;
    if (a->signal) return;
    if (a->reentry || a->double_lock) {
        long i = lwi_held_find(h, a->ref.addr);
        if (i >= 0) {
            struct lwi_held_entry *e = lwi_held_at(h, (uint32_t)i);
            /* A double lock that succeeded means our entry was stale: held once now. */
            e->count = a->reentry ? e->count + 1 : 1;
            return;
        }
        /* Gone meanwhile (a signal handler unlocked it): track it as a fresh acquisition. */
        a->reentry = a->double_lock = false;
        lwi_track_attempt(self, a);
    }
    struct lwi_held_entry *e = lwi_held_push(h);
    if (!e) {
        lwi_emit_overflow(self, LW_OVERFLOW_HELD, h->capacity);
        return;
    }
    e->ref = a->ref;
    e->pc = a->pc;
    e->lock_chain = a->lock_chain;
    e->stack = a->stack;
    e->count = 1;
}

void lwi_track_took(struct lwi_thread *self, struct lwi_acq a)
{
    lwi_track_attempt(self, &a);
    lwi_track_acquired(self, &a);
}

/* An unlock of a lock this thread's held stack does not have. Ownership comes from the held
 * stacks; the object only shows holds lockwatch could not see (taken before the runtime started,
 * or past an overflowed held stack), which are not misuse. */
static void lwi_track_unlock_unheld(struct lwi_thread *self, uint64_t addr, uint8_t type)
{
    struct lw_lock_ref ref = lwi_family_ref(addr, type);
    /* With an overflowed stack some held locks are untracked: say nothing. */
    if (self->held.overflowed || lwi_family_owned_by(&ref, self->tid)) return;
    if (lwi_lifecycle_check_use(self, &ref)) return; /* destroyed: invalid-lock instead */
    struct lwi_holder holder;
    if (lwi_threads_holder(self, addr, &holder)) {
        lwi_emit_misuse(self, LW_MISUSE_UNLOCK_UNOWNED, 0, &ref, lwi_depot_capture(self),
                        holder.stack, holder.number);
        /* The unlock ends the holder's hold: its exit is no exit-holding-lock. */
        if (ref.type != LW_LOCK_RWLOCK || lwi_lock_owner_tid(&ref) == holder.tid)
            lwi_lifecycle_released(self, addr, holder.tid);
        return;
    }
    if (lwi_family_held_anonymously(&ref)) return;
    int32_t owner = lwi_lock_owner_tid(&ref);
    lwi_emit_misuse(self, LW_MISUSE_UNLOCK_UNOWNED, 0, &ref, lwi_depot_capture(self), 0,
                    owner ? lwi_threads_by_tid(owner) : UINT32_MAX);
}

void lwi_track_release_slow(struct lwi_thread *self, uint64_t addr, uint8_t type)
{
    struct lwi_held_stack *h = &self->held;
    long i = lwi_held_find(h, addr);
    if (i < 0) {
        lwi_track_unlock_unheld(self, addr, type);
        return;
    }
    struct lwi_held_entry *e = lwi_held_at(h, (uint32_t)i);
    if (e->count > 1) {
        e->count--;
        return;
    }
    lwi_remove_entry(self, (uint32_t)i);
}

bool lwi_track_lock_busy(const struct lw_lock_ref *ref)
{
    return lwi_lock_owner_tid(ref) != 0;
}

bool lwi_track_maybe_held(const struct lw_lock_ref *ref)
{
    return lwi_lock_owner_tid(ref) != 0 || lwi_family_held_anonymously(ref);
}

void lwi_track_destroy(struct lwi_thread *self, const struct lw_lock_ref *ref, bool busy_before,
                       int rc, uint64_t pc)
{
    struct lwi_held_stack *h = &self->held;
    long i = lwi_held_find(h, ref->addr);
    struct lwi_holder holder;
    /* The other threads' held stacks are read only when the object looks held: a lock nobody
     * holds (the common destroy) costs no scan. */
    bool look = busy_before || lwi_family_held_anonymously(ref);
    if (i >= 0) {
        struct lwi_held_entry *e = lwi_held_at(h, (uint32_t)i);
        lwi_emit_misuse(self, LW_MISUSE_DESTROY_LOCKED, 0, ref, lwi_depot_capture(self), e->stack,
                        self->number);
        if (rc == 0) lwi_remove_entry(self, (uint32_t)i);
    } else if (look && lwi_threads_holder(self, ref->addr, &holder)) {
        lwi_emit_misuse(self, LW_MISUSE_DESTROY_LOCKED, 0, ref, lwi_depot_capture(self),
                        holder.stack, holder.number);
    } else if (busy_before) {
        /* An owner the held stacks do not know (taken before the runtime started). glibc's EBUSY
         * alone proves nothing: an over-unlock makes its user count non-zero for ever. */
        int32_t owner = lwi_lock_owner_tid(ref);
        lwi_emit_misuse(self, LW_MISUSE_DESTROY_LOCKED, 0, ref, lwi_depot_capture(self), 0,
                        owner ? lwi_threads_by_tid(owner) : UINT32_MAX);
    }
    /* glibc refuses to destroy a locked mutex (EBUSY) and the lock stays valid: same identity. */
    if (rc != 0) return;
    lwi_lifecycle_destroyed(self, ref, pc);
    lwi_gen_retire(ref->addr);
}

void lwi_track_init(struct lwi_thread *self, const struct lw_lock_ref *ref, bool busy_before,
                    uint64_t pc)
{
    lwi_lifecycle_init(self, ref, busy_before, pc);
    lwi_gen_retire(ref->addr);
}

bool lwi_track_cond_release(struct lwi_thread *self, uint64_t addr, struct lwi_held_entry *saved)
{
    struct lwi_held_stack *h = &self->held;
    long i = lwi_held_find(h, addr);
    if (i < 0) return false;
    *saved = *lwi_held_at(h, (uint32_t)i);
    lwi_remove_entry(self, (uint32_t)i);
    return true;
}

void lwi_track_cond_reacquire(struct lwi_thread *self, struct lw_lock_ref ref, uint64_t pc,
                              const struct lwi_held_entry *saved)
{
    struct lwi_acq a;
    ref.acq |= LW_ACQF_CONDWAIT;
    lwi_acq_init(&a, ref, pc);
    lwi_track_attempt(self, &a);
    lwi_track_acquired(self, &a);
    if (saved && !a.reentry && !a.double_lock) {
        long i = lwi_held_find(&self->held, ref.addr);
        if (i >= 0) lwi_held_at(&self->held, (uint32_t)i)->count = saved->count;
    }
}

void lwi_track_restore(struct lwi_thread *self, const struct lwi_held_entry *saved)
{
    struct lwi_held_stack *h = &self->held;
    struct lwi_held_entry *e = lwi_held_push(h);
    if (!e) {
        lwi_emit_overflow(self, LW_OVERFLOW_HELD, h->capacity);
        return;
    }
    *e = *saved;
    lwi_chain_rekey(h, h->count - 1, self->chain_root);
}

/* The identity an EXIT_HOLDING record gives a held lock: a robust mutex says so, as its next
 * owner may recover it (the driver then drops the finding). The program may have freed the
 * lock's memory meanwhile (a held lock in a freed object): its kind is read without faulting. */
static struct lw_lock_ref lwi_exit_ref(const struct lwi_held_entry *e)
{
    struct lw_lock_ref ref = e->ref;
    bool mutex = ref.type == LW_LOCK_MUTEX || ref.type == LW_LOCK_MTX;
    int kind = 0;
    const pthread_mutex_t *m = (const pthread_mutex_t *)(uintptr_t)ref.addr;
    if (mutex && lwi_read_safely(&kind, &m->__data.__kind, sizeof kind) &&
        (kind & LWI_GLIBC_MUTEX_ROBUST_BIT))
        ref.flags |= LW_LOCKF_ROBUST;
    return ref;
}

void lwi_track_thread_exit(struct lwi_thread *self, uint64_t exit_stack)
{
    struct lwi_held_stack *h = &self->held;
    uint64_t stack = exit_stack;
    for (uint32_t i = 0; i < h->count; i++) {
        const struct lwi_held_entry *e = lwi_held_at(h, i);
        /* a semaphore has no owner: ending with one taken is no misuse */
        if (e->ref.type == LW_LOCK_SEM) continue;
        /* another thread's unlock ended this hold (reported as unlock-unowned) */
        if (lwi_lifecycle_take_released(self, e->ref.addr)) continue;
        if (!stack) stack = lwi_depot_capture(self);
        struct lw_lock_ref ref = lwi_exit_ref(e);
        lwi_emit_misuse(self, LW_MISUSE_EXIT_HOLDING, 0, &ref, stack, e->stack, self->number);
    }
    lwi_emit_thread_exit(self, h->count);
}

/* Salt of the cache keys that say "this semaphore generation was reported a signal". */
#define LWI_SEM_SIGNAL_SALT 0x73656d7369676e6cull

/* The cache key of "this generation of semaphore `sem` was reported a signal". */
static uint64_t lwi_sem_signal_key(const void *sem, uint8_t flags)
{
    struct lw_lock_ref ref = lwi_ref_unread(sem, LW_LOCK_SEM, LW_MODE_EXCLUSIVE, 0);
    ref.flags = flags;
    ref.generation = lwi_gen_use(ref.addr);
    return lwi_chain_lock_key(LWI_SEM_SIGNAL_SALT, &ref, 0);
}

uint64_t lwi_sem_signal_bits;

bool lwi_track_sem_known_signal_slow(const void *sem, uint8_t flags)
{
    uint64_t v;
    return lwi_cache_get(&lwi_chain_cache, lwi_sem_signal_key(sem, flags), &v);
}

void lwi_track_sem_signal(struct lwi_thread *self, const void *sem, uint8_t flags, uint32_t why)
{
    struct lw_lock_ref ref = lwi_ref_unread(sem, LW_LOCK_SEM, LW_MODE_EXCLUSIVE, 0);
    ref.flags = flags;
    ref.generation = lwi_gen_use(ref.addr);
    uint64_t key = lwi_chain_lock_key(LWI_SEM_SIGNAL_SALT, &ref, 0), v;
    if (lwi_cache_get(&lwi_chain_cache, key, &v)) return;
    lwi_emit_sem_signal(self, &ref, why);
    lwi_cache_put(&lwi_chain_cache, key, 1);
    lwi_emit_degraded_now(self);
    __atomic_fetch_or(&lwi_sem_signal_bits, lwi_sem_signal_bit(sem), __ATOMIC_RELAXED);
}

bool lwi_track_sem_post(struct lwi_thread *self, uint64_t addr, uint8_t flags)
{
    struct lwi_held_stack *h = &self->held;
    long i = lwi_held_find(h, addr);
    if (i >= 0 && lwi_held_at(h, (uint32_t)i)->ref.type == LW_LOCK_SEM) {
        lwi_sem_drop(self, (uint32_t)i);
        return true;
    }
    lwi_track_sem_signal(self, (const void *)(uintptr_t)addr, flags, LW_SEM_POSTED_UNHELD);
    return false;
}

void lwi_track_sem_forget(struct lwi_thread *self, uint64_t addr)
{
    long i = lwi_held_find(&self->held, addr);
    if (i >= 0) lwi_sem_drop(self, (uint32_t)i);
}

void lwi_track_sem_tried(struct lwi_thread *self, const void *sem, uint8_t flags)
{
    struct lwi_held_stack *h = &self->held;
    long i = lwi_held_find(h, (uint64_t)(uintptr_t)sem);
    if (i < 0) return;
    const struct lwi_held_entry *e = lwi_held_at(h, (uint32_t)i);
    /* an entry of an earlier generation (the memory was re-used) is only stale */
    bool same =
        e->ref.type == LW_LOCK_SEM && e->ref.generation == lwi_gen_use((uint64_t)(uintptr_t)sem);
    lwi_sem_drop(self, (uint32_t)i);
    if (same) lwi_track_sem_signal(self, sem, flags, LW_SEM_RETAKEN);
}
