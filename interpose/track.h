/* track.h — what every wrapper does around its real call: the held-stack bookkeeping, the
 * lock-order decision (fast path: the memo, else one chain-cache lookup) and misuse detection.
 * Every function here runs under the re-entry guard of the calling thread (tls.h), and all but
 * lwi_track_release's fast path return with it still held.
 *
 * Acquisition:
 *   lwi_track_attempt   before a blocking or timed call — recursion, double-lock, chain lookup,
 *                       and the ACQUIRE record of a new chain, sent before the thread can block;
 *                       for trylock and the re-acquisition after a condition wait it is called
 *                       after the real call succeeded (those cannot be interrupted by a deadlock
 *                       we could still report); a trylock makes no edge, so its cache
 *                       entry is per lock and site, not per chain (lwi_track_try_key);
 *   lwi_track_acquired  after the real call succeeded: push (or bump the recursion count).
 * Release:
 *   lwi_track_release   before the real unlock (misuse is checked there, while the owner fields
 *                       are still those of the holder).
 * The plain lock and unlock have their whole fast path in fastpath.h; the other acquisitions
 * use lwi_track_attempt_fast (the memo, else one chain-cache lookup) + lwi_track_push_fast, and
 * every release starts with lwi_track_pop_top (fastpath.h). Everything else is out of line.
 */
#ifndef LWI_TRACK_H
#define LWI_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "chain.h"
#include "fastpath.h"
#include "held.h"
#include "lockwatch/wire.h"
#include "profile.h"
#include "tls.h"

/* An acquisition in progress, on the wrapper's stack between attempt and acquired. */
struct lwi_acq {
    struct lw_lock_ref ref;
    uint64_t pc;         /* wrapper's return address: the program's call site */
    uint64_t lock_chain; /* keys of the entry this acquisition will push */
    uint64_t stack;      /* its stack id */
    /* set by a fast path that succeeded (lwi_track_attempt_fast): the memo slot (memo.h) that
     * lwi_track_push_fast copies, valid until this thread tracks anything else */
    const struct lwi_held_entry *entry;
    bool reentry;     /* recursive re-acquisition by the owner: bump the count */
    bool double_lock; /* a DOUBLE_LOCK misuse was sent for this attempt */
    bool signal;      /* a semaphore its taker waits on again: a signal, not pushed */
};

static inline void lwi_acq_init(struct lwi_acq *a, struct lw_lock_ref ref, uint64_t pc)
{
    a->ref = ref;
    a->pc = pc;
    a->lock_chain = 0;
    a->stack = 0;
    a->entry = NULL;
    a->reentry = false;
    a->double_lock = false;
    a->signal = false;
}

#define LWI_CALLER_PC() ((uint64_t)(uintptr_t)__builtin_return_address(0))

/* The full bookkeeping, out of line: any acquisition, including a lock already on the held stack
 * (recursion, double lock, stale entry) and a new chain (stack lookup and ACQUIRE). */
void lwi_track_attempt(struct lwi_thread *self, struct lwi_acq *a);
void lwi_track_acquired(struct lwi_thread *self, struct lwi_acq *a);
/* A trylock that already succeeded: attempt, then acquired. */
void lwi_track_took(struct lwi_thread *self, struct lwi_acq a) __attribute__((cold, noinline));
void lwi_track_release_slow(struct lwi_thread *self, uint64_t addr, uint8_t type)
    __attribute__((cold, noinline));
/* A memo miss of lwi_track_attempt_fast for the lock at `addr`, acquired as `kind` (lwi_memo_kind)
 * at `pc` on top of the chain `below`: true, with `slot` filled, when the chain cache knows the
 * acquisition. Out of line so that the memo hit, the path that matters, needs few registers;
 * not cold: a thread with more hot chains than memo slots comes here often. */
bool lwi_track_memo_refill(struct lwi_thread *self, struct lwi_held_entry *slot, uint64_t below,
                           uint64_t addr, uint64_t pc, uint32_t kind) __attribute__((noinline));

/* The cache key of a trylock's stack: the key its acquisition would have with nothing held.
 * A trylock cannot block, so it makes no edge into the lock; its cache entry remembers its stack
 * (for edges out of it later) and that the lock was announced (track.c). Keyed by thread, lock
 * and site alone, those entries do not multiply with what is held around the trylock
 * (docs/internals.md, "The fast path": memcached's LRU trylocks). */
static inline uint64_t lwi_track_try_key(const struct lwi_thread *self,
                                         const struct lw_lock_ref *ref, uint64_t pc)
{
    return lwi_chain_lock_key(self->chain_root, ref, pc);
}

/* The fast path of an acquisition that repeats a known pattern: true when the lock is not on the
 * held stack, the acquisition is in the thread's memo (memo.h) or else in the chain cache
 * (lwi_track_memo_refill: one key mix, one probe, and the memo slot is filled from it), and the
 * held stack has room for the push; a->entry, a->lock_chain, a->stack and a->ref's flags and
 * generation (the slot's: a refill reads the generation again) are then set. False: nothing was
 * decided, the caller runs the full path. A trylock's chain is cached under its own key
 * (lwi_track_try_key, above). Inline, so a wrapper that keeps `a` local keeps it in registers. */
static inline __attribute__((always_inline)) bool lwi_track_attempt_fast(struct lwi_thread *self,
                                                                         struct lwi_acq *a)
{
    uint64_t below;
    struct lwi_held_entry *top;
    if (!lwi_track_may_push(self, a->ref.addr, &below, &top)) return false;
    struct lwi_held_entry *slot = lwi_memo_slot(self->memo, below, a->ref.addr, a->pc);
    if (__builtin_expect(!lwi_memo_matches(slot, below, &a->ref, a->pc), 0) &&
        !lwi_track_memo_refill(self, slot, below, a->ref.addr, a->pc, lwi_memo_kind(&a->ref)))
        return false;
    a->entry = slot;
    a->lock_chain = slot->lock_chain;
    a->stack = slot->stack;
    a->ref.flags = slot->ref.flags;
    a->ref.generation = slot->ref.generation; /* the key's: the fast path leaves it unread */
    return true;
}

static inline __attribute__((always_inline)) void lwi_track_push_fast(struct lwi_thread *self,
                                                                      const struct lwi_acq *a)
{
    lwi_track_push_at(self, &self->held.entries[self->held.count], a->entry);
}

/* The real trylock failed: pops the entry lwi_track_push_at pushed and returns the acquisition
 * it was made from. */
static inline struct lwi_acq lwi_track_unpush(struct lwi_thread *self)
{
    const struct lwi_held_entry *e = &self->held.entries[--self->held.count];
    struct lwi_acq a;
    lwi_acq_init(&a, e->ref, e->pc);
    a.lock_chain = e->lock_chain;
    a.stack = e->stack;
    return a;
}

/* A trylock that succeeded (a->ref.acq has LW_ACQF_TRY). */
static inline __attribute__((always_inline)) void lwi_track_taken(struct lwi_thread *self,
                                                                  struct lwi_acq a)
{
    if (__builtin_expect(lwi_track_attempt_fast(self, &a), 1))
        lwi_track_push_fast(self, &a);
    else
        lwi_track_took(self, a);
    if (LWI_PROFILING()) lwi_profile_taken(self, &a.ref); /* --profile / --trace: profile.h */
}

/* A release, before the real unlock (acquire.c: lwi_release_entered; fastpath.h: lwi_release makes
 * the same fast path inline):
 *     if (lwi_track_release(self, addr, type)) return REAL_LIVE(x_unlock)(lock);  // tail call
 *     rc = REAL_LIVE(x_unlock)(lock);          // still under the guard: unlock never blocks
 *     lwi_leave(self);
 * Fast path: lwi_track_pop_top, then the guard is left, so the wrapper's last act is the real
 * unlock and nothing of ours runs after it (docs/internals.md, "The fast path"). For those few
 * instructions the lock is held
 * but off the stack: a signal handler that locks in that window misses one edge, never gains a
 * false one, and a non-owner's unlock-unowned report made in it lacks the owner's acquisition
 * stack. Anything else (recursion count, a release out of order, a lock we do not hold) runs
 * lwi_track_release_slow and returns false with the guard still held, before the real unlock,
 * while the owner fields of the lock are still those of its holder. `type` is the lock family
 * (enum lw_lock_type); the full identity is built only for misuse. */
static inline __attribute__((always_inline)) bool lwi_track_release(struct lwi_thread *self,
                                                                    uint64_t addr, uint8_t type)
{
    if (__builtin_expect(lwi_track_pop_top(self, addr), 1)) {
        lwi_leave(self);
        return true;
    }
    lwi_track_release_slow(self, addr, type);
    return false;
}

/* After the real call of an acquisition whose attempt was tracked: pushes it if `acquired`. */
static inline void lwi_track_finish(struct lwi_thread *self, struct lwi_acq *a, bool acquired)
{
    if (!acquired || !lwi_reenter(self)) return;
    lwi_track_acquired(self, a);
    if (LWI_PROFILING()) lwi_profile_taken(self, &a->ref); /* --profile / --trace: profile.h */
    lwi_leave(self);
}

/* True if the lock object names an owner (a mutex's, a write-locked rwlock's): read before a
 * destroy. Counters are no evidence (an over-unlock leaves glibc's user count non-zero). */
bool lwi_track_lock_busy(const struct lw_lock_ref *ref);
/* After the real destroy, called at `pc`, returned `rc`: DESTROY_LOCKED misuse when a held stack
 * (this thread's or another's) has the lock, or the object named an owner (`busy_before`) the
 * held stacks do not know; on success, forget our entry, record the destroy (lifecycle.h) and
 * start a new generation. */
void lwi_track_destroy(struct lwi_thread *self, const struct lw_lock_ref *ref, bool busy_before,
                       int rc, uint64_t pc);
/* True if the lock object looks held: it names an owner, or it is read-locked or a locked
 * spinlock. Read before an init, it decides whether the held stacks are searched for a holder. */
bool lwi_track_maybe_held(const struct lw_lock_ref *ref);
/* After a successful *_init of `ref` at `pc`, `busy_before` what lwi_track_maybe_held said before
 * it: reinit-live checks (lifecycle.h), then the address starts a new generation. */
void lwi_track_init(struct lwi_thread *self, const struct lw_lock_ref *ref, bool busy_before,
                    uint64_t pc);

/* Condition waits: the mutex leaves the held stack for the wait (saved in *saved, returns
 * whether it was there) and comes back afterwards as a CONDWAIT acquisition. */
bool lwi_track_cond_release(struct lwi_thread *self, uint64_t addr, struct lwi_held_entry *saved);
void lwi_track_cond_reacquire(struct lwi_thread *self, struct lw_lock_ref ref, uint64_t pc,
                              const struct lwi_held_entry *saved);
/* Puts a saved entry back on top unchanged but for its keys (cancelled condition wait). */
void lwi_track_restore(struct lwi_thread *self, const struct lwi_held_entry *saved);

/* Semaphores (wrap_semlock.c; docs/internals.md, "Semaphores"). A semaphore is tracked as a lock
 * (LW_LOCK_SEM) until it behaves as a signal, which lwi_track_sem_signal tells the driver (once
 * per generation while the chain cache keeps it): a wait or a try by the thread that took it and
 * has not posted it (lwi_track_attempt drops the entry and sets a->signal; lwi_track_sem_tried
 * for a try that failed), a post by a thread that
 * does not hold it (lwi_track_sem_post), an init with a value other than 1.
 * lwi_track_sem_post: the slow path of a post that lwi_track_pop_top did not take; true when it
 * released the poster's hold, false when the post is a signal. lwi_track_sem_forget: the
 * semaphore's memory is re-made (init, destroy): the thread's entry goes, silently. */
void lwi_track_sem_signal(struct lwi_thread *self, const void *sem, uint8_t flags, uint32_t why);
bool lwi_track_sem_post(struct lwi_thread *self, uint64_t addr, uint8_t flags);
void lwi_track_sem_forget(struct lwi_thread *self, uint64_t addr);
/* Whether this generation of `sem` was reported a signal and the chain cache still says so (a
 * miss, after an eviction, makes a signal's wait look like an acquisition: a hold, no record).
 * A bit per hash of the address, set when a semaphore is reported a signal, spares the lookup for
 * the others (a semaphore used as a lock pays a multiply and a load per wait). */
extern uint64_t lwi_sem_signal_bits;
static inline uint64_t lwi_sem_signal_bit(const void *sem)
{
    return 1ull << (((uint64_t)(uintptr_t)sem * 0x9e3779b97f4a7c15ull) >> 58);
}
bool lwi_track_sem_known_signal_slow(const void *sem, uint8_t flags);
static inline bool lwi_track_sem_known_signal(const void *sem, uint8_t flags)
{
    return (__atomic_load_n(&lwi_sem_signal_bits, __ATOMIC_RELAXED) & lwi_sem_signal_bit(sem)) &&
           lwi_track_sem_known_signal_slow(sem, flags);
}
/* A failed sem_trywait: when the thread holds the semaphore, it is a signal (entry dropped). */
void lwi_track_sem_tried(struct lwi_thread *self, const void *sem, uint8_t flags);

/* Thread end (trampoline threads): EXIT_HOLDING misuse per held lock (but those another
 * thread's unlock released), then THREAD_EXIT. */
void lwi_track_thread_exit(struct lwi_thread *self, uint64_t exit_stack);

#endif
