/* chain.h — chain keys and the cache that makes repeated lock patterns free.
 *
 * Every held entry carries a running key:
 *   lock_chain = mix(lock_chain of the entry below, lock address, generation, family, mode,
 *                    acquisition flags, caller pc) — identifies "this thread, these held locks,
 *                    then this one from this site"; a new acquisition's key is computed the same
 *                    way from the current top. Below the first held lock is the thread's own root
 *                    (lwi_chain_thread_root), so each thread reports each chain once: a cycle
 *                    whose edges were all first seen in one thread is not mistaken for a
 *                    single-thread cycle when another thread repeats them later.
 * Lock-chain cache: key → stack id of the acquisition that first made it (unwound then, never
 * borrowed from another thread, lock or generation). A hit means the chain was already reported
 * (lossy, cache.h: a miss costs a re-send and an unwind, never a lost edge); for a chain of one
 * lock (nothing held, no edge to report) it only remembers the stack. Keys are pure arithmetic,
 * so removing a held entry from the middle just recomputes the keys above it. */
#ifndef LWI_CHAIN_H
#define LWI_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "depot.h"
#include "hash.h"
#include "held.h"
#include "lockwatch/wire.h"

#define LWI_CHAIN_ROOT 0x6c6f636b77617463ull /* site key "below" the first held lock */

extern struct lwi_cache lwi_chain_cache;

int lwi_chain_init(void);

/* Three multiply-xor rounds, one input each (an odd multiplier is a bijection, so for a fixed rest
 * every input value gives a different key), then a fold of the high half into the low bits the
 * cache indexes by. About a dozen instructions: this runs on every acquisition. */
static inline uint64_t lwi_chain_lock_key(uint64_t below, const struct lw_lock_ref *ref,
                                          uint64_t pc)
{
    /* not the flags: a lock's flags cannot change within one generation, and the fast path
     * learns them from the cache value (lwi_chain_value) */
    uint64_t packed = (uint64_t)ref->generation << 32 | (uint64_t)ref->type << 24 |
                      (uint64_t)ref->mode << 8 | ref->acq;
    uint64_t x = (below ^ ref->addr) * 0x9e3779b97f4a7c15ull;
    x = (x ^ pc) * 0xc2b2ae3d27d4eb4full;
    x = (x ^ packed) * 0x165667b19e3779f9ull;
    return x ^ (x >> 32);
}

/* A lock-chain cache value: the stack id of the acquisition that made the chain (all ones when no
 * stack could be captured) and, in the top byte, the lock's flags (enum lw_lock_flags). Flags
 * cannot change within one generation, so a hit gives them without reading the lock object: the
 * fast path touches the lock only through the real trylock. A lock re-made in place without *_init
 * and without its memory being freed (a static initialiser assigned over a live object) keeps its
 * predecessor's generation, so its identity merges with the predecessor's (gen.h) and the cached
 * flags may be stale: the decisions that depend on them (recursion, relocks) are made on slow paths
 * that read the flags from the lock object, and those correct the cache (track.c). Never 0 (an
 * empty slot). */
static inline uint64_t lwi_chain_value(uint64_t stack, uint8_t flags)
{
    return (stack ? stack : LWI_STACK_ID_MASK) | (uint64_t)flags << 56;
}

static inline uint64_t lwi_chain_value_stack(uint64_t v)
{
    uint64_t stack = v & LWI_STACK_ID_MASK;
    return stack == LWI_STACK_ID_MASK ? 0 : stack;
}

static inline uint8_t lwi_chain_value_flags(uint64_t v)
{
    return (uint8_t)(v >> 56);
}

/* The lock key "below" the first lock held by thread `number` in its epoch `epoch` (wire.h): a
 * new epoch (after a create or a join) reports the thread's chains again, so the driver learns
 * the epochs in which each was taken. */
static inline uint64_t lwi_chain_thread_root(uint32_t number, uint32_t epoch)
{
    return LWI_CHAIN_ROOT + (uint64_t)number * 0xd6e8feb86659fd93ull +
           (uint64_t)epoch * 0x9fb21c651e98df25ull;
}

/* The key of a call site (a pc on top of a salt or another site key), for the stack caches of
 * condition waits, signals, inits and destroys (site.h). */
static inline uint64_t lwi_chain_site_key(uint64_t below, uint64_t pc)
{
    return lwi_mix64(below + pc * 0x27d4eb2f165667c5ull);
}

static inline uint64_t lwi_chain_lock_below(const struct lwi_held_stack *h, uint64_t root)
{
    return h->count ? h->entries[h->count - 1].lock_chain : root;
}

/* Recomputes the lock keys of entries [from, count) above the thread root `root` after an entry
 * below them was removed or the root changed. */
void lwi_chain_rekey(struct lwi_held_stack *h, uint32_t from, uint64_t root);

#endif
