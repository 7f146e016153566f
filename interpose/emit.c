/* emit.c — record construction (see emit.h). */
#include "emit.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "channel.h"
#include "degraded.h"
#include "fork.h"
#include "lockwatch/ring.h"
#include "tls.h"

uint64_t lwi_now_ns(void)
{
    /* Strict seccomp also turns off the TSC that the vDSO clock reads (restrict.h): no time. */
    if (lwi_tls.restricted) return 0;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct lwi_degraded lwi_degraded;

static void lwi_header(struct lw_rec_header *h, enum lw_rec_type type, size_t size,
                       const struct lwi_thread *self)
{
    if (self == &lwi_tls) lwi_fork_check(&lwi_tls); /* a raw fork's child announces itself */
    if (__builtin_expect(lwi_degraded_pending() != 0, 0)) lwi_emit_degraded(self);
    h->magic = LW_WIRE_MAGIC;
    h->version = LW_WIRE_VERSION;
    h->type = (uint8_t)type;
    h->size = (uint32_t)size;
    h->pid = atomic_load_explicit(&lwi_pid, memory_order_relaxed);
    h->tid = self->tid;
    h->thread = self->number;
    h->epoch = self->epoch;
    h->time_ns = lwi_now_ns();
}

static void lwi_copy_string(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strnlen(src, cap - 1) : 0;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

void lwi_emit_process(const struct lwi_thread *self, uint32_t origin, int32_t parent_pid,
                      uint32_t fork_thread, uint32_t held_at_fork, const char *exe)
{
    struct lw_rec_process r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_PROCESS, sizeof r, self);
    r.parent_pid = parent_pid;
    r.origin = origin;
    r.fork_thread = fork_thread;
    r.held_at_fork = held_at_fork;
    lwi_copy_string(r.exe, sizeof r.exe, exe);
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_module(const struct lwi_thread *self, uint64_t base, uint64_t start, uint64_t end,
                     const char *path)
{
    struct lw_rec_module r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_MODULE, sizeof r, self);
    r.base = base;
    r.start = start;
    r.end = end;
    lwi_copy_string(r.path, sizeof r.path, path);
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_python(const struct lwi_thread *self, uint32_t version, bool supported,
                     const struct lw_py_layout *layout)
{
    struct lw_rec_python r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_PYTHON, sizeof r, self);
    r.version = version;
    r.supported = supported && layout;
    if (r.supported) r.layout = *layout;
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_record(const struct lwi_thread *self, enum lw_rec_type type, struct lw_rec_header *h,
                     size_t size)
{
    lwi_header(h, type, size, self);
    lwi_channel_send(h, size);
}

void lwi_emit_stack(const struct lwi_thread *self, uint64_t id, const uint64_t *pcs,
                    uint32_t nframes)
{
    union {
        struct lw_rec_stack r;
        unsigned char bytes[sizeof(struct lw_rec_stack) + LW_WIRE_MAX_FRAMES * sizeof(uint64_t)];
    } u;
    if (nframes > LW_WIRE_MAX_FRAMES) nframes = LW_WIRE_MAX_FRAMES;
    size_t size = sizeof(struct lw_rec_stack) + nframes * sizeof(uint64_t);
    lwi_header(&u.r.h, LW_REC_STACK, size, self);
    u.r.id = id;
    u.r.nframes = nframes;
    u.r.reserved = 0;
    memcpy(u.r.pcs, pcs, nframes * sizeof(uint64_t));
    lwi_channel_send(&u, size);
}

void lwi_emit_thread(const struct lwi_thread *self, uint32_t parent_thread, uint32_t parent_epoch,
                     uint64_t created_stack, uint64_t start_routine)
{
    struct lw_rec_thread r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_THREAD, sizeof r, self);
    r.parent_thread = parent_thread;
    r.parent_epoch = parent_epoch;
    r.created_stack = created_stack;
    r.start_routine = start_routine;
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_join(const struct lwi_thread *self, uint64_t joined, uint64_t stack)
{
    struct lw_rec_join r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_JOIN, sizeof r, self);
    r.joined = joined;
    r.stack = stack;
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_barrier(const struct lwi_thread *self, uint64_t barrier, uint32_t count,
                      uint32_t flags, uint64_t stack)
{
    struct lw_rec_barrier r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_BARRIER, sizeof r, self);
    r.barrier = barrier;
    r.stack = stack;
    r.count = count;
    r.flags = flags;
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_reap(const struct lwi_thread *self, int32_t child, uint64_t stack)
{
    struct lw_rec_reap r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_REAP, sizeof r, self);
    r.child = child;
    r.stack = stack;
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_sem(const struct lwi_thread *self, uint64_t sem, uint32_t op, uint32_t value,
                  uint64_t stack)
{
    struct lw_rec_sem r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_SEM, sizeof r, self);
    r.sem = sem;
    r.op = op;
    r.value = value;
    r.stack = stack;
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_steer(const struct lwi_thread *self, uint32_t outcome, uint32_t site)
{
    struct lw_rec_steer r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_STEER, sizeof r, self);
    r.outcome = outcome;
    r.site = site;
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_thread_name(const struct lwi_thread *self, uint32_t number, int32_t tid,
                          const char *name)
{
    struct lw_rec_thread_name r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_THREAD_NAME, sizeof r, self);
    r.h.thread = number;
    r.h.tid = tid;
    lwi_copy_string(r.name, sizeof r.name, name);
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_thread_exit(const struct lwi_thread *self, uint32_t nheld)
{
    struct lw_rec_thread_exit r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_THREAD_EXIT, sizeof r, self);
    r.nheld = nheld;
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_watch(const struct lwi_thread *self, uint64_t slot, uint64_t signals, uint64_t timers,
                    uint64_t handle)
{
    struct lw_rec_watch r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_WATCH, sizeof r, self);
    r.slot = slot;
    r.signals = signals;
    r.timers = timers;
    r.handle = handle;
    lwi_channel_send(&r, sizeof r);
}

/* Copies the most recent LW_WIRE_MAX_HELD held entries, oldest first; returns how many. */
static uint32_t lwi_fill_held(const struct lwi_thread *self, struct lw_held *out)
{
    const struct lwi_held_stack *h = &self->held;
    uint32_t n = h->count < LW_WIRE_MAX_HELD ? h->count : LW_WIRE_MAX_HELD;
    uint32_t first = h->count - n;
    for (uint32_t i = 0; i < n; i++) {
        out[i].lock = h->entries[first + i].ref;
        out[i].stack = h->entries[first + i].stack;
    }
    return n;
}

/* Sends the held entries older than an ACQUIRE record's window, down to the
 * LW_WIRE_MAX_HELD_EDGES most recent, LW_WIRE_MAX_HELD per HELD record. Its own frame, so its
 * buffer and the ACQUIRE record's never share the stack. */
static __attribute__((noinline)) void lwi_emit_older_held(const struct lwi_thread *self)
{
    union {
        struct lw_rec_held r;
        unsigned char bytes[sizeof(struct lw_rec_held) + LW_WIRE_MAX_HELD * sizeof(struct lw_held)];
    } u;
    const struct lwi_held_stack *h = &self->held;
    uint32_t oldest = 0;
    if (h->count > LW_WIRE_MAX_HELD_EDGES) {
        oldest = h->count - LW_WIRE_MAX_HELD_EDGES;
        lwi_emit_overflow(self, LW_OVERFLOW_HELD_EDGES, LW_WIRE_MAX_HELD_EDGES);
    }
    uint32_t older = h->count - LW_WIRE_MAX_HELD - oldest;
    for (uint32_t first = 0; first < older; first += LW_WIRE_MAX_HELD) {
        uint32_t n = older - first < LW_WIRE_MAX_HELD ? older - first : LW_WIRE_MAX_HELD;
        u.r.first = first;
        u.r.nheld = n;
        for (uint32_t i = 0; i < n; i++) {
            u.r.held[i].lock = h->entries[oldest + first + i].ref;
            u.r.held[i].stack = h->entries[oldest + first + i].stack;
        }
        size_t size = sizeof(struct lw_rec_held) + n * sizeof(struct lw_held);
        lwi_header(&u.r.h, LW_REC_HELD, size, self);
        lwi_channel_send(&u, size);
    }
}

void lwi_emit_acquire(const struct lwi_thread *self, const struct lw_lock_ref *lock, uint64_t stack)
{
    if (self->held.count > LW_WIRE_MAX_HELD) lwi_emit_older_held(self);
    union {
        struct lw_rec_acquire r;
        unsigned char
            bytes[sizeof(struct lw_rec_acquire) + LW_WIRE_MAX_HELD * sizeof(struct lw_held)];
    } u;
    u.r.lock = *lock;
    u.r.stack = stack;
    u.r.nheld = lwi_fill_held(self, u.r.held);
    u.r.held_total = self->held.count;
    size_t size = sizeof(struct lw_rec_acquire) + u.r.nheld * sizeof(struct lw_held);
    lwi_header(&u.r.h, LW_REC_ACQUIRE, size, self);
    lwi_channel_send(&u, size);
}

void lwi_emit_lock_seen(const struct lwi_thread *self, const struct lw_lock_ref *lock)
{
    struct lw_rec_lock_seen r;
    memset(&r, 0, sizeof r);
    r.lock = *lock;
    lwi_header(&r.h, LW_REC_LOCK_SEEN, sizeof r, self);
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_sem_signal(const struct lwi_thread *self, const struct lw_lock_ref *sem, uint32_t why)
{
    struct lw_rec_sem_signal r;
    memset(&r, 0, sizeof r);
    r.sem = *sem;
    r.why = why;
    lwi_header(&r.h, LW_REC_SEM_SIGNAL, sizeof r, self);
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_wait(const struct lwi_thread *self, const struct lw_lock_ref *lock, uint64_t stack,
                   int32_t owner_tid, uint64_t deadline_ns)
{
    union {
        struct lw_rec_wait r;
        unsigned char bytes[sizeof(struct lw_rec_wait) + LW_WIRE_MAX_HELD * sizeof(struct lw_held)];
    } u;
    u.r.lock = *lock;
    u.r.stack = stack;
    u.r.owner_tid = owner_tid;
    u.r.reserved = 0;
    u.r.deadline_ns = deadline_ns;
    u.r.nheld = lwi_fill_held(self, u.r.held);
    u.r.held_total = self->held.count;
    size_t size = sizeof(struct lw_rec_wait) + u.r.nheld * sizeof(struct lw_held);
    lwi_header(&u.r.h, LW_REC_WAIT, size, self);
    lwi_channel_send(&u, size);
}

void lwi_emit_wait_end(const struct lwi_thread *self, const struct lw_lock_ref *lock,
                       int32_t result)
{
    struct lw_rec_wait_end r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_WAIT_END, sizeof r, self);
    r.lock = *lock;
    r.result = result;
    lwi_channel_send(&r, sizeof r);
}

static void lwi_misuse_fill(struct lw_rec_misuse *r, const struct lwi_thread *self, uint32_t kind,
                            const struct lw_lock_ref *lock, uint64_t stack, uint64_t other_stack,
                            uint32_t other_thread)
{
    memset(r, 0, sizeof *r);
    lwi_header(&r->h, LW_REC_MISUSE, sizeof *r, self);
    r->kind = kind;
    r->lock = *lock;
    r->stack = stack;
    r->other_stack = other_stack;
    r->other_thread = other_thread;
}

void lwi_emit_misuse(const struct lwi_thread *self, uint32_t kind, uint32_t will_block,
                     const struct lw_lock_ref *lock, uint64_t stack, uint64_t other_stack,
                     uint32_t other_thread)
{
    struct lw_rec_misuse r;
    lwi_misuse_fill(&r, self, kind, lock, stack, other_stack, other_thread);
    r.will_block = will_block;
    lwi_channel_send(&r, sizeof r);
}

void lwi_emit_misuse_pair(const struct lwi_thread *self, uint32_t kind,
                          const struct lw_lock_ref *lock, const struct lw_lock_ref *other_lock,
                          uint64_t stack, uint64_t other_stack, uint32_t other_thread)
{
    struct lw_rec_misuse r;
    lwi_misuse_fill(&r, self, kind, lock, stack, other_stack, other_thread);
    r.other_lock = *other_lock;
    lwi_channel_send(&r, sizeof r);
}

/* One OVERFLOW record per raised flag not reported yet; the bit is claimed before the record is
 * built, so the lwi_header of that record does not send it again. */
void lwi_emit_degraded(const struct lwi_thread *self)
{
    uint32_t pending;
    while ((pending = lwi_degraded_pending()) != 0) {
        unsigned table = (unsigned)__builtin_ctz(pending);
        uint32_t bit = 1u << table;
        if (atomic_fetch_or_explicit(&lwi_degraded.reported, bit, memory_order_relaxed) & bit)
            continue;
        struct lw_rec_overflow r;
        memset(&r, 0, sizeof r);
        lwi_header(&r.h, LW_REC_OVERFLOW, sizeof r, self);
        r.table = table;
        r.limit = atomic_load_explicit(&lwi_degraded.limit[table], memory_order_relaxed);
        lwi_channel_send(&r, sizeof r);
    }
}

/* Process exit: a flag raised after the last record still gets its record. */
__attribute__((destructor)) static void lwi_emit_fini(void)
{
    if (!lwi_degraded_pending() || !atomic_load(&lwi_active)) return;
    struct lwi_thread *self = &lwi_tls;
    uint32_t guard = lwi_guard_hold(self);
    lwi_emit_degraded(self);
    lwi_guard_restore(self, guard);
}

void lwi_emit_overflow(const struct lwi_thread *self, uint32_t table, uint64_t limit)
{
    lwi_degraded_raise(table, limit);
    if (lwi_degraded_pending()) lwi_emit_degraded(self);
}

void lwi_emit_holds(struct lw_rec_holds *rec, int32_t tid, uint32_t thread)
{
    size_t size = sizeof *rec + rec->nevents * sizeof rec->events[0];
    struct lw_rec_header *h = &rec->h;
    lwi_fork_check(&lwi_tls);
    h->magic = LW_WIRE_MAGIC;
    h->version = LW_WIRE_VERSION;
    h->type = LW_REC_HOLDS;
    h->size = (uint32_t)size;
    h->pid = atomic_load_explicit(&lwi_pid, memory_order_relaxed);
    h->tid = tid;
    h->thread = thread;
    h->epoch = 0; /* events of another thread, possibly: the detector reads no epoch here */
    h->time_ns = lwi_now_ns();
    rec->reserved = 0;
    lwi_channel_send(rec, size);
}

bool lwi_emit_ring(const struct lwi_thread *self, int memfd)
{
    struct lw_rec_ring r;
    memset(&r, 0, sizeof r);
    lwi_header(&r.h, LW_REC_RING, sizeof r, self);
    r.file_size = LW_RING_FILE_SIZE;
    return lwi_channel_send_fd(&r, sizeof r, memfd);
}
