/* cache.h — a lossy, lock-free key → value table of fixed size.
 *
 * Each slot is a pair {check = key ^ value, value} of 64-bit words read and written with relaxed
 * atomics. A key lives in one bucket of LWI_CACHE_WAYS slots (one 64-byte cache line); a lookup
 * compares them in order. A torn slot (half of one write, half of another) or an evicted key
 * reads as a miss, never as a wrong hit (bar a 2^-64 coincidence). A miss only costs a re-send,
 * so the memory is bounded by design; four ways rather than two keep a table that is half full
 * from thrashing (with two, ~5% of buckets of a table at that load hold three live keys, which
 * then evict each other for ever, and every eviction is a record sent again). value 0 means
 * "empty" and is never stored. The first eviction sends one OVERFLOW record for the table.
 * Lookups are made only while the runtime is active, and every table is mapped before it
 * becomes active (init.c), so lwi_cache_get does not test for an unmapped table.
 *
 * A table may keep a filter (lwi_cache_init_filter): one bit per hash of the key's high half, set
 * by every put before its slot is written, never cleared. A clear bit proves the key was never
 * put, so a lookup of a new key is decided by one load from the filter (small enough to stay in
 * a core's cache) instead of a load from a random bucket of the table, which is a cache miss;
 * the bucket is prefetched then for the put that follows a miss. A set bit only sends the
 * lookup on to the bucket. A lookup racing with the put of its key (another thread's, or a signal
 * handler's) may miss: a re-send, as for an evicted key. */
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
    uint64_t bucket_mask;         /* (slot count - 1) & ~(LWI_CACHE_WAYS - 1) */
    _Atomic uint64_t *filter;     /* NULL: none */
    uint64_t filter_mask;         /* bit count - 1 */
    uint32_t overflow_table; /* enum lw_overflow_table reported on the first eviction, 0: none */
};

/* Maps 2^log2_slots slots, log2_slots >= 2 (pages are touched only when used). Returns 0 or -1. */
int lwi_cache_init(struct lwi_cache *c, unsigned log2_slots, uint32_t overflow_table);

/* Gives an initialised table a filter of 2^log2_bits bits, log2_bits >= 6. Returns 0 or -1 (the
 * table then works without one). */
int lwi_cache_init_filter(struct lwi_cache *c, unsigned log2_bits);

#define LWI_CACHE_WAYS 4u

/* The bucket of `key`: its first slot. */
static inline struct lwi_cache_slot *lwi_cache_bucket(const struct lwi_cache *c, uint64_t key)
{
    return &c->slots[key & c->bucket_mask];
}

/* Does slot s hold `key`? Its value then goes to *value. */
static inline bool lwi_cache_slot_get(const struct lwi_cache_slot *s, uint64_t key, uint64_t *value)
{
    uint64_t v = atomic_load_explicit(&s->value, memory_order_relaxed);
    if ((atomic_load_explicit(&s->check, memory_order_relaxed) ^ v) != key || v == 0) return false;
    *value = v;
    return true;
}

/* The filter's word and bit of `key`: from the high half, which the bucket index does not use. */
static inline _Atomic uint64_t *lwi_cache_filter_word(const struct lwi_cache *c, uint64_t key,
                                                      uint64_t *bit)
{
    uint64_t i = (key >> 32) & c->filter_mask;
    *bit = 1ull << (i & 63);
    return &c->filter[i >> 6];
}

/* The first slot inline (a key that is alone in its bucket, the common case, is found there),
 * the others out of the hot path. */
static inline bool lwi_cache_get(const struct lwi_cache *c, uint64_t key, uint64_t *value)
{
    const struct lwi_cache_slot *s = lwi_cache_bucket(c, key);
    if (c->filter) {
        uint64_t bit;
        if (!(atomic_load_explicit(lwi_cache_filter_word(c, key, &bit), memory_order_relaxed) &
              bit)) {
            __builtin_prefetch(s, 1); /* for the put that follows */
            return false;
        }
    }
    if (__builtin_expect(lwi_cache_slot_get(&s[0], key, value), 1)) return true;
    for (unsigned i = 1; i < LWI_CACHE_WAYS; i++)
        if (lwi_cache_slot_get(&s[i], key, value)) return true;
    return false;
}

/* Inserts or overwrites; `value` must not be 0. */
void lwi_cache_put(struct lwi_cache *c, uint64_t key, uint64_t value);

#endif
