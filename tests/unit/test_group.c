/* test_group.c — lock-order cycles grouped by code (detector/core/cycle_group.c): the key (the
 * same holding and acquiring stacks per edge, up to rotation, within one image), the counting,
 * the example lock sets and distinct stacks, the instance a group shows, and a real deadlock on
 * one instance of a group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "records.h"

#define PID 100
#define CHILD 101 /* forked from PID: the same image */
#define OTHER 102 /* exec'd: another image */

/* The code of an ABBA transfer: T1 takes a at S_AB_HOLD then b at S_AB_TAKE; T2 takes b at
 * S_BA_HOLD then a at S_BA_TAKE. */
#define S_AB_HOLD 0x11
#define S_AB_TAKE 0x21
#define S_BA_HOLD 0x12
#define S_BA_TAKE 0x22

static struct rec r;

/* Account i's two locks. */
static uint64_t lock_a(unsigned i)
{
    return 0x100000 + 0x100 * (uint64_t)i;
}

static uint64_t lock_b(unsigned i)
{
    return lock_a(i) + 0x80;
}

/* `thread` of pid takes `held` (at hold_stack) then requests `lock` (at take_stack). */
static void take(struct lw_detector *d, int32_t pid, uint32_t thread, uint64_t held,
                 uint64_t hold_stack, uint64_t lock, uint64_t take_stack)
{
    const struct lw_held h[] = {held_at(ref_mutex(held), hold_stack)};
    rec_acquire(&r, pid, thread, ref_mutex(lock), take_stack, 1, h);
    feed_ok(d, &r);
}

/* Pair i transferred a -> b by thread ab and b -> a by thread ba, at the transfer code. */
static void pay_both_ways(struct lw_detector *d, int32_t pid, unsigned i, uint32_t ab, uint32_t ba)
{
    take(d, pid, ab, lock_a(i), S_AB_HOLD, lock_b(i), S_AB_TAKE);
    take(d, pid, ba, lock_b(i), S_BA_HOLD, lock_a(i), S_BA_TAKE);
}

static int setup(void **state)
{
    *state = detector_with_process(PID);
    return 0;
}

static struct lw_report *rep(struct lw_detector *d)
{
    return lw_detector_report(d);
}

static void assert_example(const struct lw_finding *f, size_t k, uint64_t first, uint64_t second)
{
    assert_true(k < f->nexamples);
    assert_int_equal(f->examples[k].nlocks, 2);
    assert_int_equal(f->examples[k].locks[0]->addr, first);
    assert_int_equal(f->examples[k].locks[1]->addr, second);
}

/* The account flood: every pair is its own cycle, all from the same code: one finding. */
static void test_flood_is_one_finding(void **state)
{
    struct lw_detector *d = *state;
    enum { PAIRS = 100 };
    for (unsigned i = 0; i < PAIRS; i++)
        take(d, PID, 1, lock_a(i), S_AB_HOLD, lock_b(i), S_AB_TAKE);
    assert_int_equal(rep(d)->nfindings, 0);
    for (unsigned i = 0; i < PAIRS; i++) {
        take(d, PID, 2, lock_b(i), S_BA_HOLD, lock_a(i), S_BA_TAKE);
        assert_int_equal(rep(d)->nfindings, 1);
        assert_int_equal(rep(d)->findings[0]->instances, i + 1);
    }
    const struct lw_finding *f = rep(d)->findings[0];
    assert_int_equal(f->kind, LW_KIND_LOCK_ORDER_INVERSION);
    assert_int_equal(f->instances, PAIRS);
    assert_int_equal(lw_finding_instances(f), PAIRS);
    assert_false(f->single_thread);
    /* It shows the first instance; the examples are the first two in record order. */
    assert_int_equal(f->ncycle, 2);
    assert_int_equal(f->cycle[0].holding->addr, lock_a(0));
    assert_int_equal(f->cycle[0].holding_stack->id, S_AB_HOLD);
    assert_int_equal(f->nexamples, 2);
    assert_example(f, 0, lock_a(0), lock_b(0));
    assert_example(f, 1, lock_a(1), lock_b(1));
    assert_int_equal(f->ndistinct_stacks, 4);
    assert_int_equal(f->distinct_stacks[0]->id, S_AB_HOLD);
    assert_int_equal(f->distinct_stacks[3]->id, S_BA_TAKE);
    /* The same records again: nothing new. */
    for (unsigned i = 0; i < PAIRS; i++)
        pay_both_ways(d, PID, i, 1, 2);
    assert_int_equal(rep(d)->nfindings, 1);
    assert_int_equal(f->instances, PAIRS);
}

/* A pair whose cycle the graph closes at the other edge (its b lock seen first, so the cycle
 * starts there) is still the same code, and its example lines up with the first. */
static void test_rotation_is_the_same_code(void **state)
{
    struct lw_detector *d = *state;
    pay_both_ways(d, PID, 0, 1, 2);
    take(d, PID, 2, lock_b(1), S_BA_HOLD, lock_a(1), S_BA_TAKE);
    take(d, PID, 1, lock_a(1), S_AB_HOLD, lock_b(1), S_AB_TAKE);
    assert_int_equal(rep(d)->nfindings, 1);
    const struct lw_finding *f = rep(d)->findings[0];
    assert_int_equal(f->instances, 2);
    assert_example(f, 0, lock_a(0), lock_b(0));
    assert_example(f, 1, lock_a(1), lock_b(1));
}

/* Other stacks on one edge: other code, another finding. */
static void test_other_code_is_another_finding(void **state)
{
    struct lw_detector *d = *state;
    pay_both_ways(d, PID, 0, 1, 2);
    take(d, PID, 1, lock_a(1), S_AB_HOLD, lock_b(1), S_AB_TAKE);
    take(d, PID, 2, lock_b(1), S_BA_HOLD, lock_a(1), 0x99);
    pay_both_ways(d, PID, 2, 1, 2);
    assert_int_equal(rep(d)->nfindings, 2);
    assert_int_equal(rep(d)->findings[0]->instances, 2);
    assert_int_equal(rep(d)->findings[1]->instances, 1);
    assert_example(rep(d)->findings[1], 0, lock_a(1), lock_b(1));
    assert_int_equal(rep(d)->findings[1]->cycle[1].acquiring_stack->id, 0x99);
}

/* A cycle whose stacks are unknown cannot be told to be the same code. */
static void test_unknown_stacks_never_group(void **state)
{
    struct lw_detector *d = *state;
    for (unsigned i = 0; i < 3; i++) {
        take(d, PID, 1, lock_a(i), 0, lock_b(i), 0);
        take(d, PID, 2, lock_b(i), 0, lock_a(i), 0);
    }
    assert_int_equal(rep(d)->nfindings, 3);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(lw_finding_instances(rep(d)->findings[i]), 1);
}

/* A forked child runs its parent's image: its cycles join the parent's group. A program exec'd
 * separately has stacks of its own (even with the same ids): another finding. */
static void test_fork_groups_exec_does_not(void **state)
{
    struct lw_detector *d = *state;
    pay_both_ways(d, PID, 0, 1, 2);
    fork_process(d, CHILD, PID);
    pay_both_ways(d, CHILD, 1, 1, 2);
    assert_int_equal(rep(d)->nfindings, 1);
    assert_int_equal(rep(d)->findings[0]->instances, 2);
    assert_int_equal(rep(d)->findings[0]->pid, PID);
    rec_process(&r, OTHER, PID, LW_ORIGIN_EXEC, "/bin/prog");
    feed_ok(d, &r);
    pay_both_ways(d, OTHER, 2, 1, 2);
    assert_int_equal(rep(d)->nfindings, 2);
    assert_int_equal(rep(d)->findings[1]->instances, 1);
    assert_int_equal(rep(d)->findings[1]->pid, OTHER);
}

/* The first instance was seen in one thread only, the second across threads: the finding
 * shows the second and is no single-thread finding; the examples keep record order. */
static void test_shows_first_cross_thread_instance(void **state)
{
    struct lw_detector *d = *state;
    pay_both_ways(d, PID, 0, 1, 1);
    const struct lw_finding *f = rep(d)->findings[0];
    assert_true(f->single_thread);
    assert_int_equal(f->nthreads, 1);
    pay_both_ways(d, PID, 1, 1, 2);
    assert_int_equal(rep(d)->nfindings, 1);
    assert_int_equal(f->instances, 2);
    assert_false(f->single_thread);
    assert_int_equal(f->nthreads, 2);
    assert_int_equal(f->cycle[0].holding->addr, lock_a(1));
    assert_int_equal(f->locks[0]->addr, lock_a(1));
    assert_example(f, 0, lock_a(0), lock_b(0));
    assert_example(f, 1, lock_a(1), lock_b(1));
}

/* The finding carries the pid of the instance it shows: here a forked child's pair, the first
 * seen across threads. */
static void test_pid_of_the_instance_shown(void **state)
{
    struct lw_detector *d = *state;
    pay_both_ways(d, PID, 0, 1, 1);
    assert_int_equal(rep(d)->findings[0]->pid, PID);
    fork_process(d, CHILD, PID);
    pay_both_ways(d, CHILD, 1, 1, 2);
    assert_int_equal(rep(d)->nfindings, 1);
    const struct lw_finding *f = rep(d)->findings[0];
    assert_int_equal(f->instances, 2);
    assert_false(f->single_thread);
    assert_int_equal(f->pid, CHILD);
    assert_int_equal(f->cycle[0].thread->pid, CHILD);
}

/* `thread` blocks on `lock` (stack take_stack) holding `held` (taken at hold_stack). */
static void wait_on(struct lw_detector *d, uint32_t thread, uint64_t lock, uint64_t take_stack,
                    uint64_t held, uint64_t hold_stack)
{
    const struct lw_held h[] = {held_at(ref_mutex(held), hold_stack)};
    rec_wait(&r, PID, thread, ref_mutex(lock), take_stack, 0, 1, h);
    feed_ok(d, &r);
}

/* A real deadlock on the second pair of a group of three: the group's finding becomes that
 * deadlock, shows the pair that deadlocked, and still counts all three. */
static void test_deadlock_on_one_instance_upgrades_the_group(void **state)
{
    struct lw_detector *d = *state;
    for (unsigned i = 0; i < 3; i++)
        pay_both_ways(d, PID, i, 1, 2);
    assert_int_equal(rep(d)->nfindings, 1);
    wait_on(d, 1, lock_b(1), S_AB_TAKE, lock_a(1), S_AB_HOLD);
    wait_on(d, 2, lock_a(1), S_BA_TAKE, lock_b(1), S_BA_HOLD);
    assert_true(lw_detector_must_stop(d));
    assert_int_equal(rep(d)->nfindings, 1);
    const struct lw_finding *f = rep(d)->findings[0];
    assert_int_equal(f->kind, LW_KIND_DEADLOCK);
    assert_true(f->inversion);
    assert_int_equal(f->instances, 3);
    assert_int_equal(f->nwaits, 2);
    assert_int_equal(f->ncycle, 2);
    assert_int_equal(f->cycle[0].holding->addr, lock_a(1));
    assert_int_equal(f->cycle[1].holding->addr, lock_b(1));
    assert_example(f, 0, lock_a(0), lock_b(0));
    assert_example(f, 1, lock_a(1), lock_b(1));
    /* A later instance of the same code is still counted, and the deadlock stays shown. */
    pay_both_ways(d, PID, 3, 3, 4);
    assert_int_equal(rep(d)->nfindings, 1);
    assert_int_equal(f->instances, 4);
    assert_int_equal(f->cycle[0].holding->addr, lock_a(1));
}

/* Findings of other kinds count as one instance. */
static void test_other_kinds_count_one(void **state)
{
    struct lw_detector *d = *state;
    wait_on(d, 1, lock_b(0), 0x31, lock_a(0), 0x41);
    wait_on(d, 2, lock_a(0), 0x32, lock_b(0), 0x42);
    assert_int_equal(rep(d)->nfindings, 1);
    const struct lw_finding *f = rep(d)->findings[0];
    assert_int_equal(f->kind, LW_KIND_DEADLOCK);
    assert_false(f->inversion);
    assert_int_equal(f->instances, 0);
    assert_int_equal(lw_finding_instances(f), 1);
    assert_int_equal(f->nexamples, 0);
}

/* The wording of a group's count. */
static void test_instances_phrase(void **state)
{
    (void)state;
    struct lw_finding f = {.kind = LW_KIND_LOCK_ORDER_INVERSION, .ncycle = 2, .instances = 1000};
    char buf[128];
    lw_instances_phrase(&f, buf, sizeof buf);
    assert_string_equal(buf, "the same lock order was inverted between 1,000 pairs of locks "
                             "(instances)");
    f.ncycle = 3;
    f.instances = 1234567;
    lw_instances_phrase(&f, buf, sizeof buf);
    assert_string_equal(buf, "the same lock order was inverted between 1,234,567 sets of 3 locks "
                             "(instances)");
    f.instances = 1;
    assert_int_equal(lw_instances_phrase(&f, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, detector_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_flood_is_one_finding),          T(test_rotation_is_the_same_code),
        T(test_other_code_is_another_finding), T(test_unknown_stacks_never_group),
        T(test_fork_groups_exec_does_not),     T(test_shows_first_cross_thread_instance),
        T(test_pid_of_the_instance_shown),     T(test_deadlock_on_one_instance_upgrades_the_group),
        T(test_other_kinds_count_one),         cmocka_unit_test(test_instances_phrase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
