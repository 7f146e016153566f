/* cache.c — insertion into the lossy lock-free tables (see cache.h). */
#include "cache.h"

#include <sys/mman.h>

#include "emit.h"
#include "tls.h"

int lwi_cache_init(struct lwi_cache *c, unsigned log2_slots, uint32_t overflow_table)
{
    uint64_t n = 1ull << log2_slots;
    void *mem = mmap(NULL, n * sizeof(struct lwi_cache_slot), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) return -1;
    c->slots = mem;
    c->bucket_mask = (n - 1) & ~(uint64_t)(LWI_CACHE_WAYS - 1);
    c->overflow_table = overflow_table;
    return 0;
}

int lwi_cache_init_filter(struct lwi_cache *c, unsigned log2_bits)
{
    uint64_t bits = 1ull << log2_bits;
    void *mem = mmap(NULL, bits / 8, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) return -1;
    c->filter_mask = bits - 1;
    c->filter = mem;
    return 0;
}

void lwi_cache_put(struct lwi_cache *c, uint64_t key, uint64_t value)
{
    if (!c->slots || value == 0) return;
    if (c->filter) { /* before the slot: a key in the table always has its bit */
        uint64_t bit;
        _Atomic uint64_t *w = lwi_cache_filter_word(c, key, &bit);
        if (!(atomic_load_explicit(w, memory_order_relaxed) & bit))
            atomic_fetch_or_explicit(w, bit, memory_order_release);
    }
    struct lwi_cache_slot *s = lwi_cache_bucket(c, key);
    int victim = -1;
    for (int i = 0; i < (int)LWI_CACHE_WAYS; i++) {
        uint64_t check = atomic_load_explicit(&s[i].check, memory_order_relaxed);
        uint64_t v = atomic_load_explicit(&s[i].value, memory_order_relaxed);
        if (v == 0 || (check ^ v) == key) {
            victim = i;
            break;
        }
    }
    if (victim < 0) {
        /* Every slot holds another key: evict one, chosen by key bits the index did not use. */
        victim = (int)(key >> 62);
        if (c->overflow_table)
            lwi_emit_overflow(&lwi_tls, c->overflow_table, c->bucket_mask + LWI_CACHE_WAYS);
    }
    atomic_store_explicit(&s[victim].value, value, memory_order_relaxed);
    atomic_store_explicit(&s[victim].check, key ^ value, memory_order_relaxed);
}
