/* test_graph_order.c — the graph's incremental order of strongly connected components
 * (graph_order.c) against a naive transitive-closure model, over seeded random edge sequences:
 * after every insertion each edge points forward in the order or stays inside one component,
 * two nodes share a component exactly when each reaches the other, member lists and sizes
 * agree, and lw_graph_add searches (reports a cycle) only for edges inside a component. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph_internal.h"

#define MAXN 48

static bool reach[MAXN][MAXN]; /* model: reach[u][v] when a path u ~> v exists (u ~> u too) */

static void model_add(uint32_t a, uint32_t b)
{
    for (int u = 0; u < MAXN; u++)
        if (reach[u][a])
            for (int v = 0; v < MAXN; v++)
                if (reach[b][v]) reach[u][v] = true;
}

static uint32_t node(const struct lw_graph *g, uint32_t ext)
{
    assert_true(ext < g->nnodes);
    return ext; /* a node is its id */
}

static bool has_edges(const struct lw_graph *g, uint32_t id)
{
    return id < g->nnodes &&
           (g->nodes[id].first_out != LW_GRAPH_NONE || g->nodes[id].first_in != LW_GRAPH_NONE);
}

static void check_invariants(const struct lw_graph *g, uint32_t n)
{
    for (size_t e = 0; e < g->nedges; e++) {
        uint32_t cu = lw_graph_comp(g, g->edges[e].from), cv = lw_graph_comp(g, g->edges[e].to);
        if (cu != cv) assert_true(lw_graph_ord(g, cu) < lw_graph_ord(g, cv));
    }
    for (uint32_t u = 0; u < n; u++) {
        if (!has_edges(g, u)) continue;
        for (uint32_t v = 0; v < n; v++) {
            if (!has_edges(g, v)) continue;
            bool same = lw_graph_comp(g, node(g, u)) == lw_graph_comp(g, node(g, v));
            assert_int_equal(same, reach[u][v] && reach[v][u]);
        }
    }
    for (size_t i = 0; i < g->nnodes; i++) {
        if (i < g->marks_cap) assert_int_equal(g->marks[i], 0);
        if (lw_graph_comp(g, (uint32_t)i) != i) continue;
        uint32_t members = 0;
        for (uint32_t m = (uint32_t)i; m != LW_GRAPH_NONE; m = lw_graph_next_member(g, m)) {
            assert_int_equal(lw_graph_comp(g, m), i);
            members++;
        }
        assert_int_equal(members, lw_graph_comp_size(g, (uint32_t)i));
    }
}

static void run_random(unsigned seed)
{
    memset(reach, 0, sizeof reach);
    for (int i = 0; i < MAXN; i++)
        reach[i][i] = true;
    srand(seed);
    uint32_t n = 4 + (uint32_t)(rand() % (MAXN - 4));
    int steps = 10 + rand() % (int)(3 * n);
    /* Mostly forward edges (as a program with a lock order makes), some backward. */
    int backward_percent = rand() % 30;
    struct lw_graph *g = lw_graph_new(UINT64_MAX);
    assert_non_null(g);
    for (int s = 0; s < steps; s++) {
        uint32_t a = (uint32_t)(rand() % n), b = (uint32_t)(rand() % n);
        if (a == b) continue;
        if ((a > b) != (rand() % 100 < backward_percent)) {
            uint32_t t = a;
            a = b;
            b = t;
        }
        bool was_cycle = reach[b][a];
        model_add(a, b);
        struct lw_graph_instance inst = {.thread = (uint32_t)s};
        struct lw_graph_cycle cycle;
        int rc = lw_graph_add(g, a, b, &inst, &cycle);
        assert_int_not_equal(rc, LW_GRAPH_ERR_NOMEM);
        /* No path back from b to a: nothing to report (KNOWN when the edge's instances are full).
         */
        if (!was_cycle) assert_true(rc == LW_GRAPH_STORED || rc == LW_GRAPH_KNOWN);
        check_invariants(g, n);
    }
    lw_graph_free(g);
}

static void test_random_orders_against_closure(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 2000; seed++)
        run_random(seed);
}

/* Edges inserted against the order (a node's first place is its id: here every edge goes from
 * a higher id to the next lower one): every insertion reorders, and the order stays a
 * topological one. */
static void test_reverse_insertion_chain(void **state)
{
    (void)state;
    struct lw_graph *g = lw_graph_new(0);
    const uint32_t n = 2000;
    for (uint32_t i = 1; i < n; i++) {
        struct lw_graph_instance inst = {.thread = i};
        struct lw_graph_cycle cycle;
        assert_int_equal(lw_graph_add(g, i, i - 1, &inst, &cycle), LW_GRAPH_STORED);
    }
    struct lw_graph_stats stats;
    lw_graph_stats(g, &stats);
    assert_int_equal(stats.reorders, n - 1);
    assert_int_equal(stats.nodes, n);
    for (uint32_t i = 0; i + 1 < n; i++)
        assert_true(lw_graph_ord(g, lw_graph_comp(g, node(g, i + 1))) <
                    lw_graph_ord(g, lw_graph_comp(g, node(g, i))));
    struct lw_graph_instance inst = {.thread = n};
    struct lw_graph_cycle cycle;
    assert_int_equal(lw_graph_add(g, 0, n - 1, &inst, &cycle), LW_GRAPH_CYCLE);
    assert_int_equal(cycle.length, n);
    assert_int_equal(lw_graph_comp_size(g, lw_graph_comp(g, node(g, 0))), n);
    lw_graph_free(g);
}

/* Ids that are no end of an edge cost a node (8 bytes) only below the largest end, and are not
 * counted as nodes; an edge between two of them needs no reordering when it goes up in id. */
static void test_nodes_by_id(void **state)
{
    (void)state;
    struct lw_graph *g = lw_graph_new(0);
    struct lw_graph_instance inst = {.thread = 1};
    struct lw_graph_cycle cycle;
    assert_int_equal(lw_graph_add(g, 10, 20, &inst, &cycle), LW_GRAPH_STORED);
    assert_int_equal(g->nnodes, 21);
    struct lw_graph_stats stats;
    lw_graph_stats(g, &stats);
    assert_int_equal(stats.nodes, 2);
    assert_int_equal(stats.reorders, 0);
    assert_null(g->ords); /* no order change yet: places are ids */
    assert_int_equal(lw_graph_add(g, 20, 5, &inst, &cycle), LW_GRAPH_STORED);
    lw_graph_stats(g, &stats);
    assert_int_equal(stats.nodes, 3);
    assert_int_equal(stats.reorders, 1);
    assert_true(lw_graph_ord(g, 10) < lw_graph_ord(g, 20));
    assert_true(lw_graph_ord(g, 20) < lw_graph_ord(g, 5));
    assert_int_equal(lw_graph_add(g, 5, 10, &inst, &cycle), LW_GRAPH_CYCLE);
    assert_int_equal(cycle.length, 3);
    assert_int_equal(cycle.nodes[0], 5); /* a cycle starts at its smallest id */
    lw_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_orders_against_closure),
        cmocka_unit_test(test_reverse_insertion_chain),
        cmocka_unit_test(test_nodes_by_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
