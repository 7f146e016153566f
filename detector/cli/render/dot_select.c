/* dot_select.c — which locks and edges of the lock-order graph the DOT graph draws (see
 * render_dot.h): all of them up to the node cap; beyond it the locks of findings' cycles first,
 * so what the report is about is always in the picture. */
#include <stdint.h>
#include <stdlib.h>

#include "render/render_dot.h"

enum { ON_GRAPH = 1, IN_CYCLE = 2, CHOSEN = 4 };

bool lwd_dot_has_cycle(const struct lw_finding *f)
{
    switch (f->kind) {
    case LW_KIND_LOCK_ORDER_INVERSION:
    case LW_KIND_DEADLOCK:
        return true;
    case LW_KIND_DOUBLE_LOCK:
    case LW_KIND_UNLOCK_UNOWNED:
    case LW_KIND_DESTROY_LOCKED:
    case LW_KIND_EXIT_HOLDING_LOCK:
    case LW_KIND_DATA_RACE:
    case LW_KIND_HANG:
    case LW_KIND_INVALID_LOCK:
    case LW_KIND_REINIT_LIVE:
    case LW_KIND_COND_MISUSE:
        return false;
    }
    return false;
}

/* Lock indices are 1-based and dense over the run; marks are indexed by index - 1. */
static size_t slot_count(const struct lw_report *r, const struct lw_order_edge *edges, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (edges[i].from->index > count) count = edges[i].from->index;
        if (edges[i].to->index > count) count = edges[i].to->index;
    }
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct lw_finding *f = r->findings[i];
        if (!lwd_dot_has_cycle(f)) continue;
        for (size_t e = 0; e < f->ncycle; e++) {
            if (f->cycle[e].holding->index > count) count = f->cycle[e].holding->index;
            if (f->cycle[e].acquiring->index > count) count = f->cycle[e].acquiring->index;
        }
    }
    return count;
}

int lwd_dot_select(const struct lw_report *r, struct lw_order_edge *edges, size_t *nedges,
                   size_t max_nodes, struct lwd_dot_totals *totals)
{
    if (max_nodes == 0) max_nodes = LWD_DOT_MAX_NODES;
    size_t n = *nedges, nslots = slot_count(r, edges, n);
    uint8_t *mark = calloc(nslots ? nslots : 1, 1);
    if (mark == NULL) return -1;
    for (size_t i = 0; i < n; i++) {
        mark[edges[i].from->index - 1] |= ON_GRAPH;
        mark[edges[i].to->index - 1] |= ON_GRAPH;
    }
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct lw_finding *f = r->findings[i];
        if (!lwd_dot_has_cycle(f)) continue;
        for (size_t e = 0; e < f->ncycle; e++) {
            mark[f->cycle[e].holding->index - 1] |= ON_GRAPH | IN_CYCLE;
            mark[f->cycle[e].acquiring->index - 1] |= ON_GRAPH | IN_CYCLE;
        }
    }
    size_t locks = 0, chosen = 0;
    for (size_t i = 0; i < nslots; i++) {
        locks += (mark[i] & ON_GRAPH) != 0;
        if (mark[i] & IN_CYCLE) {
            mark[i] |= CHOSEN;
            chosen++;
        }
    }
    for (size_t i = 0; i < nslots && chosen < max_nodes; i++)
        if ((mark[i] & (ON_GRAPH | CHOSEN)) == ON_GRAPH) {
            mark[i] |= CHOSEN;
            chosen++;
        }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if ((mark[edges[i].from->index - 1] & CHOSEN) && (mark[edges[i].to->index - 1] & CHOSEN))
            edges[kept++] = edges[i];
    *totals = (struct lwd_dot_totals){.locks = locks, .edges = n, .max_nodes = max_nodes};
    *nedges = kept;
    free(mark);
    return 0;
}
