/* gen.c — the exact generation table (see gen.h). */
#include "gen.h"

#include <sys/mman.h>

#include "degraded.h"
#include "errsave.h"
#include "lockwatch/wire.h"
#include "tls.h"

struct lwi_gen_mid *_Atomic lwi_gen_top[1u << LWI_GEN_TOP_BITS];
_Atomic uint32_t lwi_gen_stamps[1u << LWI_GEN_STAMP_LOG2];

/* Zeroed memory straight from the kernel (never the program's allocator); NULL on failure. */
static void *lwi_gen_map(size_t bytes)
{
    if (lwi_tls.restricted) return NULL; /* mmap may be refused (restrict.h) */
    LWI_ERRNO_SAVE();
    void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    LWI_ERRNO_RESTORE();
    return mem == MAP_FAILED ? NULL : mem;
}

/* Publishes a freshly mapped node in *slot unless another thread did first (then ours goes). */
static void *lwi_gen_install(void *_Atomic *slot, size_t bytes)
{
    void *node = atomic_load_explicit(slot, memory_order_acquire);
    if (node) return node;
    void *mine = lwi_gen_map(bytes);
    if (!mine) return NULL;
    void *expected = NULL;
    if (atomic_compare_exchange_strong_explicit(slot, &expected, mine, memory_order_acq_rel,
                                                memory_order_acquire))
        return mine;
    munmap(mine, bytes);
    return expected;
}

_Atomic uint32_t *lwi_gen_counter(uint64_t addr)
{
    uint64_t top = addr >> LWI_GEN_MID_SHIFT;
    if (top >> LWI_GEN_TOP_BITS) return NULL;
    struct lwi_gen_mid *mid =
        lwi_gen_install((void *_Atomic *)&lwi_gen_top[top], sizeof(struct lwi_gen_mid));
    if (!mid) return NULL;
    struct lwi_gen_leaf *leaf = lwi_gen_install(
        (void *_Atomic *)&mid->leaves[(addr >> LWI_GEN_LEAF_SHIFT) & (LWI_GEN_MID_SLOTS - 1)],
        sizeof(struct lwi_gen_leaf));
    return leaf ? &leaf->counters[lwi_gen_unit(addr)] : NULL;
}

static _Atomic uint16_t *lwi_gen_page_count(struct lwi_gen_leaf *leaf, uint64_t addr)
{
    return &leaf->page_used[(addr >> LWI_GEN_PAGE_SHIFT) & (LWI_GEN_LEAF_PAGES - 1)];
}

static _Atomic uint8_t *lwi_gen_line_count(struct lwi_gen_leaf *leaf, uint64_t addr)
{
    return &leaf->line_used[(addr >> LWI_GEN_LINE_SHIFT) & (LWI_GEN_LEAF_LINES - 1)];
}

/* A unit of the page and line of `addr` became used (+1) or stopped being used (-1). */
static void lwi_gen_count(struct lwi_gen_leaf *leaf, uint64_t addr, int delta)
{
    atomic_fetch_add_explicit(lwi_gen_page_count(leaf, addr), (uint16_t)delta,
                              memory_order_release);
    atomic_fetch_add_explicit(lwi_gen_line_count(leaf, addr), (uint8_t)delta, memory_order_release);
}

uint32_t lwi_gen_use(uint64_t addr)
{
    _Atomic uint32_t *c = lwi_gen_counter(addr);
    if (!c) {
        lwi_degraded_raise(LW_OVERFLOW_GENERATIONS, 0);
        return 0;
    }
    return lwi_gen_mark(c, addr);
}

uint32_t lwi_gen_mark(_Atomic uint32_t *c, uint64_t addr)
{
    uint32_t v = atomic_load_explicit(c, memory_order_acquire);
    while (!(v & 1u)) {
        /* First use of this generation: mark it, then count it in its page (a free that looks at
         * the page count between the two is a free racing a use of the lock: a program bug). */
        if (atomic_compare_exchange_weak_explicit(c, &v, v | 1u, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            lwi_gen_count(lwi_gen_leaf_of(addr), addr, 1);
            return v | 1u;
        }
    }
    return v;
}

/* Ends the used generation of counter c (a unit of `leaf` at `addr`); true if there was one. */
static bool lwi_gen_end(struct lwi_gen_leaf *leaf, _Atomic uint32_t *c, uint64_t addr)
{
    uint32_t v = atomic_load_explicit(c, memory_order_acquire);
    while (v & 1u) {
        if (atomic_compare_exchange_weak_explicit(c, &v, v + 1u, memory_order_acq_rel,
                                                  memory_order_acquire)) {
            lwi_gen_count(leaf, addr, -1);
            /* after the end: a slot filled with the old stamp then misses (gen.h) */
            atomic_fetch_add_explicit(lwi_gen_stamp_slot(addr), 1, memory_order_release);
            return true;
        }
    }
    return false;
}

void lwi_gen_retire(uint64_t addr)
{
    struct lwi_gen_leaf *leaf = lwi_gen_leaf_of(addr);
    if (leaf) lwi_gen_end(leaf, &leaf->counters[lwi_gen_unit(addr)], addr);
}

/* Walks the units of [start, start + len) in pages that hold a used unit, in order: with `end_them`
 * ends each used one, else stops at the first. Returns whether one was found. Inline in its two
 * callers, so the loop over a page's counters is a plain scan for an odd value. */
static inline __attribute__((always_inline)) bool lwi_gen_scan(uint64_t start, uint64_t len,
                                                               bool end_them)
{
    const uint64_t covered = (uint64_t)1 << (LWI_GEN_MID_SHIFT + LWI_GEN_TOP_BITS);
    if (len == 0) return false;
    uint64_t end = start + len;
    if (end < start || end > covered) end = covered; /* no counter lies beyond */
    bool found = false;
    uint64_t a = start & ~(((uint64_t)1 << LWI_GEN_UNIT_SHIFT) - 1);
    while (a < end) {
        uint64_t region_end = (a | (((uint64_t)1 << LWI_GEN_LEAF_SHIFT) - 1)) + 1;
        struct lwi_gen_leaf *leaf = lwi_gen_leaf_of(a);
        if (!leaf) {
            /* an 8 GiB span without a mid node is skipped whole, not 2 MiB at a time */
            bool no_mid =
                !atomic_load_explicit(&lwi_gen_top[a >> LWI_GEN_MID_SHIFT], memory_order_acquire);
            a = no_mid ? (a | (((uint64_t)1 << LWI_GEN_MID_SHIFT) - 1)) + 1 : region_end;
            continue;
        }
        while (a < end && a < region_end) {
            uint64_t page_end = (a | (((uint64_t)1 << LWI_GEN_PAGE_SHIFT) - 1)) + 1;
            uint64_t stop = page_end < end ? page_end : end;
            if (!atomic_load_explicit(lwi_gen_page_count(leaf, a), memory_order_acquire)) {
                a = page_end;
                continue;
            }
            while (a < stop) {
                uint64_t line_end = (a | (((uint64_t)1 << LWI_GEN_LINE_SHIFT) - 1)) + 1;
                uint64_t line_stop = line_end < stop ? line_end : stop;
                if (atomic_load_explicit(lwi_gen_line_count(leaf, a), memory_order_acquire)) {
                    for (uint64_t u = a; u < line_stop; u += (uint64_t)1 << LWI_GEN_UNIT_SHIFT) {
                        _Atomic uint32_t *c = &leaf->counters[lwi_gen_unit(u)];
                        if (!(atomic_load_explicit(c, memory_order_relaxed) & 1u)) continue;
                        if (!end_them) return true;
                        found |= lwi_gen_end(leaf, c, u);
                    }
                }
                a = line_end;
            }
            a = page_end;
        }
    }
    return found;
}

void lwi_gen_retire_range(uint64_t start, uint64_t len)
{
    lwi_gen_scan(start, len, true);
}

bool lwi_gen_range_used(uint64_t start, uint64_t len)
{
    return lwi_gen_scan(start, len, false);
}
