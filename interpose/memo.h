/* memo.h — each thread's memo of the acquisitions it repeats: the first thing the fast path of a
 * blocking lock call looks at.
 *
 * A slot is a ready-made held-stack entry for one (chain below, lock, call site): exactly what
 * the fast path (fastpath.h) copies onto the held stack. A hit stands in for the chain-key mix and
 * the chain-cache probe, with loads and compares alone (docs/internals.md, "The fast path").
 *
 * Direct-mapped, LWI_MEMO_SLOTS slots in a page the thread maps when it becomes known (tls.h; not
 * in its TLS block, which glibc carves out of every thread's stack). A slot is filled from a
 * chain-cache hit (track.c: lwi_track_memo_refill) and overwritten by the next acquisition that
 * maps to it; a thread whose hot chains outnumber the slots falls back to the cache at the cost of
 * one slot fill. A hit means what a cache hit means, that this thread made the chain and the driver
 * knows it, so a slot stays right when the chain cache later forgets the key (that only saves a
 * re-send). The slot keeps the generation stamp of its lock's address (gen.h) from when it was
 * filled: a slot whose lock has since died (destroyed, re-initialised, its memory freed) misses,
 * without the fast path looking the address up in the generation table. The flags are
 * those the cache gave when the slot was filled; a slow path of this thread that finds them stale
 * (a lock re-made as another kind without *_init, chain.h) clears its memo (track.c). Another
 * thread's memo may keep the stale flags until that thread meets them itself; no decision rests
 * on them (track.c reads the lock's flags for relocks), only the flags its records carry. A
 * fork child, renumbered, starts with an empty memo (fork.c). Only the owning thread reads or
 * writes its memo, under its guard, so a signal handler cannot change a slot between its check
 * and its copy. */
#ifndef LWI_MEMO_H
#define LWI_MEMO_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "gen.h"
#include "held.h"

#define LWI_MEMO_LOG2 5u
#define LWI_MEMO_SLOTS (1u << LWI_MEMO_LOG2) /* 2 KiB per thread */

struct lwi_memo {
    _Alignas(64) struct lwi_held_entry slots[LWI_MEMO_SLOTS]; /* a slot per cache line */
};

/* The memo of a thread whose own could not be mapped (tls.h: lwi_thread_storage): every slot stays
 * empty, so nothing ever matches, and lwi_memo_usable keeps it from being filled. */
extern struct lwi_memo lwi_memo_none;

static inline bool lwi_memo_usable(const struct lwi_memo *m)
{
    return m != &lwi_memo_none;
}

/* The slot of an acquisition. `below` is a chain key (well mixed); the two shifts of the address
 * spread locks laid out in arrays of 8- to 512-byte elements. Loads and shifts only: this is
 * on the path to the trylock. */
static inline struct lwi_held_entry *lwi_memo_slot(struct lwi_memo *m, uint64_t below,
                                                   uint64_t addr, uint64_t pc)
{
    uint64_t x = below ^ pc ^ addr >> 3 ^ addr >> 9;
    return &m->slots[x & (LWI_MEMO_SLOTS - 1)];
}

/* A ref's type, mode and acq in one word, so a slot is checked with one compare for them (in a
 * wrapper, `ref`'s are constants and so is this). */
static inline uint32_t lwi_memo_kind(const struct lw_lock_ref *ref)
{
    return (uint32_t)ref->type | (uint32_t)ref->mode << 8 | (uint32_t)ref->acq << 16;
}

/* Is `slot` the entry for acquiring `ref` at `pc` on top of the chain `below`, and is its lock's
 * generation still the live one? The flags and generation of `ref` are not compared: the slot
 * supplies them. An empty slot has address 0, which no lock has. */
static inline bool lwi_memo_matches(const struct lwi_held_entry *slot, uint64_t below,
                                    const struct lw_lock_ref *ref, uint64_t pc)
{
    return slot->ref.addr == ref->addr && slot->pc == pc && slot->memo_below == below &&
           slot->memo_kind == lwi_memo_kind(ref) && slot->memo_stamp == lwi_gen_stamp(ref->addr);
}

/* Makes `slot` the entry of an acquisition whose chain `lock_chain` the cache knows, made with
 * stack `stack` (ref->flags as the cache gave them); `stamp` is the lock's generation stamp, read
 * before ref.generation was. */
static inline void lwi_memo_fill(struct lwi_held_entry *slot, uint64_t below,
                                 struct lw_lock_ref ref, uint32_t stamp, uint64_t pc,
                                 uint64_t lock_chain, uint64_t stack)
{
    *slot = (struct lwi_held_entry){.ref = ref,
                                    .pc = pc,
                                    .lock_chain = lock_chain,
                                    .memo_stamp = stamp,
                                    .stack = stack,
                                    .count = 1,
                                    .memo_kind = lwi_memo_kind(&ref),
                                    .memo_below = below};
}

static inline void lwi_memo_clear(struct lwi_memo *m)
{
    if (lwi_memo_usable(m)) memset(m, 0, sizeof *m);
}

#endif
