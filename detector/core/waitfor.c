/* waitfor.c — real deadlocks: the wait-for graph of currently blocked threads.
 *
 * A WAIT record says "thread T has been blocked on lock L for a while, holding H". A blocked
 * thread releases nothing, so if T waits for a lock held by blocked thread U, U waits for one
 * held by V, ... and the chain comes back to T, none of them can ever run again: a deadlock, not
 * a potential one. Timed waits give up by themselves and are left out. A lock is the same object
 * for two threads when they are in one process, or when it is process-shared (a forked child has
 * the same addresses as its parent but its own private locks). A thread re-locking a lock it
 * holds is reported by the runtime as a double lock, so no thread waits for itself here. */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "state.h"

static struct lw_wait *wait_of(struct lw_detector *d, const struct lw_thread *t)
{
    return t->index < d->waits_cap ? d->waits[t->index] : NULL;
}

void lw_waitfor_end(struct lw_detector *d, const struct lw_thread *thread)
{
    struct lw_wait *w = wait_of(d, thread);
    if (!w || !w->active) return;
    w->active = false;
    for (size_t i = 0; i < d->nblocked; i++) {
        if (d->blocked[i] == thread->index) {
            d->blocked[i] = d->blocked[--d->nblocked];
            break;
        }
    }
}

void lw_waitfor_free(struct lw_detector *d)
{
    for (size_t i = 0; i < d->waits_cap; i++)
        free(d->waits[i]);
    free(d->waits);
    free(d->blocked);
    lw_seqset_free(&d->deadlocks_seen);
}

/* The held entry of blocked thread u that keeps blocked thread t waiting, or NULL. */
static const struct lw_held_lock *blocker(struct lw_detector *d, uint32_t t, uint32_t u)
{
    const struct lw_wait *wt = d->waits[t], *wu = d->waits[u];
    const struct lw_thread *tt = d->report.threads[t], *tu = d->report.threads[u];
    if (t == u || (tt->pid != tu->pid && !(wt->lock->flags & LW_LOCKF_PSHARED))) return NULL;
    for (size_t i = 0; i < wu->nheld; i++) {
        const struct lw_held_lock *h = &wu->held[i];
        if (h->lock == wt->lock && (wt->mode == LW_MODE_EXCLUSIVE || h->mode == LW_MODE_EXCLUSIVE))
            return h;
    }
    return NULL;
}

/* Depth-first search over blocked threads from `start` for a path back to it. On success
 * path[0..*len) holds the cycle's thread indices (path[i] waits for path[i + 1]). */
static bool find_cycle(struct lw_detector *d, uint32_t start, uint32_t *path, size_t *cursor,
                       uint8_t *visited, size_t *len)
{
    size_t n = d->nblocked, depth = 1;
    memset(visited, 0, n);
    path[0] = start;
    cursor[0] = 0;
    while (depth > 0) {
        uint32_t t = path[depth - 1];
        size_t *next = &cursor[depth - 1];
        if (*next == n) {
            depth--;
            continue;
        }
        size_t k = (*next)++;
        uint32_t u = d->blocked[k];
        if (!blocker(d, t, u)) continue;
        if (u == start) {
            *len = depth;
            return true;
        }
        if (visited[k] || depth == n) continue;
        visited[k] = 1; /* a dead end once explored stays one within this search */
        path[depth] = u;
        cursor[depth++] = 0;
    }
    return false;
}

/* Records the cycle path[0..n) as a deadlock finding unless already reported. */
static int report_deadlock(struct lw_detector *d, uint32_t *path, size_t n, int32_t pid)
{
    lw_seq_rotate_canonical(path, n, 1);
    uint32_t key[2 * LW_WIRE_MAX_HELD];
    uint32_t *seq = n <= LW_WIRE_MAX_HELD ? key : malloc(2 * n * sizeof *seq);
    if (!seq) return LW_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        seq[2 * i] = path[i];
        seq[2 * i + 1] = d->waits[path[i]]->lock->index;
    }
    int rc = LW_OK;
    if (!lw_seqset_find(&d->deadlocks_seen, seq, 2 * n)) {
        struct lw_finding *f = lw_seqset_add(&d->deadlocks_seen, seq, 2 * n, 0) == 0
                                   ? lw_finding_add(d, LW_KIND_DEADLOCK, pid, n, n, n, 2 * n)
                                   : NULL;
        if (!f) {
            rc = LW_ERR_NOMEM;
        } else {
            f->nstacks = 0;
            for (size_t i = 0; i < n; i++) {
                uint32_t t = path[i], prev = path[(i + n - 1) % n];
                const struct lw_wait *w = d->waits[t];
                const struct lw_held_lock *h = blocker(d, prev, t);
                struct lw_thread *thread = d->report.threads[t];
                f->threads[i] = thread;
                f->locks[i] = w->lock;
                f->cycle[i] = (struct lw_cycle_edge){
                    .thread = thread,
                    .holding = h->lock,
                    .acquiring = w->lock,
                    .holding_mode = h->mode,
                    .acquiring_mode = w->mode,
                    .holding_stack = h->stack,
                    .acquiring_stack = w->stack,
                };
                if (w->stack)
                    f->stacks[f->nstacks++] =
                        (struct lw_labelled_stack){thread, "blocked here", w->stack};
                if (h->stack)
                    f->stacks[f->nstacks++] =
                        (struct lw_labelled_stack){thread, "acquired here", h->stack};
            }
            d->must_stop = true;
        }
    }
    if (seq != key) free(seq);
    return rc;
}

static int search_from(struct lw_detector *d, uint32_t start, int32_t pid)
{
    size_t n = d->nblocked;
    uint32_t *path = malloc(n * sizeof *path);
    size_t *cursor = malloc(n * sizeof *cursor);
    uint8_t *visited = malloc(n);
    int rc = LW_ERR_NOMEM;
    size_t len = 0;
    if (path && cursor && visited) {
        rc = LW_OK;
        if (find_cycle(d, start, path, cursor, visited, &len))
            rc = report_deadlock(d, path, len, pid);
    }
    free(path);
    free(cursor);
    free(visited);
    return rc;
}

int lw_waitfor_wait(struct lw_detector *d, const struct lw_rec_wait *rec)
{
    struct lw_process *p = lw_process_of(d, rec->h.pid);
    struct lw_thread *t = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!t) return LW_ERR_NOMEM;
    if (rec->deadline_ns != 0) return LW_OK;
    long nheld;
    struct lw_stack *stack;
    struct lw_lock *lock = lw_resolve_request(d, p->image, &rec->lock, rec->stack, rec->held,
                                              rec->nheld, &nheld, &stack);
    if (!lock) return LW_ERR_NOMEM;
    if (t->index >= d->waits_cap) {
        size_t old = d->waits_cap;
        struct lw_wait **waits = lw_grow(d->waits, &d->waits_cap, t->index + 1, sizeof *waits);
        if (!waits) return LW_ERR_NOMEM;
        memset(waits + old, 0, (d->waits_cap - old) * sizeof *waits);
        d->waits = waits;
    }
    struct lw_wait *w = d->waits[t->index];
    if (!w && !(w = d->waits[t->index] = calloc(1, sizeof *w))) return LW_ERR_NOMEM;
    if (!w->active) {
        uint32_t *blocked = lw_grow(d->blocked, &d->blocked_cap, d->nblocked + 1, sizeof *blocked);
        if (!blocked) return LW_ERR_NOMEM;
        d->blocked = blocked;
        blocked[d->nblocked++] = t->index;
    }
    *w = (struct lw_wait){.active = true,
                          .lock = lock,
                          .mode = rec->lock.mode,
                          .stack = stack,
                          .nheld = (size_t)nheld};
    memcpy(w->held, d->held_scratch, (size_t)nheld * sizeof *w->held);
    return search_from(d, t->index, rec->h.pid);
}
