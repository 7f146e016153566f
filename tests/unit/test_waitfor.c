/* test_waitfor.c — real deadlocks from WAIT records: cycles of blocked threads, what breaks
 * them (wait end, thread exit, timed waits, two readers, separate processes) and must_stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "records.h"

#define PID 200
#define A 0xa000
#define B 0xb000
#define C 0xc000

static struct rec r;

/* Thread `thread` of `pid` blocks on `lock` (stack 0x100 + thread) holding `held` (stack
 * 0x200 + thread). */
static void wait_on(struct lw_detector *d, int32_t pid, uint32_t thread, struct lw_lock_ref lock,
                    struct lw_lock_ref held)
{
    const struct lw_held h[] = {held_at(held, 0x200 + thread)};
    rec_wait(&r, pid, thread, lock, 0x100 + thread, 0, 1, h);
    feed_ok(d, &r);
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

static void test_abba_deadlock(void **state)
{
    struct lw_detector *d = *state;
    wait_on(d, PID, 1, ref_mutex(B), ref_mutex(A));
    assert_false(lw_detector_must_stop(d));
    wait_on(d, PID, 2, ref_mutex(A), ref_mutex(B));
    assert_true(lw_detector_must_stop(d));
    assert_int_equal(rep(d)->nfindings, 1);
    const struct lw_finding *f = rep(d)->findings[0];
    assert_int_equal(f->kind, LW_KIND_DEADLOCK);
    assert_int_equal(f->ncycle, 2);
    assert_int_equal(f->cycle[0].thread->number, 1);
    assert_int_equal(f->cycle[0].holding->addr, A);
    assert_int_equal(f->cycle[0].acquiring->addr, B);
    assert_int_equal(f->cycle[0].acquiring_stack->id, 0x101);
    assert_int_equal(f->cycle[0].holding_stack->id, 0x201);
    assert_int_equal(f->cycle[1].holding->addr, B);
    assert_int_equal(f->cycle[1].acquiring->addr, A);
    assert_int_equal(f->nstacks, 4);
    assert_string_equal(f->stacks[0].label, "blocked here");
    assert_string_equal(f->stacks[1].label, "acquired here");
    assert_int_equal(f->stacks[2].thread->number, 2);
    /* The same waits again: one finding. */
    wait_on(d, PID, 2, ref_mutex(A), ref_mutex(B));
    wait_on(d, PID, 1, ref_mutex(B), ref_mutex(A));
    assert_int_equal(rep(d)->nfindings, 1);
}

static void test_three_threads(void **state)
{
    struct lw_detector *d = *state;
    wait_on(d, PID, 1, ref_mutex(B), ref_mutex(A));
    wait_on(d, PID, 2, ref_mutex(C), ref_mutex(B));
    assert_int_equal(rep(d)->nfindings, 0);
    wait_on(d, PID, 3, ref_mutex(A), ref_mutex(C));
    assert_int_equal(rep(d)->nfindings, 1);
    const struct lw_finding *f = rep(d)->findings[0];
    assert_int_equal(f->ncycle, 3);
    for (size_t i = 0; i < 3; i++) /* each waits for what the next holds */
        assert_ptr_equal(f->cycle[i].acquiring, f->cycle[(i + 1) % 3].holding);
}

static void test_wait_end_and_exit_clear(void **state)
{
    struct lw_detector *d = *state;
    wait_on(d, PID, 1, ref_mutex(B), ref_mutex(A));
    rec_wait_end(&r, PID, 1, ref_mutex(B));
    feed_ok(d, &r);
    wait_on(d, PID, 2, ref_mutex(A), ref_mutex(B));
    assert_int_equal(rep(d)->nfindings, 0);
    rec_thread_exit(&r, PID, 2, 1);
    feed_ok(d, &r);
    wait_on(d, PID, 1, ref_mutex(B), ref_mutex(A));
    assert_int_equal(rep(d)->nfindings, 0);
    assert_false(lw_detector_must_stop(d));
}

static void test_timed_wait_ignored(void **state)
{
    struct lw_detector *d = *state;
    const struct lw_held h[] = {held_at(ref_mutex(A), 1)};
    rec_wait(&r, PID, 1, ref_mutex(B), 2, 123456789, 1, h);
    feed_ok(d, &r);
    wait_on(d, PID, 2, ref_mutex(A), ref_mutex(B));
    assert_int_equal(rep(d)->nfindings, 0);
}

static void test_readers_do_not_block_readers(void **state)
{
    struct lw_detector *d = *state;
    wait_on(d, PID, 1, ref_mutex(A), ref_rwlock(B, LW_MODE_SHARED, 0));
    wait_on(d, PID, 2, ref_rwlock(B, LW_MODE_SHARED, 0), ref_mutex(A));
    assert_int_equal(rep(d)->nfindings, 0);
    wait_on(d, PID, 2, ref_rwlock(B, LW_MODE_EXCLUSIVE, 0), ref_mutex(A)); /* now a writer */
    assert_int_equal(rep(d)->nfindings, 1);
}

static void test_processes_have_their_own_locks(void **state)
{
    struct lw_detector *d = *state;
    rec_process(&r, PID + 1, PID, LW_ORIGIN_FORK, "/bin/prog");
    feed_ok(d, &r);
    wait_on(d, PID, 1, ref_mutex(B), ref_mutex(A));
    wait_on(d, PID + 1, 1, ref_mutex(A), ref_mutex(B));
    assert_int_equal(rep(d)->nfindings, 0);
    struct lw_lock_ref sa = ref_mutex(A + 8), sb = ref_mutex(B + 8);
    sa.flags = sb.flags = LW_LOCKF_PSHARED;
    wait_on(d, PID, 2, sb, sa);
    wait_on(d, PID + 1, 2, sa, sb);
    assert_int_equal(rep(d)->nfindings, 1);
    assert_int_not_equal(rep(d)->findings[0]->threads[0]->pid,
                         rep(d)->findings[0]->threads[1]->pid);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, detector_teardown)
    const struct CMUnitTest tests[] = {
        T(test_abba_deadlock),
        T(test_three_threads),
        T(test_wait_end_and_exit_clear),
        T(test_timed_wait_ignored),
        T(test_readers_do_not_block_readers),
        T(test_processes_have_their_own_locks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
