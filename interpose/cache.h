/* cache.h — a lossy, lock-free key → value table of fixed size.
 *
 * Each slot is a pair {check = key ^ value, value} of 64-bit words read and written with relaxed
 * atomics. A lookup probes two adjacent slots; a torn slot (half of one write, half of another)
 * or an evicted key reads as a miss, never as a wrong hit (bar a 2^-64 coincidence). A miss only
 * costs a re-send, so the memory is bounded by design. value 0 means "empty" and is never
 * stored. The first eviction sends one OVERFLOW record for the table. */
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
    if (!c->slots) return false;
    struct lwi_cache_slot *s = &c->slots[key & c->mask & ~(uint64_t)1];
    for (int i = 0; i < 2; i++) {
        uint64_t check = atomic_load_explicit(&s[i].check, memory_order_relaxed);
        uint64_t v = atomic_load_explicit(&s[i].value, memory_order_relaxed);
        if (v != 0 && (check ^ v) == key) {
            *value = v;
            return true;
        }
    }
    return false;
}

/* Inserts or overwrites; `value` must not be 0. */
void lwi_cache_put(struct lwi_cache *c, uint64_t key, uint64_t value);

#endif
