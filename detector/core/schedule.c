/* schedule.c — the happens-before label of lock-order-inversion findings (docs/internals.md,
 * "Happens-before"): THREAD, JOIN and BARRIER records order threads, ACQUIRE records say in which
 * epoch each thread took each edge, and at the end each finding is labelled concurrent, ordered
 * (with the orderings of the cycle it shows) or unchecked. The label hides nothing. */
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
    struct lw_process *p = lw_process_of(d, rec->h.pid);
    struct lw_thread *joiner = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!joiner) return LW_ERR_NOMEM;
    struct lw_thread *joined = joined_thread(d, joiner, rec->joined);
    if (!joined) return LW_OK;
    int nomem = 0;
    p = lw_process_of(d, rec->h.pid); /* lw_thread_of may have grown the table */
    struct lw_stack *stack =
        rec->stack ? lw_depot_get(&d->depot, p->image, rec->stack, &nomem) : NULL;
    if (nomem || lw_hb_join(&d->hb, joiner->index, rec->h.epoch, joined->index, stack) != 0)
        return LW_ERR_NOMEM;
    return LW_OK;
}

int lw_schedule_barrier(struct lw_detector *d, const struct lw_rec_barrier *rec)
{
    struct lw_process *p = lw_process_of(d, rec->h.pid);
    struct lw_thread *t = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!t) return LW_ERR_NOMEM;
    p = lw_process_of(d, rec->h.pid); /* lw_thread_of may have grown the table */
    uint64_t index;
    if (!lw_map_get(&d->barrier_ids, t->process, rec->barrier, &index)) {
        index = d->hb.nbarriers;
        if (lw_map_put(&d->barrier_ids, t->process, rec->barrier, index) != 0) return LW_ERR_NOMEM;
    }
    int nomem = 0;
    struct lw_stack *stack =
        rec->stack ? lw_depot_get(&d->depot, p->image, rec->stack, &nomem) : NULL;
    if (nomem || lw_hb_barrier(&d->hb, (uint32_t)index, rec->barrier, rec->count, t->index,
                               rec->h.epoch, stack) != 0)
        return LW_ERR_NOMEM;
    return LW_OK;
}

int lw_schedule_reap(struct lw_detector *d, const struct lw_rec_reap *rec)
{
    struct lw_process *p = lw_process_of(d, rec->h.pid);
    struct lw_thread *t = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!t) return LW_ERR_NOMEM;
    p = lw_process_of(d, rec->h.pid); /* lw_thread_of may have grown the table */
    int nomem = 0;
    struct lw_stack *stack =
        rec->stack ? lw_depot_get(&d->depot, p->image, rec->stack, &nomem) : NULL;
    struct lw_reap *all =
        nomem ? NULL : lw_grow(d->reaps, &d->reaps_cap, d->nreaps + 1, sizeof *all);
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

int lw_schedule_use(struct lw_detector *d, const struct lw_lock *hold, const struct lw_lock *acq,
                    const struct lw_thread *t, uint32_t epoch)
{
    return lw_hb_use(&d->hb, hold->index, acq->index, t->index, epoch) == 0 &&
                   lw_hb_set_process(&d->hb, t->index, t->process) == 0
               ? LW_OK
               : LW_ERR_NOMEM;
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

/* The verdict over one instance-level cycle. */
static enum lw_hb_verdict classify(struct lw_detector *d, const struct lw_cycle_edge *edges,
                                   size_t n, uint32_t *hold, uint32_t *acq, bool *copies)
{
    for (size_t k = 0; k < n; k++) {
        if (!edges[k].holding || !edges[k].acquiring) return LW_HB_UNCHECKED;
        hold[k] = edges[k].holding->index;
        acq[k] = edges[k].acquiring->index;
        copies[k] = private_lock(d, edges[k].acquiring);
    }
    return lw_hb_classify(&d->hb, hold, acq, copies, n, LW_SCHEDULE_BUDGET);
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
    int rc = LW_ERR_NOMEM;
    if (!uses || !reach) goto out;
    rc = LW_OK;
    for (size_t k = 0; k < n; k++) {
        const struct lw_cycle_edge *e = &f->cycle[k];
        uint32_t u =
            e->holding && e->acquiring && e->thread
                ? lw_hb_use_of(hb, e->holding->index, e->acquiring->index, e->thread->index)
                : LW_HB_NONE;
        if (u == LW_HB_NONE) goto out; /* not recorded: nothing to show */
        uses[k] = &hb->uses[u];
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
            if (dist == 1 && private_lock(d, f->cycle[i].acquiring) &&
                lw_hb_other_process(hb, a->thread, b->thread)) {
                rc = add_ordering(d, f, &cap, a, b);
                if (rc == LW_OK) f->ordered_by[f->nordered - 1].copied = f->cycle[i].acquiring;
                goto out;
            }
        }
out:
    free(uses);
    free(reach);
    return rc;
}

int lw_schedule_label(struct lw_detector *d)
{
    uint32_t *hold = NULL, *acq = NULL;
    bool *copies = NULL;
    size_t cap = 0, cap2 = 0, cap3 = 0;
    int rc = resolve_reaps(d);
    for (size_t g = 0; g < d->ngroups && rc == LW_OK; g++) {
        struct lw_cycle_group *group = &d->groups[g];
        struct lw_finding *f = group->finding;
        if (!f || f->kind != LW_KIND_LOCK_ORDER_INVERSION || f->schedule != LW_SCHEDULE_NONE)
            continue;
        uint32_t *h = lw_grow(hold, &cap, group->n, sizeof *h);
        if (h) hold = h;
        uint32_t *a = h ? lw_grow(acq, &cap2, group->n, sizeof *a) : NULL;
        if (a) acq = a;
        bool *c = a ? lw_grow(copies, &cap3, group->n, sizeof *c) : NULL;
        if (!c) {
            rc = LW_ERR_NOMEM;
            break;
        }
        copies = c;
        enum lw_hb_verdict verdict = LW_HB_ORDERED;
        for (size_t i = 0; i < group->ninstances && verdict != LW_HB_CONCURRENT; i++) {
            enum lw_hb_verdict v =
                classify(d, group->instances[i].edges, group->n, hold, acq, copies);
            if (v != LW_HB_ORDERED) verdict = v;
        }
        f->schedule = verdict == LW_HB_CONCURRENT ? LW_SCHEDULE_CONCURRENT
                      : verdict == LW_HB_ORDERED  ? LW_SCHEDULE_ORDERED
                                                  : LW_SCHEDULE_UNCHECKED;
        if (f->schedule == LW_SCHEDULE_ORDERED) rc = explain(d, f);
        if (f->schedule == LW_SCHEDULE_CONCURRENT) rc = lw_sem_note(d, f);
    }
    free(hold);
    free(acq);
    free(copies);
    return rc;
}
