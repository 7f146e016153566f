/* test_exec_routing.c — one pid, several images (exec): each record applies to the image that
 * sent it, judged by its header time, even when it is applied after the next image's PROCESS
 * record (the driver reads each image from its own connection). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "records.h"

#define PID 100
#define A 0x1000
#define B 0x2000
#define T_OLD 1000 /* the first image's PROCESS record */
#define T_NEW 5000 /* the image it exec'd */

static struct rec r;

static void feed_at(struct lw_detector *d, uint64_t time_ns)
{
    rec_time(&r, time_ns);
    feed_ok(d, &r);
}

static int setup(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    assert_non_null(d);
    *state = d;
    rec_process(&r, PID, 1, LW_ORIGIN_EXEC, "/bin/sh");
    feed_at(d, T_OLD);
    return 0;
}

static void exec_new_image(struct lw_detector *d)
{
    rec_process(&r, PID, 1, LW_ORIGIN_EXEC, "/usr/bin/prog");
    feed_at(d, T_NEW);
}

/* Thread `number` of process entry `process`, or NULL. */
static struct lw_thread *thread_of_entry(struct lw_detector *d, uint32_t process, uint32_t number)
{
    struct lw_report *rep = lw_detector_report(d);
    for (size_t i = 0; i < rep->nthreads; i++)
        if (rep->threads[i]->process == process && rep->threads[i]->number == number)
            return rep->threads[i];
    return NULL;
}

/* The old image's WATCH record, applied late, leaves the new image's slot and board alone. */
static void test_late_watch_stays_with_its_image(void **state)
{
    struct lw_detector *d = *state;
    exec_new_image(d);
    rec_watch(&r, PID, 0, 0x99);
    feed_at(d, T_NEW + 10); /* the new image's own */
    rec_watch(&r, PID, 0, 0x55);
    struct lw_rec_watch *w = (struct lw_rec_watch *)r.bytes;
    w->slot = 0xdead000;
    w->timers = 0xbad000;
    feed_at(d, T_OLD + 10); /* the old image's, read late */
    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nprocesses, 2);
    assert_int_equal(rep->processes[1].timer_board, 0x6000);
    assert_int_equal(rep->processes[0].timer_board, 0xbad000);
    struct lw_thread *now = thread_of_entry(d, 1, 0), *before = thread_of_entry(d, 0, 0);
    assert_non_null(now);
    assert_non_null(before);
    assert_int_equal(now->wait_slot, 0x7000);
    assert_int_equal(before->wait_slot, 0xdead000);
    assert_false(rep->processes[1].superseded);
    assert_true(rep->processes[0].superseded);
}

/* The old image's late lock order names the old image's locks: no cycle with the new image's
 * opposite order at the same addresses. */
static void test_late_acquire_names_old_locks(void **state)
{
    struct lw_detector *d = *state;
    exec_new_image(d);
    const struct lw_held hold_b[] = {held_at(ref_mutex(B), 1)};
    rec_acquire(&r, PID, 1, ref_mutex(A), 2, 1, hold_b);
    feed_at(d, T_NEW + 10);
    const struct lw_held hold_a[] = {held_at(ref_mutex(A), 3)};
    rec_acquire(&r, PID, 2, ref_mutex(B), 4, 1, hold_a);
    feed_at(d, T_OLD + 10);
    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nfindings, 0);
    assert_int_equal(rep->nlocks, 4);
    /* The same order again in the new image closes its cycle. */
    rec_acquire(&r, PID, 2, ref_mutex(B), 4, 1, hold_a);
    feed_at(d, T_NEW + 20);
    assert_int_equal(rep->nfindings, 1);
    assert_int_equal(rep->findings[0]->locks[0]->image, rep->processes[1].image);
}

/* The old image's PROCESS record applied after the new one's: the new image stays the pid's
 * current one, and each record still finds its own image. */
static void test_late_process_record_keeps_order(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    assert_non_null(d);
    *state = d;
    exec_new_image(d);
    rec_process(&r, PID, 1, LW_ORIGIN_EXEC, "/bin/sh");
    feed_at(d, T_OLD);
    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nprocesses, 2);
    assert_false(rep->processes[0].superseded);
    assert_true(rep->processes[1].superseded);
    rec_watch(&r, PID, 0, 0x55);
    feed_at(d, T_NEW + 1);
    assert_int_equal(rep->processes[0].timer_board, 0x6000);
    assert_int_equal(rep->processes[1].timer_board, 0);
    /* A record with no time (a runtime without a clock) goes to the current image. */
    rec_thread_name(&r, PID, 7, "untimed");
    feed_at(d, 0);
    assert_non_null(thread_of_entry(d, 0, 7));
}

/* A child forked before its parent exec'd runs the parent's image of that time. */
static void test_fork_takes_parent_image_of_its_time(void **state)
{
    struct lw_detector *d = *state;
    exec_new_image(d);
    rec_process(&r, 101, PID, LW_ORIGIN_FORK, "/bin/sh"); /* applied late */
    feed_at(d, T_OLD + 1);
    rec_process(&r, 102, PID, LW_ORIGIN_FORK, "/usr/bin/prog");
    feed_at(d, T_NEW + 1);
    struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nprocesses, 4);
    assert_int_equal(rep->nimages, 2);
    assert_int_equal(rep->processes[2].image, rep->processes[0].image); /* 101 */
    assert_int_equal(rep->processes[3].image, rep->processes[1].image); /* 102 */
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, detector_teardown)
    const struct CMUnitTest tests[] = {
        T(test_late_watch_stays_with_its_image),
        T(test_late_acquire_names_old_locks),
        cmocka_unit_test_teardown(test_late_process_record_keeps_order, detector_teardown),
        T(test_fork_takes_parent_image_of_its_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
