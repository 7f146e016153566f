/* lifecycle.h — misuse of a lock's life: use after destroy or without init (invalid-lock), a
 * second init of a live lock (reinit-live), and holds that another thread's unlock ended (so
 * that the holder's exit is no exit-holding-lock).
 *
 * Judged from lockwatch's own records (lockstate.h: the init and destroy calls its wrappers saw;
 * the held stacks), with the lock object only as corroboration: glibc 2.36 marks a destroyed
 * mutex (kind -1) and fails every later call with EINVAL, so a use is reported only when the
 * object still carries that mark (a lock re-made in place by a static initialiser, as
 * std::mutex's memory is, is a new lock). rwlocks and spinlocks keep no such mark in glibc (their
 * destroy does nothing), so their use after destroy cannot be told from a new lock made in place:
 * not reported. Every function runs on a slow path, under the guard. */
#ifndef LWI_LIFECYCLE_H
#define LWI_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "lockwatch/wire.h"

struct lwi_thread;

/* A lock, unlock, timed lock or condition wait is about to act on `ref` (mutex or mtx; other
 * families return false). When the object holds no valid mutex, sends INVALID_LOCK (with the
 * destroy the runtime saw) or UNINITIALISED, and returns true. */
bool lwi_lifecycle_check_use(struct lwi_thread *self, const struct lw_lock_ref *ref);

/* Outside the guard: a real trylock of the mutex or mtx `lock` (`type`) failed as on an invalid
 * lock (EINVAL, thrd_error); checks it as lwi_lifecycle_check_use does. */
void lwi_lifecycle_call_failed(const void *lock, uint8_t type) __attribute__((cold, noinline));

/* After a successful init of `ref` called at `pc`: REINIT_HELD when a thread holds it (held
 * stacks; other threads' are searched only if the object looked held before the init,
 * `maybe_held`, so that an init costs no scan of every thread), REINIT_LIVE when an earlier init
 * of this static lock was not ended by a destroy; then records this init. */
void lwi_lifecycle_init(struct lwi_thread *self, const struct lw_lock_ref *ref, bool maybe_held,
                        uint64_t pc);

/* After a successful destroy of `ref` called at `pc`: records it. */
void lwi_lifecycle_destroyed(struct lwi_thread *self, const struct lw_lock_ref *ref, uint64_t pc);

/* This thread unlocked `addr`, held by thread `tid` per its held stack: `tid`'s hold is over. */
void lwi_lifecycle_released(struct lwi_thread *self, uint64_t addr, int32_t tid);
/* Was this thread's hold of `addr` ended by another thread's unlock? Forgets it (true once). */
bool lwi_lifecycle_take_released(const struct lwi_thread *self, uint64_t addr);

#endif
