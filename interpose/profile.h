/* profile.h — lock contention profile and timeline (--profile, --trace): per acquisition, when
 * the thread began to acquire the lock, when it had it and when it let it go, sent to the driver
 * in batches of LW_REC_HOLDS records (wire.h).
 *
 * Opt-in and free when off: lwi_profile_on is set once by the constructor from the runtime knob
 * profile=1 (config.h) and never changes afterwards. Each wrapper tests it with one predicted
 * branch (LWI_PROFILING()) and, only when it is set, goes through this file:
 *   lock      lwi_profile_acquire() replaces the rest of the wrapper body (the same bookkeeping
 *             through track.h and wait.h, plus a clock read before the attempt and after
 *             acquisition);
 *   unlock    lwi_profile_release() before the wrapper's usual path (clock read, event); also
 *             when a condition wait releases its mutex;
 *   trylock, timed lock, condition-wait re-acquisition: lwi_profile_taken() after success
 *             (the hold is timed, the wait is not: LW_HOLDF_NO_WAIT).
 * Every hook runs under the re-entry guard of tls.h, after lwi_enter() succeeded.
 * Clocks are CLOCK_MONOTONIC through the vDSO. Events go into a per-thread block (mmap'd, never
 * malloc), which keeps the thread's open holds too; a recursive re-acquisition only counts.
 * Blocks are sent when full, at thread exit (lwi_profile_thread_exit), at process exit (a
 * destructor sends every thread's block, open holds as LW_HOLDF_HELD_AT_EXIT) and before fork.
 * Blocks are recycled, never unmapped, so the exit flush can walk them while threads still run. */
#ifndef LWI_PROFILE_H
#define LWI_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "lockwatch/wire.h"

struct lwi_thread;

/* Read-mostly: written once by the constructor before the runtime turns active. */
extern bool lwi_profile_on;

#define LWI_PROFILING() __builtin_expect(lwi_profile_on, 0)

/* Constructor: turns profiling on when the knob asks for it (call after the channel is open). */
void lwi_profile_init(void);

/* The whole of a plain blocking acquisition (mutex, mtx, rwlock rd/wr, spin; which one from
 * `ref`) while profiling: what the wrapper would do, timed. Called under the guard, which it
 * leaves; returns the real call's result. */
int lwi_profile_acquire(struct lwi_thread *self, void *lock, struct lw_lock_ref ref, uint64_t pc)
    __attribute__((cold, noinline));

/* Before the real unlock (or the release of a condition wait) of the lock at `addr`: ends its
 * hold. Under the guard. */
void lwi_profile_release(struct lwi_thread *self, uint64_t addr) __attribute__((cold, noinline));

/* After an acquisition that already succeeded and whose wait is not measured (trylock, timed
 * lock, condition-wait re-acquisition). Under the guard. */
void lwi_profile_taken(struct lwi_thread *self, const struct lw_lock_ref *ref)
    __attribute__((cold, noinline));

/* Thread end (trampoline threads), under the guard: holds still open end now, block sent. */
void lwi_profile_thread_exit(struct lwi_thread *self) __attribute__((cold, noinline));

/* fork: the parent sends the forking thread's events first (they are not the child's); the child
 * keeps only its own block (the other threads' blocks are the parent's to send). */
void lwi_profile_before_fork(void);
void lwi_profile_after_fork_child(struct lwi_thread *self);

#endif
