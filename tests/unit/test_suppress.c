/* test_suppress.c — --suppressions (detector/cli/triage/suppress.h): the file format (comments,
 * blank lines, "::" in patterns), the one-line message and line number of each malformed rule,
 * what each rule type matches (function, file and module by path tail, lock by name, any kind
 * with "*"), every place of a finding a rule looks at, and the list of rules that matched
 * nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "triage/suppress.h"

static struct lwd_suppressions *parse(const char *text, char **err)
{
    bool oom = true;
    capture_begin();
    struct lwd_suppressions *s = lwd_suppressions_parse(text, strlen(text), "supp.txt", &oom);
    *err = capture_end();
    assert_false(oom);
    return s;
}

static void expect_bad(const char *text, const char *message)
{
    char *err = NULL;
    assert_null(parse(text, &err));
    assert_string_equal(err, message);
    free(err);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_bad("deadlock:function\n", "lockwatch: supp.txt:1: expected KIND:TYPE:PATTERN, e.g. "
                                      "lock-order-inversion:function:legacy_*\n");
    expect_bad("# comment\n\n  deadlocks:function:f\n",
               "lockwatch: supp.txt:3: unknown finding kind 'deadlocks' (expected a kind such "
               "as deadlock, or *)\n");
    expect_bad("deadlock:symbol:f\n",
               "lockwatch: supp.txt:1: unknown pattern type 'symbol' (expected function, file, "
               "module or lock)\n");
    expect_bad("*:lock:\n", "lockwatch: supp.txt:1: empty pattern after '*:lock:'\n");
    expect_bad("*:lock:a # only a comment after\n*:lock: #\n",
               "lockwatch: supp.txt:2: empty pattern after '*:lock:'\n");
    const char nul[] = "*:lock:a\n*:lock:b\0c\n";
    char *err = NULL;
    bool oom = true;
    capture_begin();
    assert_null(lwd_suppressions_parse(nul, sizeof nul - 1, "supp.txt", &oom));
    err = capture_end();
    assert_false(oom);
    assert_string_equal(err, "lockwatch: supp.txt:2: a NUL byte (not a text file?)\n");
    free(err);
}

/* A frame of the program's own code. */
#define USER_FRAME(fn, path)                                                                       \
    {                                                                                              \
        .pc = 0x1000, .function = fn, .file = path, .line = 7, .module = "/opt/app/bin/server"     \
    }

static struct lw_frame frames_a[] = {USER_FRAME("ns::Cache::get", "/src/app/cache.cc"),
                                     USER_FRAME("main", "/src/app/main.c")};
static struct lw_frame frames_b[] = {
    USER_FRAME("legacy_flush", "/src/app/third_party/xlib/flush.c"),
    {.pc = 0x2000, .function = "start_thread", .module = "/lib/x86_64-linux-gnu/libc.so.6"}};
static struct lw_stack stack_a = {.nframes = 2, .frames = frames_a};
static struct lw_stack stack_b = {.nframes = 2, .frames = frames_b};
static struct lw_lock lock_a = {.name = "accounts[1].lock"};
static struct lw_lock lock_b = {.name = "mutex taken in legacy_flush (flush.c:7)"};
static struct lw_lock *locks[] = {&lock_a, &lock_b};
static struct lw_cycle_edge cycle[] = {
    {.holding = &lock_a,
     .acquiring = &lock_b,
     .holding_stack = &stack_a,
     .acquiring_stack = &stack_a},
    {.holding = &lock_b,
     .acquiring = &lock_a,
     .holding_stack = &stack_b,
     .acquiring_stack = &stack_b},
};
static struct lw_finding inversion = {
    .kind = LW_KIND_LOCK_ORDER_INVERSION, .nlocks = 2, .locks = locks, .ncycle = 2, .cycle = cycle};
static struct lw_labelled_stack labelled[] = {{.label = "first lock", .stack = &stack_a}};
static struct lw_finding double_lock = {
    .kind = LW_KIND_DOUBLE_LOCK, .nlocks = 1, .locks = locks, .nstacks = 1, .stacks = labelled};

/* Whether the file with one rule suppresses f. */
static bool one_rule(const char *rule, const struct lw_finding *f)
{
    char *err = NULL;
    struct lwd_suppressions *s = parse(rule, &err);
    assert_non_null(s);
    assert_string_equal(err, "");
    free(err);
    bool hit = lwd_suppressed(s, f);
    lwd_suppressions_free(s);
    return hit;
}

static void test_matching(void **state)
{
    (void)state;
    assert_true(one_rule("lock-order-inversion:function:ns::Cache::*", &inversion));
    assert_true(one_rule("lock-order-inversion:function:legacy_*", &inversion));
    assert_false(one_rule("lock-order-inversion:function:Cache::get", &inversion));
    assert_false(one_rule("deadlock:function:legacy_*", &inversion)); /* another kind */
    assert_true(one_rule("*:function:main", &double_lock));
    assert_false(one_rule("*:function:legacy_*", &double_lock)); /* not in its stacks */
    /* A path matches whole or by a tail that starts at a component. */
    assert_true(one_rule("*:file:third_party/*", &inversion));
    assert_true(one_rule("*:file:flush.c", &inversion));
    assert_false(one_rule("*:file:lush.c", &inversion));
    assert_true(one_rule("*:file:/src/app/main.c", &double_lock));
    assert_true(one_rule("*:module:libc.so*", &inversion));
    assert_false(one_rule("*:module:libc.so*", &double_lock));
    assert_true(one_rule("*:lock:accounts*", &double_lock));
    assert_true(one_rule("lock-order-inversion:lock:mutex taken in legacy_*", &inversion));
    assert_false(one_rule("*:lock:main", &double_lock)); /* a function is not a lock name */
}

/* A frame and a lock name found in one place of a finding only: every place a rule looks. */
static struct lw_frame only_frame[] = {USER_FRAME("only_here", "/src/app/only.c")};
static struct lw_stack only_stack = {.nframes = 1, .frames = only_frame};
static struct lw_lock only_lock = {.name = "only_lock"};
static struct lw_lock *only_locks[] = {&only_lock};

static void test_every_place(void **state)
{
    (void)state;
    const char *rule = "*:function:only_here";
    struct lw_cycle_edge edge = {.holding_stack = &stack_a, .acquiring_stack = &stack_a};
    struct lw_finding f = {.kind = LW_KIND_LOCK_ORDER_INVERSION, .ncycle = 1, .cycle = &edge};
    assert_false(one_rule(rule, &f));
    edge.holding_stack = &only_stack;
    assert_true(one_rule(rule, &f));
    edge.holding_stack = &stack_a;
    edge.acquiring_stack = &only_stack;
    assert_true(one_rule(rule, &f));
    edge.acquiring_stack = &stack_a;
    /* the other instances' stacks and their lock sets */
    struct lw_stack *distinct[] = {&stack_a, &only_stack};
    f.ndistinct_stacks = 2;
    f.distinct_stacks = distinct;
    assert_true(one_rule(rule, &f));
    f.ndistinct_stacks = 1;
    assert_false(one_rule(rule, &f));
    assert_false(one_rule("*:lock:only_lock", &f));
    f.nexamples = 2;
    f.examples[1] = (struct lw_instance_example){.nlocks = 1, .locks = only_locks};
    assert_true(one_rule("*:lock:only_lock", &f));
    /* a data race's accesses */
    struct lw_access accesses[] = {{.stack = &stack_a}, {.stack = &only_stack}};
    struct lw_finding race = {.kind = LW_KIND_DATA_RACE, .naccesses = 1, .accesses = accesses};
    assert_false(one_rule(rule, &race));
    race.naccesses = 2;
    assert_true(one_rule(rule, &race));
}

static void test_unused(void **state)
{
    (void)state;
    char *err = NULL;
    struct lwd_suppressions *s = parse("# header\n"
                                       "*:function:main   # trailing comment\n"
                                       "\n"
                                       "deadlock:lock:accounts*\n"
                                       "double-lock:file:a#b.c\n",
                                       &err);
    assert_non_null(s);
    free(err);
    assert_true(lwd_suppressed(s, &double_lock));
    assert_true(lwd_suppressed(s, &inversion));
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_int_equal(lwd_suppressions_print_unused(s, f), 2);
    fclose(f);
    assert_string_equal(out,
                        "lockwatch: supp.txt:4: suppression deadlock:lock:accounts* matched no "
                        "finding\n"
                        "lockwatch: supp.txt:5: suppression double-lock:file:a#b.c matched no "
                        "finding\n");
    free(out);
    lwd_suppressions_free(s);
    lwd_suppressions_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_every_place),
        cmocka_unit_test(test_unused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
