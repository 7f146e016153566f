/* validate.c — decides whether a byte sequence is a well-formed record (wire.h), before the
 * detector reads any field of it. A program under test can scribble over anything, so every
 * count, size, enum and string is checked; nothing here trusts the sender. */
#include <string.h>

#include "lockwatch/pyframe.h"
#include "state.h"

static bool terminated(const char *field, size_t size)
{
    return memchr(field, '\0', size) != NULL;
}

static bool valid_lock_ref(const struct lw_lock_ref *ref)
{
    const unsigned all_flags = LW_LOCKF_RECURSIVE | LW_LOCKF_ERRORCHECK | LW_LOCKF_WRITER_PREF |
                               LW_LOCKF_PSHARED | LW_LOCKF_ROBUST;
    const unsigned all_acq = LW_ACQF_TRY | LW_ACQF_TIMED | LW_ACQF_CONDWAIT;
    return ref->type >= LW_LOCK_MUTEX && ref->type <= LW_LOCK_SEM &&
           (ref->flags & ~all_flags) == 0 && ref->mode <= LW_MODE_SHARED &&
           (ref->acq & ~all_acq) == 0;
}

/* A record with `count` trailing elements of `elem` bytes after a fixed part of `fixed`. */
static bool sized(size_t len, size_t fixed, uint32_t count, uint32_t limit, size_t elem)
{
    return len >= fixed && count <= limit && len == fixed + (size_t)count * elem;
}

static bool valid_held(const struct lw_held *held, uint32_t nheld, uint32_t held_total)
{
    if (held_total < nheld) return false;
    for (uint32_t i = 0; i < nheld; i++)
        if (!valid_lock_ref(&held[i].lock)) return false;
    return true;
}

/* Hold events: known flags, times in order (attempt <= acquisition <= release). */
static bool valid_holds(const struct lw_hold *events, uint32_t n)
{
    const unsigned all_flags = LW_HOLDF_CONTENDED | LW_HOLDF_HELD_AT_EXIT | LW_HOLDF_NO_WAIT;
    for (uint32_t i = 0; i < n; i++) {
        const struct lw_hold *e = &events[i];
        if (!valid_lock_ref(&e->lock) || (e->flags & ~all_flags) != 0 ||
            e->wait_start_ns > e->acquired_ns || e->acquired_ns > e->released_ns)
            return false;
    }
    return true;
}

static bool valid_body(const struct lw_rec_header *h, size_t len)
{
    switch ((enum lw_rec_type)h->type) {
    case LW_REC_PROCESS: {
        const struct lw_rec_process *r = (const void *)h;
        return len == sizeof *r && (r->origin == LW_ORIGIN_EXEC || r->origin == LW_ORIGIN_FORK) &&
               terminated(r->exe, sizeof r->exe);
    }
    case LW_REC_MODULE: {
        const struct lw_rec_module *r = (const void *)h;
        return len == sizeof *r && terminated(r->path, sizeof r->path) && r->path[0] != '\0' &&
               r->start <= r->end;
    }
    case LW_REC_STACK: {
        const struct lw_rec_stack *r = (const void *)h;
        return len >= sizeof *r &&
               sized(len, sizeof *r, r->nframes, LW_WIRE_MAX_FRAMES, sizeof r->pcs[0]) &&
               r->id != 0;
    }
    case LW_REC_THREAD:
        return len == sizeof(struct lw_rec_thread);
    case LW_REC_THREAD_NAME: {
        const struct lw_rec_thread_name *r = (const void *)h;
        return len == sizeof *r && terminated(r->name, sizeof r->name);
    }
    case LW_REC_THREAD_EXIT:
        return len == sizeof(struct lw_rec_thread_exit);
    case LW_REC_ACQUIRE: {
        const struct lw_rec_acquire *r = (const void *)h;
        return len >= sizeof *r &&
               sized(len, sizeof *r, r->nheld, LW_WIRE_MAX_HELD, sizeof r->held[0]) &&
               valid_lock_ref(&r->lock) && valid_held(r->held, r->nheld, r->held_total);
    }
    case LW_REC_WAIT: {
        const struct lw_rec_wait *r = (const void *)h;
        return len >= sizeof *r &&
               sized(len, sizeof *r, r->nheld, LW_WIRE_MAX_HELD, sizeof r->held[0]) &&
               valid_lock_ref(&r->lock) && valid_held(r->held, r->nheld, r->held_total);
    }
    case LW_REC_WAIT_END: {
        const struct lw_rec_wait_end *r = (const void *)h;
        return len == sizeof *r && valid_lock_ref(&r->lock);
    }
    case LW_REC_MISUSE: {
        const struct lw_rec_misuse *r = (const void *)h;
        if (len != sizeof *r || r->kind < LW_MISUSE_DOUBLE_LOCK || r->kind > LW_MISUSE_RECOVERED)
            return false;
        /* A semaphore is no lock: its record names it by address alone (type 0). */
        if (r->kind == LW_MISUSE_SEM_DESTROYED) return r->lock.type == 0;
        if (r->kind == LW_MISUSE_TWO_MUTEXES && !valid_lock_ref(&r->other_lock)) return false;
        return valid_lock_ref(&r->lock);
    }
    case LW_REC_OVERFLOW: {
        const struct lw_rec_overflow *r = (const void *)h;
        return len == sizeof *r && r->table >= LW_OVERFLOW_CHAINS &&
               r->table <= LW_OVERFLOW_STACKS_RESTRICTED;
    }
    case LW_REC_HOLDS: {
        const struct lw_rec_holds *r = (const void *)h;
        return len >= sizeof *r && r->nevents > 0 &&
               sized(len, sizeof *r, r->nevents, LW_WIRE_MAX_HOLDS, sizeof r->events[0]) &&
               valid_holds(r->events, r->nevents);
    }
    case LW_REC_WATCH:
        return len == sizeof(struct lw_rec_watch);
    case LW_REC_HELD: {
        const struct lw_rec_held *r = (const void *)h;
        return len >= sizeof *r && r->nheld > 0 &&
               sized(len, sizeof *r, r->nheld, LW_WIRE_MAX_HELD, sizeof r->held[0]) &&
               valid_held(r->held, r->nheld, r->nheld) &&
               r->first + (uint64_t)r->nheld <= LW_WIRE_MAX_HELD_EDGES - LW_WIRE_MAX_HELD;
    }
    case LW_REC_JOIN:
        return len == sizeof(struct lw_rec_join);
    case LW_REC_BARRIER: {
        const struct lw_rec_barrier *r = (const void *)h;
        return len == sizeof *r && r->count >= 2 && (r->flags & ~(unsigned)LW_LOCKF_PSHARED) == 0;
    }
    case LW_REC_REAP:
        return len == sizeof(struct lw_rec_reap) &&
               ((const struct lw_rec_reap *)(const void *)h)->child > 0;
    case LW_REC_SEM: {
        const struct lw_rec_sem *r = (const void *)h;
        return len == sizeof *r && r->op >= LW_SEM_INIT && r->op <= LW_SEM_WAIT;
    }
    case LW_REC_STEER: {
        const struct lw_rec_steer *r = (const void *)h;
        return len == sizeof *r && (r->outcome == LW_STEER_MET || r->outcome == LW_STEER_ALONE);
    }
    case LW_REC_LOCK_SEEN:
        return len == sizeof(struct lw_rec_lock_seen) &&
               valid_lock_ref(&((const struct lw_rec_lock_seen *)(const void *)h)->lock);
    case LW_REC_SEM_SIGNAL: {
        const struct lw_rec_sem_signal *r = (const void *)h;
        return len == sizeof *r && valid_lock_ref(&r->sem) && r->sem.type == LW_LOCK_SEM &&
               r->why >= LW_SEM_POSTED_UNHELD && r->why <= LW_SEM_INITIAL_VALUE;
    }
    case LW_REC_PYTHON: {
        const struct lw_rec_python *r = (const void *)h;
        return len == sizeof *r && r->supported <= 1 &&
               (!r->supported || lw_py_layout_valid(&r->layout));
    }
    case LW_REC_PYSTACK: {
        const struct lw_rec_pystack *r = (const void *)h;
        const unsigned all_frame = LW_PYF_ENTRY | LW_PYF_INCOMPLETE | LW_PYF_NO_LINE;
        if (len < sizeof *r || r->stack == 0 ||
            !sized(len, sizeof *r, r->nframes, LW_WIRE_MAX_FRAMES, sizeof r->frames[0]) ||
            (r->flags & ~(unsigned)(LW_PYS_TRUNCATED | LW_PYS_UNREADABLE)) != 0)
            return false;
        for (uint32_t i = 0; i < r->nframes; i++)
            if ((r->frames[i].flags & ~all_frame) != 0 || r->frames[i].line < 0) return false;
        return true;
    }
    case LW_REC_PYCODE: {
        const struct lw_rec_pycode *r = (const void *)h;
        return len >= sizeof *r && r->file_len <= LW_WIRE_MAX_PYFILE &&
               r->func_len <= LW_WIRE_MAX_PYFUNC &&
               len == sizeof *r + (size_t)r->file_len + r->func_len &&
               (r->flags & ~(unsigned)(LW_PYC_FILE_CUT | LW_PYC_FUNC_CUT)) == 0 && r->code != 0;
    }
    case LW_REC_RING:
        return false; /* transport: the driver's channel takes it, the detector never should */
    }
    return false; /* an unknown type */
}

int lw_validate_record(const void *rec, size_t len)
{
    const struct lw_rec_header *h = rec;
    if (len < sizeof *h || len > LW_WIRE_MAX_RECORD) return -1;
    if (h->magic != LW_WIRE_MAGIC || h->version != LW_WIRE_VERSION || h->size != len) return -1;
    return valid_body(h, len) ? 0 : -1;
}
