/* test_render_dot.c — the --graph renderer (render_dot.c, dot_select.c) on hand-built models,
 * compared with tests/golden/expected/graph-*.dot. The model covers what the renderer branches
 * on: a two-lock inversion, a deadlock whose closing edge only the finding knows, an edge with
 * more instances than a label shows, read modes, an acquiring stack without a user frame and one
 * that never arrived, a lock in no finding, names that need escaping (quote, backslash, newline,
 * a byte that is not UTF-8), the node cap with its note, and an empty graph.
 *
 * usage: test_render_dot GOLDEN_DIR ACTUAL_DIR
 * LOCKWATCH_GOLDEN_UPDATE=1 rewrites the expected files (for an intended change of output). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "lockwatch/wire.h"
#include "render/render_dot.h"

#define PROGRAM "/opt/demo/bank"
#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"

/* ---- the model: static storage, one process ---- */

static struct lw_frame f_transfer[] = {
    {0x7ffff7e4a000, "pthread_mutex_lock", NULL, 0, LIBC, false, false, false},
    {0x555555555200, "transfer", "/src/broken.c", 23, PROGRAM, false, false, false},
};
static struct lw_frame f_audit[] = {
    {0x555555555300, "audit", "/src/broken.c", 34, PROGRAM, false, false, false}};
static struct lw_frame f_main[] = {
    {0x555555555400, "main", "/src/broken.c", 50, PROGRAM, false, false, false}};
static struct lw_frame f_pool[] = {
    {0x555555555500, "pool_put", "/src/pool.c", 7, PROGRAM, false, false, false}};
static struct lw_frame f_libc[] = {
    {0x7ffff7e4b000, "pthread_rwlock_rdlock", NULL, 0, LIBC, false, false, false}};
static struct lw_frame f_raw[] = {{0x7ffff7e4c000, NULL, NULL, 0, NULL, false, false, false}};

#define STACK(frames)                                                                              \
    {                                                                                              \
        0, __LINE__, sizeof frames / sizeof *frames, frames, false, 0, false, 0, NULL, 0, false    \
    }
static struct lw_stack s_transfer = STACK(f_transfer), s_audit = STACK(f_audit),
                       s_main = STACK(f_main), s_pool = STACK(f_pool), s_libc = STACK(f_libc),
                       s_raw = STACK(f_raw);
static struct lw_stack s_missing = {0, 99, 0, NULL, false, 0, false, 0, NULL, 0, false};

static struct lw_lock m1 = {.index = 1, .addr = 0x4010, .type = LW_LOCK_MUTEX, .name = "lock_a"};
static struct lw_lock m2 = {.index = 2, .addr = 0x4050, .type = LW_LOCK_MUTEX, .name = "lock_b"};
static struct lw_lock m3 = {.index = 3,
                            .addr = 0x7000,
                            .type = LW_LOCK_MUTEX,
                            .name = "mutex first locked in worker (bank.c:42)"};
static struct lw_lock m4 = {.index = 4,
                            .addr = 0x7100,
                            .type = LW_LOCK_RWLOCK,
                            .name = "table \"users\" \\ shard\nnext \xff line \xc3\xa9"};
static struct lw_lock m5 = {.index = 5, .addr = 0x7200, .type = LW_LOCK_MUTEX};

static struct lw_thread t0 = {.index = 0, .pid = 4242, .number = 0, .label = "main"};
static struct lw_thread t1 = {.index = 1, .pid = 4242, .number = 1, .label = "transfer"};
static struct lw_thread t2 = {.index = 2, .pid = 4242, .number = 2, .label = "audit"};
static struct lw_thread t3 = {.index = 3, .pid = 4242, .number = 3, .label = "pool \"x\""};
static struct lw_thread t4 = {.index = 4, .pid = 4242, .number = 4};

#define INSTANCE(t, from, to, hmode, amode, stack)                                                 \
    {                                                                                              \
        .thread = &(t), .holding = &(from), .acquiring = &(to), .holding_mode = (hmode),           \
        .acquiring_mode = (amode), .holding_stack = &s_main, .acquiring_stack = (stack)            \
    }
#define X LW_MODE_EXCLUSIVE
#define S LW_MODE_SHARED

static struct lw_order_edge graph_edges[] = {
    {&m1, &m2, 1, {INSTANCE(t1, m1, m2, X, X, &s_transfer)}},
    {&m2,
     &m1,
     4,
     {INSTANCE(t0, m2, m1, X, X, &s_main), INSTANCE(t2, m2, m1, X, X, &s_audit),
      INSTANCE(t3, m2, m1, X, X, &s_pool), INSTANCE(t4, m2, m1, X, X, &s_pool)}},
    {&m2, &m3, 1, {INSTANCE(t1, m2, m3, X, X, &s_transfer)}},
    {&m3, &m4, 2, {INSTANCE(t3, m3, m4, X, S, &s_libc), INSTANCE(t4, m3, m4, S, X, &s_missing)}},
    {&m4, &m5, 1, {INSTANCE(t4, m4, m5, X, X, &s_raw)}},
};

/* Finding 1: the inversion M1 -> M2 -> M1 (its second edge names T2 as the report does). */
static struct lw_cycle_edge inversion_cycle[] = {INSTANCE(t1, m1, m2, X, X, &s_transfer),
                                                 INSTANCE(t2, m2, m1, X, X, &s_audit)};
/* Finding 2: a real deadlock M2 -> M3 -> M2 whose edge M3 -> M2 came only from WAIT records. */
static struct lw_cycle_edge deadlock_cycle[] = {INSTANCE(t1, m2, m3, X, X, &s_transfer),
                                                INSTANCE(t3, m3, m2, X, X, &s_pool)};
static struct lw_finding inversion = {.id = 1,
                                      .kind = LW_KIND_LOCK_ORDER_INVERSION,
                                      .pid = 4242,
                                      .ncycle = 2,
                                      .cycle = inversion_cycle};
static struct lw_finding deadlock = {
    .id = 2, .kind = LW_KIND_DEADLOCK, .pid = 4242, .ncycle = 2, .cycle = deadlock_cycle};
/* A misuse finding has no cycle: nothing of it is highlighted. */
static struct lw_finding misuse = {.id = 3, .kind = LW_KIND_DOUBLE_LOCK, .pid = 4242};
static struct lw_finding *findings[] = {&inversion, &deadlock, &misuse};
static struct lw_process process = {.pid = 4242, .parent_pid = 1, .image = 0};

static struct lw_report model(bool with_findings)
{
    return (struct lw_report){.nfindings = with_findings ? 3 : 0,
                              .findings = findings,
                              .nprocesses = 1,
                              .processes = &process};
}

/* ---- comparison with the expected files ---- */

/* Selects with max_nodes, renders, compares with expected/NAME. */
static bool check(const char *name, const struct lw_report *r, size_t nedges, size_t max_nodes)
{
    struct lw_order_edge edges[sizeof graph_edges / sizeof *graph_edges];
    memcpy(edges, graph_edges, sizeof edges);
    struct lwd_dot_input in = {.report = r, .edges = edges};
    char *actual = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&actual, &size);
    bool ok = mem != NULL && lwd_dot_select(r, edges, &nedges, max_nodes, &in.totals) == 0;
    in.nedges = nedges;
    ok = ok && lwd_render_dot(mem, &in) == 0;
    if (mem != NULL) fclose(mem);
    if (!ok) {
        fprintf(stderr, "%s: selecting or rendering failed\n", name);
        free(actual);
        return false;
    }
    ok = golden_compare(name, actual);
    free(actual);
    return ok;
}

int main(int argc, char **argv)
{
    int rc = golden_init(argc, argv);
    if (rc != 0) return rc;
    const size_t all = sizeof graph_edges / sizeof *graph_edges;
    struct lw_report full = model(true), plain = model(false);
    bool ok = check("graph-findings.dot", &full, all, 0);
    /* Three locks: exactly the cycles' M1..M3, so M4 and M5 and their edges are left out. */
    ok = check("graph-capped.dot", &full, all, 3) && ok;
    /* Capped without findings: the first locks seen are kept. */
    ok = check("graph-plain-capped.dot", &plain, all, 2) && ok;
    ok = check("graph-empty.dot", &plain, 0, 0) && ok;
    return ok ? 0 : 1;
}
