/* cache.c — insertion into the lossy lock-free tables, and their growth (see cache.h). */
#include "cache.h"

#include <stddef.h>
#include <sys/mman.h>

#include "degraded.h"

static uint64_t lwi_cache_mask_of(uint64_t slots)
{
    return (slots - 1) & ~(uint64_t)(LWI_CACHE_WAYS - 1);
}

int lwi_cache_init(struct lwi_cache *c, unsigned log2_slots, uint32_t overflow_table)
{
    uint64_t n = 1ull << log2_slots;
    void *mem = mmap(NULL, n * sizeof(struct lwi_cache_slot), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) return -1;
    uint64_t first = log2_slots < LWI_CACHE_FIRST_LOG2 ? n : 1ull << LWI_CACHE_FIRST_LOG2;
    c->slots = mem;
    c->max_mask = lwi_cache_mask_of(n);
    atomic_store_explicit(&c->bucket_mask, lwi_cache_mask_of(first), memory_order_release);
    atomic_store_explicit(&c->filled, 0, memory_order_relaxed);
    atomic_store_explicit(&c->moving, 0, memory_order_relaxed);
    c->overflow_table = overflow_table;
    atomic_store_explicit(&c->filter, NULL, memory_order_relaxed);
    c->filter_mem = NULL;
    return 0;
}

int lwi_cache_init_filter(struct lwi_cache *c, unsigned log2_bits)
{
    uint64_t bits = 1ull << log2_bits;
    void *mem = mmap(NULL, bits / 8, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) return -1;
    c->filter_mask = bits - 1;
    c->filter_mem = mem; /* turned on by the growth that reaches LWI_CACHE_FILTER_FROM_LOG2 */
    return 0;
}

static void lwi_cache_filter_set(_Atomic uint64_t *filter, uint64_t mask, uint64_t key)
{
    uint64_t bit;
    _Atomic uint64_t *w = lwi_cache_filter_word(filter, mask, key, &bit);
    if (!(atomic_load_explicit(w, memory_order_relaxed) & bit))
        atomic_fetch_or_explicit(w, bit, memory_order_release);
}

/* The slot of bucket `s` that holds `key` or is empty, else -1. */
static int lwi_cache_find_room(const struct lwi_cache_slot *s, uint64_t key, bool *empty)
{
    for (int i = 0; i < (int)LWI_CACHE_WAYS; i++) {
        uint64_t check = atomic_load_explicit(&s[i].check, memory_order_relaxed);
        uint64_t v = atomic_load_explicit(&s[i].value, memory_order_relaxed);
        if (v == 0 || (check ^ v) == key) {
            *empty = v == 0;
            return i;
        }
    }
    return -1;
}

static void lwi_cache_store(struct lwi_cache_slot *s, uint64_t key, uint64_t value)
{
    atomic_store_explicit(&s->value, value, memory_order_relaxed);
    atomic_store_explicit(&s->check, key ^ value, memory_order_relaxed);
}

/* Doubles the prefix from `mask` (the thread whose exchange of the mask succeeds) and moves each
 * entry of the old prefix whose bucket is now in the new half. Lookups and puts made meanwhile
 * may miss or drop an entry (a re-send later), never hit wrongly: an entry is written at its new
 * place before its old slot is emptied, and every hit compares the whole key. A fork in the
 * middle leaves the child with entries not moved, which only miss. */
static void lwi_cache_grow(struct lwi_cache *c, uint64_t mask)
{
    uint64_t old_slots = mask + LWI_CACHE_WAYS, wide = lwi_cache_mask_of(old_slots * 2);
    if (!atomic_compare_exchange_strong_explicit(&c->bucket_mask, &mask, wide, memory_order_acq_rel,
                                                 memory_order_relaxed))
        return;
    atomic_store_explicit(&c->moving, mask, memory_order_release);
    /* The filter is turned on here, and given the bits of the entries already in. */
    _Atomic uint64_t *filter = atomic_load_explicit(&c->filter, memory_order_relaxed);
    bool filling =
        !filter && c->filter_mem && wide + LWI_CACHE_WAYS >= 1ull << LWI_CACHE_FILTER_FROM_LOG2;
    if (filling) {
        filter = c->filter_mem;
        atomic_store_explicit(&c->filter, filter, memory_order_release);
    }
    for (uint64_t i = 0; i < old_slots; i++) {
        struct lwi_cache_slot *from = &c->slots[i];
        uint64_t v = atomic_load_explicit(&from->value, memory_order_relaxed);
        if (v == 0) continue;
        uint64_t key = atomic_load_explicit(&from->check, memory_order_relaxed) ^ v;
        if (filling) lwi_cache_filter_set(filter, c->filter_mask, key);
        struct lwi_cache_slot *to = &c->slots[key & wide];
        if (to == &c->slots[i & ~(uint64_t)(LWI_CACHE_WAYS - 1)]) continue; /* stays */
        bool empty;
        int room = lwi_cache_find_room(to, key, &empty);
        if (room >= 0) lwi_cache_store(&to[room], key, v); /* else: dropped, a later miss */
        atomic_store_explicit(&from->value, 0, memory_order_relaxed);
    }
    atomic_store_explicit(&c->moving, 0, memory_order_release);
}

bool lwi_cache_get_moving(const struct lwi_cache *c, uint64_t key, uint64_t old, uint64_t *value)
{
    const struct lwi_cache_slot *s = &c->slots[key & old];
    for (unsigned i = 0; i < LWI_CACHE_WAYS; i++)
        if (lwi_cache_slot_get(&s[i], key, value)) return true;
    return false;
}

void lwi_cache_put(struct lwi_cache *c, uint64_t key, uint64_t value)
{
    if (!c->slots || value == 0) return;
    for (;;) {
        uint64_t mask = atomic_load_explicit(&c->bucket_mask, memory_order_acquire);
        _Atomic uint64_t *filter = atomic_load_explicit(&c->filter, memory_order_acquire);
        if (filter) /* before the slot: a key in the table has its bit */
            lwi_cache_filter_set(filter, c->filter_mask, key);
        struct lwi_cache_slot *s = &c->slots[key & mask];
        bool empty = false;
        int victim = lwi_cache_find_room(s, key, &empty);
        bool small = mask < c->max_mask;
        if (victim < 0 && small) { /* a full bucket before full size: grow, then try again */
            lwi_cache_grow(c, mask);
            if (atomic_load_explicit(&c->bucket_mask, memory_order_acquire) != mask) continue;
        }
        if (victim < 0) {
            /* Every slot holds another key: evict one, chosen by key bits the index did not use. */
            victim = (int)(key >> 62);
            if (c->overflow_table && !small)
                lwi_degraded_raise(c->overflow_table, c->max_mask + LWI_CACHE_WAYS);
        }
        lwi_cache_store(&s[victim], key, value);
        if (empty && small &&
            atomic_fetch_add_explicit(&c->filled, 1, memory_order_relaxed) + 1 >
                (mask + LWI_CACHE_WAYS) / 2)
            lwi_cache_grow(c, mask);
        return;
    }
}
