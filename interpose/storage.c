/* storage.c — static storage ranges of the loaded objects (see storage.h). */
#include "storage.h"

#include <link.h>
#include <stdatomic.h>
#include <stddef.h>

#include "errsave.h"

#define LWI_STORAGE_RANGES 256u

struct lwi_range {
    uint64_t lo, hi;
};

struct lwi_ranges {
    unsigned long long adds, subs; /* dl_iterate_phdr's counters when built */
    uint32_t n;
    bool complete; /* every writable segment fit */
    struct lwi_range r[LWI_STORAGE_RANGES];
};

static struct lwi_ranges lwi_cached;
static atomic_bool lwi_cached_valid;
static atomic_flag lwi_building = ATOMIC_FLAG_INIT;

static int lwi_read_counters(struct dl_phdr_info *info, size_t size, void *data)
{
    unsigned long long *c = data;
    bool has = size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs;
    c[0] = has ? info->dlpi_adds : 0;
    c[1] = has ? info->dlpi_subs : 0;
    return 1; /* the counters are the same in every entry: one is enough */
}

static int lwi_add_ranges(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct lwi_ranges *out = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W)) continue;
        if (out->n == LWI_STORAGE_RANGES) {
            out->complete = false;
            return 1;
        }
        uint64_t lo = info->dlpi_addr + ph->p_vaddr;
        out->r[out->n++] = (struct lwi_range){lo, lo + ph->p_memsz};
    }
    return 0;
}

/* Is addr inside one of `rs`' ranges? */
static bool lwi_in_ranges(const struct lwi_ranges *rs, uint64_t addr)
{
    for (uint32_t i = 0; i < rs->n; i++)
        if (addr >= rs->r[i].lo && addr < rs->r[i].hi) return true;
    return false;
}

/* Is the address in `data` inside a writable segment of this object? (Scans the segments in
 * place: a lwi_ranges would put 4 KiB on the program's stack.) */
static int lwi_find_range(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    uint64_t addr = *(const uint64_t *)data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W)) continue;
        uint64_t lo = info->dlpi_addr + ph->p_vaddr;
        if (addr >= lo && addr < lo + ph->p_memsz) return 1;
    }
    return 0;
}

bool lwi_storage_static(uint64_t addr, uint64_t *unloads)
{
    LWI_ERRNO_SAVE();
    unsigned long long counters[2] = {0, 0};
    dl_iterate_phdr(lwi_read_counters, counters);
    *unloads = counters[1];
    bool found;
    if (!atomic_flag_test_and_set_explicit(&lwi_building, memory_order_acquire)) {
        /* Alone with the cache: rebuild it if objects came or went, then use it. */
        if (!atomic_load_explicit(&lwi_cached_valid, memory_order_relaxed) ||
            lwi_cached.adds != counters[0] || lwi_cached.subs != counters[1]) {
            lwi_cached =
                (struct lwi_ranges){.adds = counters[0], .subs = counters[1], .complete = true};
            dl_iterate_phdr(lwi_add_ranges, &lwi_cached);
            atomic_store_explicit(&lwi_cached_valid, true, memory_order_relaxed);
        }
        found = lwi_in_ranges(&lwi_cached, addr) ||
                (!lwi_cached.complete && dl_iterate_phdr(lwi_find_range, &addr) != 0);
        atomic_flag_clear_explicit(&lwi_building, memory_order_release);
    } else {
        found = dl_iterate_phdr(lwi_find_range, &addr) != 0; /* another thread holds the cache */
    }
    LWI_ERRNO_RESTORE();
    return found;
}
