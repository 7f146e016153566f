/* chain.c — chain key arithmetic and the chain cache (see chain.h). */
#include "chain.h"

#include "hash.h"

#define LWI_CHAIN_LOG2 18u /* 256 Ki slots, 4 MiB */

struct lwi_cache lwi_chain_cache;

int lwi_chain_init(void)
{
    return lwi_cache_init(&lwi_chain_cache, LWI_CHAIN_LOG2, LW_OVERFLOW_CHAINS);
}

void lwi_chain_rekey(struct lwi_held_stack *h, uint32_t from, uint64_t root)
{
    for (uint32_t i = from; i < h->count; i++) {
        struct lwi_held_entry *e = &h->entries[i];
        uint64_t lock_below = i ? h->entries[i - 1].lock_chain : root;
        e->lock_chain = lwi_chain_lock_key(lock_below, &e->ref, e->pc);
    }
}
