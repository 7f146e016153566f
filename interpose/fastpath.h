/* fastpath.h — the plain lock and unlock of every family (pthread mutex, C11 mtx, rwlock read and
 * write, spinlock): the calls a lock-heavy program makes millions of times a second, and those a
 * contended lock makes while it is held.
 *
 * Each exported wrapper is one inline call of lwi_acquire or lwi_release, written so that its fast
 * path (a known pattern: track.h) saves no more registers than it must: the unlock needs no stack
 * frame at all and ends in a jump to the real unlock; the lock saves one register (the TLS offset
 * it uses after the trylock), which the stack alignment of that call would cost anyway.
 * Everything else leaves by a tail call, so the compiler saves nothing for it:
 *   lock     guard not idle (new or passive thread, re-entry)  -> lwi_acquire_unentered
 *            --profile / --trace                                -> lwi_profile_acquire
 *            memo miss, lock already held, no room              -> lwi_acquire_missed
 *            the real trylock failed                            -> lwi_wait_staged (wait.h)
 *   unlock   guard not idle                                     -> lwi_release_unentered
 *            --profile / --trace, or anything but the top
 *            entry held once                                    -> lwi_release_entered
 * On the way to the real trylock the wrapper keeps nothing live across it: a failure finds the
 * lock in the entry it pushed (lwi_wait_staged) and the thread in its TLS. Shorter wrappers matter
 * twice under contention: the unlock's bookkeeping and the lock's return run inside the critical
 * section, and a lock held longer is handed over more often (bench/run.sh, "mutex 2t/1 lock").
 * Both run under the re-entry guard of tls.h, as every wrapper does. */
#ifndef LWI_FASTPATH_H
#define LWI_FASTPATH_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <threads.h>

#include "family.h"
#include "profile.h"
#include "real.h"
#include "track.h"
#include "wait.h"

_Static_assert(thrd_success == 0, "a real trylock of every family succeeds with 0");

/* The out-of-line parts (acquire.c). `type` and `mode` say which family and which real calls. */
int lwi_acquire_unentered(void *lock, uint8_t type, uint8_t mode, uint64_t pc)
    __attribute__((cold, noinline));
int lwi_acquire_missed(struct lwi_thread *self, void *lock, uint8_t type, uint8_t mode, uint64_t pc)
    __attribute__((noinline));
int lwi_release_unentered(void *lock, uint8_t type) __attribute__((cold, noinline));
int lwi_release_entered(struct lwi_thread *self, void *lock, uint8_t type)
    __attribute__((cold, noinline));

/* The body of a plain blocking lock call on `lock` from the program's call site `pc`. */
static inline __attribute__((always_inline)) int lwi_acquire(void *lock, uint8_t type, uint8_t mode,
                                                             uint64_t pc)
{
    struct lwi_thread *self = &lwi_tls;
    if (__builtin_expect(!lwi_enter_plain(self), 0))
        return lwi_acquire_unentered(lock, type, mode, pc);
    struct lw_lock_ref ref = lwi_ref_unread(lock, type, mode, 0);
    const struct lwi_held_entry *slot = lwi_track_memo_hit(self, &ref, pc);
    if (__builtin_expect(!slot, 0)) return lwi_acquire_missed(self, lock, type, mode, pc);
    lwi_track_push_slot(self, slot);
    /* under the guard: a trylock neither blocks nor calls back into us */
    int rc = lwi_family_try_live(type, mode, lock);
    if (__builtin_expect(rc != 0, 0)) return lwi_wait_staged(rc);
    lwi_leave(self);
    return 0;
}

/* The body of an unlock call. */
static inline __attribute__((always_inline)) int lwi_release(void *lock, uint8_t type)
{
    struct lwi_thread *self = &lwi_tls;
    if (__builtin_expect(!lwi_enter_plain(self), 0)) return lwi_release_unentered(lock, type);
    if (!lwi_track_pop_top(self, (uint64_t)(uintptr_t)lock))
        return lwi_release_entered(self, lock, type);
    lwi_leave(self);
    return lwi_family_unlock_live(type, lock);
}

#endif
