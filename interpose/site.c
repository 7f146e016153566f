/* site.c — the stacks of calls that are not acquisitions, cached per site and object (site.h). */
#include "site.h"

#include "cache.h"
#include "depot.h"
#include "emit.h"
#include "hash.h"

#define LWI_SITE_LOG2 17u       /* (site, object) → stack: 128 Ki slots, 2 MiB */
#define LWI_NO_STACK UINT64_MAX /* cached "unwinding failed" (0 means an empty slot) */

static struct lwi_cache lwi_site_lock_cache;

int lwi_site_init(void)
{
    /* Evictions here cost unwinding time, not records: no OVERFLOW report (table 0). */
    return lwi_cache_init(&lwi_site_lock_cache, LWI_SITE_LOG2, 0);
}

static uint64_t lwi_site_lock_key(uint64_t site_key, const struct lw_lock_ref *lock)
{
    return lwi_mix64(site_key + lock->addr * 0x9e3779b97f4a7c15ull +
                     (uint64_t)lock->generation * 0xc2b2ae3d27d4eb4full);
}

uint64_t lwi_site_stack(const struct lwi_thread *self, uint64_t site_key,
                        const struct lw_lock_ref *lock)
{
    uint64_t key = lwi_site_lock_key(site_key, lock);
    uint64_t v;
    if (lwi_cache_get(&lwi_site_lock_cache, key, &v)) return v == LWI_NO_STACK ? 0 : v;
    uint64_t id = lwi_depot_capture(self);
    lwi_cache_put(&lwi_site_lock_cache, key, id ? id : LWI_NO_STACK);
    lwi_emit_degraded_now(self);
    return id;
}
