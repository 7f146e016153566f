/* depot.c — unwinding and the "already sent" stack set (see depot.h). */
#define UNW_LOCAL_ONLY
#include "depot.h"

#include <libunwind.h>
#include <link.h>
#include <stdbool.h>

#include "cache.h"
#include "emit.h"
#include "errsave.h"
#include "hash.h"
#include "modules.h"
#include "nocancel.h"
#include "python.h"
#include "stack_room.h"
#include "tls.h"

#define LWI_DEPOT_LOG2 16u
/* Stack below the capture's frame that unw_backtrace and the records sent after it may use
 * (docs/internals.md, "Small stacks"); with less left, no stack is captured. */
#define LWI_CAPTURE_ROOM (12u * 1024u)
_Static_assert(sizeof(((struct lwi_thread_mem *)0)->capture) >=
                   (LW_WIRE_MAX_FRAMES + 16) * sizeof(uint64_t),
               "room for our own frames, dropped afterwards");

static struct lwi_cache lwi_sent_stacks;

/* Address range of one loaded object's segments; lo == hi == 0 until found. */
struct lwi_object_range {
    uint64_t lo, hi;
};
static struct lwi_object_range lwi_self;     /* liblockwatch.so */
static struct lwi_object_range lwi_unwinder; /* libunwind */

struct lwi_object_query {
    uint64_t addr;
    struct lwi_object_range *range;
};

/* dl_iterate_phdr callback: finds the object containing q->addr. */
static int lwi_find_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct lwi_object_query *q = data;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uint64_t start = info->dlpi_addr + ph->p_vaddr;
        if (start < lo) lo = start;
        if (start + ph->p_memsz > hi) hi = start + ph->p_memsz;
    }
    if (q->addr < lo || q->addr >= hi) return 0;
    q->range->lo = lo;
    q->range->hi = hi;
    return 1;
}

static void lwi_locate(const void *addr, struct lwi_object_range *range)
{
    struct lwi_object_query q = {.addr = (uint64_t)(uintptr_t)addr, .range = range};
    dl_iterate_phdr(lwi_find_object, &q);
}

int lwi_depot_init(void)
{
    lwi_locate((const void *)&lwi_depot_init, &lwi_self);
    lwi_locate((const void *)&unw_backtrace, &lwi_unwinder);
    return lwi_cache_init(&lwi_sent_stacks, LWI_DEPOT_LOG2, LW_OVERFLOW_STACKS);
}

bool lwi_depot_is_unwinder(uint64_t pc)
{
    return pc >= lwi_unwinder.lo && pc < lwi_unwinder.hi;
}

static bool lwi_is_own_pc(uint64_t pc)
{
    return pc >= lwi_self.lo && pc < lwi_self.hi;
}

/* Unwinds the calling thread into the thread's scratch, then keeps its frames that are not ours
 * at its start (in place); returns the frame count. */
static uint32_t lwi_depot_unwind(uint64_t *scratch, size_t cap)
{
    void **raw = (void **)scratch;
    LWI_ERRNO_SAVE(); /* libunwind may make system calls, read() among them */
    LWI_NOCANCEL_BEGIN();
    int n = unw_backtrace(raw, (int)cap);
    LWI_NOCANCEL_END();
    LWI_ERRNO_RESTORE();
    /* Our frames are the wrapper on top and the thread trampoline at the bottom: drop both. */
    uint32_t nframes = 0;
    for (int i = 0; i < n && nframes < LW_WIRE_MAX_FRAMES; i++) {
        uint64_t pc = (uint64_t)(uintptr_t)raw[i];
        if (!lwi_is_own_pc(pc)) scratch[nframes++] = pc;
    }
    return nframes;
}

/* Why a stack cannot be captured here, as the overflow record that says so, or 0. */
static uint32_t lwi_depot_refusal(const struct lwi_thread *self)
{
    if (self->restricted) return LW_OVERFLOW_STACKS_RESTRICTED;
    if (!self->mem || lwi_stack_room(self) < LWI_CAPTURE_ROOM) return LW_OVERFLOW_STACKS_SHORT;
    return 0;
}

uint64_t lwi_depot_capture(const struct lwi_thread *self)
{
    uint32_t refusal = lwi_depot_refusal(self);
    if (refusal) {
        lwi_emit_overflow(self, refusal, LWI_CAPTURE_ROOM);
        return 0; /* "no stack": every record may carry it */
    }
    uint64_t *pcs = self->mem->capture;
    uint32_t nframes = lwi_depot_unwind(pcs, sizeof self->mem->capture / sizeof pcs[0]);
    if (nframes == 0) return 0;
    uint64_t id = lwi_mix64(nframes ^ (lwi_modules_unloads() << 8)); /* modules.h */
    for (uint32_t i = 0; i < nframes; i++)
        id = lwi_combine(id, pcs[i]);
    /* The interpreter's C frames are the same for every Python line: where the Python code is
     * belongs to the stack's identity. */
    struct lwi_python_scratch *py = &self->mem->python;
    lwi_python_frames(self, py);
    for (uint32_t i = 0; i < py->nraw; i++)
        id = lwi_combine(lwi_combine(id, py->raw[i].code), (uint64_t)py->raw[i].offset);
    if (py->nraw || py->flags) id = lwi_combine(id, py->flags);
    id &= LWI_STACK_ID_MASK;
    if (id == 0 || id == LWI_STACK_ID_MASK) id = 1;
    uint64_t seen;
    if (lwi_cache_get(&lwi_sent_stacks, id, &seen)) return id;
    /* A stack may point into an object loaded since the last look: announce it first. */
    lwi_modules_refresh(self);
    lwi_emit_stack(self, id, pcs, nframes);
    lwi_python_send(self, py, id);
    lwi_cache_put(&lwi_sent_stacks, id, id);
    lwi_emit_degraded_now(self);
    return id;
}
