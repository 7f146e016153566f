/* misuse.c — lock misuse the runtime saw (double lock, unlock of a lock not held, destroy of a
 * held lock, thread exit with locks held, use of a destroyed or never initialised lock, init of a
 * live lock, condition-variable and semaphore misuse) as findings with the offending call and the
 * call it conflicts with. One finding per (kind, lock, offending stack): a loop that misuses a
 * lock a million times is one bug. A robust mutex's exit-holding record waits for the end of the
 * run (robust.c): its next owner may still recover it. */
#include "state.h"

struct misuse_words {
    enum lw_finding_kind kind;
    enum lw_finding_detail detail;
    const char *offending; /* label of the record's stack */
    const char *other;     /* label of other_stack */
    /* The offending call was made by other_thread, and other_stack is the sender's: a waiter
     * reports the destroy that happened under it. */
    bool offender_is_other;
    /* other_stack is an acquisition of the lock: the stack that names a lock without a symbol
     * ("mutex first locked in ..."). */
    bool other_acquires;
};

static struct misuse_words words_of(enum lw_misuse_kind kind)
{
    switch (kind) {
    case LW_MISUSE_DOUBLE_LOCK:
        return (struct misuse_words){LW_KIND_DOUBLE_LOCK, LW_DETAIL_NONE, "locked again here",
                                     "first locked here", false,          true};
    case LW_MISUSE_UNLOCK_UNOWNED:
        return (struct misuse_words){LW_KIND_UNLOCK_UNOWNED, LW_DETAIL_NONE, "unlocked here",
                                     "locked here",          false,          true};
    case LW_MISUSE_DESTROY_LOCKED:
        return (struct misuse_words){LW_KIND_DESTROY_LOCKED, LW_DETAIL_NONE, "destroyed here",
                                     "locked here",          false,          true};
    case LW_MISUSE_EXIT_HOLDING:
        return (struct misuse_words){LW_KIND_EXIT_HOLDING_LOCK, LW_DETAIL_NONE, "thread ends here",
                                     "acquired here",           false,          true};
    case LW_MISUSE_INVALID_LOCK:
        return (struct misuse_words){
            LW_KIND_INVALID_LOCK, LW_DETAIL_DESTROYED, "used here", "destroyed here", false, false};
    case LW_MISUSE_UNINITIALISED:
        return (struct misuse_words){
            LW_KIND_INVALID_LOCK, LW_DETAIL_UNINITIALISED, "used here", "here", false, false};
    case LW_MISUSE_REINIT_HELD:
        return (struct misuse_words){LW_KIND_REINIT_LIVE, LW_DETAIL_HELD, "initialised here",
                                     "locked here",       false,          true};
    case LW_MISUSE_REINIT_LIVE:
        return (struct misuse_words){LW_KIND_REINIT_LIVE,
                                     LW_DETAIL_NOT_DESTROYED,
                                     "initialised again here",
                                     "first initialised here",
                                     false,
                                     false};
    case LW_MISUSE_COND_UNOWNED:
        return (struct misuse_words){LW_KIND_COND_MISUSE,
                                     LW_DETAIL_MUTEX_NOT_HELD,
                                     "waits here",
                                     "locked here",
                                     false,
                                     true};
    case LW_MISUSE_TWO_MUTEXES:
        return (struct misuse_words){LW_KIND_COND_MISUSE,
                                     LW_DETAIL_TWO_MUTEXES,
                                     "waits here",
                                     "waits with the other mutex here",
                                     false,
                                     false};
    case LW_MISUSE_CV_DESTROYED:
        return (struct misuse_words){LW_KIND_COND_MISUSE,
                                     LW_DETAIL_COND_DESTROYED,
                                     "destroyed here",
                                     "waits here",
                                     true,
                                     false};
    case LW_MISUSE_SEM_DESTROYED:
        return (struct misuse_words){
            LW_KIND_COND_MISUSE, LW_DETAIL_SEM_DESTROYED, "destroyed here", "here", false, false};
    case LW_MISUSE_RECOVERED:
        break; /* not a finding: lw_misuse_record hands it to robust.c */
    }
    return (struct misuse_words){LW_KIND_DOUBLE_LOCK,
                                 LW_DETAIL_NONE,
                                 "here",
                                 "here",
                                 false,
                                 false}; /* validated: unreachable */
}

/* The thread number `number` of the record's process, or NULL when it is the sender or unknown.
 */
static int thread_by_number(struct lw_detector *d, const struct lw_rec_misuse *rec, uint32_t number,
                            struct lw_thread **out)
{
    *out = NULL;
    if (number == UINT32_MAX || number == rec->h.thread) return LW_OK;
    struct lw_rec_header h = rec->h;
    h.thread = number;
    h.tid = 0;
    return (*out = lw_thread_of(d, &h)) ? LW_OK : LW_ERR_NOMEM;
}

int lw_misuse_finding(struct lw_detector *d, const struct lw_rec_misuse *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    struct lw_thread *sender = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!sender) return LW_ERR_NOMEM;
    uint32_t image = p->image;
    struct misuse_words words = words_of((enum lw_misuse_kind)rec->kind);
    int nomem = 0;
    struct lw_stack *stack = lw_depot_get(&d->depot, image, rec->stack, &nomem);
    struct lw_stack *other_stack = lw_depot_get(&d->depot, image, rec->other_stack, &nomem);
    if (nomem) return LW_ERR_NOMEM;
    struct lw_lock *lock = NULL, *other_lock = NULL;
    if (rec->lock.type != 0) {
        lock = lw_lock_of(d, image, &rec->lock, words.other_acquires ? other_stack : NULL);
        if (!lock) return LW_ERR_NOMEM;
    }
    if (rec->kind == LW_MISUSE_TWO_MUTEXES &&
        !(other_lock = lw_lock_of(d, image, &rec->other_lock, NULL)))
        return LW_ERR_NOMEM;
    struct lw_thread *other = NULL;
    if (thread_by_number(d, rec, rec->other_thread, &other) != LW_OK) return LW_ERR_NOMEM;
    if (words.kind == LW_KIND_DOUBLE_LOCK && rec->will_block) d->must_stop = true;
    /* A lock wait on it can never end (waitfor.c). */
    if (rec->kind == LW_MISUSE_EXIT_HOLDING && lock &&
        lw_map_put(&d->exit_held, lock->index, sender->index, 1) != 0)
        return LW_ERR_NOMEM;
    /* Who made the offending call, and whose is the conflicting one. */
    struct lw_thread *offender = sender, *conflicting = other ? other : sender;
    if (words.offender_is_other && other) {
        offender = other;
        conflicting = sender;
    }
    uint64_t k0 = (uint64_t)words.kind << 32 | (lock ? lock->index : 0), seen;
    if (lw_map_get(&d->misuse_seen, k0, (uint64_t)(uintptr_t)stack, &seen)) return LW_OK;
    if (lw_map_put(&d->misuse_seen, k0, (uint64_t)(uintptr_t)stack, 1) != 0) return LW_ERR_NOMEM;
    size_t nlocks = (lock ? 1 : 0) + (other_lock && other_lock != lock ? 1 : 0);
    struct lw_finding *f =
        lw_finding_add(d, words.kind, rec->h.pid, nlocks, offender != conflicting ? 2 : 1, 0, 2);
    if (!f) return LW_ERR_NOMEM;
    f->detail = words.detail;
    size_t l = 0;
    if (lock) f->locks[l++] = lock;
    if (other_lock && other_lock != lock) f->locks[l++] = other_lock;
    f->threads[0] = offender;
    if (offender != conflicting) f->threads[1] = conflicting;
    f->nstacks = 0;
    if (stack)
        f->stacks[f->nstacks++] = (struct lw_labelled_stack){offender, words.offending, stack};
    if (other_stack)
        f->stacks[f->nstacks++] = (struct lw_labelled_stack){conflicting, words.other, other_stack};
    return LW_OK;
}

int lw_misuse_record(struct lw_detector *d, const struct lw_rec_misuse *rec)
{
    if (rec->kind == LW_MISUSE_RECOVERED) return lw_robust_recovered(d, rec);
    if (rec->kind == LW_MISUSE_EXIT_HOLDING && (rec->lock.flags & LW_LOCKF_ROBUST))
        return lw_robust_hold_back(d, rec);
    return lw_misuse_finding(d, rec);
}
