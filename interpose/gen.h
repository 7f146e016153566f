/* gen.h — lock generations: the second half of a lock's identity (address + generation), exact.
 *
 * Every 4-byte unit of the address space has its own 32-bit counter, kept in a sparse radix table
 * (a top array in .bss indexed by the 8 GiB region, mid nodes per 8 GiB, leaves of counters per
 * 2 MiB mapped on first use), so no two addresses ever share a counter: a lock is never renamed
 * by another. A counter's low bit says whether the generation it names was handed out (`used`):
 *   lwi_gen_use     (slow paths) makes sure the unit's leaf exists, marks the counter used and
 *                   returns it: that value is the lock's generation until the lock dies;
 *   lwi_gen_retire  (init, destroy, and free/munmap/realloc of memory holding the unit) ends a
 *                   used generation: the counter moves to the next even value, so the next use
 *                   hands out a new generation. A unit never used since the last retire is left
 *                   alone (nothing was named by it).
 * Each leaf also counts the units marked used per 4 KiB page and per 64-byte line, so that
 * retiring a range (every free) looks only at the lines that hold a live lock: a free of memory
 * in a region, page or line without one costs a radix lookup and a count or two.
 * The fast path never walks the table. It reads a stamp instead: a direct-mapped array of 2^20
 * counters in .bss, indexed by a hash of the address, bumped whenever a generation of any address
 * that maps there ends. A memo slot (memo.h) keeps the stamp it was filled under; an unchanged
 * stamp proves the lock's generation unchanged (its end would have bumped it), and a stamp moved
 * by another address only costs a refill from the exact table, never a wrong identity. One load
 * computed from the address alone, so it overlaps the slot's loads. Lock-free; never allocates
 * (leaves are mmap'd). */
#ifndef LWI_GEN_H
#define LWI_GEN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LWI_GEN_UNIT_SHIFT 2u  /* 4-byte units: two spinlocks side by side stay apart */
#define LWI_GEN_LEAF_SHIFT 21u /* a leaf covers 2 MiB of address space */
#define LWI_GEN_MID_SHIFT 33u  /* a mid node covers 8 GiB */
#define LWI_GEN_TOP_BITS 15u   /* 2^15 x 8 GiB: the 48-bit address space */
#define LWI_GEN_PAGE_SHIFT 12u
#define LWI_GEN_LEAF_UNITS (1u << (LWI_GEN_LEAF_SHIFT - LWI_GEN_UNIT_SHIFT))
#define LWI_GEN_LEAF_PAGES (1u << (LWI_GEN_LEAF_SHIFT - LWI_GEN_PAGE_SHIFT))
#define LWI_GEN_MID_SLOTS (1u << (LWI_GEN_MID_SHIFT - LWI_GEN_LEAF_SHIFT))

#define LWI_GEN_LINE_SHIFT 6u
#define LWI_GEN_LEAF_LINES (1u << (LWI_GEN_LEAF_SHIFT - LWI_GEN_LINE_SHIFT))

struct lwi_gen_leaf {
    _Atomic uint32_t counters[LWI_GEN_LEAF_UNITS];
    _Atomic uint16_t page_used[LWI_GEN_LEAF_PAGES]; /* units marked used, per 4 KiB page */
    _Atomic uint8_t line_used[LWI_GEN_LEAF_LINES];  /* the same per 64 bytes (16 units at most) */
};

struct lwi_gen_mid {
    struct lwi_gen_leaf *_Atomic leaves[LWI_GEN_MID_SLOTS];
};

extern struct lwi_gen_mid *_Atomic lwi_gen_top[1u << LWI_GEN_TOP_BITS];

/* The leaf covering `addr`, or NULL when none was ever needed there. */
static inline struct lwi_gen_leaf *lwi_gen_leaf_of(uint64_t addr)
{
    uint64_t top = addr >> LWI_GEN_MID_SHIFT;
    if (__builtin_expect(top >> LWI_GEN_TOP_BITS, 0)) return NULL;
    struct lwi_gen_mid *mid = atomic_load_explicit(&lwi_gen_top[top], memory_order_acquire);
    if (!mid) return NULL;
    return atomic_load_explicit(
        &mid->leaves[(addr >> LWI_GEN_LEAF_SHIFT) & (LWI_GEN_MID_SLOTS - 1)], memory_order_acquire);
}

static inline uint32_t lwi_gen_unit(uint64_t addr)
{
    return (uint32_t)(addr >> LWI_GEN_UNIT_SHIFT) & (LWI_GEN_LEAF_UNITS - 1);
}

/* The counter of `addr`, its leaf mapped if needed; NULL only when no memory could be mapped
 * (lwi_gen_use then names generation 0 and says so once, LW_OVERFLOW_GENERATIONS). */
_Atomic uint32_t *lwi_gen_counter(uint64_t addr);

/* The generation of the lock at `addr`, marked used (see above). Slow paths only. */
uint32_t lwi_gen_use(uint64_t addr);

/* lwi_gen_use on the counter `c` of `addr` (from lwi_gen_counter). */
uint32_t lwi_gen_mark(_Atomic uint32_t *c, uint64_t addr);

/* Ends the generation of the lock at `addr` if one was handed out (init, destroy). */
void lwi_gen_retire(uint64_t addr);

/* Ends every handed-out generation in [start, start + len): memory being freed or unmapped.
 * Cheap when no page of the range holds a used unit. Never allocates, takes no lock, makes no
 * system call. */
void lwi_gen_retire_range(uint64_t start, uint64_t len);

/* Does [start, start + len) hold a unit whose generation was handed out and not ended? */
bool lwi_gen_range_used(uint64_t start, uint64_t len);

#define LWI_GEN_STAMP_LOG2 20u
extern _Atomic uint32_t lwi_gen_stamps[1u << LWI_GEN_STAMP_LOG2];

/* The address's 8-byte unit within its 8 MiB window, xored with the window number: locks near
 * each other in memory get stamps near each other (a program's array of item locks shares a few
 * pages of the array that stay in cache), and locks at one offset of aligned regions (glibc's
 * per-thread heaps) do not all share one. */
static inline _Atomic uint32_t *lwi_gen_stamp_slot(uint64_t addr)
{
    uint64_t unit = addr >> 3, window = addr >> (3 + LWI_GEN_STAMP_LOG2);
    return &lwi_gen_stamps[(unit ^ window) & ((1u << LWI_GEN_STAMP_LOG2) - 1)];
}

/* The stamp of `addr`: read before its generation when a memo slot is filled, compared by the
 * fast path. */
static inline uint32_t lwi_gen_stamp(uint64_t addr)
{
    return atomic_load_explicit(lwi_gen_stamp_slot(addr), memory_order_acquire);
}

#endif
