/* threads.c — thread numbering and the live-thread table (see threads.h). A static array, so no
 * allocation; slots are claimed with a compare-and-swap and read racily (a stale read only yields
 * an out-of-date name or "unknown"). */
#include "threads.h"

#include <stdatomic.h>
#include <sys/uio.h>
#include <unistd.h>

#include "degraded.h"
#include "errsave.h"
#include "tls.h"

enum lwi_slot_state { LWI_SLOT_FREE = 0, LWI_SLOT_RESERVED = 1, LWI_SLOT_READY = 2 };

struct lwi_thread_slot {
    atomic_uint state;                 /* enum lwi_slot_state */
    atomic_uint refs;                  /* creator and thread each hold one until they let go */
    atomic_bool alive;                 /* the thread has not ended */
    _Atomic(struct lwi_thread *) self; /* the thread's TLS state once it runs */
    pthread_t handle;                  /* valid once READY */
    _Atomic int32_t tid;               /* 0 until the thread runs */
    uint32_t number;
};

static struct lwi_thread_slot lwi_slots[LWI_THREADS_MAX];
static atomic_uint lwi_next_number = 1;

/* The groups of LWI_SLOT_GROUP slots a slot was ever claimed in, one bit each, set before the
 * claim: the scans below skip the others, whose pages were never touched (reading them would map
 * them, in every forked child). */
#define LWI_SLOT_GROUP 64u
#define LWI_SLOT_GROUPS ((LWI_THREADS_MAX + LWI_SLOT_GROUP - 1) / LWI_SLOT_GROUP)
static _Atomic uint64_t lwi_slot_groups[(LWI_SLOT_GROUPS + 63) / 64];

static void lwi_slot_group_mark(uint32_t i)
{
    uint32_t g = i / LWI_SLOT_GROUP;
    uint64_t bit = (uint64_t)1 << (g % 64);
    if (!(atomic_load_explicit(&lwi_slot_groups[g / 64], memory_order_relaxed) & bit))
        atomic_fetch_or_explicit(&lwi_slot_groups[g / 64], bit, memory_order_relaxed);
}

/* The first slot at or after i in a group where a slot was ever claimed, or LWI_THREADS_MAX. */
static uint32_t lwi_slot_next(uint32_t i)
{
    while (i < LWI_THREADS_MAX) {
        uint32_t g = i / LWI_SLOT_GROUP;
        if (atomic_load_explicit(&lwi_slot_groups[g / 64], memory_order_relaxed) >> (g % 64) & 1)
            return i;
        i = (g + 1) * LWI_SLOT_GROUP;
    }
    return LWI_THREADS_MAX;
}

uint32_t lwi_threads_next_number(void)
{
    return atomic_fetch_add_explicit(&lwi_next_number, 1, memory_order_relaxed);
}

static int32_t lwi_slot_claim(uint32_t number, unsigned refs)
{
    /* Start the scan at a spot derived from the number so threads rarely contend for slots. */
    for (uint32_t k = 0; k < LWI_THREADS_MAX; k++) {
        uint32_t i = (number + k) % LWI_THREADS_MAX;
        struct lwi_thread_slot *s = &lwi_slots[i];
        lwi_slot_group_mark(i); /* before the claim: no slot in use is in an unmarked group */
        unsigned expected = LWI_SLOT_FREE;
        if (!atomic_compare_exchange_strong_explicit(&s->state, &expected, LWI_SLOT_RESERVED,
                                                     memory_order_acquire, memory_order_relaxed))
            continue;
        atomic_store(&s->refs, refs);
        atomic_store(&s->alive, true);
        atomic_store(&s->self, NULL);
        atomic_store(&s->tid, 0);
        s->number = number;
        return (int32_t)i;
    }
    lwi_degraded_raise(LW_OVERFLOW_THREADS, LWI_THREADS_MAX);
    return -1;
}

static void lwi_slot_release(int32_t slot)
{
    struct lwi_thread_slot *s = &lwi_slots[slot];
    if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        atomic_store_explicit(&s->state, LWI_SLOT_FREE, memory_order_release);
}

void lwi_threads_register_self(struct lwi_thread *self)
{
    int32_t slot = lwi_slot_claim(self->number, 1);
    self->registry_slot = slot;
    if (slot < 0) return;
    struct lwi_thread_slot *s = &lwi_slots[slot];
    atomic_store(&s->self, self);
    atomic_store(&s->tid, self->tid);
    s->handle = pthread_self();
    atomic_store_explicit(&s->state, LWI_SLOT_READY, memory_order_release);
}

int32_t lwi_threads_reserve(uint32_t number)
{
    return lwi_slot_claim(number, 2);
}

void lwi_threads_created(int32_t slot, pthread_t handle, bool ok)
{
    if (slot < 0) return;
    struct lwi_thread_slot *s = &lwi_slots[slot];
    if (!ok) {
        atomic_store(&s->refs, 0);
        atomic_store_explicit(&s->state, LWI_SLOT_FREE, memory_order_release);
        return;
    }
    s->handle = handle;
    unsigned expected = LWI_SLOT_RESERVED;
    atomic_compare_exchange_strong_explicit(&s->state, &expected, LWI_SLOT_READY,
                                            memory_order_release, memory_order_relaxed);
    lwi_slot_release(slot);
}

void lwi_threads_attach(struct lwi_thread *self, int32_t slot)
{
    self->registry_slot = slot;
    if (slot < 0) return;
    struct lwi_thread_slot *s = &lwi_slots[slot];
    atomic_store(&s->tid, self->tid);
    atomic_store(&s->self, self);
}

void lwi_threads_unregister(struct lwi_thread *self)
{
    int32_t slot = self->registry_slot;
    if (slot < 0) return;
    struct lwi_thread_slot *s = &lwi_slots[slot];
    atomic_store(&s->alive, false);
    atomic_store(&s->self, NULL);
    self->registry_slot = -1;
    lwi_slot_release(slot);
}

/* A slot describing a thread that is known and has not ended. */
static struct lwi_thread_slot *lwi_slot_live(uint32_t i)
{
    struct lwi_thread_slot *s = &lwi_slots[i];
    if (atomic_load_explicit(&s->state, memory_order_acquire) != LWI_SLOT_READY) return NULL;
    return atomic_load_explicit(&s->alive, memory_order_relaxed) ? s : NULL;
}

bool lwi_threads_by_handle(pthread_t handle, uint32_t *number, int32_t *tid)
{
    for (uint32_t i = lwi_slot_next(0); i < LWI_THREADS_MAX; i = lwi_slot_next(i + 1)) {
        struct lwi_thread_slot *s = lwi_slot_live(i);
        if (!s || !pthread_equal(s->handle, handle)) continue;
        *number = s->number;
        *tid = atomic_load(&s->tid);
        return true;
    }
    return false;
}

uint32_t lwi_threads_by_tid(int32_t tid)
{
    for (uint32_t i = lwi_slot_next(0); i < LWI_THREADS_MAX; i = lwi_slot_next(i + 1)) {
        struct lwi_thread_slot *s = lwi_slot_live(i);
        if (s && atomic_load(&s->tid) == tid) return s->number;
    }
    return UINT32_MAX;
}

bool lwi_read_safely(void *to, const void *from, size_t len)
{
    LWI_ERRNO_SAVE();
    struct iovec local = {to, len}, remote = {(void *)(uintptr_t)from, len};
    bool ok = process_vm_readv(lwi_pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
    LWI_ERRNO_RESTORE();
    return ok;
}

/* Reads `other`'s held stack, most recent entry first (as lwi_held_find), for an entry of `addr`:
 * its stack (0 if none) in *stack. The owner may be pushing and popping meanwhile, so each entry
 * is read on its own and a torn one simply does not match. */
/* Entries of another thread's held stack read per system call (1 KiB of our stack). */
#define LWI_HELD_READ_CHUNK 16u

static bool lwi_thread_holds(const struct lwi_thread *other, uint64_t addr, uint64_t *stack)
{
    struct lwi_held_stack held;
    if (!lwi_read_safely(&held, &other->held, sizeof held) || !held.entries) return false;
    struct lwi_held_entry chunk[LWI_HELD_READ_CHUNK];
    for (uint32_t end = held.count; end > 0;) { /* newest first */
        uint32_t n = end < LWI_HELD_READ_CHUNK ? end : LWI_HELD_READ_CHUNK;
        end -= n;
        if (!lwi_read_safely(chunk, &held.entries[end], n * sizeof *chunk)) return false;
        for (uint32_t k = n; k-- > 0;) {
            if (chunk[k].ref.addr != addr) continue;
            *stack = chunk[k].stack;
            return true;
        }
    }
    return false;
}

bool lwi_threads_holder(const struct lwi_thread *self, uint64_t addr, struct lwi_holder *out)
{
    for (uint32_t i = lwi_slot_next(0); i < LWI_THREADS_MAX; i = lwi_slot_next(i + 1)) {
        struct lwi_thread_slot *s = lwi_slot_live(i);
        struct lwi_thread *other = s ? atomic_load(&s->self) : NULL;
        if (!other || other == self || !lwi_thread_holds(other, addr, &out->stack)) continue;
        out->number = s->number;
        out->tid = atomic_load(&s->tid);
        return true;
    }
    return false;
}

/* Safe only in a forked child: the other threads are gone, but their TLS blocks were copied
 * with the address space and are frozen as they were at the fork. */
uint32_t lwi_threads_held_by_others(const struct lwi_thread *self)
{
    uint32_t total = 0;
    for (uint32_t i = lwi_slot_next(0); i < LWI_THREADS_MAX; i = lwi_slot_next(i + 1)) {
        struct lwi_thread_slot *s = lwi_slot_live(i);
        struct lwi_thread *other = s ? atomic_load(&s->self) : NULL;
        if (other && other != self) total += other->held.count;
    }
    return total;
}

void lwi_threads_reset_after_fork(struct lwi_thread *self)
{
    /* Only slots in use are written: a write to each of the table's pages would copy every page
     * the fork shared with the parent, in every child. */
    for (uint32_t i = lwi_slot_next(0); i < LWI_THREADS_MAX; i = lwi_slot_next(i + 1))
        if (atomic_load_explicit(&lwi_slots[i].state, memory_order_relaxed) != LWI_SLOT_FREE)
            atomic_store_explicit(&lwi_slots[i].state, LWI_SLOT_FREE, memory_order_relaxed);
    atomic_store_explicit(&lwi_next_number, 1, memory_order_relaxed);
    lwi_threads_register_self(self);
}
