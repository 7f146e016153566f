/* lockstate.c — the lock-state table (see lockstate.h). */
#include "lockstate.h"

#include <stddef.h>
#include <sys/mman.h>

#include "emit.h"
#include "hash.h"

/* Slots tried from an address's home slot before the table counts as full: a lookup of an
 * object with no entry costs at most this many probes (it stops at the first free slot). */
#define LWI_LOCKSTATE_PROBES 64u

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

/* Locks and condition variables are at least 4-byte aligned: the kind fits in the low bits. */
static uint64_t lwi_lockstate_key(uint64_t addr, enum lwi_ls_kind kind)
{
    return addr | (uint64_t)kind;
}

static struct lwi_lockstate *lwi_lockstate_probe(uint64_t key, bool claim, bool *full)
{
    *full = false;
    if (!lwi_lockstate_table || key == 0) return NULL;
    uint64_t home = lwi_mix64(key);
    for (uint32_t i = 0; i < LWI_LOCKSTATE_PROBES; i++) {
        struct lwi_lockstate *e = &lwi_lockstate_table[(home + i) & (LWI_LOCKSTATE_SLOTS - 1)];
        uint64_t k = atomic_load_explicit(&e->key, memory_order_acquire);
        if (k == key) return e;
        if (k != 0) continue;
        if (!claim) return NULL;
        if (atomic_compare_exchange_strong_explicit(&e->key, &k, key, memory_order_acq_rel,
                                                    memory_order_acquire) ||
            k == key)
            return e;
    }
    *full = claim;
    return NULL;
}

struct lwi_lockstate *lwi_lockstate_find(uint64_t addr, enum lwi_ls_kind kind)
{
    bool full;
    return lwi_lockstate_probe(lwi_lockstate_key(addr, kind), false, &full);
}

struct lwi_lockstate *lwi_lockstate_get(const struct lwi_thread *self, uint64_t addr,
                                        enum lwi_ls_kind kind)
{
    bool full, claim = !atomic_load_explicit(&lwi_lockstate_full, memory_order_relaxed);
    struct lwi_lockstate *e = lwi_lockstate_probe(lwi_lockstate_key(addr, kind), claim, &full);
    if (full) {
        atomic_store_explicit(&lwi_lockstate_full, true, memory_order_relaxed);
        lwi_emit_overflow(self, LW_OVERFLOW_LOCKS, LWI_LOCKSTATE_SLOTS);
    }
    return e;
}
