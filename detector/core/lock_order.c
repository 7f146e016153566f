/* lock_order.c — the edge rules of an ACQUIRE record, and the cycles the graph reports handed to
 * their groups (cycle_group.c) as lock-order-inversion findings.
 *
 * Rules (docs/internals.md, "Lock semantics"): each held lock h makes the edge h -> lock at the
 * attempt, with the other held locks as the instance's gates; a trylock makes no edge into the lock
 * (it cannot block); re-acquiring a lock the thread already holds makes no edge at all (recursive
 * locking is not an ordering, and a self-deadlock is reported as a misuse by the runtime). */
#include <stdlib.h>

#include "grow.h"
#include "state.h"

/* The interned (holding, acquiring) stack pair used as a graph payload. */
static struct lw_site *site_of(struct lw_detector *d, struct lw_stack *holding,
                               struct lw_stack *acquiring)
{
    uint64_t k0 = (uint64_t)(uintptr_t)holding, k1 = (uint64_t)(uintptr_t)acquiring, found;
    if (lw_map_get(&d->sites, k0, k1, &found)) return (struct lw_site *)(uintptr_t)found;
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

int lw_lock_order_acquire(struct lw_detector *d, const struct lw_rec_acquire *rec)
{
    struct lw_process *p = lw_process_of(d, rec->h.pid);
    struct lw_thread *t = p ? lw_thread_of(d, &rec->h) : NULL;
    if (!t) return LW_ERR_NOMEM;
    long nheld;
    struct lw_stack *stack;
    struct lw_lock *lock = lw_resolve_request(d, p->image, &rec->lock, rec->stack, rec->held,
                                              rec->nheld, &nheld, &stack);
    if (!lock) return LW_ERR_NOMEM;
    if (rec->lock.acq & LW_ACQF_TRY) return LW_OK;
    for (long i = 0; i < nheld; i++)
        if (d->held_scratch[i].lock == lock) return LW_OK;
    for (long i = 0; i < nheld; i++) {
        const struct lw_held_lock *h = &d->held_scratch[i];
        uint32_t ngates = 0;
        for (long j = 0; j < nheld; j++)
            if (j != i)
                d->gate_scratch[ngates++] = (struct lw_graph_gate){
                    .node = d->held_scratch[j].lock->index - 1, .mode = d->held_scratch[j].mode};
        struct lw_site *site = site_of(d, h->stack, stack);
        if (!site) return LW_ERR_NOMEM;
        struct lw_graph_instance inst = {
            .thread = t->index,
            .from_mode = h->mode,
            .to_mode = rec->lock.mode,
            .ngates = ngates,
            .gates = d->gate_scratch,
            .payload = site,
        };
        struct lw_graph_cycle cycle;
        int rc = lw_graph_add(d->graph, h->lock->index - 1, lock->index - 1, &inst, &cycle);
        if (rc == LW_GRAPH_ERR_NOMEM) return LW_ERR_NOMEM;
        if (rc == LW_GRAPH_CYCLE && (rc = report_cycle(d, &cycle, rec->h.pid)) != LW_OK) return rc;
    }
    return LW_OK;
}
