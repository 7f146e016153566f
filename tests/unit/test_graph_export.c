/* test_graph_export.c — the read-only view of the lock-order graph (graph.h lw_graph_edge_at,
 * detector.h lw_detector_order_edge*): every edge the edge rules made, in order of creation,
 * with the instances the graph kept, in report terms (locks, threads, stacks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "lockwatch/graph.h"
#include "records.h"

#define PID 100
#define A 0x1000
#define B 0x2000
#define C 0x3000

static struct rec r;

/* thread requests `lock` at stack `stack` while holding held[0..n). */
static void acquire(struct lw_detector *d, uint32_t thread, struct lw_lock_ref lock, uint64_t stack,
                    uint32_t n, const struct lw_held *held)
{
    rec_acquire(&r, PID, thread, lock, stack, n, held);
    feed_ok(d, &r);
}

static int setup(void **state)
{
    *state = detector_with_process(PID);
    return 0;
}

static struct lw_order_edge edge_at(struct lw_detector *d, size_t i)
{
    struct lw_order_edge e;
    assert_true(lw_detector_order_edge(d, i, &e));
    return e;
}

static void test_empty(void **state)
{
    struct lw_detector *d = *state;
    struct lw_order_edge e = {0};
    assert_int_equal(lw_detector_order_edge_count(d), 0);
    assert_false(lw_detector_order_edge(d, 0, &e));
    assert_null(e.from);
}

/* ABBA over two threads: two edges, in the order they were made, each with its thread and the
 * stacks of both acquisitions; a finding exists, but the edges are there regardless. */
static void test_abba_edges(void **state)
{
    struct lw_detector *d = *state;
    const struct lw_held held_a[] = {held_at(ref_mutex(A), 0x11)};
    const struct lw_held held_b[] = {held_at(ref_mutex(B), 0x22)};
    acquire(d, 1, ref_mutex(B), 0x12, 1, held_a);
    acquire(d, 2, ref_mutex(A), 0x21, 1, held_b);
    assert_int_equal(lw_detector_order_edge_count(d), 2);
    assert_int_equal(lw_detector_report(d)->nfindings, 1);

    struct lw_order_edge ab = edge_at(d, 0), ba = edge_at(d, 1);
    assert_int_equal(ab.from->addr, A);
    assert_int_equal(ab.to->addr, B);
    assert_int_equal(ab.ninstances, 1);
    const struct lw_cycle_edge *i = &ab.instances[0];
    assert_int_equal(i->thread->number, 1);
    assert_ptr_equal(i->holding, ab.from);
    assert_ptr_equal(i->acquiring, ab.to);
    assert_int_equal(i->holding_stack->id, 0x11);
    assert_int_equal(i->acquiring_stack->id, 0x12);
    assert_int_equal(i->holding_mode, LW_MODE_EXCLUSIVE);

    assert_int_equal(ba.from->addr, B);
    assert_int_equal(ba.to->addr, A);
    assert_int_equal(ba.instances[0].thread->number, 2);
    assert_int_equal(ba.instances[0].acquiring_stack->id, 0x21);
    assert_false(lw_detector_order_edge(d, 2, &ab));
}

/* Edges in no finding are listed too; trylocks and recursive re-acquisitions make none. */
static void test_edges_without_findings(void **state)
{
    struct lw_detector *d = *state;
    const struct lw_held held_ab[] = {held_at(ref_mutex(A), 0x11), held_at(ref_mutex(B), 0x12)};
    struct lw_lock_ref try_c = ref_mutex(C);
    try_c.acq = LW_ACQF_TRY;
    acquire(d, 1, try_c, 0x13, 2, held_ab);        /* trylock: no edge */
    acquire(d, 1, ref_mutex(A), 0x14, 2, held_ab); /* re-acquisition: no edge */
    acquire(d, 1, ref_mutex(C), 0x15, 2, held_ab); /* A -> C and B -> C */
    assert_int_equal(lw_detector_report(d)->nfindings, 0);
    assert_int_equal(lw_detector_order_edge_count(d), 2);
    struct lw_order_edge ac = edge_at(d, 0), bc = edge_at(d, 1);
    assert_int_equal(ac.from->addr, A);
    assert_int_equal(ac.to->addr, C);
    assert_int_equal(ac.instances[0].holding_stack->id, 0x11);
    assert_int_equal(bc.from->addr, B);
    assert_int_equal(bc.to->addr, C);
    assert_int_equal(bc.instances[0].holding_stack->id, 0x12);
    assert_int_equal(bc.instances[0].acquiring_stack->id, 0x15);
}

/* One edge taken by six threads alike keeps two of them (more add no way to close a cycle),
 * of distinct threads; a repeat by a known thread adds nothing. */
static void test_instances_capped(void **state)
{
    struct lw_detector *d = *state;
    const struct lw_held held_a[] = {held_at(ref_mutex(A), 0x11)};
    for (uint32_t t = 1; t <= 6; t++)
        acquire(d, t, ref_mutex(B), 0x12, 1, held_a);
    acquire(d, 1, ref_mutex(B), 0x12, 1, held_a);
    assert_int_equal(lw_detector_order_edge_count(d), 1);
    struct lw_order_edge ab = edge_at(d, 0);
    assert_int_equal(ab.ninstances, 2);
    for (size_t i = 0; i < ab.ninstances; i++)
        for (size_t j = i + 1; j < ab.ninstances; j++)
            assert_ptr_not_equal(ab.instances[i].thread, ab.instances[j].thread);
}

/* The graph-level view keeps the instance as stored: its interned gates and the caller's
 * payload. */
static void test_graph_view(void **state)
{
    (void)state;
    struct lw_graph *g = lw_graph_new(0);
    assert_non_null(g);
    int payload = 7;
    const struct lw_graph_gate gates[] = {
        {.node = 5, .mode = 1}, {.node = 2, .mode = 0}, {.node = 0, .mode = 1}};
    struct lw_graph_instance inst = {
        .thread = 3, .from_mode = 1, .to_mode = 0, .payload = &payload};
    inst.gates = lw_graph_intern_gates(g, gates, 3, &inst.ngates);
    struct lw_graph_cycle cycle;
    assert_int_equal(lw_graph_add(g, 0, 1, &inst, &cycle), LW_GRAPH_STORED);
    inst.thread = 4;
    assert_int_equal(lw_graph_add(g, 0, 1, &inst, &cycle), LW_GRAPH_STORED);
    inst.ngates = 0;
    inst.gates = NULL;
    assert_int_equal(lw_graph_add(g, 1, 2, &inst, &cycle), LW_GRAPH_STORED);

    struct lw_graph_edge_view v;
    assert_true(lw_graph_edge_at(g, 0, &v));
    assert_int_equal(v.from, 0);
    assert_int_equal(v.to, 1);
    assert_int_equal(v.ninstances, 2);
    assert_int_equal(v.instances[0]->thread, 3);
    assert_int_equal(v.instances[1]->thread, 4);
    assert_ptr_equal(v.instances[0]->payload, &payload);
    assert_int_equal(v.instances[0]->from_mode, 1);
    /* The interned set, sorted by node (the source among them). */
    assert_int_equal(v.instances[0]->ngates, 3);
    assert_int_equal(v.instances[0]->gates[0].node, 0);
    assert_int_equal(v.instances[0]->gates[1].node, 2);
    assert_int_equal(v.instances[0]->gates[2].node, 5);
    assert_true(lw_graph_edge_at(g, 1, &v));
    assert_int_equal(v.from, 1);
    assert_int_equal(v.to, 2);
    assert_int_equal(v.ninstances, 1);
    assert_int_equal(v.instances[0]->ngates, 0);
    assert_false(lw_graph_edge_at(g, 2, &v));
    lw_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_abba_edges, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_edges_without_findings, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_instances_capped, setup, detector_teardown),
        cmocka_unit_test(test_graph_view),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
