/* track.h — what every wrapper does around its real call: the held-stack bookkeeping, the
 * lock-order decision (fast path: one chain-cache lookup) and misuse detection. Every function
 * here runs under the re-entry guard of the calling thread (tls.h).
 *
 * Acquisition:
 *   lwi_track_attempt   before a blocking or timed call — recursion, double-lock, chain lookup,
 *                       and the ACQUIRE record of a new chain, sent before the thread can block;
 *                       for trylock and the re-acquisition after a condition wait it is called
 *                       after the real call succeeded (those cannot be interrupted by a deadlock
 *                       we could still report);
 *   lwi_track_acquired  after the real call succeeded: push (or bump the recursion count).
 * Release:
 *   lwi_track_release   before the real unlock (the owner fields are still those of the holder).
 */
#ifndef LWI_TRACK_H
#define LWI_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "held.h"
#include "lockwatch/wire.h"
#include "tls.h"

/* An acquisition in progress, on the wrapper's stack between attempt and acquired. */
struct lwi_acq {
    struct lw_lock_ref ref;
    uint64_t pc;         /* wrapper's return address: the program's call site */
    uint64_t lock_chain; /* keys of the entry this acquisition will push */
    uint64_t site_chain;
    uint64_t stack;   /* its stack id */
    bool reentry;     /* recursive re-acquisition by the owner: bump the count */
    bool double_lock; /* a DOUBLE_LOCK misuse was sent for this attempt */
};

static inline void lwi_acq_init(struct lwi_acq *a, struct lw_lock_ref ref, uint64_t pc)
{
    a->ref = ref;
    a->pc = pc;
    a->lock_chain = 0;
    a->site_chain = 0;
    a->stack = 0;
    a->reentry = false;
    a->double_lock = false;
}

#define LWI_CALLER_PC() ((uint64_t)(uintptr_t)__builtin_return_address(0))

void lwi_track_attempt(struct lwi_thread *self, struct lwi_acq *a);
void lwi_track_acquired(struct lwi_thread *self, struct lwi_acq *a);
/* `type` is the lock family (enum lw_lock_type); the full identity is built only for misuse. */
void lwi_track_release(struct lwi_thread *self, uint64_t addr, uint8_t type);

/* After the real call of an acquisition whose attempt was tracked: pushes it if `acquired`. */
static inline void lwi_track_finish(struct lwi_thread *self, struct lwi_acq *a, bool acquired)
{
    if (!acquired || !lwi_reenter(self)) return;
    lwi_track_acquired(self, a);
    lwi_leave(self);
}

/* True if the lock object says some thread holds it (read before a destroy). */
bool lwi_track_lock_busy(const struct lw_lock_ref *ref);
/* After the real destroy returned `rc`: DESTROY_LOCKED misuse when this thread holds the lock or
 * it was busy (`busy_before`), forget our entry and start a new generation on success. */
void lwi_track_destroy(struct lwi_thread *self, const struct lw_lock_ref *ref, bool busy_before,
                       int rc);
/* After a successful *_init: the address starts a new generation. */
void lwi_track_init(struct lwi_thread *self, uint64_t addr);

/* Condition waits: the mutex leaves the held stack for the wait (saved in *saved, returns
 * whether it was there) and comes back afterwards as a CONDWAIT acquisition. */
bool lwi_track_cond_release(struct lwi_thread *self, uint64_t addr, struct lwi_held_entry *saved);
void lwi_track_cond_reacquire(struct lwi_thread *self, struct lw_lock_ref ref, uint64_t pc,
                              const struct lwi_held_entry *saved);
/* Puts a saved entry back on top unchanged but for its keys (cancelled condition wait). */
void lwi_track_restore(struct lwi_thread *self, const struct lwi_held_entry *saved);

/* Thread end (trampoline threads): EXIT_HOLDING misuse per held lock, then THREAD_EXIT. */
void lwi_track_thread_exit(struct lwi_thread *self, uint64_t exit_stack);

#endif
