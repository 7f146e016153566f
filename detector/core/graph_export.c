/* graph_export.c — read-only enumeration of the lock-order graph: edge views of the graph
 * (graph.h) and, on top of them, edges in report terms for the detector's users (detector.h),
 * so a driver can draw every edge of the run, not only those of findings. */
#include <assert.h>

#include "graph_internal.h"
#include "state.h"

static_assert(LW_ORDER_MAX_INSTANCES == LW_GRAPH_VIEW_INSTANCES,
              "lw_order_edge holds every instance an edge view shows");

bool lw_graph_edge_at(const struct lw_graph *g, size_t i, struct lw_graph_edge_view *view)
{
    if (i >= g->nedges) return false;
    const struct lw_graph_edge *e = &g->edges[i];
    view->from = e->from;
    view->to = e->to;
    view->ninstances = 0;
    for (uint32_t k = e->first_inst;
         k != LW_GRAPH_NONE && view->ninstances < LW_GRAPH_VIEW_INSTANCES; k = g->inst_next[k])
        view->instances[view->ninstances++] = &g->insts[k];
    return true;
}

size_t lw_detector_order_edge_count(const struct lw_detector *d)
{
    struct lw_graph_stats stats;
    lw_graph_stats(d->graph, &stats);
    return stats.edges;
}

bool lw_detector_order_edge(const struct lw_detector *d, size_t i, struct lw_order_edge *edge)
{
    struct lw_graph_edge_view view;
    if (!lw_graph_edge_at(d->graph, i, &view)) return false;
    const struct lw_report *r = &d->report;
    /* Graph nodes are lock index - 1 (lock_order.c), thread ids are thread indices. */
    edge->from = r->locks[view.from];
    edge->to = r->locks[view.to];
    edge->ninstances = view.ninstances;
    for (size_t k = 0; k < view.ninstances; k++) {
        const struct lw_graph_instance *inst = view.instances[k];
        const struct lw_site *site = inst->payload;
        edge->instances[k] = (struct lw_cycle_edge){
            .thread = r->threads[inst->thread],
            .holding = edge->from,
            .acquiring = edge->to,
            .holding_mode = inst->from_mode,
            .acquiring_mode = inst->to_mode,
            .holding_stack = site->holding,
            .acquiring_stack = site->acquiring,
        };
    }
    return true;
}
