/* chain.c — chain key arithmetic and the chain cache (see chain.h). */
#include "chain.h"

#include "hash.h"

#define LWI_CHAIN_LOG2 18u        /* 256 Ki slots, 4 MiB */
#define LWI_CHAIN_FILTER_LOG2 21u /* 2 Mi bits, 256 KiB: 1 in 10 new keys probes at 200,000 */

struct lwi_cache lwi_chain_cache;

int lwi_chain_init(void)
{
    if (lwi_cache_init(&lwi_chain_cache, LWI_CHAIN_LOG2, LW_OVERFLOW_CHAINS) < 0) return -1;
    (void)lwi_cache_init_filter(&lwi_chain_cache, LWI_CHAIN_FILTER_LOG2); /* else none */
    return 0;
}

void lwi_chain_rekey(struct lwi_held_stack *h, uint32_t from, uint64_t root)
{
    for (uint32_t i = from; i < h->count; i++) {
        struct lwi_held_entry *e = &h->entries[i];
        uint64_t lock_below = i ? h->entries[i - 1].lock_chain : root;
        e->lock_chain = lwi_chain_lock_key(lock_below, &e->ref, e->pc);
    }
}
