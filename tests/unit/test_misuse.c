/* test_misuse.c — MISUSE records as findings: kinds, labelled stacks, the conflicting thread,
 * deduplication by (kind, lock, stack), and must_stop for a blocking double lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "records.h"

#define PID 300
#define A 0xa000

static struct rec r;

static void misuse(struct lw_detector *d, uint32_t kind, uint64_t stack, uint64_t other_stack,
                   uint32_t other_thread, uint32_t will_block)
{
    rec_misuse(&r, PID, 1, kind, ref_mutex(A), stack, other_stack, other_thread, will_block);
    feed_ok(d, &r);
}

static void test_double_lock(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    misuse(d, LW_MISUSE_DOUBLE_LOCK, 0x10, 0x11, 1, 0); /* error-checking: returns EDEADLK */
    assert_false(lw_detector_must_stop(d));
    const struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nfindings, 1);
    const struct lw_finding *f = rep->findings[0];
    assert_int_equal(f->kind, LW_KIND_DOUBLE_LOCK);
    assert_int_equal(f->nthreads, 1); /* the other acquisition is its own */
    assert_int_equal(f->nstacks, 2);
    assert_string_equal(f->stacks[0].label, "locked again here");
    assert_int_equal(f->stacks[0].stack->id, 0x10);
    assert_string_equal(f->stacks[1].label, "first locked here");
    assert_ptr_equal(f->locks[0]->first_stack, f->stacks[1].stack);
    misuse(d, LW_MISUSE_DOUBLE_LOCK, 0x10, 0x11, 1, 1); /* same site, now blocking */
    assert_true(lw_detector_must_stop(d));
    assert_int_equal(rep->nfindings, 1);
    misuse(d, LW_MISUSE_DOUBLE_LOCK, 0x20, 0x11, 1, 1); /* another site */
    assert_int_equal(rep->nfindings, 2);
    lw_detector_free(d);
}

static void test_other_kinds(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    misuse(d, LW_MISUSE_UNLOCK_UNOWNED, 0x30, 0x31, 4, 0);
    misuse(d, LW_MISUSE_DESTROY_LOCKED, 0x40, 0, UINT32_MAX, 0);
    misuse(d, LW_MISUSE_EXIT_HOLDING, 0, 0x51, 1, 0);
    misuse(d, LW_MISUSE_EXIT_HOLDING, 0, 0x51, 1, 0);
    const struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nfindings, 3);
    const struct lw_finding *f = rep->findings[0];
    assert_int_equal(f->kind, LW_KIND_UNLOCK_UNOWNED);
    assert_int_equal(f->nthreads, 2);
    assert_int_equal(f->threads[1]->number, 4);
    assert_ptr_equal(f->stacks[1].thread, f->threads[1]);
    assert_string_equal(f->stacks[1].label, "locked here");
    f = rep->findings[1];
    assert_int_equal(f->kind, LW_KIND_DESTROY_LOCKED);
    assert_int_equal(f->nstacks, 1);
    f = rep->findings[2];
    assert_int_equal(f->kind, LW_KIND_EXIT_HOLDING_LOCK);
    assert_int_equal(f->nstacks, 1);
    assert_string_equal(f->stacks[0].label, "acquired here");
    assert_false(lw_detector_must_stop(d));
    lw_detector_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_lock),
        cmocka_unit_test(test_other_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
