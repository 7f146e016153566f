/* site.c — per-site stack caching with monomorphic-site learning (see site.h). */
#include "site.h"

#include "cache.h"
#include "depot.h"
#include "hash.h"

#define LWI_SITE_LOG2 17u        /* (site, lock) → stack: 128 Ki slots, 2 MiB */
#define LWI_LEARN_LOG2 14u       /* site → first stack / agreement count / stable stack */
#define LWI_SITE_STABLE 16u      /* agreeing unwinds before a site is trusted for new locks */
#define LWI_NO_STACK UINT64_MAX  /* cached "unwinding failed" (0 means an empty slot) */
#define LWI_SITE_POLY UINT64_MAX /* agreement count of a site that gave two stacks */

/* Salts separating the three kinds of facts kept about a site in the learning table. */
#define LWI_SALT_FIRST 0x1f1f1f1f1f1f1f1full
#define LWI_SALT_COUNT 0x2c2c2c2c2c2c2c2cull
#define LWI_SALT_STABLE 0x3a3a3a3a3a3a3a3aull

static struct lwi_cache lwi_site_lock_cache;
static struct lwi_cache lwi_site_learn_cache;

int lwi_site_init(void)
{
    /* Evictions here cost unwinding time, not records: no OVERFLOW report (table 0). */
    if (lwi_cache_init(&lwi_site_lock_cache, LWI_SITE_LOG2, 0) < 0) return -1;
    return lwi_cache_init(&lwi_site_learn_cache, LWI_LEARN_LOG2, 0);
}

static uint64_t lwi_site_lock_key(uint64_t site_key, const struct lw_lock_ref *lock)
{
    return lwi_mix64(site_key + lock->addr * 0x9e3779b97f4a7c15ull +
                     (uint64_t)lock->generation * 0xc2b2ae3d27d4eb4full);
}

/* Records that the site produced stack `id`; marks it stable after enough agreement. */
static void lwi_site_learn(uint64_t site_key, uint64_t id)
{
    struct lwi_cache *c = &lwi_site_learn_cache;
    uint64_t first, count;
    if (!lwi_cache_get(c, site_key ^ LWI_SALT_FIRST, &first)) {
        lwi_cache_put(c, site_key ^ LWI_SALT_FIRST, id);
        lwi_cache_put(c, site_key ^ LWI_SALT_COUNT, 1);
        return;
    }
    if (!lwi_cache_get(c, site_key ^ LWI_SALT_COUNT, &count) || count == LWI_SITE_POLY) return;
    if (first != id) {
        lwi_cache_put(c, site_key ^ LWI_SALT_COUNT, LWI_SITE_POLY);
        return;
    }
    lwi_cache_put(c, site_key ^ LWI_SALT_COUNT, count + 1);
    if (count + 1 >= LWI_SITE_STABLE) lwi_cache_put(c, site_key ^ LWI_SALT_STABLE, id);
}

uint64_t lwi_site_stack(const struct lwi_thread *self, uint64_t site_key,
                        const struct lw_lock_ref *lock)
{
    uint64_t key = lwi_site_lock_key(site_key, lock);
    uint64_t v;
    if (lwi_cache_get(&lwi_site_lock_cache, key, &v)) return v == LWI_NO_STACK ? 0 : v;
    if (lwi_cache_get(&lwi_site_learn_cache, site_key ^ LWI_SALT_STABLE, &v))
        return v == LWI_NO_STACK ? 0 : v;
    uint64_t id = lwi_depot_capture(self);
    uint64_t stored = id ? id : LWI_NO_STACK;
    lwi_cache_put(&lwi_site_lock_cache, key, stored);
    lwi_site_learn(site_key, stored);
    return id;
}
