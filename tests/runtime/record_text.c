/* record_text.c — wire records as text lines (record_text.h). */
#include "record_text.h"

#include <inttypes.h>
#include <string.h>

#include "lockwatch/wire.h"

/* Records arrive at any byte offset of a stream: each is copied here before its fields are read. */
static union {
    unsigned char bytes[LW_WIRE_MAX_RECORD];
    struct lw_rec_header h;
    uint64_t align;
} lwr_buf;

static void lwr_string(FILE *out, const char *key, const char *s, size_t max)
{
    fprintf(out, " %s=", key);
    for (size_t i = 0; i < max && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || c == '%')
            fprintf(out, "%%%02X", c);
        else
            fputc(c, out);
    }
}

static void lwr_ref(FILE *out, const char *key, const struct lw_lock_ref *r)
{
    fprintf(out, " %s=%#" PRIx64 "/%" PRIu32 "/%u/%u/%u/%u", key, r->addr, r->generation, r->type,
            r->flags, r->mode, r->acq);
}

static void lwr_held(FILE *out, const struct lw_held *held, uint32_t n)
{
    fputs(" held=", out);
    if (n == 0) fputc('-', out);
    for (uint32_t i = 0; i < n; i++) {
        const struct lw_lock_ref *r = &held[i].lock;
        fprintf(out, "%s%#" PRIx64 "/%" PRIu32 "/%u/%u/%u/%u@%#" PRIx64, i ? "," : "", r->addr,
                r->generation, r->type, r->flags, r->mode, r->acq, held[i].stack);
    }
}

static const char *lwr_type_name(uint8_t type)
{
    switch ((enum lw_rec_type)type) {
    case LW_REC_PROCESS:
        return "PROCESS";
    case LW_REC_MODULE:
        return "MODULE";
    case LW_REC_STACK:
        return "STACK";
    case LW_REC_THREAD:
        return "THREAD";
    case LW_REC_THREAD_NAME:
        return "THREAD_NAME";
    case LW_REC_THREAD_EXIT:
        return "THREAD_EXIT";
    case LW_REC_ACQUIRE:
        return "ACQUIRE";
    case LW_REC_WAIT:
        return "WAIT";
    case LW_REC_WAIT_END:
        return "WAIT_END";
    case LW_REC_MISUSE:
        return "MISUSE";
    case LW_REC_OVERFLOW:
        return "OVERFLOW";
    case LW_REC_HOLDS:
        return "HOLDS";
    case LW_REC_RING:
        return "RING";
    case LW_REC_WATCH:
        return "WATCH";
    case LW_REC_HELD:
        return "HELD";
    case LW_REC_JOIN:
        return "JOIN";
    case LW_REC_LOCK_SEEN:
        return "LOCK_SEEN";
    case LW_REC_SEM_SIGNAL:
        return "SEM_SIGNAL";
    case LW_REC_BARRIER:
        return "BARRIER";
    case LW_REC_STEER:
        return "STEER";
    case LW_REC_SEM:
        return "SEM";
    case LW_REC_REAP:
        return "REAP";
    case LW_REC_PYTHON:
        return "PYTHON";
    case LW_REC_PYSTACK:
        return "PYSTACK";
    case LW_REC_PYCODE:
        return "PYCODE";
    }
    return NULL;
}

static const char *lwr_misuse_name(uint32_t kind)
{
    switch ((enum lw_misuse_kind)kind) {
    case LW_MISUSE_DOUBLE_LOCK:
        return "DOUBLE_LOCK";
    case LW_MISUSE_UNLOCK_UNOWNED:
        return "UNLOCK_UNOWNED";
    case LW_MISUSE_DESTROY_LOCKED:
        return "DESTROY_LOCKED";
    case LW_MISUSE_EXIT_HOLDING:
        return "EXIT_HOLDING";
    case LW_MISUSE_INVALID_LOCK:
        return "INVALID_LOCK";
    case LW_MISUSE_UNINITIALISED:
        return "UNINITIALISED";
    case LW_MISUSE_REINIT_HELD:
        return "REINIT_HELD";
    case LW_MISUSE_REINIT_LIVE:
        return "REINIT_LIVE";
    case LW_MISUSE_COND_UNOWNED:
        return "COND_UNOWNED";
    case LW_MISUSE_TWO_MUTEXES:
        return "TWO_MUTEXES";
    case LW_MISUSE_CV_DESTROYED:
        return "CV_DESTROYED";
    case LW_MISUSE_SEM_DESTROYED:
        return "SEM_DESTROYED";
    case LW_MISUSE_RECOVERED:
        return "RECOVERED";
    }
    return NULL;
}

static const char *lwr_overflow_name(uint32_t table)
{
    switch ((enum lw_overflow_table)table) {
    case LW_OVERFLOW_CHAINS:
        return "CHAINS";
    case LW_OVERFLOW_STACKS:
        return "STACKS";
    case LW_OVERFLOW_HELD:
        return "HELD";
    case LW_OVERFLOW_THREADS:
        return "THREADS";
    case LW_OVERFLOW_CHANNEL:
        return "CHANNEL";
    case LW_OVERFLOW_LOCKS:
        return "LOCKS";
    case LW_OVERFLOW_GENERATIONS:
        return "GENERATIONS";
    case LW_OVERFLOW_HELD_EDGES:
        return "HELD_EDGES";
    case LW_OVERFLOW_STACKS_SHORT:
        return "STACKS_SHORT";
    case LW_OVERFLOW_STACKS_RESTRICTED:
        return "STACKS_RESTRICTED";
    }
    return NULL;
}

/* The size a record of this type must have, given its element counts; 0 when it cannot have one
 * (a count above its bound). The fixed part is known to be in the buffer. */
static size_t lwr_expected_size(const struct lw_rec_header *h)
{
    const void *p = h;
    switch ((enum lw_rec_type)h->type) {
    case LW_REC_PROCESS:
        return sizeof(struct lw_rec_process);
    case LW_REC_MODULE:
        return sizeof(struct lw_rec_module);
    case LW_REC_STACK: {
        const struct lw_rec_stack *r = p;
        return r->nframes > LW_WIRE_MAX_FRAMES ? 0 : sizeof *r + r->nframes * sizeof r->pcs[0];
    }
    case LW_REC_THREAD:
        return sizeof(struct lw_rec_thread);
    case LW_REC_THREAD_NAME:
        return sizeof(struct lw_rec_thread_name);
    case LW_REC_THREAD_EXIT:
        return sizeof(struct lw_rec_thread_exit);
    case LW_REC_ACQUIRE: {
        const struct lw_rec_acquire *r = p;
        return r->nheld > LW_WIRE_MAX_HELD ? 0 : sizeof *r + r->nheld * sizeof r->held[0];
    }
    case LW_REC_WAIT: {
        const struct lw_rec_wait *r = p;
        return r->nheld > LW_WIRE_MAX_HELD ? 0 : sizeof *r + r->nheld * sizeof r->held[0];
    }
    case LW_REC_WAIT_END:
        return sizeof(struct lw_rec_wait_end);
    case LW_REC_MISUSE:
        return sizeof(struct lw_rec_misuse);
    case LW_REC_OVERFLOW:
        return sizeof(struct lw_rec_overflow);
    case LW_REC_HOLDS: {
        const struct lw_rec_holds *r = p;
        return r->nevents == 0 || r->nevents > LW_WIRE_MAX_HOLDS
                   ? 0
                   : sizeof *r + r->nevents * sizeof r->events[0];
    }
    case LW_REC_RING:
        return sizeof(struct lw_rec_ring);
    case LW_REC_WATCH:
        return sizeof(struct lw_rec_watch);
    case LW_REC_HELD: {
        const struct lw_rec_held *r = p;
        return r->nheld == 0 || r->nheld > LW_WIRE_MAX_HELD
                   ? 0
                   : sizeof *r + r->nheld * sizeof r->held[0];
    }
    case LW_REC_JOIN:
        return sizeof(struct lw_rec_join);
    case LW_REC_LOCK_SEEN:
        return sizeof(struct lw_rec_lock_seen);
    case LW_REC_SEM_SIGNAL:
        return sizeof(struct lw_rec_sem_signal);
    case LW_REC_BARRIER:
        return sizeof(struct lw_rec_barrier);
    case LW_REC_STEER:
        return sizeof(struct lw_rec_steer);
    case LW_REC_SEM:
        return sizeof(struct lw_rec_sem);
    case LW_REC_REAP:
        return sizeof(struct lw_rec_reap);
    case LW_REC_PYTHON:
        return sizeof(struct lw_rec_python);
    case LW_REC_PYSTACK: {
        const struct lw_rec_pystack *r = p;
        return r->nframes > LW_WIRE_MAX_FRAMES ? 0 : sizeof *r + r->nframes * sizeof r->frames[0];
    }
    case LW_REC_PYCODE: {
        const struct lw_rec_pycode *r = p;
        return r->file_len > LW_WIRE_MAX_PYFILE || r->func_len > LW_WIRE_MAX_PYFUNC
                   ? 0
                   : sizeof *r + r->file_len + r->func_len;
    }
    }
    return 0;
}

/* The smallest size of a record of this type (its fixed part). */
static size_t lwr_fixed_size(enum lw_rec_type type)
{
    switch (type) {
    case LW_REC_STACK:
        return sizeof(struct lw_rec_stack);
    case LW_REC_ACQUIRE:
        return sizeof(struct lw_rec_acquire);
    case LW_REC_WAIT:
        return sizeof(struct lw_rec_wait);
    case LW_REC_HOLDS:
        return sizeof(struct lw_rec_holds);
    case LW_REC_HELD:
        return sizeof(struct lw_rec_held);
    case LW_REC_PYSTACK:
        return sizeof(struct lw_rec_pystack);
    case LW_REC_PYCODE:
        return sizeof(struct lw_rec_pycode);
    case LW_REC_PROCESS:
    case LW_REC_MODULE:
    case LW_REC_THREAD:
    case LW_REC_THREAD_NAME:
    case LW_REC_THREAD_EXIT:
    case LW_REC_WAIT_END:
    case LW_REC_MISUSE:
    case LW_REC_OVERFLOW:
    case LW_REC_RING:
    case LW_REC_WATCH:
    case LW_REC_JOIN:
    case LW_REC_LOCK_SEEN:
    case LW_REC_SEM_SIGNAL:
    case LW_REC_BARRIER:
    case LW_REC_STEER:
    case LW_REC_SEM:
    case LW_REC_REAP:
    case LW_REC_PYTHON:
        return lwr_expected_size(&(struct lw_rec_header){.type = (uint8_t)type});
    }
    return 0;
}

static bool lwr_error(FILE *out, const char *why, const struct lw_rec_header *h, size_t len)
{
    fprintf(out, "ERROR %s magic=%#x version=%u type=%u size=%" PRIu32 " len=%zu\n", why, h->magic,
            h->version, h->type, h->size, len);
    return false;
}

static void lwr_body(FILE *out, const struct lw_rec_header *h)
{
    const void *p = h;
    switch ((enum lw_rec_type)h->type) {
    case LW_REC_PROCESS: {
        const struct lw_rec_process *r = p;
        fprintf(out,
                " ppid=%" PRId32 " origin=%" PRIu32 " fork_thread=%" PRIu32
                " held_at_fork=%" PRIu32,
                r->parent_pid, r->origin, r->fork_thread, r->held_at_fork);
        lwr_string(out, "exe", r->exe, sizeof r->exe);
        return;
    }
    case LW_REC_MODULE: {
        const struct lw_rec_module *r = p;
        fprintf(out, " base=%#" PRIx64 " start=%#" PRIx64 " end=%#" PRIx64, r->base, r->start,
                r->end);
        lwr_string(out, "path", r->path, sizeof r->path);
        return;
    }
    case LW_REC_STACK: {
        const struct lw_rec_stack *r = p;
        fprintf(out, " id=%#" PRIx64 " nframes=%" PRIu32 " pcs=", r->id, r->nframes);
        for (uint32_t i = 0; i < r->nframes; i++)
            fprintf(out, "%s%#" PRIx64, i ? "," : "", r->pcs[i]);
        if (r->nframes == 0) fputc('-', out);
        return;
    }
    case LW_REC_THREAD: {
        const struct lw_rec_thread *r = p;
        fprintf(out,
                " parent=%" PRIu32 " parent_epoch=%" PRIu32 " created_stack=%#" PRIx64
                " start_routine=%#" PRIx64,
                r->parent_thread, r->parent_epoch, r->created_stack, r->start_routine);
        return;
    }
    case LW_REC_THREAD_NAME: {
        const struct lw_rec_thread_name *r = p;
        lwr_string(out, "name", r->name, sizeof r->name);
        return;
    }
    case LW_REC_THREAD_EXIT: {
        const struct lw_rec_thread_exit *r = p;
        fprintf(out, " nheld=%" PRIu32, r->nheld);
        return;
    }
    case LW_REC_ACQUIRE: {
        const struct lw_rec_acquire *r = p;
        lwr_ref(out, "lock", &r->lock);
        fprintf(out, " stack=%#" PRIx64 " nheld=%" PRIu32 " held_total=%" PRIu32, r->stack,
                r->nheld, r->held_total);
        lwr_held(out, r->held, r->nheld);
        return;
    }
    case LW_REC_WAIT: {
        const struct lw_rec_wait *r = p;
        lwr_ref(out, "lock", &r->lock);
        fprintf(out,
                " stack=%#" PRIx64 " owner_tid=%" PRId32 " deadline=%" PRIu64 " nheld=%" PRIu32
                " held_total=%" PRIu32,
                r->stack, r->owner_tid, r->deadline_ns, r->nheld, r->held_total);
        lwr_held(out, r->held, r->nheld);
        return;
    }
    case LW_REC_WAIT_END: {
        const struct lw_rec_wait_end *r = p;
        lwr_ref(out, "lock", &r->lock);
        fprintf(out, " result=%" PRId32, r->result);
        return;
    }
    case LW_REC_MISUSE: {
        const struct lw_rec_misuse *r = p;
        const char *kind = lwr_misuse_name(r->kind);
        if (kind)
            fprintf(out, " kind=%s", kind);
        else
            fprintf(out, " kind=%" PRIu32, r->kind);
        fprintf(out, " will_block=%" PRIu32, r->will_block);
        lwr_ref(out, "lock", &r->lock);
        fprintf(out, " stack=%#" PRIx64 " other_stack=%#" PRIx64 " other_thread=%" PRIu32, r->stack,
                r->other_stack, r->other_thread);
        lwr_ref(out, "other_lock", &r->other_lock);
        return;
    }
    case LW_REC_OVERFLOW: {
        const struct lw_rec_overflow *r = p;
        const char *table = lwr_overflow_name(r->table);
        if (table)
            fprintf(out, " table=%s", table);
        else
            fprintf(out, " table=%" PRIu32, r->table);
        fprintf(out, " limit=%" PRIu64, r->limit);
        return;
    }
    case LW_REC_HOLDS: {
        const struct lw_rec_holds *r = p;
        fprintf(out, " nevents=%" PRIu32 " events=", r->nevents);
        for (uint32_t i = 0; i < r->nevents; i++) {
            const struct lw_hold *e = &r->events[i];
            fprintf(out, "%s%#" PRIx64 "@%#" PRIx64 ":%" PRIu64 ":%" PRIu64 ":%" PRIu64 ":%" PRIu32,
                    i ? "," : "", e->lock.addr, e->stack, e->wait_start_ns, e->acquired_ns,
                    e->released_ns, e->flags);
        }
        return;
    }
    case LW_REC_RING: {
        const struct lw_rec_ring *r = p;
        fprintf(out, " file_size=%" PRIu64, r->file_size);
        return;
    }
    case LW_REC_WATCH: {
        const struct lw_rec_watch *r = p;
        fprintf(out, " slot=%#" PRIx64 " signals=%#" PRIx64 " timers=%#" PRIx64 " handle=%#" PRIx64,
                r->slot, r->signals, r->timers, r->handle);
        return;
    }
    case LW_REC_HELD: {
        const struct lw_rec_held *r = p;
        fprintf(out, " first=%" PRIu32 " nheld=%" PRIu32, r->first, r->nheld);
        lwr_held(out, r->held, r->nheld);
        return;
    }
    case LW_REC_JOIN: {
        const struct lw_rec_join *r = p;
        fprintf(out, " joined=%#" PRIx64 " stack=%#" PRIx64, r->joined, r->stack);
        return;
    }
    case LW_REC_LOCK_SEEN: {
        const struct lw_rec_lock_seen *r = p;
        lwr_ref(out, "lock", &r->lock);
        return;
    }
    case LW_REC_SEM_SIGNAL: {
        const struct lw_rec_sem_signal *r = p;
        lwr_ref(out, "sem", &r->sem);
        fprintf(out, " why=%" PRIu32, r->why);
        return;
    }
    case LW_REC_BARRIER: {
        const struct lw_rec_barrier *r = p;
        fprintf(out, " barrier=%#" PRIx64 " stack=%#" PRIx64 " count=%" PRIu32 " flags=%" PRIu32,
                r->barrier, r->stack, r->count, r->flags);
        return;
    }
    case LW_REC_STEER: {
        const struct lw_rec_steer *r = p;
        fprintf(out, " outcome=%" PRIu32 " site=%" PRIu32, r->outcome, r->site);
        return;
    }
    case LW_REC_SEM: {
        const struct lw_rec_sem *r = p;
        fprintf(out, " sem=%#" PRIx64 " stack=%#" PRIx64 " op=%" PRIu32 " value=%" PRIu32, r->sem,
                r->stack, r->op, r->value);
        return;
    }
    case LW_REC_REAP: {
        const struct lw_rec_reap *r = p;
        fprintf(out, " child=%" PRId32 " stack=%#" PRIx64, r->child, r->stack);
        return;
    }
    case LW_REC_PYTHON: {
        const struct lw_rec_python *r = p;
        fprintf(out, " version=%#" PRIx32 " supported=%" PRIu32, r->version, r->supported);
        return;
    }
    case LW_REC_PYSTACK: {
        const struct lw_rec_pystack *r = p;
        fprintf(out, " stack=%#" PRIx64 " nframes=%" PRIu32 " flags=%" PRIu32 " frames=", r->stack,
                r->nframes, r->flags);
        for (uint32_t i = 0; i < r->nframes; i++)
            fprintf(out, "%s%#" PRIx64 ":%" PRId32 ":%" PRIu32, i ? "," : "", r->frames[i].code,
                    r->frames[i].line, r->frames[i].flags);
        if (r->nframes == 0) fputc('-', out);
        return;
    }
    case LW_REC_PYCODE: {
        const struct lw_rec_pycode *r = p;
        fprintf(out, " code=%#" PRIx64 " first_line=%" PRId32 " flags=%" PRIu32, r->code,
                r->first_line, r->flags);
        lwr_string(out, "file", r->text, r->file_len);
        lwr_string(out, "func", r->text + r->file_len, r->func_len);
        return;
    }
    }
}

bool lwr_record_text(FILE *out, const void *rec, size_t len)
{
    struct lw_rec_header *h = &lwr_buf.h;
    memset(h, 0, sizeof *h);
    if (len < sizeof *h || len > sizeof lwr_buf.bytes) {
        memcpy(h, rec, len < sizeof *h ? len : sizeof *h);
        return lwr_error(out, "length", h, len);
    }
    memcpy(lwr_buf.bytes, rec, len);
    if (h->magic != LW_WIRE_MAGIC || h->version != LW_WIRE_VERSION || h->size != len)
        return lwr_error(out, "header", h, len);
    const char *name = lwr_type_name(h->type);
    if (!name) return lwr_error(out, "type", h, len);
    if (len < lwr_fixed_size((enum lw_rec_type)h->type) || lwr_expected_size(h) != len)
        return lwr_error(out, "size", h, len);
    fprintf(out,
            "%s pid=%" PRId32 " tid=%" PRId32 " thread=%" PRIu32 " epoch=%" PRIu32 " time=%" PRIu64,
            name, h->pid, h->tid, h->thread, h->epoch, h->time_ns);
    lwr_body(out, h);
    fputc('\n', out);
    return true;
}
