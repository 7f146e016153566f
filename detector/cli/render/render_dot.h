/* render_dot.h — the run's whole lock-order graph in Graphviz DOT (--graph).
 *
 * Two steps, deciding apart from formatting: lwd_dot_select() chooses what fits under the node
 * cap, then lwd_render_dot() writes it. Nodes are locks ("M1 lock_a", named as in the text
 * report), edges "to requested while from was held", labelled with up to LWD_DOT_EDGE_SHOWN
 * instances ("T1 (transfer) broken.c:23": thread and the acquiring site's first user frame) and
 * "+N more". Every cycle of a lock-order-inversion or deadlock finding is drawn red and bold,
 * nodes and edges, its edges labelled with the finding's id ("#1 lock-order-inversion"); a
 * deadlock edge the lock-order graph does not hold is drawn from the finding. */
#ifndef LWD_RENDER_DOT_H
#define LWD_RENDER_DOT_H

#include <stddef.h>
#include <stdio.h>

#include "lockwatch/detector.h"
#include "lockwatch/report.h"

/* Most locks drawn (documented in --help, docs/user-guide.md and lockwatch.1): dot takes
 * minutes beyond a few thousand nodes. The locks of cycles are drawn even beyond it. */
#define LWD_DOT_MAX_NODES 2000u

/* Instances named on one edge's label before "+N more". */
#define LWD_DOT_EDGE_SHOWN 2u

/* The graph's size before the cap, for the graph's label. */
struct lwd_dot_totals {
    size_t locks;     /* locks on any edge or cycle */
    size_t edges;     /* edges of the lock-order graph */
    size_t max_nodes; /* the cap that was applied */
};

/* Keeps in edges[0 .. *nedges) (in place, order kept) the edges both of whose locks are chosen:
 * every lock of a finding's cycle, then the other locks in the order they first appeared (lock
 * index), until max_nodes locks are chosen (0 = LWD_DOT_MAX_NODES). Sets *totals to the counts
 * before the cut. Returns 0, or -1 when out of memory. */
int lwd_dot_select(const struct lw_report *r, struct lw_order_edge *edges, size_t *nedges,
                   size_t max_nodes, struct lwd_dot_totals *totals);

struct lwd_dot_input {
    const struct lw_report *report; /* named (locks, threads, frames) */
    const struct lw_order_edge *edges;
    size_t nedges;
    struct lwd_dot_totals totals;
};

/* Writes the DOT graph. Returns 0, or -1 when out of memory or on a write error. */
int lwd_render_dot(FILE *out, const struct lwd_dot_input *in);

/* True for the finding kinds whose cycle the graph highlights. */
bool lwd_dot_has_cycle(const struct lw_finding *f);

#endif
