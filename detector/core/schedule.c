/* schedule.c — the happens-before label of lock-order-inversion findings (docs/internals.md,
 * "Happens-before"): THREAD, JOIN, BARRIER, REAP and forked PROCESS records order threads, ACQUIRE
 * records say in which epoch each thread took each edge (kept on the edge by the lock-order graph),
 * and at the end each finding is labelled concurrent, ordered (with the orderings of the cycle it
 * shows) or unchecked. The label hides nothing. */
#include <stdlib.h>

#include "grow.h"
#include "state.h"

/* Steps a classification may take per instance-level cycle before it makes no claim. */
#define LW_SCHEDULE_BUDGET (1u << 24)

int lw_schedule_thread(struct lw_detector *d, const struct lw_thread *t,
                       const struct lw_rec_thread *rec)
{
    uint32_t parent = LW_HB_NONE;
    uint64_t index;
    if (rec->parent_thread != UINT32_MAX &&
        lw_map_get(&d->thread_keys, t->process, rec->parent_thread, &index))
        parent = (uint32_t)index;
    return lw_hb_start(&d->hb, t->index, parent, rec->parent_epoch, t->created) == 0 ? LW_OK
                                                                                     : LW_ERR_NOMEM;
}

/* The thread a JOIN names: of the joiner's process, with that pthread_t, ended and not joined
 * yet. A handle is reused only after its join, but the new thread's records may come before the
 * JOIN of the old one, so more than one candidate means none: no ordering is claimed. */
static struct lw_thread *joined_thread(struct lw_detector *d, const struct lw_thread *joiner,
                                       uint64_t handle)
{
    struct lw_thread *found = NULL;
    for (size_t i = 0; i < d->report.nthreads && handle; i++) {
        struct lw_thread *t = d->report.threads[i];
        if (t == joiner || t->process != joiner->process || t->handle != handle || !t->exited)
            continue;
        if (t->index < d->hb.nthreads && d->hb.threads[t->index].joined) continue;
        if (found) return NULL;
        found = t;
    }
    return found;
}

int lw_schedule_join(struct lw_detector *d, const struct lw_rec_join *rec)
{
    struct lw_thread *joiner;
    struct lw_stack *stack;
    if (lw_record_origin(d, &rec->h, rec->stack, &joiner, &stack) != LW_OK) return LW_ERR_NOMEM;
    struct lw_thread *joined = joined_thread(d, joiner, rec->joined);
    if (!joined) return LW_OK;
    if (lw_hb_join(&d->hb, joiner->index, rec->h.epoch, joined->index, stack) != 0)
        return LW_ERR_NOMEM;
    return LW_OK;
}

int lw_schedule_barrier(struct lw_detector *d, const struct lw_rec_barrier *rec)
{
    struct lw_thread *t;
    struct lw_stack *stack;
    if (lw_record_origin(d, &rec->h, rec->stack, &t, &stack) != LW_OK) return LW_ERR_NOMEM;
    uint64_t index;
    if (!lw_map_get(&d->barrier_ids, t->process, rec->barrier, &index)) {
        index = d->hb.nbarriers;
        if (lw_map_put(&d->barrier_ids, t->process, rec->barrier, index) != 0) return LW_ERR_NOMEM;
    }
    if (lw_hb_barrier(&d->hb, (uint32_t)index, rec->barrier, rec->count, t->index, rec->h.epoch,
                      stack) != 0)
        return LW_ERR_NOMEM;
    return LW_OK;
}

int lw_schedule_reap(struct lw_detector *d, const struct lw_rec_reap *rec)
{
    struct lw_thread *t;
    struct lw_stack *stack;
    if (lw_record_origin(d, &rec->h, rec->stack, &t, &stack) != LW_OK) return LW_ERR_NOMEM;
    struct lw_reap *all = lw_grow(d->reaps, &d->reaps_cap, d->nreaps + 1, sizeof *all);
    if (!all) return LW_ERR_NOMEM;
    d->reaps = all;
    all[d->nreaps++] = (struct lw_reap){.waiter = t->index,
                                        .epoch = rec->h.epoch,
                                        .waiter_pid = rec->h.pid,
                                        .child = rec->child,
                                        .time_ns = rec->h.time_ns,
                                        .stack = stack};
    return LW_OK;
}

/* Each wait for a child: every thread of each process entry of that pid whose parent is the
 * waiter's process and that announced itself before the wait returned (a pid reused by a later
 * child announces itself after: records of two images may arrive in either order, times do
 * not). A time of 0 (seccomp) proves nothing. */
static int resolve_reaps(struct lw_detector *d)
{
    const struct lw_report *r = &d->report;
    for (size_t k = 0; k < d->nreaps; k++) {
        const struct lw_reap *reap = &d->reaps[k];
        if (reap->time_ns == 0) continue;
        for (size_t i = 0; i < r->nthreads; i++) {
            const struct lw_thread *t = r->threads[i];
            const struct lw_process *p = &r->processes[t->process];
            if (p->pid != reap->child || p->parent_pid != reap->waiter_pid || p->start_ns == 0 ||
                p->start_ns > reap->time_ns)
                continue;
            if (lw_hb_reap(&d->hb, reap->waiter, reap->epoch, t->index, reap->stack) != 0)
                return LW_ERR_NOMEM;
        }
    }
    d->nreaps = 0; /* applied once */
    return LW_OK;
}

int lw_schedule_fork(struct lw_detector *d, const struct lw_rec_process *rec, uint32_t parent)
{
    /* The child's first thread carries on the forking thread's epoch, which the fork ended (the
     * runtime's atfork handler): the parent's epochs before it came first. A fork that ran no
     * handler (a raw fork system call) ended none, so only the epochs before its current one
     * are claimed. */
    if (rec->h.epoch == 0) return LW_OK;
    uint64_t forker;
    if (!lw_map_get(&d->thread_keys, parent, rec->fork_thread, &forker)) return LW_OK;
    struct lw_thread *child = lw_thread_of(d, &rec->h);
    if (!child) return LW_ERR_NOMEM;
    return lw_hb_fork(&d->hb, child->index, (uint32_t)forker, rec->h.epoch - 1) == 0 &&
                   lw_hb_set_process(&d->hb, child->index, child->process) == 0
               ? LW_OK
               : LW_ERR_NOMEM;
}

/* Whether each process has its own copy of lock l: not process-shared, and in static storage
 * (inside a loaded object's segments, which fork copies). A lock elsewhere may sit in memory the
 * processes share (a mapping made MAP_SHARED), where even a lock not marked process-shared is
 * one object: no claim. */
static bool private_lock(const struct lw_detector *d, const struct lw_lock *l)
{
    if ((l->flags & LW_LOCKF_PSHARED) != 0 || l->image >= d->report.nimages) return false;
    const struct lw_image *image = &d->report.images[l->image];
    for (size_t m = 0; m < image->nmodules; m++)
        if (l->addr >= image->modules[m].start && l->addr < image->modules[m].end) return true;
    return false;
}

/* The uses of a cycle's edges, read from the lock-order graph. */
struct cycle_uses {
    struct lw_hb_edge *edges;
    struct lw_hb_use *uses;
    struct lw_graph_use *scratch;
    bool *copies; /* per edge: its acquired lock is one each process has a copy of */
    size_t edges_cap, uses_cap, scratch_cap, copies_cap;
};

static void cycle_uses_free(struct cycle_uses *u)
{
    free(u->edges);
    free(u->uses);
    free(u->scratch);
    free(u->copies);
}

/* Fills u->edges[0..n) with the uses of edges[0..n): LW_OK, LW_ERR_NOMEM, or 1 when an edge has
 * no locks (nothing to read). */
static int gather(struct lw_detector *d, const struct lw_cycle_edge *edges, size_t n,
                  struct cycle_uses *u)
{
    size_t total = 0;
    bool crowded;
    for (size_t k = 0; k < n; k++) {
        if (!edges[k].holding || !edges[k].acquiring) return 1;
        total += lw_graph_edge_uses(d->graph, edges[k].holding->index - 1,
                                    edges[k].acquiring->index - 1, NULL, 0, &crowded);
    }
    struct lw_hb_edge *e = lw_grow(u->edges, &u->edges_cap, n, sizeof *e);
    if (e) u->edges = e;
    struct lw_hb_use *uses = e ? lw_grow(u->uses, &u->uses_cap, total + 1, sizeof *uses) : NULL;
    if (uses) u->uses = uses;
    struct lw_graph_use *g =
        uses ? lw_grow(u->scratch, &u->scratch_cap, total + 1, sizeof *g) : NULL;
    if (g) u->scratch = g;
    bool *copies = g ? lw_grow(u->copies, &u->copies_cap, n, sizeof *copies) : NULL;
    if (!copies) return LW_ERR_NOMEM;
    u->copies = copies;
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
        size_t m = lw_graph_edge_uses(d->graph, edges[k].holding->index - 1,
                                      edges[k].acquiring->index - 1, g + at, total - at, &crowded);
        for (size_t i = 0; i < m; i++)
            uses[at + i] = (struct lw_hb_use){g[at + i].thread, g[at + i].emin, g[at + i].emax};
        e[k] = (struct lw_hb_edge){.uses = uses + at, .n = m, .more = crowded};
        copies[k] = private_lock(d, edges[k].acquiring);
        at += m;
    }
    return LW_OK;
}

/* The verdict over one instance-level cycle. */
static enum lw_hb_verdict classify(struct lw_detector *d, const struct lw_cycle_edge *edges,
                                   size_t n, struct cycle_uses *u, int *rc)
{
    int got = gather(d, edges, n, u);
    if (got != LW_OK) {
        if (got == LW_ERR_NOMEM) *rc = LW_ERR_NOMEM;
        return LW_HB_UNCHECKED;
    }
    return lw_hb_classify(&d->hb, u->edges, u->copies, n, LW_SCHEDULE_BUDGET);
}

static enum lw_order_step_kind order_kind(enum lw_hb_step_kind k)
{
    switch (k) {
    case LW_HB_CREATED:
        return LW_ORDER_CREATED;
    case LW_HB_JOINED:
        return LW_ORDER_JOINED;
    case LW_HB_BARRIER:
        return LW_ORDER_BARRIER;
    case LW_HB_FORKED:
        return LW_ORDER_FORKED;
    case LW_HB_REAPED:
        return LW_ORDER_REAPED;
    }
    return LW_ORDER_CREATED;
}

/* Adds the ordering first -> then of f (once per pair of threads). */
static int add_ordering(struct lw_detector *d, struct lw_finding *f, size_t *cap,
                        const struct lw_hb_use *a, const struct lw_hb_use *b)
{
    struct lw_report *r = &d->report;
    for (size_t i = 0; i < f->nordered; i++)
        if (f->ordered_by[i].first->index == a->thread && f->ordered_by[i].then->index == b->thread)
            return LW_OK;
    struct lw_ordering *all = lw_grow(f->ordered_by, cap, f->nordered + 1, sizeof *all);
    if (!all) return LW_ERR_NOMEM;
    f->ordered_by = all;
    struct lw_ordering *o = &all[f->nordered];
    *o = (struct lw_ordering){.first = r->threads[a->thread], .then = r->threads[b->thread]};
    size_t n = lw_hb_why(&d->hb, a->thread, a->emax, b->thread, b->emin, NULL, 0);
    struct lw_hb_step *steps = n ? malloc(n * sizeof *steps) : NULL;
    o->steps = n ? malloc(n * sizeof *o->steps) : NULL;
    if (n && (!steps || !o->steps)) {
        free(steps);
        free(o->steps);
        return LW_ERR_NOMEM;
    }
    n = lw_hb_why(&d->hb, a->thread, a->emax, b->thread, b->emin, steps, n);
    for (size_t s = 0; s < n; s++)
        o->steps[s] = (struct lw_order_step){
            .kind = order_kind(steps[s].kind),
            .from = r->threads[steps[s].from],
            .to = r->threads[steps[s].to],
            .stack = (struct lw_stack *)(uintptr_t)steps[s].site,
            .object = steps[s].object,
        };
    o->nsteps = n;
    free(steps);
    f->nordered++;
    return LW_OK;
}

/* One ordering that rules out the cycle f shows: the first pair of its edges (nearest first)
 * whose uses, by the threads shown, are in one thread or ordered. None when the cycle is too
 * large to look at within the budget. */
static int explain(struct lw_detector *d, struct lw_finding *f)
{
    const struct lw_hb *hb = &d->hb;
    size_t n = f->ncycle, threads = hb->nthreads, cap = 0;
    if (n < 2 || threads == 0 || n > LW_SCHEDULE_BUDGET / threads) return LW_OK;
    const struct lw_hb_use **uses = calloc(n, sizeof *uses);
    uint32_t *reach = malloc(n * threads * sizeof *reach);
    struct cycle_uses all = {0};
    int rc = LW_ERR_NOMEM;
    if (!uses || !reach) goto out;
    rc = gather(d, f->cycle, n, &all);
    if (rc != LW_OK) {
        if (rc != LW_ERR_NOMEM) rc = LW_OK; /* not recorded: nothing to show */
        goto out;
    }
    for (size_t k = 0; k < n; k++) {
        const struct lw_cycle_edge *e = &f->cycle[k];
        for (size_t i = 0; e->thread && i < all.edges[k].n && !uses[k]; i++)
            if (all.edges[k].uses[i].thread == e->thread->index) uses[k] = &all.edges[k].uses[i];
        if (!uses[k]) goto out; /* not recorded: nothing to show */
        if (lw_hb_reach(hb, uses[k]->thread, uses[k]->emin, &reach[k * threads]) != 0) {
            rc = LW_ERR_NOMEM;
            goto out;
        }
    }
    for (size_t dist = 1; dist < n; dist++)
        for (size_t i = 0; i < n; i++) {
            size_t j = (i + dist) % n;
            const struct lw_hb_use *a = uses[i], *b = uses[j];
            if (a->thread == b->thread) {
                rc = add_ordering(d, f, &cap, a, a);
                goto out;
            }
            if (reach[j * threads + a->thread] > a->emax) {
                rc = add_ordering(d, f, &cap, a, b);
                goto out;
            }
            /* edge i acquires what edge j holds: two processes, each its own copy */
            if (dist == 1 && all.copies[i] && lw_hb_other_process(hb, a->thread, b->thread)) {
                rc = add_ordering(d, f, &cap, a, b);
                if (rc == LW_OK) f->ordered_by[f->nordered - 1].copied = f->cycle[i].acquiring;
                goto out;
            }
        }
out:
    cycle_uses_free(&all);
    free(uses);
    free(reach);
    return rc;
}

int lw_schedule_label(struct lw_detector *d)
{
    struct cycle_uses uses = {0};
    /* the graph's uses name every thread that took an edge */
    if (d->report.nthreads > UINT32_MAX || lw_hb_threads(&d->hb, (uint32_t)d->report.nthreads))
        return LW_ERR_NOMEM;
    for (size_t i = 0; i < d->report.nthreads; i++) {
        const struct lw_thread *t = d->report.threads[i];
        if (lw_hb_set_process(&d->hb, t->index, t->process) != 0) return LW_ERR_NOMEM;
    }
    int rc = resolve_reaps(d);
    for (size_t g = 0; g < d->ngroups && rc == LW_OK; g++) {
        struct lw_cycle_group *group = &d->groups[g];
        struct lw_finding *f = group->finding;
        if (!f || f->kind != LW_KIND_LOCK_ORDER_INVERSION || f->schedule != LW_SCHEDULE_NONE)
            continue;
        enum lw_hb_verdict verdict = LW_HB_ORDERED;
        for (size_t i = 0; i < group->ninstances && verdict != LW_HB_CONCURRENT; i++) {
            enum lw_hb_verdict v = classify(d, group->instances[i].edges, group->n, &uses, &rc);
            if (v != LW_HB_ORDERED) verdict = v;
        }
        if (rc != LW_OK) break;
        f->schedule = verdict == LW_HB_CONCURRENT ? LW_SCHEDULE_CONCURRENT
                      : verdict == LW_HB_ORDERED  ? LW_SCHEDULE_ORDERED
                                                  : LW_SCHEDULE_UNCHECKED;
        if (f->schedule == LW_SCHEDULE_ORDERED) rc = explain(d, f);
        if (f->schedule == LW_SCHEDULE_CONCURRENT) {
            /* a hand-over note needs the uses of the cycle the finding shows */
            int got = gather(d, f->cycle, f->ncycle, &uses);
            if (got == LW_ERR_NOMEM) rc = LW_ERR_NOMEM;
            if (got == LW_OK) rc = lw_sem_note(d, f, uses.edges);
        }
    }
    cycle_uses_free(&uses);
    return rc;
}
