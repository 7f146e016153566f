/* test_report.c — report wording: kind names, report ids and each finding's one-line message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lockwatch/report.h"
#include "lockwatch/wire.h"

static struct lw_lock lock_a = {.index = 1, .name = "lock_a"};
static struct lw_lock lock_b = {.index = 2, .name = "lock_b"};
static struct lw_lock unnamed = {.index = 3};
static struct lw_thread t1 = {.index = 0, .pid = 10, .number = 1};
static struct lw_thread t2 = {.index = 1, .pid = 10, .number = 2};

static char buf[512];

/* The message with thread ids as a report of several processes writes them when the finding's
 * own threads span processes (lw_report_multi_process decides that for a whole report). */
static const char *message(const struct lw_finding *f)
{
    bool multi = false;
    for (size_t i = 1; i < f->nthreads; i++)
        multi |= f->threads[i]->pid != f->threads[0]->pid;
    size_t need = lw_finding_message(f, multi, buf, sizeof buf);
    assert_int_equal(need, strlen(buf));
    return buf;
}

static void test_kind_names(void **state)
{
    const char *expected[LW_KIND_COUNT] = {
        "lock-order-inversion", "deadlock",          "double-lock", "unlock-unowned",
        "destroy-locked",       "exit-holding-lock", "data-race",   "hang",
        "invalid-lock",         "reinit-live",       "cond-misuse"};
    for (int k = 0; k < LW_KIND_COUNT; k++)
        assert_string_equal(lw_kind_name((enum lw_finding_kind)k), expected[k]);
}

static void test_ids(void **state)
{
    char id[32];
    assert_string_equal(lw_lock_id(&unnamed, id, sizeof id), "M3");
    assert_string_equal(lw_thread_id(&t2, false, id, sizeof id), "T2");
    assert_string_equal(lw_thread_id(&t2, true, id, sizeof id), "10:T2");
}

static void test_abba_message(void **state)
{
    struct lw_lock *locks[] = {&lock_a, &lock_b};
    struct lw_thread *threads[] = {&t1, &t2};
    struct lw_cycle_edge cycle[] = {
        {.thread = &t1, .holding = &lock_a, .acquiring = &lock_b},
        {.thread = &t2, .holding = &lock_b, .acquiring = &lock_a},
    };
    struct lw_finding f = {.kind = LW_KIND_LOCK_ORDER_INVERSION,
                           .nlocks = 2,
                           .locks = locks,
                           .nthreads = 2,
                           .threads = threads,
                           .ncycle = 2,
                           .cycle = cycle};
    assert_string_equal(message(&f), "T1 takes lock_a then lock_b while T2 takes lock_b then "
                                     "lock_a: each can hold one and wait forever for the other");
    f.single_thread = true;
    f.nthreads = 1;
    cycle[1].thread = &t1;
    assert_string_equal(message(&f),
                        "T1 takes lock_a then lock_b, and elsewhere lock_b then lock_a: these "
                        "orders conflict within one thread and would deadlock if two threads "
                        "ran them at the same time");
}

static void test_three_cycle_unnamed_and_read_mode(void **state)
{
    struct lw_thread t3 = {.pid = 11, .number = 0};
    struct lw_lock *locks[] = {&lock_a, &lock_b, &unnamed};
    struct lw_thread *threads[] = {&t1, &t2, &t3};
    struct lw_cycle_edge cycle[] = {
        {.thread = &t1, .holding = &lock_a, .acquiring = &lock_b},
        {.thread = &t2,
         .holding = &lock_b,
         .acquiring = &unnamed,
         .acquiring_mode = LW_MODE_SHARED},
        {.thread = &t3, .holding = &unnamed, .acquiring = &lock_a, .holding_mode = LW_MODE_SHARED},
    };
    struct lw_finding f = {.kind = LW_KIND_LOCK_ORDER_INVERSION,
                           .nlocks = 3,
                           .locks = locks,
                           .nthreads = 3,
                           .threads = threads,
                           .ncycle = 3,
                           .cycle = cycle};
    assert_string_equal(message(&f),
                        "10:T1 takes lock_a then lock_b, 10:T2 takes lock_b then M3 (read) and "
                        "11:T0 takes M3 (read) then lock_a: each can hold its first lock and wait "
                        "forever for the next");
}

static void test_truncation_reports_needed_length(void **state)
{
    struct lw_lock *locks[] = {&lock_a};
    struct lw_thread *threads[] = {&t1};
    struct lw_finding f = {.kind = LW_KIND_EXIT_HOLDING_LOCK,
                           .nlocks = 1,
                           .locks = locks,
                           .nthreads = 1,
                           .threads = threads};
    const char *full = "T1 ends while still holding lock_a: any thread that waits for it later "
                       "will wait forever";
    char small[10];
    memset(small, 'z', sizeof small);
    assert_int_equal(lw_finding_message(&f, false, small, sizeof small), strlen(full));
    assert_string_equal(small, "T1 ends w");
    assert_int_equal(lw_finding_message(&f, false, NULL, 0), strlen(full));
    assert_string_equal(message(&f), full);
}

static void test_misuse_and_deadlock_messages(void **state)
{
    struct lw_lock *locks[] = {&lock_a, &lock_b};
    struct lw_thread *threads[] = {&t1, &t2};
    struct lw_finding f = {.nlocks = 1, .locks = locks, .nthreads = 2, .threads = threads};
    f.kind = LW_KIND_UNLOCK_UNOWNED;
    assert_string_equal(message(&f), "T1 unlocks lock_a, which it does not hold (T2 holds it)");
    f.kind = LW_KIND_DESTROY_LOCKED;
    assert_string_equal(message(&f), "T1 destroys lock_a while it is still locked by T2");
    f.kind = LW_KIND_DOUBLE_LOCK;
    f.nthreads = 1;
    assert_non_null(strstr(message(&f), "T1 locks lock_a again while it already holds it"));
    struct lw_cycle_edge cycle[] = {
        {.thread = &t1, .holding = &lock_a, .acquiring = &lock_b},
        {.thread = &t2, .holding = &lock_b, .acquiring = &lock_a},
    };
    struct lw_finding dl = {.kind = LW_KIND_DEADLOCK,
                            .nlocks = 2,
                            .locks = locks,
                            .nthreads = 2,
                            .threads = threads,
                            .ncycle = 2,
                            .cycle = cycle};
    assert_string_equal(message(&dl), "T1 holds lock_a and waits for lock_b while T2 holds lock_b "
                                      "and waits for lock_a: none of them can ever continue, the "
                                      "program is deadlocked");
    for (int k = 0; k < LW_KIND_COUNT; k++) { /* every kind says something */
        f.kind = (enum lw_finding_kind)k;
        assert_true(lw_finding_message(&f, false, buf, sizeof buf) > 10);
    }
}

/* Ids carry the pid only when the findings' threads come from several processes. */
static void test_multi_process_rule(void **state)
{
    struct lw_thread parent = {.pid = 100, .number = 1}, child = {.pid = 101, .number = 1};
    struct lw_thread *in_parent[] = {&parent}, *in_child[] = {&child};
    struct lw_finding a = {.kind = LW_KIND_DOUBLE_LOCK, .nthreads = 1, .threads = in_parent};
    struct lw_finding b = {.kind = LW_KIND_DOUBLE_LOCK, .nthreads = 1, .threads = in_child};
    struct lw_finding *one[] = {&a}, *both[] = {&a, &b};
    /* A second process that appears in no finding (a helper program) does not count. */
    struct lw_process procs[] = {{.pid = 100}, {.pid = 101}};
    struct lw_report r = {.nfindings = 1, .findings = one, .nprocesses = 2, .processes = procs};
    assert_false(lw_report_multi_process(&r));
    r.nfindings = 2;
    r.findings = both;
    assert_true(lw_report_multi_process(&r));
    char id[32];
    assert_string_equal(lw_thread_id(&child, true, id, sizeof id), "101:T1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_abba_message),
        cmocka_unit_test(test_three_cycle_unnamed_and_read_mode),
        cmocka_unit_test(test_truncation_reports_needed_length),
        cmocka_unit_test(test_misuse_and_deadlock_messages),
        cmocka_unit_test(test_multi_process_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
