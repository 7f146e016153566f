/* steer.c — schedule steering toward one lock-order cycle (see steer.h). */
#include "steer.h"

#include <link.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emit.h"
#include "errsave.h"
#include "nocancel.h"
#include "tls.h"

bool lwi_steer_on;

struct lwi_steer_site {
    const char *path; /* into the environment string, not terminated: path_len bytes */
    size_t path_len;
    uint64_t offset;
    uint64_t pc;          /* resolved, 0 when its object is not loaded */
    atomic_uint timeouts; /* naps here that no partner ended (LWI_STEER_MAX_TIMEOUTS) */
};

static struct lwi_steer_site lwi_sites[LWI_STEER_MAX_SITES];
static uint32_t lwi_nsites;
static uint32_t lwi_steer_edges;
static atomic_uint lwi_present; /* threads at a site now */
static atomic_uint lwi_go;      /* bumped by the last to arrive: the others go */

struct lwi_steer_scan {
    const char *exe;
    bool first;
};

static int lwi_steer_resolve(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct lwi_steer_scan *scan = data;
    const char *name = info->dlpi_name;
    if (scan->first || !name || !*name) name = scan->first ? scan->exe : NULL;
    scan->first = false;
    if (!name) return 0;
    size_t len = strlen(name);
    for (uint32_t i = 0; i < lwi_nsites; i++) {
        struct lwi_steer_site *s = &lwi_sites[i];
        if (s->pc == 0 && s->path_len == len && memcmp(s->path, name, len) == 0)
            s->pc = info->dlpi_addr + s->offset;
    }
    return 0;
}

void lwi_steer_init(const char *spec, const char *exe)
{
    if (!spec || !*spec) return;
    char *end;
    unsigned long edges = strtoul(spec, &end, 10);
    if (edges < 2 || edges > LWI_STEER_MAX_SITES || *end != ';') return;
    const char *p = end + 1;
    while (*p && lwi_nsites < LWI_STEER_MAX_SITES) {
        uint64_t offset = strtoull(p, &end, 16);
        if (end == p || *end != '@') return;
        const char *path = end + 1;
        const char *stop = strchr(path, ';');
        size_t len = stop ? (size_t)(stop - path) : strlen(path);
        if (len == 0) return;
        lwi_sites[lwi_nsites++] = (struct lwi_steer_site){path, len, offset, 0, 0};
        p = stop ? stop + 1 : path + len;
    }
    struct lwi_steer_scan scan = {exe, true};
    dl_iterate_phdr(lwi_steer_resolve, &scan);
    lwi_steer_edges = (uint32_t)edges;
    lwi_steer_on = true;
}

static struct lwi_steer_site *lwi_steer_site(uint64_t pc)
{
    for (uint32_t i = 0; i < lwi_nsites; i++)
        if (lwi_sites[i].pc == pc) return &lwi_sites[i];
    return NULL;
}

void lwi_steer_at_slow(struct lwi_thread *self, uint64_t pc)
{
    if (self->restricted || self->held.count == 0) return;
    struct lwi_steer_site *site = lwi_steer_site(pc);
    /* A site is a new chain again in every epoch (each create and join): without a limit, a
     * thread looping over creates and joins would nap LWI_STEER_PAUSE_MS in every iteration. */
    if (!site || atomic_load(&site->timeouts) >= LWI_STEER_MAX_TIMEOUTS) return;
    /* Read before counting ourselves: a partner counted right after us bumps it past this. */
    unsigned go = atomic_load(&lwi_go);
    unsigned here = atomic_fetch_add(&lwi_present, 1) + 1;
    uint32_t index = (uint32_t)(site - lwi_sites);
    if (here >= lwi_steer_edges) { /* the last partner: everyone requests the next lock now */
        atomic_fetch_add(&lwi_go, 1);
        atomic_fetch_sub(&lwi_present, 1);
        lwi_emit_steer(self, LW_STEER_MET, index);
        return;
    }
    struct timespec nap = {.tv_sec = 0, .tv_nsec = 1000000};
    LWI_ERRNO_SAVE();     /* an interrupted nap sets EINTR: the program's errno stays its own */
    LWI_NOCANCEL_BEGIN(); /* nanosleep is a cancellation point; the lock call is not */
    for (unsigned ms = 0; ms < LWI_STEER_PAUSE_MS && atomic_load(&lwi_go) == go; ms++)
        nanosleep(&nap, NULL);
    LWI_NOCANCEL_END();
    LWI_ERRNO_RESTORE();
    bool met = atomic_load(&lwi_go) != go;
    if (!met) atomic_fetch_add(&site->timeouts, 1);
    atomic_fetch_sub(&lwi_present, 1);
    lwi_emit_steer(self, met ? LW_STEER_MET : LW_STEER_ALONE, index);
}
