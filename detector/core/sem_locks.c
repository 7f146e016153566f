/* sem_locks.c — semaphores in the lock-order graph (docs/internals.md, "Semaphores").
 *
 * The runtime tracks every semaphore wait as an acquisition of an LW_LOCK_SEM lock and sends a
 * SEM_SIGNAL record when a semaphore behaves as a signal instead (a post by a thread that had
 * not taken it, a second wait by its taker, an initial value other than 1). Such a semaphore
 * makes no lock order for the rest of its generation, and the record may come after the edges it
 * voids. So every edge of an acquisition that involves a semaphore (requested, held, or held
 * around it as a gate) is kept aside here, and added to the graph only at the end of the run
 * (lw_detector_finish), without the edges from or to a signal and without signals among the
 * gates (a signal excludes nothing). A semaphore undecided at the end (taken and never posted,
 * as in a real deadlock) is decided by what was seen: a lock.
 *
 * A semaphore held around the edges (into semaphores) of one thread only is no gate either: such
 * a lock is that thread's own (CPython's thread-state lock, which each thread holds for its whole
 * life and which its joiner takes after it), so two threads running the same code would not
 * share it, and it would otherwise hide every cycle one thread takes in both orders. The price:
 * a semaphore that one thread alone holds around both orders of two others hides nothing
 * either, where a mutex would (docs/internals.md, "Semaphores"). */
#include <stdlib.h>

#include "grow.h"
#include "state.h"

int lw_sem_signal(struct lw_detector *d, const struct lw_rec_sem_signal *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    struct lw_lock *sem = p ? lw_lock_of(d, p->image, &rec->sem, NULL) : NULL;
    if (!sem) return LW_ERR_NOMEM;
    sem->signal = true;
    return LW_OK;
}

/* Notes that the semaphores among inst's gates were gates for thread t, when the lock it
 * requested is a semaphore too. A mutex requested under a semaphore is an interpreter's own
 * (CPython's GIL mutex, taken again after every wait, also right after a join took the joined
 * thread's state lock): it does not make that semaphore shared. */
static int note_gate_threads(struct lw_detector *d, const struct lw_thread *t,
                             const struct lw_lock *to, const struct lw_graph_instance *inst)
{
    const struct lw_report *r = &d->report;
    if (to->type != LW_LOCK_SEM) return LW_OK;
    for (uint16_t i = 0; i < inst->ngates; i++) {
        const struct lw_lock *g = r->locks[inst->gates[i].node];
        if (g->type != LW_LOCK_SEM) continue;
        uint64_t seen, mine = (uint64_t)t->index + 1;
        bool known = lw_map_get(&d->sem_gate_threads, g->index, 0, &seen);
        if (known && (seen == mine || seen == UINT64_MAX)) continue;
        if (lw_map_put(&d->sem_gate_threads, g->index, 0, known ? UINT64_MAX : mine) != 0)
            return LW_ERR_NOMEM;
    }
    return LW_OK;
}

/* Whether gate lock g still excludes anything: not a signal, and for a semaphore, a gate for
 * more than one thread. */
static bool gates(const struct lw_detector *d, const struct lw_lock *g)
{
    uint64_t seen;
    if (g->type != LW_LOCK_SEM) return true;
    return !g->signal && lw_map_get(&d->sem_gate_threads, g->index, 0, &seen) && seen == UINT64_MAX;
}

/* Drops the kept edges from or to a semaphore proved a signal since: before the array grows, so
 * it holds edges that may still count, not every edge of every wait on a signal (each
 * Condition.wait of CPython makes a new waiter semaphore and an edge into it). Amortised O(1) per
 * edge: it runs when the array is full, and grows it only when half of it still counts. */
static void compact(struct lw_detector *d)
{
    size_t kept = 0;
    for (size_t i = 0; i < d->nsem_edges; i++) {
        const struct lw_sem_edge *e = &d->sem_edges[i];
        if (!e->from->signal && !e->to->signal) d->sem_edges[kept++] = *e;
    }
    d->nsem_edges = kept;
}

int lw_sem_defer(struct lw_detector *d, struct lw_lock *from, struct lw_lock *to,
                 struct lw_thread *t, uint32_t epoch, int32_t pid,
                 const struct lw_graph_instance *inst)
{
    if (note_gate_threads(d, t, to, inst) != LW_OK) return LW_ERR_NOMEM;
    if (from->signal || to->signal) return LW_OK; /* known already: no order through it */
    size_t need = d->nsem_edges + 1;
    if (d->nsem_edges == d->sem_edges_cap && d->sem_edges_cap > 0) {
        compact(d);
        if (d->nsem_edges > d->sem_edges_cap / 2) need = d->sem_edges_cap + 1; /* doubles */
    }
    struct lw_sem_edge *all = lw_grow(d->sem_edges, &d->sem_edges_cap, need, sizeof *all);
    if (!all) return LW_ERR_NOMEM;
    d->sem_edges = all;
    all[d->nsem_edges++] = (struct lw_sem_edge){from, to, epoch, pid, *inst};
    return LW_OK;
}

/* inst's gates without those that exclude nothing (gates()), interned (the same set when all
 * stay). */
static int drop_signal_gates(struct lw_detector *d, struct lw_graph_instance *inst)
{
    const struct lw_report *r = &d->report;
    size_t kept = 0;
    for (uint16_t i = 0; i < inst->ngates; i++)
        if (gates(d, r->locks[inst->gates[i].node])) kept++;
    if (kept == inst->ngates) return LW_OK;
    struct lw_graph_gate *scratch =
        kept ? lw_grow(d->gate_scratch, &d->gate_scratch_cap, kept, sizeof *scratch) : NULL;
    if (kept && !scratch) return LW_ERR_NOMEM;
    d->gate_scratch = scratch ? scratch : d->gate_scratch;
    size_t n = 0;
    for (uint16_t i = 0; i < inst->ngates; i++)
        if (gates(d, r->locks[inst->gates[i].node])) scratch[n++] = inst->gates[i];
    uint16_t ngates = 0;
    const struct lw_graph_gate *gates =
        n ? lw_graph_intern_gates(d->graph, scratch, n, &ngates) : NULL;
    if (n && !gates) return LW_ERR_NOMEM;
    inst->gates = gates;
    inst->ngates = ngates;
    return LW_OK;
}

int lw_sem_flush(struct lw_detector *d)
{
    int rc = LW_OK;
    for (size_t i = 0; i < d->nsem_edges && rc == LW_OK; i++) {
        struct lw_sem_edge *e = &d->sem_edges[i];
        if (e->from->signal || e->to->signal) continue;
        rc = drop_signal_gates(d, &e->inst);
        if (rc == LW_OK) rc = lw_lock_order_edge(d, e->from, e->to, e->epoch, e->pid, &e->inst);
    }
    free(d->sem_edges);
    d->sem_edges = NULL;
    d->nsem_edges = d->sem_edges_cap = 0;
    return rc;
}
