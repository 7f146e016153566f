/* modules.c — announces mapped ELF objects (see modules.h). */
#include "modules.h"

#include <limits.h>
#include <link.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "errsave.h"
#include "hash.h"
#include "lockwatch/wire.h"

#define LWI_MODULES_MAX 4096u

static char lwi_exe[LW_WIRE_MAX_PATH];
static uint64_t lwi_sent[LWI_MODULES_MAX]; /* keys of announced objects */
static bool lwi_loaded[LWI_MODULES_MAX];   /* lwi_modules_prune's marks */
static uint32_t lwi_nsent;
static _Atomic unsigned long long lwi_seen_adds, lwi_seen_subs;
static atomic_flag lwi_scanning = ATOMIC_FLAG_INIT;

struct lwi_scan {
    const struct lwi_thread *self;
    bool first; /* the first object dl_iterate_phdr reports is the main program */
};

static uint64_t lwi_module_key(uint64_t start, const char *path)
{
    uint64_t h = lwi_mix64(start);
    for (const char *p = path; *p; p++)
        h = lwi_combine(h, (unsigned char)*p);
    return h;
}

static bool lwi_module_sent(uint64_t key)
{
    for (uint32_t i = 0; i < lwi_nsent; i++)
        if (lwi_sent[i] == key) return true;
    return false;
}

/* What lwi_scan_one announces of a loaded object: its path and address range. False for one it
 * skips: no path at all (linux-vdso.so.1), an empty name other than the main program's, no
 * PT_LOAD segment. A relative path is made absolute into resolved (PATH_MAX bytes). */
static bool lwi_describe(struct dl_phdr_info *info, bool main_program, char *resolved,
                         const char **name, uint64_t *lo, uint64_t *hi)
{
    *name = info->dlpi_name;
    if (!*name || !**name) {
        if (!main_program) return false;
        *name = lwi_exe;
    } else if ((*name)[0] != '/') {
        if (!strchr(*name, '/') || !realpath(*name, resolved)) return false;
        *name = resolved;
    }
    *lo = UINT64_MAX;
    *hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uint64_t start = info->dlpi_addr + ph->p_vaddr;
        if (start < *lo) *lo = start;
        if (start + ph->p_memsz > *hi) *hi = start + ph->p_memsz;
    }
    return *hi != 0;
}

static int lwi_scan_one(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct lwi_scan *scan = data;
    bool main_program = scan->first;
    scan->first = false;
    char resolved[PATH_MAX];
    const char *name;
    uint64_t lo, hi;
    if (!lwi_describe(info, main_program, resolved, &name, &lo, &hi)) return 0;
    uint64_t key = lwi_module_key(lo, name);
    if (lwi_module_sent(key)) return 0;
    /* A full table only means later scans may announce an object twice. */
    if (lwi_nsent < LWI_MODULES_MAX) lwi_sent[lwi_nsent++] = key;
    lwi_emit_module(scan->self, info->dlpi_addr, lo, hi, name);
    return 0;
}

static int lwi_read_adds(struct dl_phdr_info *info, size_t size, void *data)
{
    unsigned long long *adds = data;
    *adds = size >= offsetof(struct dl_phdr_info, dlpi_adds) + sizeof info->dlpi_adds
                ? info->dlpi_adds
                : 0;
    return 1;
}

static int lwi_read_subs(struct dl_phdr_info *info, size_t size, void *data)
{
    unsigned long long *subs = data;
    *subs = size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs
                ? info->dlpi_subs
                : 0;
    return 1;
}

static int lwi_mark_loaded(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    bool *first = data;
    bool main_program = *first;
    *first = false;
    char resolved[PATH_MAX];
    const char *name;
    uint64_t lo, hi;
    if (!lwi_describe(info, main_program, resolved, &name, &lo, &hi)) return 0;
    uint64_t key = lwi_module_key(lo, name);
    for (uint32_t i = 0; i < lwi_nsent; i++)
        if (lwi_sent[i] == key) lwi_loaded[i] = true;
    return 0;
}

/* Forgets the objects unloaded since the last look, so one loaded again (at that address or
 * another) is announced again: the driver then knows which object a later stack's addresses
 * belong to. Under lwi_scanning. */
static void lwi_modules_prune(void)
{
    memset(lwi_loaded, 0, sizeof lwi_loaded);
    bool first = true;
    dl_iterate_phdr(lwi_mark_loaded, &first);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < lwi_nsent; i++)
        if (lwi_loaded[i]) lwi_sent[kept++] = lwi_sent[i];
    lwi_nsent = kept;
}

static void lwi_modules_scan(const struct lwi_thread *self)
{
    /* One scanner at a time; a thread that finds a scan running skips it (that scan sends). */
    if (atomic_flag_test_and_set_explicit(&lwi_scanning, memory_order_acquire)) return;
    LWI_ERRNO_SAVE(); /* realpath */
    unsigned long long adds = 0, subs = 0;
    dl_iterate_phdr(lwi_read_adds, &adds);
    dl_iterate_phdr(lwi_read_subs, &subs);
    if (subs != atomic_load(&lwi_seen_subs)) lwi_modules_prune();
    struct lwi_scan scan = {.self = self, .first = true};
    dl_iterate_phdr(lwi_scan_one, &scan);
    atomic_store(&lwi_seen_adds, adds);
    atomic_store(&lwi_seen_subs, subs);
    LWI_ERRNO_RESTORE();
    atomic_flag_clear_explicit(&lwi_scanning, memory_order_release);
}

void lwi_modules_init(const struct lwi_thread *self, const char *exe)
{
    size_t n = strnlen(exe, sizeof lwi_exe - 1);
    memcpy(lwi_exe, exe, n);
    lwi_exe[n] = '\0';
    lwi_modules_scan(self);
}

void lwi_modules_refresh(const struct lwi_thread *self)
{
    unsigned long long adds = 0;
    dl_iterate_phdr(lwi_read_adds, &adds);
    if (adds != atomic_load(&lwi_seen_adds)) lwi_modules_scan(self);
}

void lwi_modules_after_fork(void)
{
    atomic_flag_clear(&lwi_scanning);
}

const char *lwi_modules_exe(void)
{
    return lwi_exe;
}

uint64_t lwi_modules_unloads(void)
{
    unsigned long long subs = 0;
    dl_iterate_phdr(lwi_read_subs, &subs);
    return subs;
}
