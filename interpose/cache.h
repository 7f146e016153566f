/* cache.h — a lossy, lock-free key → value table of fixed size.
 *
 * Each slot is a pair {check = key ^ value, value} of 64-bit words read and written with relaxed
 * atomics. A key lives in one bucket of LWI_CACHE_WAYS slots (one 64-byte cache line); a lookup
 * compares them in order. A torn slot (half of one write, half of another) or an evicted key
 * reads as a miss, never as a wrong hit (bar a 2^-64 coincidence). A miss only costs a re-send,
 * so the memory is bounded by design; four ways rather than two keep a table that is half full
 * from thrashing (docs/internals.md, "Memory"). value 0 means
 * "empty" and is never stored.
 * The table reserves its largest size but uses a prefix of it that doubles when half full (the
 * entries that belong elsewhere in the larger prefix are moved), so a program with few chains
 * touches a few pages, not the whole table (docs/internals.md, "Memory"). Only an eviction at the
 * largest size raises the table's degraded flag (degraded.h).
 * A table may keep a filter (lwi_cache_init_filter): one bit per hash of the key's high half, set
 * by every put before its slot is written, never cleared, so a clear bit proves a key new without
 * a load from a random bucket (a cache miss in a large table). It is turned on when the prefix
 * grows past LWI_CACHE_FILTER_FROM_LOG2 slots, when the table stops fitting a core's cache; the
 * growth sets the bits of the entries already in. A lookup racing with the put of its key, or
 * with the filter being turned on, may miss: a re-send, as for an evicted key, never a wrong hit
 * (docs/internals.md, "Telling a new chain").
 * Lookups are made only while the runtime is active, and every table is mapped before it
 * becomes active (init.c), so lwi_cache_get does not test for an unmapped table. */
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
    /* (slots in use - 1) & ~(LWI_CACHE_WAYS - 1); grows up to max_mask */
    _Atomic uint64_t bucket_mask;
    uint64_t max_mask;       /* the same for the whole mapping */
    _Atomic uint64_t filled; /* slots of the prefix made non-empty (approximate) */
    _Atomic uint64_t moving; /* while entries move to a doubled prefix: the old mask, else 0 */
    uint32_t overflow_table; /* enum lw_overflow_table raised on an eviction at full size */
    _Atomic(_Atomic uint64_t *) filter; /* NULL: off (none, or the prefix is still small) */
    _Atomic uint64_t *filter_mem;       /* the filter's mapping, NULL: none */
    uint64_t filter_mask;               /* bit count - 1 */
};

#define LWI_CACHE_WAYS 4u
#define LWI_CACHE_FIRST_LOG2 10u       /* the first prefix: 1 Ki slots, 16 KiB */
#define LWI_CACHE_FILTER_FROM_LOG2 14u /* a filter is used from 16 Ki slots (256 KiB) on */

/* Reserves 2^log2_slots slots, log2_slots >= 2, and uses the first 2^LWI_CACHE_FIRST_LOG2 (or
 * all, if fewer). Pages are touched only when used. Returns 0 or -1. */
int lwi_cache_init(struct lwi_cache *c, unsigned log2_slots, uint32_t overflow_table);

/* Gives an initialised table a filter of 2^log2_bits bits, log2_bits >= 6, used once the prefix
 * reaches 2^LWI_CACHE_FILTER_FROM_LOG2 slots. Returns 0 or -1 (the table then works without). */
int lwi_cache_init_filter(struct lwi_cache *c, unsigned log2_bits);

/* The filter word and bit of `key`: from the high half, which the bucket index does not use. */
static inline _Atomic uint64_t *lwi_cache_filter_word(_Atomic uint64_t *filter, uint64_t mask,
                                                      uint64_t key, uint64_t *bit)
{
    uint64_t i = (key >> 32) & mask;
    *bit = 1ull << (i & 63);
    return &filter[i >> 6];
}

/* The bucket of `key`: its first slot. */
static inline struct lwi_cache_slot *lwi_cache_bucket(const struct lwi_cache *c, uint64_t key)
{
    return &c->slots[key & atomic_load_explicit(&c->bucket_mask, memory_order_acquire)];
}

/* Does slot s hold `key`? Its value then goes to *value. */
static inline bool lwi_cache_slot_get(const struct lwi_cache_slot *s, uint64_t key, uint64_t *value)
{
    uint64_t v = atomic_load_explicit(&s->value, memory_order_relaxed);
    if ((atomic_load_explicit(&s->check, memory_order_relaxed) ^ v) != key || v == 0) return false;
    *value = v;
    return true;
}

/* A miss while entries move: the key may still be in its bucket of the old prefix `old`. */
bool lwi_cache_get_moving(const struct lwi_cache *c, uint64_t key, uint64_t old, uint64_t *value)
    __attribute__((cold, noinline));

/* The first slot inline (a key that is alone in its bucket, the common case, is found there),
 * the others out of the hot path. */
static inline bool lwi_cache_get(const struct lwi_cache *c, uint64_t key, uint64_t *value)
{
    const struct lwi_cache_slot *s = lwi_cache_bucket(c, key);
    _Atomic uint64_t *filter = atomic_load_explicit(&c->filter, memory_order_acquire);
    if (filter) {
        uint64_t bit;
        _Atomic uint64_t *w = lwi_cache_filter_word(filter, c->filter_mask, key, &bit);
        if (!(atomic_load_explicit(w, memory_order_relaxed) & bit)) {
            __builtin_prefetch(s, 1); /* for the put that follows a new key's stack capture */
            return false;
        }
    }
    if (__builtin_expect(lwi_cache_slot_get(&s[0], key, value), 1)) return true;
    for (unsigned i = 1; i < LWI_CACHE_WAYS; i++)
        if (lwi_cache_slot_get(&s[i], key, value)) return true;
    uint64_t old = atomic_load_explicit(&c->moving, memory_order_acquire);
    return __builtin_expect(old != 0, 0) && lwi_cache_get_moving(c, key, old, value);
}

/* Inserts or overwrites; `value` must not be 0. */
void lwi_cache_put(struct lwi_cache *c, uint64_t key, uint64_t value);

#endif
