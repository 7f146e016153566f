/* sem_notes.c — semaphore hand-overs noted on concurrent lock-order inversions (see state.h and
 * docs/internals.md, "Semaphore notes"). A semaphore life (from sem_init, process-private) that
 * exactly one thread posted and exactly one thread waited on hands over exactly: its k-th
 * returned wait needed k - value posts, so post k - value came before it (waits the runtime does
 * not see, sem_trywait and the timed ones, only take more). Then thread P's edge uses all before
 * that post and thread W's all after that wait were ordered by it. Such a pair is a note, never
 * the label: pruning with semaphores could hide a deadlock another schedule has. */
#include <stdlib.h>

#include "grow.h"
#include "state.h"

static int sem_append(uint32_t **all, size_t *n, size_t *cap, uint32_t epoch)
{
    uint32_t *grown = lw_grow(*all, cap, *n + 1, sizeof *grown);
    if (!grown) return LW_ERR_NOMEM;
    *all = grown;
    grown[(*n)++] = epoch;
    return LW_OK;
}

/* Whether life s, which no record can change any more, may still be a note: one that lacks a
 * single poster and waiter, or whose waits never went past its initial value, hands over
 * nothing (hands_over() below). */
static bool may_hand_over(const struct lw_sem_track *s)
{
    return !s->many_posters && !s->many_waiters && s->nposts > 0 && s->value < s->nwaits;
}

/* Removes the lives marked dead from d->sems, keeping the order of the others (lw_sem_note takes
 * the first that fits) and the index of each address's latest life in d->sem_ids. */
static void drop_dead(struct lw_detector *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nsems; i++) {
        struct lw_sem_track *s = &d->sems[i];
        if (s->dead) continue;
        uint64_t latest;
        if (n != i && lw_map_get(&d->sem_ids, s->image, s->addr, &latest) && latest == i)
            (void)lw_map_put(&d->sem_ids, s->image, s->addr, n); /* an overwrite: cannot fail */
        d->sems[n++] = *s;
    }
    d->nsems = n;
}

int lw_sem_record(struct lw_detector *d, const struct lw_rec_sem *rec)
{
    struct lw_thread *t;
    struct lw_stack *stack;
    if (lw_record_origin(d, &rec->h, rec->stack, &t, &stack) != LW_OK) return LW_ERR_NOMEM;
    const struct lw_process *p = &d->report.processes[t->process];
    /* Keyed by image, not process: a forked child's semaphore at the same address may be the
     * parent's (memory they share) or its own copy; either way its posts count as a second
     * poster, so no hand-over is claimed across the fork. */
    uint64_t index;
    bool known = lw_map_get(&d->sem_ids, p->image, rec->sem, &index);
    if (rec->op == LW_SEM_INIT) { /* a new life: what came before is another semaphore */
        /* The life it replaces got all its records (later ones go to the new life): when it
         * cannot be a note, it is forgotten, so a semaphore made afresh for each wait (CPython's
         * Condition) costs nothing here. Marked only once the new life is in the map. */
        bool forget = known && !may_hand_over(&d->sems[index]);
        if (d->nsems == d->sems_cap && d->ndead_sems > 0 && d->ndead_sems * 2 >= d->nsems) {
            drop_dead(d);
            d->ndead_sems = 0;
            known = lw_map_get(&d->sem_ids, p->image, rec->sem, &index); /* it may have moved */
        }
        struct lw_sem_track *all = lw_grow(d->sems, &d->sems_cap, d->nsems + 1, sizeof *all);
        if (!all) return LW_ERR_NOMEM;
        d->sems = all;
        if (lw_map_put(&d->sem_ids, p->image, rec->sem, d->nsems) != 0) return LW_ERR_NOMEM;
        if (known && forget) {
            free(all[index].posts);
            free(all[index].waits);
            all[index] = (struct lw_sem_track){.dead = true};
            d->ndead_sems++;
        }
        all[d->nsems++] = (struct lw_sem_track){.image = p->image,
                                                .addr = rec->sem,
                                                .value = rec->value,
                                                .poster = LW_HB_NONE,
                                                .waiter = LW_HB_NONE};
        return LW_OK;
    }
    if (!known) return LW_OK; /* initialised before the runtime saw it: its value is unknown */
    struct lw_sem_track *s = &d->sems[index];
    if (rec->op == LW_SEM_POST) {
        if (s->poster == LW_HB_NONE) {
            s->poster = t->index;
            s->post_stack = stack;
        }
        s->many_posters |= s->poster != t->index;
        return sem_append(&s->posts, &s->nposts, &s->posts_cap, rec->h.epoch);
    }
    if (s->waiter == LW_HB_NONE) {
        s->waiter = t->index;
        s->wait_stack = stack;
    }
    s->many_waiters |= s->waiter != t->index;
    return sem_append(&s->waits, &s->nwaits, &s->waits_cap, rec->h.epoch);
}

/* Whether semaphore s handed over from use a (all of a's epochs before some post) to use b (all
 * of b's epochs after the wait that post allowed). */
static bool hands_over(const struct lw_sem_track *s, const struct lw_hb_use *a,
                       const struct lw_hb_use *b)
{
    if (s->many_posters || s->many_waiters || s->poster != a->thread || s->waiter != b->thread)
        return false;
    /* the first post after all of a's uses: posts[k] says epochs < posts[k] came before it */
    size_t k = 0;
    while (k < s->nposts && s->posts[k] <= a->emax)
        k++;
    if (k == s->nposts) return false;
    /* post k + 1 (1-based) let wait k + 1 + value return, at the earliest */
    size_t w = k + (size_t)s->value;
    return w < s->nwaits && s->waits[w] <= b->emin;
}

static int add_note(struct lw_detector *d, struct lw_finding *f, const struct lw_sem_track *s)
{
    struct lw_report *r = &d->report;
    struct lw_ordering *all = realloc(f->ordered_by, (f->nordered + 1) * sizeof *all);
    if (!all) return LW_ERR_NOMEM;
    f->ordered_by = all;
    struct lw_order_step *steps = malloc(2 * sizeof *steps);
    if (!steps) return LW_ERR_NOMEM;
    struct lw_thread *poster = r->threads[s->poster], *waiter = r->threads[s->waiter];
    steps[0] = (struct lw_order_step){.kind = LW_ORDER_SEM_POST,
                                      .from = poster,
                                      .to = waiter,
                                      .stack = s->post_stack,
                                      .object = s->addr};
    steps[1] = (struct lw_order_step){.kind = LW_ORDER_SEM_WAIT,
                                      .from = poster,
                                      .to = waiter,
                                      .stack = s->wait_stack,
                                      .object = s->addr};
    all[f->nordered++] = (struct lw_ordering){
        .first = poster, .then = waiter, .nsteps = 2, .steps = steps, .note = true};
    return LW_OK;
}

/* The use of edge e by the thread the cycle shows taking it, NULL when the graph kept none. */
static const struct lw_hb_use *use_of(const struct lw_cycle_edge *e, const struct lw_hb_edge *uses)
{
    for (size_t i = 0; e->thread && i < uses->n; i++)
        if (uses->uses[i].thread == e->thread->index) return &uses->uses[i];
    return NULL;
}

int lw_sem_note(struct lw_detector *d, struct lw_finding *f, const struct lw_hb_edge *uses)
{
    size_t n = f->ncycle;
    for (size_t i = 0; i < n && n >= 2; i++) {
        size_t j = (i + 1) % n;
        const struct lw_cycle_edge *e = &f->cycle[i], *next = &f->cycle[j];
        /* either order of two edges: one thread's uses, then a hand-over, then the other's */
        for (int dir = 0; dir < 2; dir++) {
            const struct lw_cycle_edge *x = dir ? next : e, *y = dir ? e : next;
            if (!x->thread || !y->thread || x->thread == y->thread) continue;
            const struct lw_hb_use *ua = use_of(x, &uses[dir ? j : i]);
            const struct lw_hb_use *ub = use_of(y, &uses[dir ? i : j]);
            if (!ua || !ub) continue;
            for (size_t k = 0; k < d->nsems; k++)
                if (!d->sems[k].dead && hands_over(&d->sems[k], ua, ub))
                    return add_note(d, f, &d->sems[k]);
        }
    }
    return LW_OK;
}

void lw_sem_free(struct lw_detector *d)
{
    for (size_t k = 0; k < d->nsems; k++) {
        free(d->sems[k].posts);
        free(d->sems[k].waits);
    }
    free(d->sems);
    lw_map_free(&d->sem_ids);
    d->sems = NULL;
    d->nsems = d->sems_cap = d->ndead_sems = 0;
}
