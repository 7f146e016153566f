/* test_graph.c — the lock-order graph: every edge rule, cycle identity and upgrade, and a
 * seeded random comparison against a naive reachability model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lockwatch/graph.h"

#define EX 0 /* LW_MODE_EXCLUSIVE */
#define SH 1 /* LW_MODE_SHARED */

static struct lw_graph_cycle last;

/* Adds a -> b for thread t with modes and up to 4 gates (node, mode pairs; -1 ends). */
static int add(struct lw_graph *g, uint32_t a, uint32_t b, uint32_t t, uint8_t from_mode,
               uint8_t to_mode, const int *gates)
{
    struct lw_graph_gate buf[8] = {{0}};
    uint32_t n = 0;
    for (; gates && gates[2 * n] >= 0; n++)
        buf[n] = (struct lw_graph_gate){(uint32_t)gates[2 * n], (uint8_t)gates[2 * n + 1]};
    struct lw_graph_instance inst = {.thread = t, .from_mode = from_mode, .to_mode = to_mode};
    inst.gates = lw_graph_intern_gates(g, buf, n, &inst.ngates);
    if (n > 0) assert_non_null(inst.gates);
    memset(&last, 0, sizeof last);
    return lw_graph_add(g, a, b, &inst, &last);
}

static int add_ex(struct lw_graph *g, uint32_t a, uint32_t b, uint32_t t)
{
    return add(g, a, b, t, EX, EX, NULL);
}

static void test_abba_across_threads(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    assert_non_null(g);
    assert_int_equal(add_ex(g, 0, 1, 1), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 1, 0, 2), LW_GRAPH_CYCLE);
    assert_int_equal(last.length, 2);
    assert_int_equal(last.nodes[0], 0);
    assert_int_equal(last.nodes[1], 1);
    assert_false(last.single_thread);
    assert_false(last.upgraded);
    assert_int_equal(last.instances[0]->thread, 1); /* edge 0 -> 1 */
    assert_int_equal(last.instances[1]->thread, 2);
    /* The same instance again, and a third thread on a known cycle: nothing new. */
    assert_int_equal(add_ex(g, 1, 0, 2), LW_GRAPH_KNOWN);
    assert_int_equal(add_ex(g, 1, 0, 3), LW_GRAPH_STORED);
    struct lw_graph_stats st;
    lw_graph_stats(g, &st);
    assert_int_equal(st.cycles, 1);
    assert_int_equal(st.edges, 2);
    assert_int_equal(st.instances, 3);
    lw_graph_free(g);
}

static void test_single_thread_then_upgrade(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    assert_int_equal(add_ex(g, 3, 7, 1), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 7, 3, 1), LW_GRAPH_CYCLE);
    assert_true(last.single_thread);
    assert_false(last.upgraded);
    uint32_t id = last.id;
    /* Same thread, other modes: still single, no second report. */
    assert_int_equal(add(g, 7, 3, 1, EX, SH, NULL), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 7, 3, 2), LW_GRAPH_CYCLE);
    assert_true(last.upgraded);
    assert_false(last.single_thread);
    assert_int_equal(last.id, id);
    assert_int_not_equal(last.instances[0]->thread, last.instances[1]->thread);
    assert_int_equal(add_ex(g, 3, 7, 2), LW_GRAPH_STORED);
    lw_graph_free(g);
}

static void test_gate_on_both_edges_blocks(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    const int gate[] = {9, EX, -1};
    assert_int_equal(add(g, 0, 1, 1, EX, EX, gate), LW_GRAPH_STORED);
    assert_int_equal(add(g, 1, 0, 2, EX, EX, gate), LW_GRAPH_STORED);
    /* One ungated instance on either edge is enough to close it. */
    assert_int_equal(add_ex(g, 1, 0, 3), LW_GRAPH_CYCLE);
    assert_false(last.single_thread);
    assert_int_equal(last.instances[1]->ngates, 0);
    lw_graph_free(g);
}

static void test_gate_on_one_edge_protects_nothing(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    const int gate[] = {9, EX, -1};
    const int other[] = {8, EX, -1};
    assert_int_equal(add(g, 0, 1, 1, EX, EX, gate), LW_GRAPH_STORED);
    assert_int_equal(add(g, 1, 0, 2, EX, EX, other), LW_GRAPH_CYCLE);
    lw_graph_free(g);
}

static void test_gate_held_shared_by_both_is_no_gate(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    const int shared[] = {9, SH, -1};
    const int exclusive[] = {9, EX, -1};
    assert_int_equal(add(g, 0, 1, 1, EX, EX, shared), LW_GRAPH_STORED);
    assert_int_equal(add(g, 1, 0, 2, EX, EX, exclusive), LW_GRAPH_STORED); /* sh vs ex: gated */
    assert_int_equal(add(g, 1, 0, 3, EX, EX, shared), LW_GRAPH_CYCLE);     /* sh vs sh: open */
    assert_int_equal(last.instances[1]->thread, 3);
    lw_graph_free(g);
}

static void test_source_lock_held_elsewhere_gates(void **state)
{
    /* T1 holds 0 and 2 while taking 1; so 2 -> 0 (T3) cannot run beside it. */
    struct lw_graph *g = lw_graph_new(0);
    const int holds2[] = {2, EX, -1};
    assert_int_equal(add(g, 0, 1, 1, EX, EX, holds2), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 1, 2, 2), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 2, 0, 3), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 0, 1, 4), LW_GRAPH_CYCLE);
    assert_int_equal(last.length, 3);
    lw_graph_free(g);
}

static void test_read_read_at_reader_preferring_rwlock(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    assert_int_equal(lw_graph_set_reader_preferring(g, 1, true), 0);
    /* T1 holds 0, requests 1 shared; T2 holds 1 shared, requests 0: readers pass at 1. */
    assert_int_equal(add(g, 0, 1, 1, EX, SH, NULL), LW_GRAPH_STORED);
    assert_int_equal(add(g, 1, 0, 2, SH, EX, NULL), LW_GRAPH_STORED);
    /* A writer on either side closes it. */
    assert_int_equal(add(g, 1, 0, 3, EX, EX, NULL), LW_GRAPH_CYCLE);
    assert_int_equal(last.instances[1]->from_mode, EX);
    lw_graph_free(g);
}

static void test_read_read_at_writer_preferring_rwlock_deadlocks(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    assert_int_equal(lw_graph_set_reader_preferring(g, 1, false), 0);
    assert_int_equal(add(g, 0, 1, 1, EX, SH, NULL), LW_GRAPH_STORED);
    assert_int_equal(add(g, 1, 0, 2, SH, EX, NULL), LW_GRAPH_CYCLE);
    lw_graph_free(g);
}

static void test_read_read_rule_on_closing_node(void **state)
{
    /* The rule also applies at the node where the search closes the cycle (node 0 here). */
    struct lw_graph *g = lw_graph_new(0);
    assert_int_equal(lw_graph_set_reader_preferring(g, 0, true), 0);
    assert_int_equal(add(g, 1, 0, 1, EX, SH, NULL), LW_GRAPH_STORED);
    assert_int_equal(add(g, 0, 1, 2, SH, EX, NULL), LW_GRAPH_STORED);
    lw_graph_free(g);
}

static void test_cycles_of_length_2_to_8_found_once(void **state)
{
    for (uint32_t k = 2; k <= 8; k++) {
        struct lw_graph *g = lw_graph_new(0);
        uint32_t base = 100 * k; /* ids need not start at 0 */
        for (uint32_t i = 0; i + 1 < k; i++)
            assert_int_equal(add_ex(g, base + i, base + i + 1, i), LW_GRAPH_STORED);
        assert_int_equal(add_ex(g, base + k - 1, base, k), LW_GRAPH_CYCLE);
        assert_int_equal(last.length, k);
        for (uint32_t i = 0; i < k; i++)
            assert_int_equal(last.nodes[i], base + i);
        assert_false(last.single_thread);
        /* Re-adding any edge of it, by anyone, never reports it again. */
        for (uint32_t i = 0; i + 1 < k; i++)
            assert_int_not_equal(add_ex(g, base + i, base + i + 1, 50 + i), LW_GRAPH_CYCLE);
        struct lw_graph_stats st;
        lw_graph_stats(g, &st);
        assert_int_equal(st.cycles, 1);
        lw_graph_free(g);
    }
}

static void test_shortest_form_is_reported(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    /* Long way 1 -> 2 -> 3 -> 4 -> 0 and short way 1 -> 0, then 0 -> 1 closes both. */
    assert_int_equal(add_ex(g, 1, 2, 1), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 2, 3, 1), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 3, 4, 1), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 4, 0, 1), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 1, 0, 1), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 0, 1, 2), LW_GRAPH_CYCLE);
    assert_int_equal(last.length, 2);
    /* The longer cycle is still there: another new instance of 0 -> 1 finds it next. */
    assert_int_equal(add_ex(g, 0, 1, 3), LW_GRAPH_CYCLE);
    assert_int_equal(last.length, 5);
    lw_graph_free(g);
}

static void test_gated_short_form_falls_back_to_longer(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    const int gate[] = {9, EX, -1};
    assert_int_equal(add(g, 1, 0, 1, EX, EX, gate), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 1, 2, 1), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 2, 0, 3), LW_GRAPH_STORED);
    assert_int_equal(add(g, 0, 1, 2, EX, EX, gate), LW_GRAPH_CYCLE);
    assert_int_equal(last.length, 3);
    lw_graph_free(g);
}

/* Rings of n locks (thread i takes lock i then i + 1, the last thread closes the ring): found
 * whatever n, once, at full length, with each edge's own thread. */
static void test_long_rings_found(void **state)
{
    const uint32_t lengths[] = {16, 17, 20, 64, 1000, 20000};
    for (size_t k = 0; k < sizeof lengths / sizeof *lengths; k++) {
        uint32_t n = lengths[k];
        struct lw_graph *g = lw_graph_new(0);
        for (uint32_t i = 0; i + 1 < n; i++)
            assert_int_equal(add_ex(g, i, i + 1, i), LW_GRAPH_STORED);
        assert_int_equal(add_ex(g, n - 1, 0, n - 1), LW_GRAPH_CYCLE);
        assert_int_equal(last.length, n);
        assert_false(last.single_thread);
        for (uint32_t i = 0; i < n; i++) {
            assert_int_equal(last.nodes[i], i);
            assert_int_equal(last.instances[i]->thread, i);
        }
        struct lw_graph_stats st;
        lw_graph_stats(g, &st);
        assert_int_equal(st.cycles, 1);
        assert_int_equal(st.truncated, 0);
        lw_graph_free(g);
    }
}

/* One thread takes 600 locks in order (every earlier one held: 179,700 edges), another takes the
 * last then the first: the 2-cycle is found among them, and only it. */
static void test_many_held_then_last_first(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    const uint32_t n = 600;
    for (uint32_t j = 1; j < n; j++)
        for (uint32_t i = 0; i < j; i++)
            assert_int_equal(add_ex(g, i, j, 1), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, n - 1, 0, 2), LW_GRAPH_CYCLE);
    assert_int_equal(last.length, 2);
    assert_false(last.single_thread);
    lw_graph_free(g);
}

/* 60 locks taken in random orders by 4 threads, always under one gate lock (a "big lock"): the
 * component they form has a huge number of cycles, none valid. Each search gives up on a path
 * at its second edge, so no search reaches the budget; an ungated pair then closes a 2-cycle. */
static void test_dense_gated_component_is_cheap(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    const int gate[] = {1000, EX, -1};
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t a = (uint32_t)(x % 60), b = (uint32_t)((x >> 20) % 60);
        if (a == b) continue;
        int rc = add(g, a, b, (uint32_t)(x >> 40) % 4, EX, EX, gate);
        assert_true(rc == LW_GRAPH_STORED || rc == LW_GRAPH_KNOWN);
    }
    struct lw_graph_stats st;
    lw_graph_stats(g, &st);
    assert_true(st.searches > 1000);
    assert_int_equal(st.truncated, 0);
    assert_int_equal(add_ex(g, 100, 101, 1), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 101, 100, 2), LW_GRAPH_CYCLE);
    lw_graph_free(g);
}

/* Every distinct payload of an edge is remembered, whether or not its instance was kept: one
 * thread's second site (an instance the same but for its payload), and five threads on an edge
 * that keeps four instances. */
static void test_payloads_remembered(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    int sites[7];
    struct lw_graph_instance inst = {.thread = 1, .payload = &sites[0]};
    struct lw_graph_cycle c;
    assert_int_equal(lw_graph_add(g, 0, 1, &inst, &c), LW_GRAPH_STORED);
    inst.payload = &sites[1];
    assert_int_equal(lw_graph_add(g, 0, 1, &inst, &c), LW_GRAPH_KNOWN);
    inst.payload = &sites[0];
    assert_int_equal(lw_graph_add(g, 0, 1, &inst, &c), LW_GRAPH_KNOWN);
    for (uint32_t t = 2; t <= 6; t++) {
        inst.thread = t;
        inst.payload = &sites[t];
        lw_graph_add(g, 0, 1, &inst, &c);
    }
    const void *out[8];
    assert_int_equal(lw_graph_edge_payloads(g, 0, 1, out, 8), 7);
    for (int k = 0; k < 7; k++) {
        bool found = false;
        for (int i = 0; i < 7; i++)
            found |= out[i] == &sites[k];
        assert_true(found);
    }
    assert_int_equal(lw_graph_edge_payloads(g, 0, 1, out, 2), 7); /* the count, whatever max */
    assert_int_equal(lw_graph_edge_payloads(g, 1, 0, out, 8), 0);
    assert_int_equal(lw_graph_edge_payloads(g, 0, 99, out, 8), 0);
    lw_graph_free(g);
}

static void test_work_budget_truncates(void **state)
{
    /* 40 locks taken before lock 0: more work than a budget of 20 allows, so the search stops
     * (and says so) instead of finding 0 -> 1 -> 0; the default budget finds it. */
    for (int budget = 20; budget <= 20000; budget *= 1000) {
        struct lw_graph *g = lw_graph_new((uint64_t)budget);
        for (uint32_t i = 1; i <= 40; i++)
            assert_int_equal(add_ex(g, i, 0, 1), LW_GRAPH_STORED);
        assert_int_equal(add_ex(g, 0, 1, 2), budget == 20 ? LW_GRAPH_STORED : LW_GRAPH_CYCLE);
        struct lw_graph_stats st;
        lw_graph_stats(g, &st);
        assert_int_equal(st.truncated, budget == 20 ? 1 : 0);
        lw_graph_free(g);
    }
}

/* Every kind of instance (gate set) is kept, however many, and two threads of each: a cycle that
 * only the fifth kind can close is found (four per edge used to evict it). */
static void test_every_kind_kept(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    for (int i = 0; i < 5; i++) {
        const int gate[] = {10 + i, EX, -1};
        assert_int_equal(add(g, 0, 1, 1, EX, EX, gate), LW_GRAPH_STORED);
    }
    const int none[] = {-1};
    assert_int_equal(add(g, 0, 1, 2, EX, EX, none), LW_GRAPH_STORED);
    assert_int_equal(add(g, 0, 1, 3, EX, EX, none), LW_GRAPH_STORED);
    assert_int_equal(add(g, 0, 1, 4, EX, EX, none), LW_GRAPH_KNOWN); /* a third thread, same kind */
    /* gated by 10..13 and by the ungated instances' threads 2 and 3 (the same thread): only the
     * fifth kind (gate 14) closes it across threads */
    const int gates[] = {10, EX, 11, EX, 12, EX, 13, EX, -1};
    assert_int_equal(add(g, 1, 0, 1, EX, EX, gates), LW_GRAPH_CYCLE);
    lw_graph_free(g);
}

static void test_gates_normalised(void **state)
{
    /* Duplicates collapse to the stronger mode, in any order; a set holding the target makes no
     * edge (recursion). */
    struct lw_graph *g = lw_graph_new(0);
    const int messy[] = {9, SH, 0, EX, 9, EX, -1};
    assert_int_equal(add(g, 0, 1, 1, EX, EX, messy), LW_GRAPH_STORED);
    const int clean[] = {0, EX, 9, EX, -1};
    assert_int_equal(add(g, 0, 1, 1, EX, EX, clean), LW_GRAPH_KNOWN);
    const int recursive[] = {1, EX, -1};
    assert_int_equal(add(g, 0, 1, 3, EX, EX, recursive), LW_GRAPH_KNOWN);
    const int shared[] = {9, SH, -1};
    assert_int_equal(add(g, 1, 0, 2, EX, EX, shared), LW_GRAPH_STORED); /* gated by 9 */
    lw_graph_free(g);
}

static void test_self_edge_ignored(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    assert_int_equal(add_ex(g, 4, 4, 1), LW_GRAPH_KNOWN);
    lw_graph_free(g);
}

/* ---- random sequences against a naive model ---- */

#define NN 20
#define MAXREP 4096

struct model {
    uint8_t threads[NN][NN];           /* bitmask of threads that made each edge */
    uint32_t reported[MAXREP][NN + 1]; /* [0] = length, then canonical nodes */
    bool single[MAXREP];
    size_t nreported;
};

static int dist_model(const struct model *m, int from, int to)
{
    int dist[NN], queue[NN], head = 0, tail = 0;
    for (int i = 0; i < NN; i++)
        dist[i] = -1;
    dist[from] = 0;
    queue[tail++] = from;
    while (head < tail) {
        int u = queue[head++];
        for (int v = 0; v < NN; v++)
            if (m->threads[u][v] && dist[v] < 0) {
                dist[v] = dist[u] + 1;
                queue[tail++] = v;
            }
    }
    return dist[to];
}

static long find_reported(const struct model *m, const struct lw_graph_cycle *c)
{
    for (size_t i = 0; i < m->nreported; i++)
        if (m->reported[i][0] == c->length &&
            memcmp(&m->reported[i][1], c->nodes, c->length * sizeof *c->nodes) == 0)
            return (long)i;
    return -1;
}

/* Without gates or rwlocks a cycle is single-thread exactly when every edge was made by the
 * same one thread and no other. */
static bool model_single(const struct model *m, const uint32_t *nodes, size_t n)
{
    uint8_t t = m->threads[nodes[0]][nodes[1 % n]];
    if (t & (t - 1)) return false;
    for (size_t i = 0; i < n; i++)
        if (m->threads[nodes[i]][nodes[(i + 1) % n]] != t) return false;
    return true;
}

static bool contains_edge(const struct lw_graph_cycle *c, uint32_t a, uint32_t b)
{
    for (size_t i = 0; i < c->length; i++)
        if (c->nodes[i] == a && c->nodes[(i + 1) % c->length] == b) return true;
    return false;
}

static void check_cycle_shape(const struct model *m, const struct lw_graph_cycle *c)
{
    uint8_t seen[NN] = {0};
    for (size_t i = 0; i < c->length; i++) {
        uint32_t u = c->nodes[i], v = c->nodes[(i + 1) % c->length];
        assert_true(u < NN && v < NN);
        assert_false(seen[u]);
        seen[u] = 1;
        assert_true(c->nodes[0] <= u);
        assert_true(m->threads[u][v] & (1u << c->instances[i]->thread));
    }
    assert_int_equal(c->single_thread, model_single(m, c->nodes, c->length));
}

static void run_random(unsigned seed, struct model *m)
{
    memset(m, 0, sizeof *m);
    srand(seed);
    struct lw_graph *g = lw_graph_new(UINT64_MAX);
    assert_non_null(g);
    int steps = 20 + rand() % 40;
    for (int s = 0; s < steps; s++) {
        uint32_t a = (uint32_t)(rand() % NN), b = (uint32_t)(rand() % NN);
        uint32_t t = (uint32_t)(rand() % 3);
        if (a == b) continue;
        /* known: this thread made the edge already, or two others did (graph.h keeps two) */
        uint8_t made = m->threads[a][b];
        bool known = (made & (1u << t)) || (made & (made - 1));
        bool new_edge = m->threads[a][b] == 0;
        int back = dist_model(m, (int)b, (int)a);
        m->threads[a][b] |= (uint8_t)(1u << t);
        int rc = add_ex(g, a, b, t);
        if (known) {
            assert_int_equal(rc, LW_GRAPH_KNOWN);
            continue;
        }
        if (new_edge) {
            /* A new edge closes a cycle exactly when b already reached a; shortest first. */
            assert_int_equal(rc, back >= 0 ? LW_GRAPH_CYCLE : LW_GRAPH_STORED);
            if (back >= 0) assert_int_equal(last.length, (size_t)back + 1);
        }
        if (rc == LW_GRAPH_CYCLE) {
            check_cycle_shape(m, &last);
            assert_true(contains_edge(&last, a, b));
            long at = find_reported(m, &last);
            if (last.upgraded) {
                assert_true(at >= 0);
                assert_true(m->single[at]);
                assert_false(last.single_thread);
                m->single[at] = false;
            } else {
                assert_int_equal(at, -1);
                assert_true(m->nreported < MAXREP);
                m->reported[m->nreported][0] = (uint32_t)last.length;
                memcpy(&m->reported[m->nreported][1], last.nodes, last.length * sizeof *last.nodes);
                m->single[m->nreported++] = last.single_thread;
            }
        } else {
            assert_int_equal(rc, LW_GRAPH_STORED);
            /* Nothing reported: no earlier single-thread cycle through a -> b became multi. */
            for (size_t i = 0; i < m->nreported; i++) {
                struct lw_graph_cycle c = {.length = m->reported[i][0],
                                           .nodes = &m->reported[i][1]};
                if (m->single[i] && contains_edge(&c, a, b))
                    assert_true(model_single(m, c.nodes, c.length));
            }
        }
    }
    struct lw_graph_stats st;
    lw_graph_stats(g, &st);
    assert_int_equal(st.truncated, 0);
    assert_int_equal(st.cycles, m->nreported);
    lw_graph_free(g);
}

/* Gated random graphs against brute force: an edge's first instance closes a cycle exactly when
 * some simple cycle through it has one instance per edge with no lock held by two of them
 * unless both hold it shared (graph.h), which proves the search's pruning loses nothing. */
#define GN 7
struct gated_inst {
    uint8_t from_mode;
    uint8_t held[GN]; /* per node: 0 not held, 1 exclusive, 2 shared (gates and the source) */
};
#define GMAX 8 /* instances per edge in a test graph */
static struct gated_inst gi[GN][GN][GMAX];
static int gin[GN][GN];
static int gpath[GN + 1], gchoice[GN];

static bool gated_assign(int n, int i)
{
    if (i == n) return true;
    int u = gpath[i], v = gpath[(i + 1) % n];
    for (int k = 0; k < gin[u][v]; k++) {
        bool ok = true;
        for (int j = 0; j < i && ok; j++) {
            const struct gated_inst *x = &gi[gpath[j]][gpath[j + 1]][gchoice[j]];
            for (int l = 0; l < GN && ok; l++)
                ok = !(x->held[l] && gi[u][v][k].held[l] &&
                       (x->held[l] == 1 || gi[u][v][k].held[l] == 1));
        }
        if (!ok) continue;
        gchoice[i] = k;
        if (gated_assign(n, i + 1)) return true;
    }
    return false;
}

/* Whether a simple path from gpath[depth - 1] back to gpath[0] makes a valid cycle. */
static bool gated_cycle_from(int depth)
{
    int u = gpath[depth - 1];
    for (int v = 0; v < GN; v++) {
        if (!gin[u][v]) continue;
        if (v == gpath[0]) {
            if (gated_assign(depth, 0)) return true;
            continue;
        }
        bool on = depth == GN; /* every node is on the path already */
        for (int j = 0; j < depth && !on; j++)
            on = gpath[j] == v;
        if (on) continue;
        gpath[depth] = v;
        if (gated_cycle_from(depth + 1)) return true;
    }
    return false;
}

static void test_gated_random_against_brute_force(void **state)
{
    for (unsigned seed = 1; seed <= 3000; seed++) {
        srand(seed);
        memset(gin, 0, sizeof gin);
        struct lw_graph *g = lw_graph_new(UINT64_MAX);
        int steps = 5 + rand() % 25;
        for (int s = 0; s < steps; s++) {
            int a = rand() % GN, b = rand() % GN;
            if (a == b || gin[a][b] == GMAX) continue;
            struct gated_inst *x = &gi[a][b][gin[a][b]];
            memset(x, 0, sizeof *x);
            x->from_mode = rand() % 4 == 0 ? SH : EX;
            x->held[a] = x->from_mode == SH ? 2 : 1;
            int gates[2 * GN + 1], ng = 0;
            for (int l = 0; l < GN; l++)
                if (l != a && l != b && rand() % 5 == 0) {
                    int mode = rand() % 3 == 0 ? SH : EX;
                    x->held[l] = mode == SH ? 2 : 1;
                    gates[2 * ng] = l;
                    gates[2 * ng++ + 1] = mode;
                }
            gates[2 * ng] = -1;
            bool first = gin[a][b] == 0;
            gin[a][b]++;
            int rc = add(g, (uint32_t)a, (uint32_t)b, (uint32_t)s, x->from_mode, EX, gates);
            if (rc == LW_GRAPH_KNOWN) { /* a duplicate of a stored instance */
                gin[a][b]--;
                continue;
            }
            if (!first) continue;
            gpath[0] = a;
            gpath[1] = b;
            bool valid = gated_cycle_from(2);
            assert_int_equal(rc, valid ? LW_GRAPH_CYCLE : LW_GRAPH_STORED);
        }
        lw_graph_free(g);
    }
}

static void test_random_against_model(void **state)
{
    static struct model m;
    for (unsigned seed = 1; seed <= 500; seed++)
        run_random(seed, &m);
}

/* A million nodes and edges: an acyclic random graph plus one closing edge stays fast. */
static void test_million_edges(void **state)
{
    struct lw_graph *g = lw_graph_new(0);
    const uint32_t n = 1000000;
    uint64_t x = 88172645463325252ull;
    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t a = (uint32_t)(x % n), b = (uint32_t)((x >> 32) % n);
        if (a == b) continue;
        if (a > b) {
            uint32_t t = a;
            a = b;
            b = t;
        }
        assert_int_not_equal(add_ex(g, a, b, i % 8), LW_GRAPH_ERR_NOMEM);
    }
    assert_int_equal(add_ex(g, 5, 6, 1), LW_GRAPH_STORED);
    assert_int_equal(add_ex(g, 6, 5, 2), LW_GRAPH_CYCLE);
    struct lw_graph_stats st;
    lw_graph_stats(g, &st);
    assert_true(st.edges > n - n / 100);
    assert_int_equal(st.cycles, 1);
    lw_graph_free(g);
}

/* A gate set's size fits an instance's 16-bit count: one set larger than that is refused, as
 * out of memory would be, and one at the limit is kept whole. */
static void test_gate_set_limit(void **state)
{
    (void)state;
    struct lw_graph *g = lw_graph_new(0);
    size_t n = (size_t)LW_GRAPH_MAX_GATES + 1;
    struct lw_graph_gate *gates = calloc(n, sizeof *gates);
    assert_non_null(gates);
    for (size_t i = 0; i < n; i++)
        gates[i].node = (uint32_t)i;
    uint16_t kept = 1;
    assert_null(lw_graph_intern_gates(g, gates, n, &kept));
    assert_int_equal(kept, 0);
    assert_non_null(lw_graph_intern_gates(g, gates, n - 1, &kept));
    assert_int_equal(kept, LW_GRAPH_MAX_GATES);
    assert_true(sizeof(struct lw_graph_instance) <= 24);
    free(gates);
    lw_graph_free(g);
}

/* Every thread's uses of an edge are kept with their epochs, merged per thread: those of its
 * stored instances' threads (any kind) and of up to LW_GRAPH_OTHER_THREADS others; beyond, the
 * edge says it is crowded. */
static void test_edge_uses(void **state)
{
    (void)state;
    struct lw_graph *g = lw_graph_new(0);
    assert_non_null(g);
    struct lw_graph_instance inst = {.thread = 1};
    struct lw_graph_use out[2 + LW_GRAPH_OTHER_THREADS + 2];
    bool crowded = true;
    assert_int_equal(lw_graph_edge_uses(g, 1, 2, out, 4, &crowded), 0);
    assert_int_equal(lw_graph_add(g, 1, 2, &inst, &last), LW_GRAPH_STORED);
    assert_int_equal(lw_graph_add_in_epoch(g, 1, 2, &inst, 5, &last), LW_GRAPH_KNOWN);
    struct lw_graph_instance shared = {.thread = 1, .to_mode = SH};
    assert_int_equal(lw_graph_add_in_epoch(g, 1, 2, &shared, 7, &last), LW_GRAPH_STORED);
    assert_int_equal(lw_graph_edge_uses(g, 1, 2, out, 4, &crowded), 1);
    assert_false(crowded);
    assert_int_equal(out[0].thread, 1);
    assert_int_equal(out[0].emin, 0);
    assert_int_equal(out[0].emax, 7);
    /* thread 2 stored; threads 3.. beyond two of the kind go to the others */
    for (uint32_t t = 2; t <= 2 + LW_GRAPH_OTHER_THREADS; t++) {
        inst.thread = t;
        assert_true(lw_graph_add_in_epoch(g, 1, 2, &inst, t, &last) >= 0);
        assert_true(lw_graph_add_in_epoch(g, 1, 2, &inst, 100 + t, &last) >= 0);
    }
    size_t n = lw_graph_edge_uses(g, 1, 2, out, sizeof out / sizeof *out, &crowded);
    assert_int_equal(n, 2 + LW_GRAPH_OTHER_THREADS);
    assert_false(crowded);
    for (size_t i = 1; i < n; i++) {
        assert_int_equal(out[i].thread, i + 1);
        assert_int_equal(out[i].emin, i + 1);
        assert_int_equal(out[i].emax, 100 + i + 1);
    }
    /* a thread with an instance of another kind only: its uses of this kind widen that one */
    shared.thread = 3;
    assert_int_equal(lw_graph_add_in_epoch(g, 1, 2, &shared, 1, &last), LW_GRAPH_STORED);
    inst.thread = 3;
    assert_int_equal(lw_graph_add_in_epoch(g, 1, 2, &inst, 200, &last), LW_GRAPH_KNOWN);
    n = lw_graph_edge_uses(g, 1, 2, out, sizeof out / sizeof *out, &crowded);
    assert_int_equal(n, 2 + LW_GRAPH_OTHER_THREADS);
    assert_int_equal(out[2].thread, 3);
    assert_int_equal(out[2].emin, 1);
    assert_int_equal(out[2].emax, 200);
    inst.thread = 3 + LW_GRAPH_OTHER_THREADS;
    assert_int_equal(lw_graph_add_in_epoch(g, 1, 2, &inst, 9, &last), LW_GRAPH_KNOWN);
    assert_int_equal(lw_graph_edge_uses(g, 1, 2, out, sizeof out / sizeof *out, &crowded), n);
    assert_true(crowded);
    /* a short buffer: the count says how much room is needed */
    assert_int_equal(lw_graph_edge_uses(g, 1, 2, NULL, 0, &crowded) >= n, 1);
    lw_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gate_set_limit),
        cmocka_unit_test(test_abba_across_threads),
        cmocka_unit_test(test_single_thread_then_upgrade),
        cmocka_unit_test(test_gate_on_both_edges_blocks),
        cmocka_unit_test(test_gate_on_one_edge_protects_nothing),
        cmocka_unit_test(test_gate_held_shared_by_both_is_no_gate),
        cmocka_unit_test(test_source_lock_held_elsewhere_gates),
        cmocka_unit_test(test_read_read_at_reader_preferring_rwlock),
        cmocka_unit_test(test_read_read_at_writer_preferring_rwlock_deadlocks),
        cmocka_unit_test(test_read_read_rule_on_closing_node),
        cmocka_unit_test(test_cycles_of_length_2_to_8_found_once),
        cmocka_unit_test(test_shortest_form_is_reported),
        cmocka_unit_test(test_gated_short_form_falls_back_to_longer),
        cmocka_unit_test(test_long_rings_found),
        cmocka_unit_test(test_many_held_then_last_first),
        cmocka_unit_test(test_dense_gated_component_is_cheap),
        cmocka_unit_test(test_payloads_remembered),
        cmocka_unit_test(test_work_budget_truncates),
        cmocka_unit_test(test_every_kind_kept),
        cmocka_unit_test(test_gates_normalised),
        cmocka_unit_test(test_self_edge_ignored),
        cmocka_unit_test(test_random_against_model),
        cmocka_unit_test(test_gated_random_against_brute_force),
        cmocka_unit_test(test_million_edges),
        cmocka_unit_test(test_edge_uses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
