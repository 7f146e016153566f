/* test_happens_before.c — thread start/join/barrier order and cycle classification
 * (detector/core/happens_before.c), by hand and against a naive vector-clock model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "happens_before.h"

#define MAIN 0u
#define T1 1u
#define T2 2u
#define T3 3u

/* main creates T1 (epoch 0 -> 1), joins it (1 -> 2), creates T2 (2 -> 3). */
static void sequential(struct lw_hb *hb)
{
    assert_int_equal(lw_hb_start(hb, T1, MAIN, 0, "create T1"), 0);
    assert_int_equal(lw_hb_join(hb, MAIN, 2, T1, "join T1"), 0);
    assert_int_equal(lw_hb_start(hb, T2, MAIN, 2, "create T2"), 0);
}

static void test_join_then_create_orders(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    sequential(&hb);
    assert_true(lw_hb_before(&hb, T1, 0, T2, 0));
    assert_true(lw_hb_before(&hb, T1, 7, T2, 0)); /* every epoch of a joined thread */
    assert_false(lw_hb_before(&hb, T2, 0, T1, 0));
    lw_hb_free(&hb);
}

static void test_create_orders_only_earlier_epochs(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    assert_int_equal(lw_hb_start(&hb, T1, MAIN, 0, NULL), 0);
    assert_true(lw_hb_before(&hb, MAIN, 0, T1, 0));
    assert_false(lw_hb_before(&hb, MAIN, 1, T1, 0)); /* what main does after the create */
    assert_false(lw_hb_before(&hb, T1, 0, MAIN, 1)); /* never joined */
    assert_false(lw_hb_before(&hb, T1, 0, MAIN, 9));
    lw_hb_free(&hb);
}

static void test_join_orders_only_later_epochs(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    sequential(&hb);
    assert_false(lw_hb_before(&hb, T1, 0, MAIN, 1)); /* main before the join */
    assert_true(lw_hb_before(&hb, T1, 0, MAIN, 2));
    lw_hb_free(&hb);
}

static void test_transitive(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    /* main creates T1 and T2; T2 joins T1 (T2: 0 -> 1), then T2 creates T3 (1 -> 2). */
    assert_int_equal(lw_hb_start(&hb, T1, MAIN, 0, NULL), 0);
    assert_int_equal(lw_hb_start(&hb, T2, MAIN, 1, NULL), 0);
    assert_int_equal(lw_hb_join(&hb, T2, 1, T1, "T2 joins T1"), 0);
    assert_int_equal(lw_hb_start(&hb, T3, T2, 1, "T2 creates T3"), 0);
    assert_true(lw_hb_before(&hb, T1, 0, T3, 0));
    assert_true(lw_hb_before(&hb, MAIN, 0, T3, 0));
    assert_false(lw_hb_before(&hb, MAIN, 2, T3, 0));
    struct lw_hb_step steps[4];
    size_t n = lw_hb_why(&hb, T1, 0, T3, 0, steps, 4);
    assert_int_equal(n, 2);
    assert_int_equal(steps[0].kind, LW_HB_JOINED);
    assert_int_equal(steps[0].from, T1);
    assert_int_equal(steps[0].to, T2);
    assert_string_equal(steps[0].site, "T2 joins T1");
    assert_int_equal(steps[1].kind, LW_HB_CREATED);
    assert_int_equal(steps[1].from, T2);
    assert_int_equal(steps[1].to, T3);
    assert_string_equal(steps[1].site, "T2 creates T3");
    assert_int_equal(lw_hb_why(&hb, T3, 0, T1, 0, steps, 4), 0);
    lw_hb_free(&hb);
}

/* The uses of one edge as the lock-order graph keeps them: one epoch interval per thread, and
 * whether other threads took it too (their uses unknown). */
struct edge_uses {
    struct lw_hb_use u[8];
    size_t n;
    bool more;
};

static void use(struct edge_uses *e, uint32_t thread, uint32_t epoch)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->u[i].thread == thread) {
            if (epoch < e->u[i].emin) e->u[i].emin = epoch;
            if (epoch > e->u[i].emax) e->u[i].emax = epoch;
            return;
        }
    assert_true(e->n < 8);
    e->u[e->n++] = (struct lw_hb_use){thread, epoch, epoch};
}

/* copies: per edge, whether its acquired lock is one each process has a copy of (NULL: none). */
static enum lw_hb_verdict classify_copies(struct lw_hb *hb, const struct edge_uses *const *edges,
                                          const bool *copies, size_t n, size_t budget)
{
    assert_int_equal(lw_hb_threads(hb, T3 + 1), 0);
    struct lw_hb_edge all[4];
    assert_true(n <= 4);
    for (size_t k = 0; k < n; k++)
        all[k] = (struct lw_hb_edge){edges[k]->u, edges[k]->n, edges[k]->more};
    return lw_hb_classify(hb, all, copies, n, budget);
}

static enum lw_hb_verdict classify(struct lw_hb *hb, const struct edge_uses *const *edges, size_t n,
                                   size_t budget)
{
    return classify_copies(hb, edges, NULL, n, budget);
}

static enum lw_hb_verdict abba(struct lw_hb *hb, const struct edge_uses *ab,
                               const struct edge_uses *ba)
{
    const struct edge_uses *edges[] = {ab, ba};
    return classify(hb, edges, 2, 1000000);
}

static void test_classify_sequential_is_ordered(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    struct edge_uses ab = {0}, ba = {0};
    sequential(&hb);
    use(&ab, T1, 0);
    use(&ba, T2, 0);
    assert_int_equal(abba(&hb, &ab, &ba), LW_HB_ORDERED);
    lw_hb_free(&hb);
}

static void test_classify_overlap_is_concurrent(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    struct edge_uses ab = {0}, ba = {0};
    /* main creates T1 and T2 before joining either */
    assert_int_equal(lw_hb_start(&hb, T1, MAIN, 0, NULL), 0);
    assert_int_equal(lw_hb_start(&hb, T2, MAIN, 1, NULL), 0);
    assert_int_equal(lw_hb_join(&hb, MAIN, 3, T1, NULL), 0);
    assert_int_equal(lw_hb_join(&hb, MAIN, 4, T2, NULL), 0);
    use(&ab, T1, 0);
    use(&ba, T2, 0);
    assert_int_equal(abba(&hb, &ab, &ba), LW_HB_CONCURRENT);
    lw_hb_free(&hb);
}

static void test_classify_one_thread_is_ordered(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    struct edge_uses ab = {0}, ba = {0};
    use(&ab, MAIN, 0);
    use(&ba, MAIN, 0);
    assert_int_equal(abba(&hb, &ab, &ba), LW_HB_ORDERED);
    lw_hb_free(&hb);
}

/* main takes A -> B in epoch 0 (before T1 exists) and again in epoch 1 (after creating it): the
 * interval covers the second use, which overlaps T1. */
static void test_classify_interval_spans_create(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    struct edge_uses ab = {0}, ba = {0};
    assert_int_equal(lw_hb_start(&hb, T1, MAIN, 0, NULL), 0);
    use(&ab, MAIN, 0);
    use(&ba, T1, 0);
    assert_int_equal(abba(&hb, &ab, &ba), LW_HB_ORDERED);
    use(&ab, MAIN, 1);
    assert_int_equal(abba(&hb, &ab, &ba), LW_HB_CONCURRENT);
    lw_hb_free(&hb);
}

/* Edge A -> B by T1 (joined before T2 starts) and by T3 (alive with T2): T3 closes the cycle. */
static void test_classify_other_thread_closes(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    struct edge_uses ab = {0}, ba = {0};
    sequential(&hb);
    assert_int_equal(lw_hb_start(&hb, T3, MAIN, 3, NULL), 0);
    use(&ab, T1, 0);
    use(&ba, T2, 0);
    assert_int_equal(abba(&hb, &ab, &ba), LW_HB_ORDERED);
    use(&ab, T3, 0);
    assert_int_equal(abba(&hb, &ab, &ba), LW_HB_CONCURRENT);
    lw_hb_free(&hb);
}

/* The same when T3's use is not known, only that more threads than T1 took A -> B: T3 may be
 * the one that closes the cycle, so no ordering may be claimed. */
static void test_classify_unknown_threads_claim_nothing(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    struct edge_uses ab = {0}, ba = {0};
    sequential(&hb);
    use(&ab, T1, 0);
    use(&ba, T2, 0);
    ab.more = true;
    assert_int_equal(abba(&hb, &ab, &ba), LW_HB_UNCHECKED);
    /* known uses that close it are still a claim */
    assert_int_equal(lw_hb_start(&hb, T3, MAIN, 3, NULL), 0);
    use(&ab, T3, 0);
    assert_int_equal(abba(&hb, &ab, &ba), LW_HB_CONCURRENT);
    lw_hb_free(&hb);
}

/* A -> B and B -> C both by T1 only: whatever the unknown uses of C -> A, the cycle is ordered. */
static void test_classify_unknown_threads_ordered_without_them(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    struct edge_uses ab = {0}, bc = {0}, ca = {0};
    assert_int_equal(lw_hb_start(&hb, T1, MAIN, 0, NULL), 0);
    assert_int_equal(lw_hb_start(&hb, T2, MAIN, 1, NULL), 0);
    use(&ab, T1, 0);
    use(&bc, T1, 0);
    use(&ca, T2, 0);
    ca.more = true;
    const struct edge_uses *edges[] = {&ab, &bc, &ca};
    assert_int_equal(classify(&hb, edges, 3, 1000000), LW_HB_ORDERED);
    use(&bc, T2, 0); /* now B -> C by T2 and C -> A by an unknown third thread may close it */
    assert_int_equal(classify(&hb, edges, 3, 1000000), LW_HB_UNCHECKED);
    lw_hb_free(&hb);
}

/* Three edges: T1 and T2 overlap, T3 starts after both were joined. One ordered pair is enough. */
static void test_classify_three_edges(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    struct edge_uses ab = {0}, bc = {0}, ca = {0}, none = {0};
    assert_int_equal(lw_hb_start(&hb, T1, MAIN, 0, NULL), 0);
    assert_int_equal(lw_hb_start(&hb, T2, MAIN, 1, NULL), 0);
    assert_int_equal(lw_hb_join(&hb, MAIN, 3, T1, NULL), 0);
    assert_int_equal(lw_hb_join(&hb, MAIN, 4, T2, NULL), 0);
    assert_int_equal(lw_hb_start(&hb, T3, MAIN, 4, NULL), 0);
    use(&ab, T1, 0);
    use(&bc, T2, 0);
    use(&ca, T3, 0);
    const struct edge_uses *edges[] = {&ab, &bc, &ca};
    assert_int_equal(classify(&hb, edges, 3, 1000000), LW_HB_ORDERED);
    /* an edge nobody took, or a budget too small to search: no claim */
    const struct edge_uses *untaken[] = {&ab, &none};
    assert_int_equal(classify(&hb, untaken, 2, 1000000), LW_HB_UNCHECKED);
    assert_int_equal(classify(&hb, edges, 3, 2), LW_HB_UNCHECKED);
    lw_hb_free(&hb);
}

/* main creates T1 (0 -> 1) and T2 (1 -> 2); T1 and T2 meet twice at a barrier of two (both:
 * 0 -> 1, then 1 -> 2). */
static void two_rounds(struct lw_hb *hb)
{
    assert_int_equal(lw_hb_start(hb, T1, MAIN, 0, NULL), 0);
    assert_int_equal(lw_hb_start(hb, T2, MAIN, 1, NULL), 0);
    for (uint32_t depart = 1; depart <= 2; depart++) {
        assert_int_equal(lw_hb_barrier(hb, 0, 0x1000, 2, T1, depart, "T1 waits"), 0);
        assert_int_equal(lw_hb_barrier(hb, 0, 0x1000, 2, T2, depart, "T2 waits"), 0);
    }
}

static void test_barrier_orders_rounds(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    two_rounds(&hb);
    assert_true(lw_hb_before(&hb, T1, 0, T2, 1));  /* before round 1, after round 1 */
    assert_true(lw_hb_before(&hb, T2, 0, T1, 1));  /* both ways */
    assert_true(lw_hb_before(&hb, T1, 0, T2, 2));  /* later rounds too */
    assert_true(lw_hb_before(&hb, T1, 1, T2, 2));  /* round 2 */
    assert_false(lw_hb_before(&hb, T1, 1, T2, 1)); /* between the rounds: concurrent */
    assert_false(lw_hb_before(&hb, T1, 0, T2, 0));
    assert_false(lw_hb_before(&hb, T1, 2, T2, 2));
    assert_true(lw_hb_before(&hb, MAIN, 0, T2, 1)); /* main's events before creating T1 */
    assert_false(lw_hb_before(&hb, MAIN, 2, T1, 2));
    struct lw_hb_step steps[4];
    assert_int_equal(lw_hb_why(&hb, T1, 0, T2, 1, steps, 4), 1);
    assert_int_equal(steps[0].kind, LW_HB_BARRIER);
    assert_int_equal(steps[0].from, T1);
    assert_int_equal(steps[0].to, T2);
    assert_int_equal(steps[0].object, 0x1000);
    assert_string_equal(steps[0].site, "T1 waits");
    struct edge_uses ab = {0}, ba = {0};
    use(&ab, T1, 0);
    use(&ba, T2, 1);
    assert_int_equal(abba(&hb, &ab, &ba), LW_HB_ORDERED);
    use(&ba, T2, 0); /* also before the barrier: concurrent with T1 */
    assert_int_equal(abba(&hb, &ab, &ba), LW_HB_CONCURRENT);
    lw_hb_free(&hb);
}

/* Rounds are told apart only when the barrier's `count` threads each waited equally often. */
static void test_barrier_unknown_rounds_order_nothing(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    /* three threads on a barrier of two: which two met in a round is not known */
    for (uint32_t t = T1; t <= T3; t++)
        assert_int_equal(lw_hb_barrier(&hb, 0, 0x1000, 2, t, 1, NULL), 0);
    assert_false(lw_hb_before(&hb, T1, 0, T2, 1));
    assert_false(lw_hb_before(&hb, T2, 0, T3, 1));
    lw_hb_free(&hb);
    /* two threads, a barrier of two, but one wait of T2 is missing */
    hb = (struct lw_hb){0};
    assert_int_equal(lw_hb_barrier(&hb, 0, 0x1000, 2, T1, 1, NULL), 0);
    assert_int_equal(lw_hb_barrier(&hb, 0, 0x1000, 2, T1, 2, NULL), 0);
    assert_int_equal(lw_hb_barrier(&hb, 0, 0x1000, 2, T2, 1, NULL), 0);
    assert_false(lw_hb_before(&hb, T1, 0, T2, 1));
    lw_hb_free(&hb);
    /* one barrier index re-made with another count */
    hb = (struct lw_hb){0};
    assert_int_equal(lw_hb_barrier(&hb, 0, 0x1000, 2, T1, 1, NULL), 0);
    assert_int_equal(lw_hb_barrier(&hb, 0, 0x1000, 3, T2, 1, NULL), 0);
    assert_false(lw_hb_before(&hb, T1, 0, T2, 1));
    lw_hb_free(&hb);
    /* a barrier of three that only two threads reached (no round completed) */
    hb = (struct lw_hb){0};
    assert_int_equal(lw_hb_barrier(&hb, 0, 0x1000, 3, T1, 1, NULL), 0);
    assert_int_equal(lw_hb_barrier(&hb, 0, 0x1000, 3, T2, 1, NULL), 0);
    assert_false(lw_hb_before(&hb, T1, 0, T2, 1));
    lw_hb_free(&hb);
}

/* main forks a process whose first thread is T1: main's epochs before the fork come first. */
static void test_fork_orders(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    assert_int_equal(lw_hb_fork(&hb, T1, MAIN, 0), 0);
    assert_true(lw_hb_before(&hb, MAIN, 0, T1, 0));
    assert_false(lw_hb_before(&hb, MAIN, 1, T1, 0));
    assert_false(lw_hb_before(&hb, T1, 0, MAIN, 5));
    struct lw_hb_step steps[2];
    assert_int_equal(lw_hb_why(&hb, MAIN, 0, T1, 0, steps, 2), 1);
    assert_int_equal(steps[0].kind, LW_HB_FORKED);
    lw_hb_free(&hb);
}

/* T1 and T2 overlap but are in two processes: an ABBA can close only through a lock they share. */
/* A -> B by T1 (process 1), B -> C crowded (other threads, uses unknown), C -> A by T2 (process
 * 2); only B, between the first two edges, is a private copy. The crowded edge is left out of the
 * second search, so edges 0 and 2 become neighbours there: they meet at A, which is shared, and
 * B's copy rule must not be applied to them (that would claim `ordered`). */
static void test_private_locks_with_a_crowded_edge_claim_nothing(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    struct edge_uses ab = {0}, bc = {.more = true}, ca = {0};
    use(&ab, T1, 0);
    use(&ca, T2, 0);
    const struct edge_uses *edges[] = {&ab, &bc, &ca};
    const bool copies[] = {true, false, false};
    assert_int_equal(lw_hb_threads(&hb, T3 + 1), 0);
    assert_int_equal(lw_hb_set_process(&hb, T1, 1), 0);
    assert_int_equal(lw_hb_set_process(&hb, T2, 2), 0);
    assert_int_equal(classify_copies(&hb, edges, copies, 3, 1000000), LW_HB_UNCHECKED);
    lw_hb_free(&hb);
}

static void test_private_locks_keep_processes_apart(void **state)
{
    (void)state;
    struct lw_hb hb = {0};
    struct edge_uses ab = {0}, ba = {0};
    use(&ab, T1, 0);
    use(&ba, T2, 0);
    const struct edge_uses *hold[] = {&ab, &ba};
    const bool both[] = {true, true}, b_only[] = {true, false}, none[] = {false, false};
    /* processes unknown: no claim from the copies */
    assert_int_equal(classify_copies(&hb, hold, both, 2, 1000000), LW_HB_CONCURRENT);
    assert_int_equal(lw_hb_set_process(&hb, T1, 1), 0);
    assert_int_equal(lw_hb_set_process(&hb, T2, 1), 0);
    assert_int_equal(classify_copies(&hb, hold, both, 2, 1000000), LW_HB_CONCURRENT);
    assert_int_equal(lw_hb_set_process(&hb, T2, 2), 0);
    assert_int_equal(classify_copies(&hb, hold, both, 2, 1000000), LW_HB_ORDERED);
    assert_int_equal(classify_copies(&hb, hold, b_only, 2, 1000000), LW_HB_ORDERED);
    assert_int_equal(classify_copies(&hb, hold, none, 2, 1000000), LW_HB_CONCURRENT);
    assert_int_equal(classify_copies(&hb, hold, NULL, 2, 1000000), LW_HB_CONCURRENT);
    /* a third thread in T2's process taking A -> B: the same copies, concurrent again */
    use(&ab, T3, 0);
    assert_int_equal(lw_hb_set_process(&hb, T3, 2), 0);
    assert_int_equal(classify_copies(&hb, hold, both, 2, 1000000), LW_HB_CONCURRENT);
    lw_hb_free(&hb);
}

/* ---- against a naive model: full vector clocks at every event ---- */

#define MODEL_THREADS 12u
#define MODEL_EVENTS 200u
#define MODEL_ALL 0xFFFFFFF0u
#define MODEL_BARRIERS 8u

struct model_event {
    uint32_t thread, epoch;
    uint32_t vc[MODEL_THREADS]; /* the latest epoch of each thread known before it */
};

struct model {
    uint32_t n;                    /* threads made */
    bool ended[MODEL_THREADS];     /* joined (no more events) */
    uint32_t epoch[MODEL_THREADS]; /* current epoch */
    uint32_t vc[MODEL_THREADS][MODEL_THREADS];
    bool known[MODEL_THREADS][MODEL_THREADS]; /* vc entry valid */
    uint32_t barriers[MODEL_BARRIERS];        /* each barrier's threads (bit mask) */
    uint32_t nbarriers;
    struct model_event events[MODEL_EVENTS];
    uint32_t nevents;
};

static bool model_before(const struct model *m, const struct model_event *a,
                         const struct model_event *b)
{
    if (a->thread == b->thread) return a->epoch <= b->epoch;
    return b->vc[a->thread] != UINT32_MAX && b->vc[a->thread] >= a->epoch;
}

static void test_against_model(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 200; seed++) {
        srand(seed);
        struct model *m = calloc(1, sizeof *m);
        assert_non_null(m);
        struct lw_hb hb = {0};
        m->n = 1;
        for (uint32_t i = 0; i < MODEL_THREADS; i++)
            for (uint32_t j = 0; j < MODEL_THREADS; j++)
                m->vc[i][j] = UINT32_MAX;
        m->vc[0][0] = 0;
        for (unsigned step = 0; step < 400 && m->nevents < MODEL_EVENTS; step++) {
            uint32_t t = (uint32_t)rand() % m->n;
            if (m->ended[t]) continue;
            int op = rand() % 5;
            if (op == 0 && m->n < MODEL_THREADS) { /* t creates c */
                uint32_t c = m->n++;
                memcpy(m->vc[c], m->vc[t], sizeof m->vc[c]);
                m->vc[c][c] = 0;
                assert_int_equal(lw_hb_start(&hb, c, t, m->epoch[t], NULL), 0);
                m->epoch[t]++;
                m->vc[t][t] = m->epoch[t];
            } else if (op == 1) { /* t joins some other live thread u, which ends */
                uint32_t u = (uint32_t)rand() % m->n;
                if (u == t || m->ended[u] || u == 0) continue;
                m->ended[u] = true;
                m->epoch[t]++;
                for (uint32_t k = 0; k < MODEL_THREADS; k++)
                    if (m->vc[u][k] != UINT32_MAX &&
                        (m->vc[t][k] == UINT32_MAX || m->vc[u][k] > m->vc[t][k]))
                        m->vc[t][k] = m->vc[u][k];
                m->vc[t][u] = MODEL_ALL;
                m->vc[t][t] = m->epoch[t];
                assert_int_equal(lw_hb_join(&hb, t, m->epoch[t], u, NULL), 0);
            } else if (op == 3) { /* a round of a barrier of live threads (t among them) */
                uint32_t mask = 1u << t, count = 1;
                for (uint32_t u = 1; u < m->n; u++)
                    if (u != t && !m->ended[u] && rand() % 2) {
                        mask |= 1u << u;
                        count++;
                    }
                if (count < 2) continue;
                uint32_t b = 0;
                while (b < m->nbarriers && m->barriers[b] != mask)
                    b++;
                if (b == m->nbarriers) {
                    if (b == MODEL_BARRIERS) continue;
                    m->barriers[m->nbarriers++] = mask;
                }
                uint32_t meet[MODEL_THREADS];
                for (uint32_t k = 0; k < MODEL_THREADS; k++)
                    meet[k] = UINT32_MAX;
                for (uint32_t u = 0; u < m->n; u++) {
                    if (!(mask & 1u << u)) continue;
                    for (uint32_t k = 0; k < MODEL_THREADS; k++)
                        if (m->vc[u][k] != UINT32_MAX &&
                            (meet[k] == UINT32_MAX || m->vc[u][k] > meet[k]))
                            meet[k] = m->vc[u][k];
                }
                for (uint32_t u = 0; u < m->n; u++) {
                    if (!(mask & 1u << u)) continue;
                    memcpy(m->vc[u], meet, sizeof meet);
                    m->epoch[u]++;
                    m->vc[u][u] = m->epoch[u];
                    assert_int_equal(lw_hb_barrier(&hb, b, b, count, u, m->epoch[u], NULL), 0);
                }
            } else { /* an event of t */
                struct model_event *e = &m->events[m->nevents++];
                e->thread = t;
                e->epoch = m->epoch[t];
                memcpy(e->vc, m->vc[t], sizeof e->vc);
            }
        }
        for (uint32_t i = 0; i < m->nevents; i++)
            for (uint32_t j = 0; j < m->nevents; j++) {
                const struct model_event *a = &m->events[i], *b = &m->events[j];
                bool want = model_before(m, a, b);
                bool got = lw_hb_before(&hb, a->thread, a->epoch, b->thread, b->epoch);
                if (want != got)
                    fail_msg("seed %u: (T%u, %u) before (T%u, %u): model %d, detector %d", seed,
                             a->thread, a->epoch, b->thread, b->epoch, want, got);
            }
        lw_hb_free(&hb);
        free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_then_create_orders),
        cmocka_unit_test(test_create_orders_only_earlier_epochs),
        cmocka_unit_test(test_join_orders_only_later_epochs),
        cmocka_unit_test(test_transitive),
        cmocka_unit_test(test_classify_sequential_is_ordered),
        cmocka_unit_test(test_classify_overlap_is_concurrent),
        cmocka_unit_test(test_classify_one_thread_is_ordered),
        cmocka_unit_test(test_classify_interval_spans_create),
        cmocka_unit_test(test_classify_other_thread_closes),
        cmocka_unit_test(test_classify_unknown_threads_claim_nothing),
        cmocka_unit_test(test_classify_unknown_threads_ordered_without_them),
        cmocka_unit_test(test_classify_three_edges),
        cmocka_unit_test(test_barrier_orders_rounds),
        cmocka_unit_test(test_barrier_unknown_rounds_order_nothing),
        cmocka_unit_test(test_fork_orders),
        cmocka_unit_test(test_private_locks_keep_processes_apart),
        cmocka_unit_test(test_private_locks_with_a_crowded_edge_claim_nothing),
        cmocka_unit_test(test_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
