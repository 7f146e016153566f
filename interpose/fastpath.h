/* fastpath.h — the whole fast path of a plain lock and unlock call (pthread mutex, C11 mtx, rwlock
 * read and write, spinlock), the calls a lock-heavy program makes millions of times a second.
 *
 * Lock: arm the guard (tls.h), check that the held stack has room and does not hold the lock,
 * find the acquisition in the thread's memo (memo.h: same lock, call site and chain below, lock
 * generation unchanged), copy the memo slot onto the held stack, call the real trylock under
 * the guard (it neither blocks nor calls back into us), leave the guard.
 * Unlock: arm the guard, pop the top entry if it is this lock held once, leave the guard, jump
 * to the real unlock.
 * Anything else leaves by a tail call, so the compiler saves nothing for it:
 *   lock     guard not idle, or a detour (new or passive thread, re-entry, --profile)
 *                                                         -> lwi_acquire_unentered (acquire.c)
 *            lock already held, no room, memo miss        -> lwi_acquire_missed (acquire.c)
 *            the real trylock failed                      -> lwi_wait_staged (wait.c)
 *   unlock   guard not idle, or a detour                  -> lwi_release_unentered (acquire.c)
 *            anything but the top entry held once         -> lwi_release_entered (acquire.c)
 * The expected machine code and the measurements are in docs/internals.md, "The fast path". */
#ifndef LWI_FASTPATH_H
#define LWI_FASTPATH_H

#include <stdbool.h>
#include <stdint.h>
#include <threads.h>

#include "family.h"
#include "held.h"
#include "memo.h"
#include "tls.h"

_Static_assert(thrd_success == 0, "a real trylock of every family succeeds with 0");

/* The out-of-line exits. `type` and `mode` say which family and which real calls. */
int lwi_acquire_unentered(void *lock, uint8_t type, uint8_t mode, uint64_t pc)
    __attribute__((cold, noinline));
int lwi_acquire_missed(struct lwi_thread *self, void *lock, uint8_t type, uint8_t mode, uint64_t pc)
    __attribute__((noinline));
int lwi_release_unentered(void *lock, uint8_t type) __attribute__((cold, noinline));
int lwi_release_entered(struct lwi_thread *self, void *lock, uint8_t type)
    __attribute__((cold, noinline));
/* The real trylock returned `rc` != 0 after the entry was pushed: the entry is popped and becomes
 * the acquisition, of the lock at its address, by the calling thread (wait.c). */
int lwi_wait_staged(int rc) __attribute__((cold, noinline));

/* The checks every acquisition fast path starts with: the held stack has room for a push and
 * `addr` is not on it (a scan, a few entries deep in practice). Sets *below to the chain the
 * acquisition goes on top of (the top entry's, or the thread's root) and *top to the free entry. */
static inline __attribute__((always_inline)) bool lwi_track_may_push(const struct lwi_thread *self,
                                                                     uint64_t addr, uint64_t *below,
                                                                     struct lwi_held_entry **top)
{
    const struct lwi_held_stack *h = &self->held;
    uint32_t n = h->count;
    if (__builtin_expect(n == h->capacity, 0)) return false; /* first use, or growth */
    struct lwi_held_entry *e = h->entries;
    for (uint32_t i = 0; i < n; i++)
        if (__builtin_expect(e[i].ref.addr == addr, 0)) return false;
    *below = e[(int64_t)n - 1].lock_chain; /* the sentinel's, the chain root, when n == 0 */
    *top = &e[n];
    return true;
}

/* Pushes `slot` into the free entry `top` that lwi_track_may_push found, by copying it; nothing
 * can change the stack or the slot in between (only this thread, under its guard, tracks
 * anything). The plain acquisitions push before the real trylock, so the stores stay out of the
 * new critical section and nothing of the acquisition has to survive the call in registers.
 * Readers from other threads may count the provisional entry, as they may miss one popped just
 * before the real unlock: off-by-ones they already tolerate from races. */
static inline __attribute__((always_inline)) void
lwi_track_push_at(struct lwi_thread *self, struct lwi_held_entry *top,
                  const struct lwi_held_entry *slot)
{
    *top = *slot;
    self->held.count++;
}

/* The LIFO pop every release tries first: when `addr` is the top entry, held once, pops it (nothing
 * above it to move or rekey) and returns true. An empty stack's top is the sentinel, which holds
 * no lock (held.h). */
static inline __attribute__((always_inline)) bool lwi_track_pop_top(struct lwi_thread *self,
                                                                    uint64_t addr)
{
    struct lwi_held_stack *h = &self->held;
    uint32_t n = h->count;
    const struct lwi_held_entry *top = &h->entries[(int64_t)n - 1];
    if (__builtin_expect(top->ref.addr != addr || top->count != 1, 0)) return false;
    h->count = n - 1;
    return true;
}

/* The body of a plain blocking lock call on `lock` from the program's call site `pc`. The held-
 * stack scan is not redundant with the memo's key: an entry pushed after a wait carries the key
 * computed before it, which a signal handler that kept a lock during the wait has made stale. */
static inline __attribute__((always_inline)) int lwi_acquire(void *lock, uint8_t type, uint8_t mode,
                                                             uint64_t pc)
{
    struct lwi_thread *self = &lwi_tls;
    if (__builtin_expect(!lwi_enter_plain(self), 0))
        return lwi_acquire_unentered(lock, type, mode, pc);
    struct lw_lock_ref ref = lwi_ref_unread(lock, type, mode, 0);
    uint64_t below;
    struct lwi_held_entry *top;
    if (__builtin_expect(!lwi_track_may_push(self, ref.addr, &below, &top), 0))
        return lwi_acquire_missed(self, lock, type, mode, pc);
    const struct lwi_held_entry *slot = lwi_memo_slot(self->memo, below, ref.addr, pc);
    if (__builtin_expect(!lwi_memo_matches(slot, below, &ref, pc), 0))
        return lwi_acquire_missed(self, lock, type, mode, pc);
    lwi_track_push_at(self, top, slot);
    int rc = lwi_family_try_live(type, mode, lock);
    if (__builtin_expect(rc != 0, 0)) return lwi_wait_staged(rc);
    lwi_leave(self);
    return 0;
}

/* The body of an unlock call. The guard is left before the real unlock, so nothing of ours runs
 * after it; a signal handler that locks in that window misses one edge, never gains a false one
 * (docs/internals.md, "The fast path"). */
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
