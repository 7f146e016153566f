/* gen.h — lock generations: the second half of a lock's identity (address + generation).
 *
 * A direct-mapped table of 2^20 atomic counters indexed by the lock address (lwi_gen_slot); *_init
 * and a successful *_destroy bump the counter of their address, so a lock whose memory is freed
 * and reused for another lock gets a new identity and cannot close a false cycle with its
 * predecessor. Lossy by design: two addresses that share a counter rename each other's locks
 * when either is initialised or destroyed (a renamed lock just looks like a new lock; the cost
 * is a missed edge across the rename, never a false one). */
#ifndef LWI_GEN_H
#define LWI_GEN_H

#include <stdatomic.h>
#include <stdint.h>

#define LWI_GEN_LOG2 20u

/* Mapped by the constructor before any thread can track, and never unmapped; lookups are made
 * only by tracking threads (a lock's identity is built only on tracked paths), so they do not
 * test for NULL. */
extern _Atomic uint32_t *lwi_gen_table;

int lwi_gen_init(void);

/* Locks that are near each other in memory get counters near each other in the table: the
 * address's 8-byte unit within its 32 KiB region picks one of 4,096 consecutive counters (16 KiB
 * of table), and the region, hashed, picks which 4,096. A program's locks mostly sit in a few
 * regions (an array of item locks, a pool), so their counters share a few pages and stay in cache
 * instead of costing a cache and TLB miss each (memcached's 1,024 item locks spread over 1,024
 * pages of a hashed table did). Two units of the same region never share a counter; two locks in
 * one unit do (two 4-byte spinlocks side by side), which only renames both when either is
 * initialised or destroyed. */
#define LWI_GEN_UNIT_SHIFT 3u
#define LWI_GEN_REGION_SHIFT 15u
_Static_assert(LWI_GEN_LOG2 > LWI_GEN_REGION_SHIFT - LWI_GEN_UNIT_SHIFT,
               "the table holds more than one region's block of counters");
static inline _Atomic uint32_t *lwi_gen_slot(uint64_t addr)
{
    uint64_t region = (addr >> LWI_GEN_REGION_SHIFT) * 0x9e3779b97f4a7c15ull;
    uint64_t unit =
        (addr >> LWI_GEN_UNIT_SHIFT) & ((1ull << (LWI_GEN_REGION_SHIFT - LWI_GEN_UNIT_SHIFT)) - 1);
    uint64_t block = region >> (64 - LWI_GEN_LOG2 + LWI_GEN_REGION_SHIFT - LWI_GEN_UNIT_SHIFT);
    return &lwi_gen_table[block << (LWI_GEN_REGION_SHIFT - LWI_GEN_UNIT_SHIFT) | unit];
}

static inline uint32_t lwi_gen_get(uint64_t addr)
{
    return atomic_load_explicit(lwi_gen_slot(addr), memory_order_relaxed);
}

static inline void lwi_gen_bump(uint64_t addr)
{
    if (lwi_gen_table) atomic_fetch_add_explicit(lwi_gen_slot(addr), 1, memory_order_relaxed);
}

#endif
