/* lock_order.c — the edge rules of an ACQUIRE record, and the cycles the graph reports handed to
 * their groups (cycle_group.c) as lock-order-inversion findings.
 *
 * Rules (docs/internals.md, "Lock semantics"): each held lock h makes the edge h -> lock at the
 * attempt, with the other held locks as the instance's gates; a trylock makes no edge into the lock
 * (it cannot block); re-acquiring a lock the thread already holds makes no edge at all (recursive
 * locking is not an ordering, and a self-deadlock is reported as a misuse by the runtime). An edge
 * into or out of a semaphore is kept aside until the end of the run (sem_locks.c). */
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "state.h"

/* The interned (holding, acquiring) stack pair used as a graph payload. */
static struct lw_site *site_of(struct lw_detector *d, struct lw_stack *holding,
                               struct lw_stack *acquiring)
{
    uint64_t k0 = (uint64_t)(uintptr_t)holding, k1 = (uint64_t)(uintptr_t)acquiring, found;
    if (lw_map_get_memo(&d->sites, &d->sites_memo, k0, k1, &found))
        return (struct lw_site *)(uintptr_t)found;
    struct lw_site *site = malloc(sizeof *site);
    if (!site || lw_map_put(&d->sites, k0, k1, (uint64_t)(uintptr_t)site) != 0) {
        free(site);
        return NULL;
    }
    *site = (struct lw_site){holding, acquiring, d->nsites++};
    return site;
}

/* A graph cycle as edges (and the site of each) for its group (cycle_group.c). */
static int report_cycle(struct lw_detector *d, const struct lw_graph_cycle *c, int32_t pid)
{
    struct lw_report *r = &d->report;
    struct lw_cycle_edge *edges = malloc(c->length * sizeof *edges);
    const struct lw_site **sites = malloc(c->length * sizeof *sites);
    int rc = LW_ERR_NOMEM;
    if (!edges || !sites) goto out;
    for (size_t i = 0; i < c->length; i++) {
        const struct lw_graph_instance *inst = c->instances[i];
        sites[i] = inst->payload;
        edges[i] = (struct lw_cycle_edge){
            .thread = r->threads[inst->thread],
            .holding = r->locks[c->nodes[i]],
            .acquiring = r->locks[c->nodes[(i + 1) % c->length]],
            .holding_mode = inst->from_mode,
            .acquiring_mode = inst->to_mode,
            .holding_stack = sites[i]->holding,
            .acquiring_stack = sites[i]->acquiring,
        };
    }
    rc = lw_group_cycle(d, c->id, c->upgraded, edges, sites, c->length, c->single_thread, pid);
out:
    free(edges);
    free(sites);
    return rc;
}

int lw_lock_order_held(struct lw_detector *d, const struct lw_rec_held *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    struct lw_thread *t = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!t) return LW_ERR_NOMEM;
    size_t old_cap = d->older_held_cap;
    struct lw_older_held *all =
        lw_grow(d->older_held, &d->older_held_cap, (size_t)t->index + 1, sizeof *all);
    if (!all) return LW_ERR_NOMEM;
    memset(all + old_cap, 0, (d->older_held_cap - old_cap) * sizeof *all);
    d->older_held = all;
    struct lw_older_held *o = &all[t->index];
    if (rec->first != o->n) o->n = 0;     /* a sequence cut short: start again */
    if (rec->first != o->n) return LW_OK; /* joined mid-way: the next ACQUIRE is partial */
    size_t cap = o->cap;
    struct lw_held *held = lw_grow(o->held, &cap, (size_t)o->n + rec->nheld, sizeof *held);
    if (!held || cap > UINT32_MAX) return LW_ERR_NOMEM;
    memcpy(held + o->n, rec->held, rec->nheld * sizeof *held);
    o->held = held;
    o->cap = (uint32_t)cap;
    o->n += rec->nheld;
    return LW_OK;
}

/* The held set of an ACQUIRE record, up to LW_WIRE_MAX_HELD_EDGES locks: the older part its
 * HELD records brought, then its own. Only the record's own part when the older part is missing
 * or does not add up. */
static const struct lw_held *whole_held_set(struct lw_detector *d, const struct lw_thread *t,
                                            const struct lw_rec_acquire *rec, uint32_t *nheld)
{
    *nheld = rec->nheld;
    struct lw_older_held *o = t->index < d->older_held_cap ? &d->older_held[t->index] : NULL;
    if (!o || o->n == 0) return rec->held;
    uint32_t older = o->n, total = rec->held_total;
    o->n = 0; /* consumed either way */
    if (total > LW_WIRE_MAX_HELD_EDGES) total = LW_WIRE_MAX_HELD_EDGES;
    if ((uint64_t)older + rec->nheld != total) return rec->held;
    size_t cap = o->cap;
    struct lw_held *held = lw_grow(o->held, &cap, total, sizeof *held);
    if (!held || cap > UINT32_MAX) return rec->held; /* out of memory: the window still holds */
    o->held = held;
    o->cap = (uint32_t)cap;
    memcpy(held + older, rec->held, rec->nheld * sizeof *held);
    *nheld = total;
    return held;
}

_Static_assert(LW_WIRE_MAX_HELD_EDGES <= LW_GRAPH_MAX_GATES, "a held set fits an instance");

int lw_lock_order_acquire(struct lw_detector *d, const struct lw_rec_acquire *rec)
{
    struct lw_process *p = lw_process_for(d, &rec->h);
    struct lw_thread *t = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!t) return LW_ERR_NOMEM;
    uint32_t nwire;
    const struct lw_held *wire = whole_held_set(d, t, rec, &nwire);
    long nheld;
    struct lw_stack *stack;
    struct lw_lock *lock =
        lw_resolve_request(d, p->image, &rec->lock, rec->stack, wire, nwire, &nheld, &stack);
    if (!lock) return LW_ERR_NOMEM;
    if (rec->lock.acq & LW_ACQF_TRY) return LW_OK;
    for (long i = 0; i < nheld; i++)
        if (d->held_scratch[i].lock == lock) return LW_OK;
    /* One gate set for every instance of this acquisition: everything the thread held. A lone
     * held lock needs none (an instance knows its source's mode), the common case kept free. */
    uint16_t ngates = 0;
    const struct lw_graph_gate *gates = NULL;
    if (nheld > 1) {
        struct lw_graph_gate *scratch =
            lw_grow(d->gate_scratch, &d->gate_scratch_cap, (size_t)nheld, sizeof *scratch);
        if (!scratch) return LW_ERR_NOMEM;
        d->gate_scratch = scratch;
        for (long i = 0; i < nheld; i++)
            scratch[i] = (struct lw_graph_gate){.node = d->held_scratch[i].lock->index - 1,
                                                .mode = d->held_scratch[i].mode};
        gates = lw_graph_intern_gates(d->graph, scratch, (size_t)nheld, &ngates);
        if (!gates) return LW_ERR_NOMEM;
    }
    /* An acquisition that involves a semaphore (requested, held, or a gate) waits for the end of
     * the run, when it is known which semaphores were signals (sem_locks.c). */
    bool sem = lock->type == LW_LOCK_SEM;
    for (long i = 0; i < nheld && !sem; i++)
        sem = d->held_scratch[i].lock->type == LW_LOCK_SEM;
    for (long i = 0; i < nheld; i++) {
        const struct lw_held_lock *h = &d->held_scratch[i];
        struct lw_site *site = site_of(d, h->stack, stack);
        if (!site) return LW_ERR_NOMEM;
        struct lw_graph_instance inst = {
            .thread = t->index,
            .from_mode = h->mode,
            .to_mode = rec->lock.mode,
            .ngates = ngates,
            .gates = gates,
            .payload = site,
        };
        int rc = sem ? lw_sem_defer(d, h->lock, lock, t, rec->h.epoch, rec->h.pid, &inst)
                     : lw_lock_order_edge(d, h->lock, lock, rec->h.epoch, rec->h.pid, &inst);
        if (rc != LW_OK) return rc;
    }
    return LW_OK;
}

int lw_lock_order_edge(struct lw_detector *d, struct lw_lock *from, struct lw_lock *to,
                       uint32_t epoch, int32_t pid, const struct lw_graph_instance *inst)
{
    struct lw_graph_cycle cycle;
    int rc = lw_graph_add_in_epoch(d->graph, from->index - 1, to->index - 1, inst, epoch, &cycle);
    if (rc == LW_GRAPH_ERR_NOMEM) return LW_ERR_NOMEM;
    if (rc == LW_GRAPH_CYCLE) return report_cycle(d, &cycle, pid);
    return LW_OK;
}

/* Keeps block (or frees it and fails when it cannot), for lw_detector_free. */
static void *keep_block(struct lw_detector *d, void *block)
{
    void **kept = block ? lw_grow(d->places, &d->places_cap, d->nplaces + 1, sizeof *kept) : NULL;
    if (!kept) {
        free(block);
        return NULL;
    }
    d->places = kept;
    d->places[d->nplaces++] = block;
    return block;
}

/* The sites of edge's lock pair other than the one shown, into *out. */
static int fill_places(struct lw_detector *d, const struct lw_cycle_edge *edge,
                       struct lw_edge_places *out)
{
    uint32_t a = edge->holding->index - 1, b = edge->acquiring->index - 1;
    size_t n = lw_graph_edge_payloads(d->graph, a, b, NULL, 0);
    if (n <= 1) return LW_OK;
    const void **payloads = malloc(n * sizeof *payloads);
    struct lw_stack_pair *pairs = keep_block(d, malloc(n * sizeof *pairs));
    if (!payloads || !pairs) {
        free(payloads);
        return LW_ERR_NOMEM;
    }
    lw_graph_edge_payloads(d->graph, a, b, payloads, n);
    for (size_t i = 0; i < n; i++) {
        const struct lw_site *site = payloads[i];
        if (site->holding != edge->holding_stack || site->acquiring != edge->acquiring_stack)
            pairs[out->n++] = (struct lw_stack_pair){site->holding, site->acquiring};
    }
    free(payloads);
    out->pairs = pairs;
    return LW_OK;
}

int lw_lock_order_places(struct lw_detector *d)
{
    struct lw_report *r = &d->report;
    for (size_t i = 0; i < r->nfindings; i++) {
        struct lw_finding *f = r->findings[i];
        if (f->ncycle == 0 || f->places) continue;
        struct lw_edge_places *places = keep_block(d, calloc(f->ncycle, sizeof *places));
        if (!places) return LW_ERR_NOMEM;
        for (size_t e = 0; e < f->ncycle; e++) {
            const struct lw_cycle_edge *edge = &f->cycle[e];
            if (!edge->holding || !edge->acquiring) continue;
            int rc = fill_places(d, edge, &places[e]);
            if (rc != LW_OK) return rc;
        }
        f->places = places;
    }
    return LW_OK;
}
