/* text_fix.c — see text_fix.h. */
#include "render/text_fix.h"

#include "render/render_common.h"

/* How many edges of f's cycle the text leaves out, after its first LWD_TEXT_FOLD_HEAD. */
size_t lwd_text_folded_edges(const struct lw_finding *f)
{
    return f->ncycle > LWD_TEXT_FOLD_ABOVE ? f->ncycle - LWD_TEXT_FOLD_HEAD - LWD_TEXT_FOLD_TAIL
                                           : 0;
}

/* Whether edge e is one the text leaves out. */
bool lwd_text_edge_folded(const struct lw_finding *f, size_t e)
{
    return lwd_text_folded_edges(f) > 0 && e >= LWD_TEXT_FOLD_HEAD &&
           e < f->ncycle - LWD_TEXT_FOLD_TAIL;
}

/* "always A before B before C": the order the cycle's first edges already use. */
static void write_order(FILE *out, const struct lw_finding *f)
{
    char buf[256];
    fputs("always ", out);
    for (size_t e = 0; e < f->ncycle; e++) {
        if (lwd_text_edge_folded(f, e)) {
            if (e == LWD_TEXT_FOLD_HEAD) fprintf(out, " before %zu more", lwd_text_folded_edges(f));
            continue;
        }
        if (e > 0) fputs(" before ", out);
        fputs(lwd_lock_word(f->cycle[e].holding, buf, sizeof buf), out);
    }
}

/* A lock some thread of f waits for and another holds while it waits on something else, or
 * NULL; *holder is that other thread's wait. */
static const struct lw_lock *held_while_waiting(const struct lw_finding *f,
                                                const struct lw_thread_wait **holder)
{
    for (size_t i = 0; i < f->nwaits; i++) {
        const struct lw_thread_wait *w = &f->waits[i];
        if (w->kind != LW_WAIT_LOCK || w->waits_for == NULL || w->holder_ended) continue;
        for (size_t k = 0; k < f->nwaits; k++)
            if (f->waits[k].thread == w->waits_for && f->waits[k].kind != LW_WAIT_LOCK) {
                *holder = &f->waits[k];
                return w->lock;
            }
    }
    return NULL;
}

static bool any_wait(const struct lw_finding *f, uint8_t kind)
{
    for (size_t i = 0; i < f->nwaits; i++)
        if (f->waits[i].kind == kind) return true;
    return false;
}

/* Whether a thread of f waits on a condition variable last signalled before it waited. */
static bool signalled_before(const struct lw_finding *f)
{
    for (size_t i = 0; i < f->nwaits; i++)
        if (f->waits[i].kind == LW_WAIT_COND && f->waits[i].last_signal == LW_SIGNAL_BEFORE)
            return true;
    return false;
}

/* Whether a thread of f waits for a read lock it already holds for reading. */
static bool rereads(const struct lw_finding *f)
{
    for (size_t i = 0; i < f->nwaits; i++) {
        const struct lw_thread_wait *w = &f->waits[i];
        if (w->kind != LW_WAIT_LOCK || w->mode != LW_MODE_SHARED) continue;
        for (size_t k = 0; k < w->nheld; k++)
            if (w->held[k].lock == w->lock) return true;
    }
    return false;
}

/* The advice for a deadlock through waits other than a cycle of locks. */
static void write_wait_fix(FILE *out, const struct lw_finding *f)
{
    char buf[256];
    const struct lw_thread_wait *holder = NULL;
    const struct lw_lock *lock = held_while_waiting(f, &holder);
    if (f->nwaits == 1 && f->waits[0].holder_ended) {
        fprintf(out,
                "unlock %s on every path before the thread that took it ends (check early "
                "returns and error paths).",
                lwd_lock_word(f->waits[0].lock, buf, sizeof buf));
    } else if (lock != NULL) {
        char what[320];
        if (holder->kind == LW_WAIT_JOIN)
            snprintf(what, sizeof what, "joining a thread that needs it");
        else if (holder->object_name != NULL)
            snprintf(what, sizeof what, "waiting %s %s",
                     holder->kind == LW_WAIT_BARRIER ? "at" : "on", holder->object_name);
        else
            snprintf(what, sizeof what, "waiting");
        fprintf(out,
                "do not hold %s while %s: unlock it first, or let the other thread do its "
                "part without needing %s.",
                lwd_lock_word(lock, buf, sizeof buf), what, lwd_lock_word(lock, buf, sizeof buf));
    } else if (any_wait(f, LW_WAIT_COND_DESTROY)) {
        fputs("wake every waiter (pthread_cond_broadcast after setting what they wait for) and let "
              "them leave the wait before destroying the condition variable: the destroy waits "
              "for them.",
              out);
    } else if (rereads(f)) {
        fputs("do not take a read lock again while holding it: on a writer-preferring rwlock a "
              "queued writer blocks the second read, and the writer waits for the first.",
              out);
    } else if (any_wait(f, LW_WAIT_LOCK)) {
        fputs("take these locks in one global order everywhere, in every thread and every "
              "process that shares them.",
              out);
    } else if (any_wait(f, LW_WAIT_COND)) {
        fputs("make every condition wait end: wait in a loop on a predicate that is set under the "
              "mutex (while (!ready) pthread_cond_wait(...)), so a signal sent before the wait "
              "finds it already true",
              out);
        if (signalled_before(f)) fputs(" (a condition variable does not remember a signal)", out);
        fputs(", and when the work is over set a 'done' flag (or queue a sentinel) and broadcast, "
              "so no waiter is left behind.",
              out);
    } else if (any_wait(f, LW_WAIT_SEM)) {
        fputs("give every sem_wait its sem_post: make sure the thread that posts can run and is "
              "not itself waiting for the waiter.",
              out);
    } else if (any_wait(f, LW_WAIT_BARRIER)) {
        fputs("every thread counted by the barrier must reach it: none may wait for another "
              "participant before it gets there.",
              out);
    } else {
        fputs("a joined thread must be able to finish: tell it to stop (and wake it) before "
              "joining it.",
              out);
    }
}

/* The advice for a cond-misuse finding, by the rule it broke (report.h: lw_finding_detail). */
static const char *const cond_fix[] = {
    [LW_DETAIL_MUTEX_NOT_HELD] = "lock the mutex before the condition wait, in the same thread, "
                                 "and test the condition under it.",
    [LW_DETAIL_TWO_MUTEXES] =
        "give each condition variable one mutex, and wait on it only with that mutex.",
    [LW_DETAIL_COND_DESTROYED] = "wake every waiter (pthread_cond_broadcast) and let them leave "
                                 "the wait before destroying the condition variable.",
    [LW_DETAIL_SEM_DESTROYED] = "destroy a semaphore only when no thread can still wait on it "
                                "(post for every waiter and join them first).",
};

/* The advice for one kind of finding, written as one paragraph. */
void lwd_text_write_fix(FILE *out, const struct lw_finding *f)
{
    switch (f->kind) {
    case LW_KIND_DEADLOCK:
        if (f->ncycle == 0 && f->nwaits > 0) {
            write_wait_fix(out, f);
            return;
        }
        __attribute__((fallthrough)); /* a cycle of lock waits is an inversion that happened */
    case LW_KIND_LOCK_ORDER_INVERSION:
        if (f->ncycle == 0) {
            fputs("make every thread take these locks in one global order.", out);
            return;
        }
        fputs("take these locks in one global order everywhere, e.g. ", out);
        write_order(out, f);
        fputs(" (or take them together with one call that orders them).", out);
        return;
    case LW_KIND_DOUBLE_LOCK:
        fputs("do not lock a lock this thread already holds; if the code must re-enter, use a "
              "recursive mutex (PTHREAD_MUTEX_RECURSIVE) on purpose.",
              out);
        return;
    case LW_KIND_UNLOCK_UNOWNED:
        fputs("unlock only what this thread locked: pair every lock with exactly one unlock in "
              "the same thread.",
              out);
        return;
    case LW_KIND_DESTROY_LOCKED:
        fputs("unlock the lock, and make sure no thread can still use it, before destroying it.",
              out);
        return;
    case LW_KIND_EXIT_HOLDING_LOCK:
        fputs("unlock every lock before the thread returns or calls pthread_exit (check early "
              "returns and error paths).",
              out);
        return;
    case LW_KIND_DATA_RACE:
        fputs("protect every access to this memory with one lock (the same one for reads and "
              "writes), or make it atomic (C11 atomic_*, C++ std::atomic).",
              out);
        return;
    case LW_KIND_HANG:
        fputs("look at where each thread waits: a condition wait needs a matching signal, a lock "
              "wait needs its owner to unlock.",
              out);
        return;
    case LW_KIND_INVALID_LOCK:
        fputs(f->detail == LW_DETAIL_UNINITIALISED
                  ? "initialise the lock (pthread_mutex_init or a static initialiser) before its "
                    "first use."
                  : "destroy a lock only when no thread will use it again; to reuse it, "
                    "initialise it again first.",
              out);
        return;
    case LW_KIND_REINIT_LIVE:
        fputs(f->detail == LW_DETAIL_HELD
                  ? "unlock the lock (and make sure no thread holds or waits for it) before "
                    "initialising it again."
                  : "initialise each lock once, e.g. with pthread_once; destroy it before "
                    "initialising it again.",
              out);
        return;
    case LW_KIND_COND_MISUSE:
        fputs(cond_fix[f->detail] ? cond_fix[f->detail] : cond_fix[LW_DETAIL_MUTEX_NOT_HELD], out);
        return;
    }
}
