/* lockstate.c — the lock-state table (see lockstate.h). */
#include "lockstate.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>

#include "degraded.h"
#include "hash.h"
#include "lockwatch/wire.h"

/* Slots tried from an address's home slot before the table counts as full: a lookup of an
 * object with no entry costs at most this many probes (it stops at the first free slot). */
#define LWI_LOCKSTATE_PROBES 64u
/* Slots tried first from the address's local home (lockstate.h) before its spill home. */
#define LWI_LOCKSTATE_LOCAL_PROBES 16u

static struct lwi_lockstate *lwi_lockstate_table;
/* Set when a claim found no free slot within its probes: later claims only look (a full table
 * would otherwise cost every init and destroy all its probes). The OVERFLOW record said so. */
static atomic_bool lwi_lockstate_full;

int lwi_lockstate_init(void)
{
    void *mem = mmap(NULL, LWI_LOCKSTATE_SLOTS * sizeof(struct lwi_lockstate),
                     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) return -1;
    lwi_lockstate_table = mem;
    return 0;
}

/* Probes `probes` slots from `home`, `step` apart: the entry of `key`, claimed in the first free
 * slot when `claim`. *stopped: a free slot ended the probe (so `key` is in no later slot
 * either). */
static struct lwi_lockstate *lwi_lockstate_run(uint64_t key, uint64_t home, uint64_t step,
                                               uint32_t probes, bool claim, bool *stopped)
{
    *stopped = false;
    for (uint32_t i = 0; i < probes; i++) {
        struct lwi_lockstate *e =
            &lwi_lockstate_table[(home + i * step) & (LWI_LOCKSTATE_SLOTS - 1)];
        uint64_t k = atomic_load_explicit(&e->key, memory_order_acquire);
        if (k == key) return e;
        if (k != 0) continue;
        if (!claim) {
            *stopped = true;
            return NULL;
        }
        if (atomic_compare_exchange_strong_explicit(&e->key, &k, key, memory_order_acq_rel,
                                                    memory_order_acquire) ||
            k == key)
            return e;
    }
    return NULL;
}

/* The local run first, the spill run when the local one is full. Entries are never given back,
 * so a local run with a free slot was never full: an object with no entry there has none. */
static struct lwi_lockstate *lwi_lockstate_probe(uint64_t key, bool claim, bool *full)
{
    *full = false;
    if (!lwi_lockstate_table || key == 0) return NULL;
    bool stopped;
    struct lwi_lockstate *e = lwi_lockstate_run(key, lwi_lockstate_local_home(key), 1,
                                                LWI_LOCKSTATE_LOCAL_PROBES, claim, &stopped);
    if (e || stopped) return e;
    /* Spilled: slots far apart, so a probe that starts in another window's full run leaves it. */
    uint64_t spill = lwi_lockstate_spill_home(key);
    e = lwi_lockstate_run(key, spill, (spill >> 32) | 1, LWI_LOCKSTATE_PROBES, claim, &stopped);
    *full = claim && !e;
    return e;
}

struct lwi_lockstate *lwi_lockstate_find(uint64_t addr, enum lwi_ls_kind kind)
{
    bool full;
    return lwi_lockstate_probe(lwi_lockstate_key(addr, kind), false, &full);
}

struct lwi_lockstate *lwi_lockstate_get(uint64_t addr, enum lwi_ls_kind kind)
{
    bool full, claim = !atomic_load_explicit(&lwi_lockstate_full, memory_order_relaxed);
    struct lwi_lockstate *e = lwi_lockstate_probe(lwi_lockstate_key(addr, kind), claim, &full);
    if (full) {
        atomic_store_explicit(&lwi_lockstate_full, true, memory_order_relaxed);
        lwi_degraded_raise(LW_OVERFLOW_LOCKS, LWI_LOCKSTATE_SLOTS);
    }
    return e;
}
