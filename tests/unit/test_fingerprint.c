/* test_fingerprint.c — the identity of a finding (detector/cli/triage/fingerprint.h): 16 hex
 * digits; the same for the same bug whatever the addresses, pids, thread and lock ids, the
 * thread a cycle was found from, and the order of labelled stacks and race accesses; different
 * when the kind, a user frame's function, file or line, an edge's holding or acquiring stack, a
 * race access's kind, or (for stacks all in system libraries) a named frame differs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "triage/fingerprint.h"

#define MODULE "/opt/app/bin/server"

/* Two user frames per stack: fn at line, called from main. */
struct stack2 {
    struct lw_frame frames[2];
    struct lw_stack stack;
};

static void make_stack(struct stack2 *s, const char *fn, const char *file, int line, uint64_t pc)
{
    s->frames[0] =
        (struct lw_frame){.pc = pc, .function = fn, .file = file, .line = line, .module = MODULE};
    s->frames[1] = (struct lw_frame){.pc = pc + 0x40,
                                     .function = "main",
                                     .file = "/src/app/main.c",
                                     .line = 3,
                                     .module = MODULE};
    s->stack = (struct lw_stack){.id = pc, .nframes = 2, .frames = s->frames};
}

/* An A→B→C→A inversion: edge e holds lock e, acquires lock e+1, in function fns[e]. */
struct cycle3 {
    struct stack2 stacks[3];
    struct lw_lock locks[3];
    struct lw_cycle_edge edges[3];
    struct lw_finding finding;
};

static const char *const fns[3] = {"transfer", "audit", "report"};

/* rotation: which edge comes first; pc and addr: the addresses of this "run". */
static void make_cycle(struct cycle3 *c, size_t rotation, uint64_t pc, uint64_t addr)
{
    memset(c, 0, sizeof *c);
    for (size_t e = 0; e < 3; e++) {
        make_stack(&c->stacks[e], fns[e], "/src/app/bank.c", 10 + (int)e, pc + 0x100 * e);
        c->locks[e] = (struct lw_lock){.index = (uint32_t)e, .addr = addr + 64 * e};
    }
    for (size_t k = 0; k < 3; k++) {
        size_t e = (k + rotation) % 3;
        c->edges[k] = (struct lw_cycle_edge){.holding = &c->locks[e],
                                             .acquiring = &c->locks[(e + 1) % 3],
                                             .holding_stack = &c->stacks[e].stack,
                                             .acquiring_stack = &c->stacks[e].stack};
    }
    c->finding = (struct lw_finding){.id = 1,
                                     .kind = LW_KIND_LOCK_ORDER_INVERSION,
                                     .pid = (int32_t)(addr & 0xffff),
                                     .ncycle = 3,
                                     .cycle = c->edges};
}

static void fingerprint(const struct lw_finding *f, char buf[LWD_FINGERPRINT_LEN])
{
    assert_int_equal(lwd_fingerprint(f, buf), 0);
    assert_int_equal(strlen(buf), 16);
    assert_int_equal(strspn(buf, "0123456789abcdef"), 16);
}

static void test_same_bug_same_fingerprint(void **state)
{
    (void)state;
    struct cycle3 a, b;
    char fa[LWD_FINGERPRINT_LEN], fb[LWD_FINGERPRINT_LEN];
    make_cycle(&a, 0, 0x401000, 0x7f0000001000);
    fingerprint(&a.finding, fa);
    /* Another run: other addresses, pid, ids; the cycle found from another thread. */
    for (size_t rotation = 0; rotation < 3; rotation++) {
        make_cycle(&b, rotation, 0x55550000a000, 0x7ffd00000040);
        b.finding.id = 7;
        fingerprint(&b.finding, fb);
        assert_string_equal(fa, fb);
    }
}

static void test_different_bug_different_fingerprint(void **state)
{
    (void)state;
    struct cycle3 a, b;
    char fa[LWD_FINGERPRINT_LEN], fb[LWD_FINGERPRINT_LEN];
    make_cycle(&a, 0, 0x401000, 0x1000);
    fingerprint(&a.finding, fa);

    make_cycle(&b, 0, 0x401000, 0x1000);
    b.finding.kind = LW_KIND_DEADLOCK;
    fingerprint(&b.finding, fb);
    assert_string_not_equal(fa, fb);

    make_cycle(&b, 0, 0x401000, 0x1000);
    b.stacks[1].frames[0].line = 99;
    fingerprint(&b.finding, fb);
    assert_string_not_equal(fa, fb);

    make_cycle(&b, 0, 0x401000, 0x1000);
    b.stacks[2].frames[0].file = "/src/app/other.c";
    fingerprint(&b.finding, fb);
    assert_string_not_equal(fa, fb);

    make_cycle(&b, 0, 0x401000, 0x1000);
    b.stacks[0].frames[0].function = "withdraw";
    fingerprint(&b.finding, fb);
    assert_string_not_equal(fa, fb);

    /* An edge that acquires its lock somewhere else: the holding stacks alone do not decide. */
    make_cycle(&b, 0, 0x401000, 0x1000);
    struct stack2 elsewhere;
    make_stack(&elsewhere, "transfer", "/src/app/bank.c", 50, 0x402000);
    b.edges[0].acquiring_stack = &elsewhere.stack;
    fingerprint(&b.finding, fb);
    assert_string_not_equal(fa, fb);

    /* The reverse cycle (A→C→B→A) is another bug, not a rotation. */
    make_cycle(&b, 0, 0x401000, 0x1000);
    struct lw_cycle_edge swapped = b.edges[1];
    b.edges[1] = b.edges[2];
    b.edges[2] = swapped;
    fingerprint(&b.finding, fb);
    assert_string_not_equal(fa, fb);

    /* Only the file's base name counts: a checkout elsewhere is the same bug. */
    make_cycle(&b, 0, 0x401000, 0x1000);
    for (size_t e = 0; e < 3; e++)
        b.stacks[e].frames[0].file = "/home/ci/work/src/app/bank.c";
    fingerprint(&b.finding, fb);
    assert_string_equal(fa, fb);
}

/* Labelled stacks count as a set; stacks without a user frame count by their named frames'
 * functions and modules (their addresses never). */
static void test_labelled_and_system_stacks(void **state)
{
    (void)state;
    struct stack2 user;
    make_stack(&user, "flush", "/src/app/log.c", 20, 0x401000);
    struct lw_frame sys[3] = {
        {.pc = 0x7f01, .function = "__lll_lock_wait", .module = "/lib/libc.so.6"},
        {.pc = 0x7f02},
        {.pc = 0x7f03, .function = "start_thread", .module = "/lib/libc.so.6"}};
    struct lw_stack system = {.nframes = 3, .frames = sys};
    struct lw_labelled_stack one[2] = {{.label = "first lock", .stack = &user.stack},
                                       {.label = "second lock", .stack = &system}};
    struct lw_labelled_stack two[2] = {one[1], one[0]};
    struct lw_finding a = {.kind = LW_KIND_DOUBLE_LOCK, .nstacks = 2, .stacks = one};
    struct lw_finding b = {.kind = LW_KIND_DOUBLE_LOCK, .nstacks = 2, .stacks = two};
    char fa[LWD_FINGERPRINT_LEN], fb[LWD_FINGERPRINT_LEN];
    fingerprint(&a, fa);
    fingerprint(&b, fb);
    assert_string_equal(fa, fb);

    sys[1].pc = 0x9999; /* an unnamed frame elsewhere */
    sys[0].pc = 0x8888;
    fingerprint(&a, fb);
    assert_string_equal(fa, fb);

    sys[2].function = "clone3";
    fingerprint(&a, fb);
    assert_string_not_equal(fa, fb);
    sys[2].function = "start_thread";

    one[0].label = "lock taken";
    fingerprint(&a, fb);
    assert_string_not_equal(fa, fb);
}

/* A data race's accesses count as a set, each with its kind (read or write, atomic, the earlier
 * of the two). */
static void test_race_accesses(void **state)
{
    (void)state;
    struct stack2 x, y;
    make_stack(&x, "producer", "/src/app/queue.c", 11, 0x401000);
    make_stack(&y, "consumer", "/src/app/queue.c", 22, 0x402000);
    struct lw_access one[2] = {{.write = true, .previous = true, .stack = &x.stack},
                               {.write = false, .stack = &y.stack}};
    struct lw_access two[2] = {one[1], one[0]};
    struct lw_finding a = {.kind = LW_KIND_DATA_RACE, .naccesses = 2, .accesses = one};
    struct lw_finding b = {.kind = LW_KIND_DATA_RACE, .naccesses = 2, .accesses = two};
    char fa[LWD_FINGERPRINT_LEN], fb[LWD_FINGERPRINT_LEN];
    fingerprint(&a, fa);
    fingerprint(&b, fb);
    assert_string_equal(fa, fb);

    one[1].write = true;
    fingerprint(&a, fb);
    assert_string_not_equal(fa, fb);
    one[1].write = false;

    one[1].atomic = true;
    fingerprint(&a, fb);
    assert_string_not_equal(fa, fb);
    one[1].atomic = false;

    one[0].previous = false;
    one[1].previous = true;
    fingerprint(&a, fb);
    assert_string_not_equal(fa, fb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bug_same_fingerprint),
        cmocka_unit_test(test_different_bug_different_fingerprint),
        cmocka_unit_test(test_labelled_and_system_stacks),
        cmocka_unit_test(test_race_accesses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
