/* records.c — wire record builders and detector fixtures for the unit tests (see records.h). */
#include "records.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include "lockwatch/detector.h"

struct lw_lock_ref ref_mutex(uint64_t addr)
{
    return (struct lw_lock_ref){.addr = addr, .type = LW_LOCK_MUTEX, .mode = LW_MODE_EXCLUSIVE};
}

struct lw_lock_ref ref_pshared(struct lw_lock_ref lock)
{
    lock.flags |= LW_LOCKF_PSHARED;
    return lock;
}

struct lw_lock_ref ref_rwlock(uint64_t addr, uint8_t mode, uint8_t flags)
{
    return (struct lw_lock_ref){.addr = addr, .type = LW_LOCK_RWLOCK, .flags = flags, .mode = mode};
}

struct lw_held held_at(struct lw_lock_ref lock, uint64_t stack)
{
    return (struct lw_held){.lock = lock, .stack = stack};
}

int32_t tid_of(int32_t pid, uint32_t thread)
{
    return pid + (int32_t)thread;
}

/* Zeroes the record and fills its header for `size` bytes. */
static void *start(struct rec *r, uint8_t type, size_t size, int32_t pid, uint32_t thread)
{
    memset(r->bytes, 0, sizeof r->bytes);
    struct lw_rec_header *h = (struct lw_rec_header *)r->bytes;
    h->magic = LW_WIRE_MAGIC;
    h->version = LW_WIRE_VERSION;
    h->type = type;
    h->size = (uint32_t)size;
    h->pid = pid;
    h->tid = tid_of(pid, thread);
    h->thread = thread;
    r->len = size;
    return r->bytes;
}

void rec_process(struct rec *r, int32_t pid, int32_t parent, uint32_t origin, const char *exe)
{
    struct lw_rec_process *p = start(r, LW_REC_PROCESS, sizeof *p, pid, 0);
    p->parent_pid = parent;
    p->origin = origin;
    strncpy(p->exe, exe, sizeof p->exe - 1);
}

void rec_module(struct rec *r, int32_t pid, uint64_t base, const char *path)
{
    struct lw_rec_module *m = start(r, LW_REC_MODULE, sizeof *m, pid, 0);
    m->base = base;
    m->start = base;
    m->end = base + 0x1000;
    strncpy(m->path, path, sizeof m->path - 1);
}

void rec_stack(struct rec *r, int32_t pid, uint64_t id, uint32_t nframes, const uint64_t *pcs)
{
    struct lw_rec_stack *s = start(r, LW_REC_STACK, sizeof *s + nframes * sizeof s->pcs[0], pid, 0);
    s->id = id;
    s->nframes = nframes;
    memcpy(s->pcs, pcs, nframes * sizeof s->pcs[0]);
}

void rec_python(struct rec *r, int32_t pid, uint32_t version, const struct lw_py_layout *layout)
{
    struct lw_rec_python *p = start(r, LW_REC_PYTHON, sizeof *p, pid, 0);
    p->version = version;
    p->supported = layout != NULL;
    if (layout) p->layout = *layout;
}

struct lw_py_layout py_layout_fake(uint64_t runtime)
{
    return (struct lw_py_layout){
        .runtime = runtime,
        .code_type = 0x9000,
        .unicode_type = 0x9100,
        .bytes_type = 0x9200,
        .ob_type = 8,
        .ob_size = 16,
        .runtime_interp_head = 0,
        .interp_threads_head = 8,
        .ts_next = 0,
        .ts_native_tid = 8,
        .ts_cframe = 16,
        .cframe_current = 0,
        .fr_code = 0,
        .fr_previous = 8,
        .fr_prev_instr = 16,
        .fr_is_entry = 24,
        .fr_owner = 25,
        .fr_size = 32,
        .co_filename = 24,
        .co_qualname = 32,
        .co_firstlineno = 40,
        .co_firsttraceable = 44,
        .co_linetable = 48,
        .co_code = 64,
        .bytes_data = 32,
        .str_length = 16,
        .str_state = 32,
        .str_utf8_length = 40,
        .str_utf8 = 56,
        .str_ascii_data = 48,
        .str_compact_data = 72,
        .str_kind_shift = 2,
        .str_kind_mask = 7,
        .str_compact_bit = 1u << 5,
        .str_ascii_bit = 1u << 6,
        .ts_size = 64,
        .ts_datastack_chunk = 24,
        .chunk_previous = 0,
        .chunk_size = 8,
    };
}

void rec_pycode(struct rec *r, int32_t pid, uint64_t code, int32_t first_line, const char *file,
                const char *func)
{
    size_t flen = strlen(file), qlen = strlen(func);
    struct lw_rec_pycode *c = start(r, LW_REC_PYCODE, sizeof *c + flen + qlen, pid, 0);
    c->code = code;
    c->first_line = first_line;
    c->file_len = (uint16_t)flen;
    c->func_len = (uint16_t)qlen;
    memcpy(c->text, file, flen);
    memcpy(c->text + flen, func, qlen);
}

void rec_pystack(struct rec *r, int32_t pid, uint64_t stack, uint32_t nframes,
                 const struct lw_py_frame *frames, uint32_t flags)
{
    struct lw_rec_pystack *p =
        start(r, LW_REC_PYSTACK, sizeof *p + nframes * sizeof p->frames[0], pid, 0);
    p->stack = stack;
    p->nframes = nframes;
    p->flags = flags;
    memcpy(p->frames, frames, nframes * sizeof p->frames[0]);
}

void rec_thread(struct rec *r, int32_t pid, uint32_t thread, uint32_t parent, uint64_t stack)
{
    struct lw_rec_thread *t = start(r, LW_REC_THREAD, sizeof *t, pid, thread);
    t->parent_thread = parent;
    t->created_stack = stack;
    t->start_routine = 0x401000;
}

void rec_lock_seen(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref lock)
{
    struct lw_rec_lock_seen *s = start(r, LW_REC_LOCK_SEEN, sizeof *s, pid, thread);
    s->lock = lock;
}

struct lw_lock_ref ref_sem(uint64_t addr)
{
    return (struct lw_lock_ref){.addr = addr, .type = LW_LOCK_SEM, .mode = LW_MODE_EXCLUSIVE};
}

void rec_sem_signal(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref sem,
                    uint32_t why)
{
    struct lw_rec_sem_signal *s = start(r, LW_REC_SEM_SIGNAL, sizeof *s, pid, thread);
    s->sem = sem;
    s->why = why;
}

void rec_join(struct rec *r, int32_t pid, uint32_t thread, uint64_t handle, uint64_t stack)
{
    struct lw_rec_join *j = start(r, LW_REC_JOIN, sizeof *j, pid, thread);
    j->joined = handle;
    j->stack = stack;
}

void rec_barrier(struct rec *r, int32_t pid, uint32_t thread, uint64_t barrier, uint32_t count,
                 uint64_t stack)
{
    struct lw_rec_barrier *b = start(r, LW_REC_BARRIER, sizeof *b, pid, thread);
    b->barrier = barrier;
    b->count = count;
    b->stack = stack;
}

void rec_sem(struct rec *r, int32_t pid, uint32_t thread, uint64_t sem, uint32_t op, uint32_t value,
             uint64_t stack)
{
    struct lw_rec_sem *s = start(r, LW_REC_SEM, sizeof *s, pid, thread);
    s->sem = sem;
    s->op = op;
    s->value = value;
    s->stack = stack;
}

void rec_reap(struct rec *r, int32_t pid, uint32_t thread, int32_t child, uint64_t stack)
{
    struct lw_rec_reap *w = start(r, LW_REC_REAP, sizeof *w, pid, thread);
    w->child = child;
    w->stack = stack;
}

void rec_time(struct rec *r, uint64_t time_ns)
{
    ((struct lw_rec_header *)r->bytes)->time_ns = time_ns;
}

void rec_epoch(struct rec *r, uint32_t epoch)
{
    ((struct lw_rec_header *)r->bytes)->epoch = epoch;
}

void rec_parent_epoch(struct rec *r, uint32_t epoch)
{
    ((struct lw_rec_thread *)r->bytes)->parent_epoch = epoch;
}

void rec_thread_name(struct rec *r, int32_t pid, uint32_t thread, const char *name)
{
    struct lw_rec_thread_name *t = start(r, LW_REC_THREAD_NAME, sizeof *t, pid, thread);
    strncpy(t->name, name, sizeof t->name - 1);
}

void rec_thread_exit(struct rec *r, int32_t pid, uint32_t thread, uint32_t nheld)
{
    struct lw_rec_thread_exit *t = start(r, LW_REC_THREAD_EXIT, sizeof *t, pid, thread);
    t->nheld = nheld;
}

void rec_acquire(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref lock,
                 uint64_t stack, uint32_t nheld, const struct lw_held *held)
{
    struct lw_rec_acquire *a =
        start(r, LW_REC_ACQUIRE, sizeof *a + nheld * sizeof a->held[0], pid, thread);
    a->lock = lock;
    a->stack = stack;
    a->nheld = nheld;
    a->held_total = nheld;
    if (nheld) memcpy(a->held, held, nheld * sizeof a->held[0]); /* held may be NULL */
}

void rec_held(struct rec *r, int32_t pid, uint32_t thread, uint32_t first, uint32_t nheld,
              const struct lw_held *held)
{
    struct lw_rec_held *h =
        start(r, LW_REC_HELD, sizeof *h + nheld * sizeof h->held[0], pid, thread);
    h->first = first;
    h->nheld = nheld;
    memcpy(h->held, held, nheld * sizeof h->held[0]);
}

void rec_wait(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref lock, uint64_t stack,
              uint64_t deadline_ns, uint32_t nheld, const struct lw_held *held)
{
    struct lw_rec_wait *w =
        start(r, LW_REC_WAIT, sizeof *w + nheld * sizeof w->held[0], pid, thread);
    w->lock = lock;
    w->stack = stack;
    w->deadline_ns = deadline_ns;
    w->nheld = nheld;
    w->held_total = nheld;
    if (nheld) memcpy(w->held, held, nheld * sizeof w->held[0]); /* held may be NULL */
}

void rec_wait_end(struct rec *r, int32_t pid, uint32_t thread, struct lw_lock_ref lock)
{
    struct lw_rec_wait_end *w = start(r, LW_REC_WAIT_END, sizeof *w, pid, thread);
    w->lock = lock;
}

void rec_wait_owner(struct rec *r, int32_t owner_tid)
{
    ((struct lw_rec_wait *)r->bytes)->owner_tid = owner_tid;
}

void rec_wait_held_total(struct rec *r, uint32_t held_total)
{
    ((struct lw_rec_wait *)r->bytes)->held_total = held_total;
}

void rec_watch(struct rec *r, int32_t pid, uint32_t thread, uint64_t handle)
{
    struct lw_rec_watch *w = start(r, LW_REC_WATCH, sizeof *w, pid, thread);
    w->slot = 0x7000 + thread;
    w->timers = 0x6000;
    w->handle = handle;
}

void rec_misuse(struct rec *r, int32_t pid, uint32_t thread, uint32_t kind, struct lw_lock_ref lock,
                uint64_t stack, uint64_t other_stack, uint32_t other_thread, uint32_t will_block)
{
    struct lw_rec_misuse *m = start(r, LW_REC_MISUSE, sizeof *m, pid, thread);
    m->kind = kind;
    m->will_block = will_block;
    m->lock = lock;
    m->stack = stack;
    m->other_stack = other_stack;
    m->other_thread = other_thread;
}

void rec_overflow(struct rec *r, int32_t pid, uint32_t table, uint64_t limit)
{
    struct lw_rec_overflow *o = start(r, LW_REC_OVERFLOW, sizeof *o, pid, 0);
    o->table = table;
    o->limit = limit;
}

void rec_holds(struct rec *r, int32_t pid, uint32_t thread, const struct lw_hold *events,
               uint32_t n, uint64_t time_ns)
{
    struct lw_rec_holds *h =
        start(r, LW_REC_HOLDS, sizeof *h + n * sizeof h->events[0], pid, thread);
    h->h.time_ns = time_ns;
    h->nevents = n;
    memcpy(h->events, events, n * sizeof h->events[0]);
}

void feed_ok(struct lw_detector *d, const struct rec *r)
{
    assert_int_equal(lw_detector_feed(d, r->bytes, r->len), LW_OK);
}

struct lw_detector *detector_with_process(int32_t pid)
{
    struct lw_detector *d = lw_detector_new(NULL);
    assert_non_null(d);
    struct rec r;
    rec_process(&r, pid, 1, LW_ORIGIN_EXEC, "/bin/prog");
    feed_ok(d, &r);
    return d;
}

void fork_process(struct lw_detector *d, int32_t child, int32_t parent)
{
    struct rec r;
    rec_process(&r, child, parent, LW_ORIGIN_FORK, "/bin/prog");
    feed_ok(d, &r);
}

int board_wait(struct lw_detector *d, int32_t pid, uint32_t thread, uint32_t kind, uint64_t object,
               uint32_t nheld, const struct lw_held *held)
{
    const uint64_t pc = 0x5000 + thread;
    const struct lw_board_wait w = {.pid = pid,
                                    .thread = thread,
                                    .kind = kind,
                                    .object = object,
                                    .pcs = &pc,
                                    .npcs = 1,
                                    .held = held,
                                    .nheld = nheld};
    return lw_detector_board_wait(d, &w);
}

struct lw_thread *thread_numbered(struct lw_detector *d, int32_t pid, uint32_t number)
{
    const struct lw_report *rep = lw_detector_report(d);
    for (size_t i = 0; i < rep->nthreads; i++)
        if (rep->threads[i]->pid == pid && rep->threads[i]->number == number)
            return rep->threads[i];
    fail_msg("no thread %u of pid %d", (unsigned)number, (int)pid);
    return NULL;
}

/* What thread `number` of pid waits for in f; fails the test when f has no such wait. */
const struct lw_thread_wait *wait_in(const struct lw_finding *f, int32_t pid, uint32_t number)
{
    for (size_t i = 0; i < f->nwaits; i++)
        if (f->waits[i].thread->pid == pid && f->waits[i].thread->number == number)
            return &f->waits[i];
    fail_msg("finding %u has no wait of %d:T%u", (unsigned)f->id, (int)pid, (unsigned)number);
    return NULL;
}

/* The only deadlock finding of d; fails the test unless there is exactly one. */
const struct lw_finding *the_deadlock(struct lw_detector *d)
{
    const struct lw_finding *found = NULL;
    const struct lw_report *rp = lw_detector_report(d);
    for (size_t i = 0; i < rp->nfindings; i++) {
        if (rp->findings[i]->kind != LW_KIND_DEADLOCK) continue;
        assert_null(found);
        found = rp->findings[i];
    }
    assert_non_null(found);
    return found;
}

int detector_teardown(void **state)
{
    lw_detector_free(*state);
    return 0;
}
