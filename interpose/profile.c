/* profile.c — timed holds for --profile and --trace (see profile.h).
 *
 * Each thread that takes a lock while profiling owns one block: its open holds (a small stack,
 * searched from the top like the held stack) and an LW_REC_HOLDS record being filled in place.
 * A block's state word says who may touch it: its owner between lwi_block_begin() and
 * lwi_block_end() (BUSY), the exit flush (IDLE -> DEAD, for good), or a new thread (FREE -> BUSY,
 * recycling the block of a thread that ended). Blocks are chained in one list that only grows,
 * so the exit flush can walk it while other threads are still running; a block it cannot claim
 * (its owner is in the middle of an update) is skipped, losing that thread's last events. */
#include "profile.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "config.h"
#include "emit.h"
#include "errsave.h"
#include "fastpath.h"
#include "held.h"
#include "real.h"
#include "tls.h"
#include "track.h"
#include "wait.h"

/* Open holds tracked per thread; a thread holding more at once leaves the extra ones untimed. */
#define LWI_PROFILE_OPEN_MAX 256u

_Static_assert(sizeof(struct lw_rec_holds) + LW_WIRE_MAX_HOLDS * sizeof(struct lw_hold) <=
                   LW_WIRE_MAX_RECORD,
               "a full LW_REC_HOLDS record must fit in one message");

bool lwi_profile_on;

enum lwi_block_state {
    LWI_BLOCK_FREE = 0, /* no owner: a new thread may take it */
    LWI_BLOCK_IDLE = 1, /* owned, not being changed */
    LWI_BLOCK_BUSY = 2, /* its owner (or the thread recycling it) is changing it */
    LWI_BLOCK_DEAD = 3, /* sent by the exit flush; nobody touches it again */
};

struct lwi_open_hold {
    struct lw_lock_ref ref;
    uint64_t stack;
    uint64_t wait_start_ns;
    uint64_t acquired_ns;
    uint32_t count; /* recursive re-acquisitions end the hold only at the last release */
    uint32_t flags; /* enum lw_hold_flag */
};

struct lwi_block {
    atomic_uint state;
    int32_t tid;     /* of the owner, for the record header */
    uint32_t number; /* thread number of the owner */
    uint32_t nopen;
    struct lwi_block *next; /* set once before the block is published */
    struct lwi_open_hold open[LWI_PROFILE_OPEN_MAX];
    union {
        struct lw_rec_holds rec;
        unsigned char
            bytes[sizeof(struct lw_rec_holds) + LW_WIRE_MAX_HOLDS * sizeof(struct lw_hold)];
    } out;
};

static _Atomic(struct lwi_block *) lwi_blocks;
static atomic_bool lwi_blocks_closed; /* the exit flush ran: no new block would ever be sent */
static __thread struct lwi_block *lwi_my_block __attribute__((tls_model("initial-exec")));

void lwi_profile_init(void)
{
    lwi_profile_on = lwi_config.profile;
    /* the plain lock and unlock then leave their inline path for lwi_profile_acquire/_release */
    lwi_detour_all = lwi_profile_on;
    lwi_tls.detour = lwi_detour_all; /* the main thread is known already */
}

static void lwi_block_send(struct lwi_block *b)
{
    if (b->out.rec.nevents == 0) return;
    lwi_emit_holds(&b->out.rec, b->tid, b->number);
    b->out.rec.nevents = 0;
}

/* A FREE block of the list, or a new mapping published on it; returned BUSY, or NULL. */
static struct lwi_block *lwi_block_claim(const struct lwi_thread *self)
{
    if (atomic_load_explicit(&lwi_blocks_closed, memory_order_relaxed)) return NULL;
    struct lwi_block *b = atomic_load_explicit(&lwi_blocks, memory_order_acquire);
    for (; b; b = b->next) {
        unsigned free_state = LWI_BLOCK_FREE;
        if (atomic_compare_exchange_strong_explicit(&b->state, &free_state, LWI_BLOCK_BUSY,
                                                    memory_order_acquire, memory_order_relaxed))
            break;
    }
    if (!b) {
        if (lwi_tls.restricted) return NULL; /* mmap may be refused (restrict.h) */
        LWI_ERRNO_SAVE();
        void *mem =
            mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        LWI_ERRNO_RESTORE();
        if (mem == MAP_FAILED) return NULL;
        b = mem; /* zero-filled: FREE, no events, no open holds */
        atomic_store_explicit(&b->state, LWI_BLOCK_BUSY, memory_order_relaxed);
        struct lwi_block *head = atomic_load_explicit(&lwi_blocks, memory_order_relaxed);
        do
            b->next = head;
        while (!atomic_compare_exchange_weak_explicit(&lwi_blocks, &head, b, memory_order_release,
                                                      memory_order_relaxed));
    }
    b->tid = self->tid;
    b->number = self->number;
    b->nopen = 0;
    b->out.rec.nevents = 0;
    return b;
}

/* The calling thread's block, made BUSY; NULL when it has none (and `create` is false), when it
 * cannot get one, or when the exit flush took it. */
static struct lwi_block *lwi_block_begin(const struct lwi_thread *self, bool create)
{
    struct lwi_block *b = lwi_my_block;
    if (!b) return create ? (lwi_my_block = lwi_block_claim(self)) : NULL;
    unsigned idle = LWI_BLOCK_IDLE;
    if (!atomic_compare_exchange_strong_explicit(&b->state, &idle, LWI_BLOCK_BUSY,
                                                 memory_order_acquire, memory_order_relaxed))
        return NULL;
    return b;
}

static void lwi_block_end(struct lwi_block *b)
{
    atomic_store_explicit(&b->state, LWI_BLOCK_IDLE, memory_order_release);
}

/* Appends the event of open hold o ending at released_ns; sends the record when it is full. */
static void lwi_block_event(struct lwi_block *b, const struct lwi_open_hold *o,
                            uint64_t released_ns, uint32_t flags)
{
    struct lw_hold *e = &b->out.rec.events[b->out.rec.nevents++];
    e->lock = o->ref;
    e->stack = o->stack;
    e->wait_start_ns = o->wait_start_ns;
    e->acquired_ns = o->acquired_ns;
    e->released_ns = released_ns;
    e->flags = o->flags | flags;
    e->reserved = 0;
    if (b->out.rec.nevents == LW_WIRE_MAX_HOLDS) lwi_block_send(b);
}

static void lwi_block_open(struct lwi_block *b, const struct lw_lock_ref *ref, uint64_t stack,
                           uint64_t wait_start_ns, uint64_t acquired_ns, uint32_t flags)
{
    for (uint32_t i = b->nopen; i-- > 0;)
        if (b->open[i].ref.addr == ref->addr) {
            b->open[i].count++;
            return;
        }
    if (b->nopen == LWI_PROFILE_OPEN_MAX) return;
    b->open[b->nopen++] = (struct lwi_open_hold){.ref = *ref,
                                                 .stack = stack,
                                                 .wait_start_ns = wait_start_ns,
                                                 .acquired_ns = acquired_ns,
                                                 .count = 1,
                                                 .flags = flags};
}

static void lwi_block_close(struct lwi_block *b, uint64_t addr, uint64_t released_ns)
{
    for (uint32_t i = b->nopen; i-- > 0;) {
        struct lwi_open_hold *o = &b->open[i];
        if (o->ref.addr != addr) continue;
        if (--o->count > 0) return;
        lwi_block_event(b, o, released_ns, 0);
        memmove(o, o + 1, (b->nopen - i - 1) * sizeof *o); /* unlock order need not be LIFO */
        b->nopen--;
        return;
    }
}

/* Every open hold ends at `now` as held until exit, and the record goes out. */
static void lwi_block_flush_all(struct lwi_block *b, uint64_t now)
{
    for (uint32_t i = 0; i < b->nopen; i++)
        lwi_block_event(b, &b->open[i], now, LW_HOLDF_HELD_AT_EXIT);
    b->nopen = 0;
    lwi_block_send(b);
}

int lwi_profile_acquire(struct lwi_thread *self, void *lock, struct lw_lock_ref ref, uint64_t pc)
{
    struct lwi_acq a;
    lwi_acq_init(&a, ref, pc);
    uint64_t wait_start = lwi_now_ns();
    bool fast = lwi_track_attempt_fast(self, &a);
    if (!fast) lwi_track_attempt(self, &a);
    int rc = lwi_family_try_live(a.ref.type, a.ref.mode, lock);
    bool contended = lwi_trylock_busy(&a.ref, rc);
    if (rc == 0) {
        if (fast)
            lwi_track_push_fast(self, &a);
        else
            lwi_track_acquired(self, &a);
        lwi_leave(self);
    } else {
        rc = lwi_wait_acquire(self, a, lock, rc); /* the attempt is made */
    }
    if (!lwi_lock_acquired(&a.ref, rc) || !lwi_reenter(self)) return rc;
    uint64_t acquired = lwi_now_ns();
    struct lwi_block *b = lwi_block_begin(self, true);
    if (b) {
        lwi_block_open(b, &a.ref, a.stack, wait_start, acquired,
                       contended ? LW_HOLDF_CONTENDED : 0);
        lwi_block_end(b);
    }
    lwi_leave(self);
    return rc;
}

void lwi_profile_release(struct lwi_thread *self, uint64_t addr)
{
    uint64_t now = lwi_now_ns();
    struct lwi_block *b = lwi_block_begin(self, false);
    if (!b) return;
    lwi_block_close(b, addr, now);
    lwi_block_end(b);
}

void lwi_profile_taken(struct lwi_thread *self, const struct lw_lock_ref *ref)
{
    uint64_t now = lwi_now_ns();
    struct lwi_block *b = lwi_block_begin(self, true);
    if (!b) return;
    long i = lwi_held_find(&self->held, ref->addr);
    uint64_t stack = i >= 0 ? lwi_held_at(&self->held, (uint32_t)i)->stack : 0;
    lwi_block_open(b, ref, stack, now, now, LW_HOLDF_NO_WAIT);
    lwi_block_end(b);
}

void lwi_profile_thread_exit(struct lwi_thread *self)
{
    struct lwi_block *b = lwi_block_begin(self, false);
    if (!b) return;
    lwi_block_flush_all(b, lwi_now_ns());
    lwi_my_block = NULL;
    atomic_store_explicit(&b->state, LWI_BLOCK_FREE, memory_order_release);
}

void lwi_profile_before_fork(void)
{
    if (!lwi_profile_on) return;
    struct lwi_thread *self = lwi_enter();
    if (!self) return;
    struct lwi_block *b = lwi_block_begin(self, false);
    if (b) {
        lwi_block_send(b);
        lwi_block_end(b);
    }
    lwi_leave(self);
}

void lwi_profile_after_fork_child(struct lwi_thread *self)
{
    if (!lwi_profile_on) return;
    /* Only this thread exists now; whatever the others were doing to their blocks stopped. */
    for (struct lwi_block *b = atomic_load(&lwi_blocks); b; b = b->next) {
        if (b == lwi_my_block) continue;
        b->nopen = 0;
        b->out.rec.nevents = 0;
        atomic_store(&b->state, LWI_BLOCK_FREE);
    }
    if (lwi_my_block) {
        lwi_my_block->tid = self->tid;
        lwi_my_block->number = self->number;
    }
}

/* Process exit: every thread's block goes out, its open holds as held until now. Runs after the
 * program's own destructors (the preloaded library is finalised last). */
__attribute__((destructor)) static void lwi_profile_fini(void)
{
    if (!lwi_profile_on || !atomic_load(&lwi_active)) return;
    struct lwi_thread *self = &lwi_tls;
    uint32_t guard = lwi_guard_hold(self);
    atomic_store(&lwi_blocks_closed, true);
    uint64_t now = lwi_now_ns();
    for (struct lwi_block *b = atomic_load(&lwi_blocks); b; b = b->next) {
        unsigned idle = LWI_BLOCK_IDLE;
        if (atomic_compare_exchange_strong(&b->state, &idle, LWI_BLOCK_DEAD))
            lwi_block_flush_all(b, now);
    }
    lwi_guard_restore(self, guard);
}
