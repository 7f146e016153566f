/* misuse.c — lock misuse the runtime saw (double lock, unlock of a lock not held, destroy of a
 * held lock, thread exit with locks held) as findings with the offending call and the
 * acquisition it conflicts with. One finding per (kind, lock, offending stack): a loop that
 * misuses a lock a million times is one bug. */
#include "state.h"

struct misuse_words {
    enum lw_finding_kind kind;
    const char *offending; /* label of the record's stack */
    const char *other;     /* label of other_stack */
};

static struct misuse_words words_of(enum lw_misuse_kind kind)
{
    switch (kind) {
    case LW_MISUSE_DOUBLE_LOCK:
        return (struct misuse_words){LW_KIND_DOUBLE_LOCK, "locked again here", "first locked here"};
    case LW_MISUSE_UNLOCK_UNOWNED:
        return (struct misuse_words){LW_KIND_UNLOCK_UNOWNED, "unlocked here", "locked here"};
    case LW_MISUSE_DESTROY_LOCKED:
        return (struct misuse_words){LW_KIND_DESTROY_LOCKED, "destroyed here", "locked here"};
    case LW_MISUSE_EXIT_HOLDING:
        return (struct misuse_words){LW_KIND_EXIT_HOLDING_LOCK, "thread ends here",
                                     "acquired here"};
    }
    return (struct misuse_words){LW_KIND_DOUBLE_LOCK, "here", "here"}; /* validated: unreachable */
}

int lw_misuse_record(struct lw_detector *d, const struct lw_rec_misuse *rec)
{
    struct lw_process *p = lw_process_of(d, rec->h.pid);
    struct lw_thread *t = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!t) return LW_ERR_NOMEM;
    uint32_t image = p->image;
    int nomem = 0;
    struct lw_stack *stack = lw_depot_get(&d->depot, image, rec->stack, &nomem);
    struct lw_stack *other_stack = lw_depot_get(&d->depot, image, rec->other_stack, &nomem);
    struct lw_lock *lock = nomem ? NULL : lw_lock_of(d, image, &rec->lock, other_stack);
    if (!lock) return LW_ERR_NOMEM;
    struct lw_thread *other = NULL;
    if (rec->other_thread != UINT32_MAX && rec->other_thread != rec->h.thread) {
        struct lw_rec_header h = rec->h;
        h.thread = rec->other_thread;
        h.tid = 0;
        if (!(other = lw_thread_of(d, &h))) return LW_ERR_NOMEM;
    }
    /* A lock wait on it can never end (waitfor.c). */
    if (rec->kind == LW_MISUSE_EXIT_HOLDING && lw_map_put(&d->exit_held, lock->index, t->index, 1))
        return LW_ERR_NOMEM;
    struct misuse_words words = words_of((enum lw_misuse_kind)rec->kind);
    if (words.kind == LW_KIND_DOUBLE_LOCK && rec->will_block) d->must_stop = true;
    uint64_t k0 = (uint64_t)words.kind << 32 | lock->index, seen;
    if (lw_map_get(&d->misuse_seen, k0, (uint64_t)(uintptr_t)stack, &seen)) return LW_OK;
    if (lw_map_put(&d->misuse_seen, k0, (uint64_t)(uintptr_t)stack, 1) != 0) return LW_ERR_NOMEM;
    struct lw_finding *f = lw_finding_add(d, words.kind, rec->h.pid, 1, other ? 2 : 1, 0, 2);
    if (!f) return LW_ERR_NOMEM;
    f->locks[0] = lock;
    f->threads[0] = t;
    if (other) f->threads[1] = other;
    f->nstacks = 0;
    if (stack) f->stacks[f->nstacks++] = (struct lw_labelled_stack){t, words.offending, stack};
    if (other_stack)
        f->stacks[f->nstacks++] =
            (struct lw_labelled_stack){other ? other : t, words.other, other_stack};
    return LW_OK;
}
