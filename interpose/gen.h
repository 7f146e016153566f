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
#define LWI_GEN_UNIT_SHIFT 3u

/* In .bss: untouched pages cost nothing, and the fast path reaches a counter without loading a
 * pointer first. */
extern _Atomic uint32_t lwi_gen_table[1u << LWI_GEN_LOG2];

/* The address's 8-byte unit within its 8 MiB window, xored with the window number: a few
 * instructions on every acquisition, and locks near each other in memory get counters near each
 * other, so a program's locks (an array of item locks, a pool) share a few pages of the table
 * that stay in cache instead of costing a cache and TLB miss each (memcached's 1,024 item locks
 * spread over 1,024 pages of a hashed table did). The window number keeps locks at the same
 * offset of aligned regions apart (glibc's per-thread malloc heaps are 64 MiB-aligned: without
 * it, each thread's first malloc'd mutex shared one counter). Two locks in one unit (two 4-byte
 * spinlocks side by side) share a counter: either's init or destroy renames both. */
#define LWI_GEN_WINDOW_SHIFT (LWI_GEN_UNIT_SHIFT + LWI_GEN_LOG2)
static inline _Atomic uint32_t *lwi_gen_slot(uint64_t addr)
{
    uint64_t unit = addr >> LWI_GEN_UNIT_SHIFT, window = addr >> LWI_GEN_WINDOW_SHIFT;
    return &lwi_gen_table[(unit ^ window) & ((1u << LWI_GEN_LOG2) - 1)];
}

static inline uint32_t lwi_gen_get(uint64_t addr)
{
    return atomic_load_explicit(lwi_gen_slot(addr), memory_order_relaxed);
}

static inline void lwi_gen_bump(uint64_t addr)
{
    atomic_fetch_add_explicit(lwi_gen_slot(addr), 1, memory_order_relaxed);
}

#endif
