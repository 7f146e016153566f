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
#include "mix.h"
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

/* inst's gates without those that exclude nothing, interned (the same set when all stay). With
 * `final` (the end of the run) that is gates(); before it, only the signals, which stay signals,
 * while a semaphore gate of one thread may yet become a gate of two. */
static int drop_signal_gates(struct lw_detector *d, struct lw_graph_instance *inst, bool final)
{
    const struct lw_report *r = &d->report;
    size_t kept = 0;
    for (uint16_t i = 0; i < inst->ngates; i++) {
        const struct lw_lock *g = r->locks[inst->gates[i].node];
        if (final ? gates(d, g) : !g->signal) kept++;
    }
    if (kept == inst->ngates) return LW_OK;
    struct lw_graph_gate *scratch =
        kept ? lw_grow(d->gate_scratch, &d->gate_scratch_cap, kept, sizeof *scratch) : NULL;
    if (kept && !scratch) return LW_ERR_NOMEM;
    d->gate_scratch = scratch ? scratch : d->gate_scratch;
    size_t n = 0;
    for (uint16_t i = 0; i < inst->ngates; i++) {
        const struct lw_lock *g = r->locks[inst->gates[i].node];
        if (final ? gates(d, g) : !g->signal) scratch[n++] = inst->gates[i];
    }
    uint16_t ngates = 0;
    const struct lw_graph_gate *set =
        n ? lw_graph_intern_gates(d->graph, scratch, n, &ngates) : NULL;
    if (n && !set) return LW_ERR_NOMEM;
    inst->gates = set;
    inst->ngates = ngates;
    return LW_OK;
}

static bool same_use(const struct lw_sem_edge *a, const struct lw_sem_edge *b)
{
    return a->from == b->from && a->to == b->to && a->pid == b->pid &&
           a->inst.thread == b->inst.thread && a->inst.from_mode == b->inst.from_mode &&
           a->inst.to_mode == b->inst.to_mode && a->inst.ngates == b->inst.ngates &&
           a->inst.gates == b->inst.gates && a->inst.payload == b->inst.payload;
}

/* Shrinks the kept edges to what the end of the run can still tell apart, in their order: drops
 * those from or to a semaphore proved a signal since, and the signals among the gates of the
 * others; then, of the edges alike in all but their epoch (ends, thread, modes, gates, sites),
 * keeps the first and the latest. Added at the end, the first stores the instance (or not) as it
 * would have, and the others only widen the thread's epochs on the edge (graph_uses.c), which the
 * first and the latest span already: one thread's records come in order, so its epochs do not go
 * down (an edge that would is kept as it is). Each Condition.wait of CPython makes a new waiter
 * semaphore, and every lock taken while it is held (the GIL's mutex) a new ACQUIRE with it among
 * the gates: those end alike once the waiter is a signal. */
static void compact(struct lw_detector *d)
{
    struct lw_map alike = {0}; /* (hash of an edge) -> first + (latest + 1) << 32, in kept order */
    bool merging = true;       /* out of memory for the map: keep the rest as they are */
    size_t kept = 0;
    for (size_t i = 0; i < d->nsem_edges; i++) {
        struct lw_sem_edge e = d->sem_edges[i];
        if (e.from->signal || e.to->signal) continue;
        struct lw_graph_instance inst = e.inst;
        if (drop_signal_gates(d, &inst, false) == LW_OK) e.inst = inst;
        uint64_t k0 = lw_mix64((uint64_t)(uintptr_t)e.from ^ lw_mix64((uint64_t)(uintptr_t)e.to) ^
                               ((uint64_t)e.inst.thread << 32 | (uint32_t)e.pid));
        uint64_t k1 = lw_mix64(
            (uint64_t)(uintptr_t)e.inst.gates ^ lw_mix64((uint64_t)(uintptr_t)e.inst.payload) ^
            ((uint64_t)e.inst.from_mode << 24 | (uint64_t)e.inst.to_mode << 16 | e.inst.ngates));
        uint64_t v;
        if (merging && lw_map_get(&alike, k0, k1, &v)) {
            uint32_t first = (uint32_t)v, latest = (uint32_t)(v >> 32);
            const struct lw_sem_edge *f = &d->sem_edges[first];
            struct lw_sem_edge *l = latest ? &d->sem_edges[latest - 1] : NULL;
            if (same_use(f, &e) && f->epoch <= e.epoch && (!l || l->epoch <= e.epoch)) {
                if (lw_map_put(&alike, k0, k1, first | (uint64_t)(kept + 1) << 32) == 0) {
                    if (l) l->from = NULL; /* e is the latest now */
                } else {
                    merging = false;
                }
            }
        } else if (merging && lw_map_put(&alike, k0, k1, kept) != 0) {
            merging = false;
        }
        d->sem_edges[kept++] = e;
    }
    lw_map_free(&alike);
    size_t n = 0;
    for (size_t i = 0; i < kept; i++)
        if (d->sem_edges[i].from) d->sem_edges[n++] = d->sem_edges[i];
    d->nsem_edges = n;
}

int lw_sem_defer(struct lw_detector *d, struct lw_lock *from, struct lw_lock *to,
                 struct lw_thread *t, uint32_t epoch, int32_t pid,
                 const struct lw_graph_instance *inst)
{
    if (note_gate_threads(d, t, to, inst) != LW_OK) return LW_ERR_NOMEM;
    if (from->signal || to->signal) return LW_OK; /* known already: no order through it */
    /* Compacted when full, and then doubled only when half of it still counts: amortised O(1)
     * per edge, and the array holds edges that may count, not every edge of every wait on a
     * signal. */
    size_t need = d->nsem_edges + 1;
    if (d->nsem_edges == d->sem_edges_cap && d->sem_edges_cap > 0) {
        compact(d);
        need = d->nsem_edges > d->sem_edges_cap / 2 ? d->sem_edges_cap + 1 : d->nsem_edges + 1;
    }
    struct lw_sem_edge *all = lw_grow(d->sem_edges, &d->sem_edges_cap, need, sizeof *all);
    if (!all) return LW_ERR_NOMEM;
    d->sem_edges = all;
    all[d->nsem_edges++] = (struct lw_sem_edge){from, to, epoch, pid, *inst};
    return LW_OK;
}

int lw_sem_flush(struct lw_detector *d)
{
    int rc = LW_OK;
    for (size_t i = 0; i < d->nsem_edges && rc == LW_OK; i++) {
        struct lw_sem_edge *e = &d->sem_edges[i];
        if (e->from->signal || e->to->signal) continue;
        rc = drop_signal_gates(d, &e->inst, true);
        if (rc == LW_OK) rc = lw_lock_order_edge(d, e->from, e->to, e->epoch, e->pid, &e->inst);
    }
    free(d->sem_edges);
    d->sem_edges = NULL;
    d->nsem_edges = d->sem_edges_cap = 0;
    return rc;
}
