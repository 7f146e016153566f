/* cache.h — a lossy, lock-free key → value table of fixed size.
 *
 * Each slot is a pair {check = key ^ value, value} of 64-bit words read and written with relaxed
 * atomics. A lookup probes two adjacent slots; a torn slot (half of one write, half of another)
 * or an evicted key reads as a miss, never as a wrong hit (bar a 2^-64 coincidence). A miss only
 * costs a re-send, so the memory is bounded by design. value 0 means "empty" and is never
 * stored. The first eviction sends one OVERFLOW record for the table. Lookups are made only while
 * the runtime is active, and every table is mapped before it becomes active (init.c), so
 * lwi_cache_get does not test for an unmapped table. */
#ifndef LWI_CACHE_H
#define LWI_CACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct lwi_cache_slot {
    _Atomic uint64_t check;
    _Atomic uint64_t value;
};

struct lwi_cache {
    struct lwi_cache_slot *slots; /* NULL: not mapped, every lookup misses */
    uint64_t mask;                /* slot count - 1 */
    uint32_t overflow_table; /* enum lw_overflow_table reported on the first eviction, 0: none */
};

/* Maps 2^log2_slots slots (pages are touched only when used). Returns 0 or -1. */
int lwi_cache_init(struct lwi_cache *c, unsigned log2_slots, uint32_t overflow_table);

static inline bool lwi_cache_get(const struct lwi_cache *c, uint64_t key, uint64_t *value)
{
    struct lwi_cache_slot *s = &c->slots[key & c->mask & ~(uint64_t)1];
    uint64_t v = atomic_load_explicit(&s[0].value, memory_order_relaxed);
    if ((atomic_load_explicit(&s[0].check, memory_order_relaxed) ^ v) != key || v == 0) {
        v = atomic_load_explicit(&s[1].value, memory_order_relaxed);
        if ((atomic_load_explicit(&s[1].check, memory_order_relaxed) ^ v) != key || v == 0)
            return false;
    }
    *value = v;
    return true;
}

/* Inserts or overwrites; `value` must not be 0. */
void lwi_cache_put(struct lwi_cache *c, uint64_t key, uint64_t value);

#endif
