/* test_misuse.c — MISUSE records as findings: kinds, labelled stacks, the conflicting thread,
 * deduplication by (kind, lock, stack), must_stop for a blocking double lock, the cases of the
 * lifecycle and condition-variable kinds, and robust mutexes' exits held back until the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "records.h"

#define PID 300
#define A 0xa000
#define B 0xb000

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

static const struct lw_finding *only_finding(struct lw_detector *d, enum lw_finding_kind kind,
                                             enum lw_finding_detail detail)
{
    const struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nfindings, 1);
    const struct lw_finding *f = rep->findings[0];
    assert_int_equal(f->kind, kind);
    assert_int_equal(f->detail, detail);
    return f;
}

static void test_lifecycle_kinds(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    misuse(d, LW_MISUSE_INVALID_LOCK, 0x60, 0x61, 2, 0); /* destroyed by thread 2 */
    const struct lw_finding *f = only_finding(d, LW_KIND_INVALID_LOCK, LW_DETAIL_DESTROYED);
    assert_int_equal(f->nthreads, 2);
    assert_string_equal(f->stacks[0].label, "used here");
    assert_string_equal(f->stacks[1].label, "destroyed here");
    assert_ptr_equal(f->stacks[1].thread, f->threads[1]);
    assert_null(f->locks[0]->first_stack); /* a destroy is no acquisition to name it by */
    lw_detector_free(d);

    d = lw_detector_new(NULL);
    misuse(d, LW_MISUSE_UNINITIALISED, 0x60, 0, UINT32_MAX, 0);
    f = only_finding(d, LW_KIND_INVALID_LOCK, LW_DETAIL_UNINITIALISED);
    assert_int_equal(f->nstacks, 1);
    lw_detector_free(d);

    d = lw_detector_new(NULL);
    misuse(d, LW_MISUSE_REINIT_HELD, 0x70, 0x71, 1, 0); /* held by the initialiser itself */
    f = only_finding(d, LW_KIND_REINIT_LIVE, LW_DETAIL_HELD);
    assert_int_equal(f->nthreads, 1);
    assert_string_equal(f->stacks[1].label, "locked here");
    assert_ptr_equal(f->locks[0]->first_stack, f->stacks[1].stack);
    /* the kind's other case at the same call: same kind, lock and stack, so the same bug */
    misuse(d, LW_MISUSE_REINIT_LIVE, 0x70, 0x72, 1, 0);
    assert_int_equal(lw_detector_report(d)->nfindings, 1);
    lw_detector_free(d);

    d = lw_detector_new(NULL);
    misuse(d, LW_MISUSE_REINIT_LIVE, 0x70, 0x72, 3, 0);
    f = only_finding(d, LW_KIND_REINIT_LIVE, LW_DETAIL_NOT_DESTROYED);
    assert_string_equal(f->stacks[1].label, "first initialised here");
    assert_int_equal(f->threads[1]->number, 3);
    lw_detector_free(d);
}

static void test_cond_kinds(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    misuse(d, LW_MISUSE_COND_UNOWNED, 0x80, 0, UINT32_MAX, 0);
    const struct lw_finding *f = only_finding(d, LW_KIND_COND_MISUSE, LW_DETAIL_MUTEX_NOT_HELD);
    assert_int_equal(f->nlocks, 1);
    assert_string_equal(f->stacks[0].label, "waits here");
    lw_detector_free(d);

    /* Two mutexes: both are the finding's locks, the other waiter its second thread. */
    d = lw_detector_new(NULL);
    rec_misuse(&r, PID, 1, LW_MISUSE_TWO_MUTEXES, ref_mutex(A), 0x81, 0x82, 2, 0);
    ((struct lw_rec_misuse *)(void *)r.bytes)->other_lock = ref_mutex(B);
    feed_ok(d, &r);
    f = only_finding(d, LW_KIND_COND_MISUSE, LW_DETAIL_TWO_MUTEXES);
    assert_int_equal(f->nlocks, 2);
    assert_int_equal(f->locks[0]->addr, A);
    assert_int_equal(f->locks[1]->addr, B);
    assert_int_equal(f->threads[1]->number, 2);
    lw_detector_free(d);

    /* Sent by the waiter (thread 1) about a destroy by thread 5: thread 5 is the offender. */
    d = lw_detector_new(NULL);
    misuse(d, LW_MISUSE_CV_DESTROYED, 0x90, 0x91, 5, 0);
    f = only_finding(d, LW_KIND_COND_MISUSE, LW_DETAIL_COND_DESTROYED);
    assert_int_equal(f->threads[0]->number, 5);
    assert_int_equal(f->threads[1]->number, 1);
    assert_string_equal(f->stacks[0].label, "destroyed here");
    assert_ptr_equal(f->stacks[0].thread, f->threads[0]);
    assert_int_equal(f->stacks[0].stack->id, 0x90);
    assert_string_equal(f->stacks[1].label, "waits here");
    assert_ptr_equal(f->stacks[1].thread, f->threads[1]);
    lw_detector_free(d);

    /* A semaphore is no lock: no lock in the finding. */
    d = lw_detector_new(NULL);
    struct lw_lock_ref sem = {.addr = 0x5e00};
    rec_misuse(&r, PID, 1, LW_MISUSE_SEM_DESTROYED, sem, 0xa0, 0, UINT32_MAX, 0);
    feed_ok(d, &r);
    f = only_finding(d, LW_KIND_COND_MISUSE, LW_DETAIL_SEM_DESTROYED);
    assert_int_equal(f->nlocks, 0);
    assert_int_equal(lw_detector_report(d)->nlocks, 0);
    lw_detector_free(d);
}

static void test_bad_misuse_records(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    rec_misuse(&r, PID, 1, LW_MISUSE_SEM_DESTROYED, ref_mutex(A), 0xa0, 0, UINT32_MAX, 0);
    assert_int_equal(lw_detector_feed(d, r.bytes, r.len), LW_ERR_BADREC); /* a lock type */
    rec_misuse(&r, PID, 1, LW_MISUSE_TWO_MUTEXES, ref_mutex(A), 0x81, 0x82, 2, 0);
    assert_int_equal(lw_detector_feed(d, r.bytes, r.len), LW_ERR_BADREC); /* no other lock */
    rec_misuse(&r, PID, 1, LW_MISUSE_RECOVERED + 1, ref_mutex(A), 0x81, 0, 2, 0);
    assert_int_equal(lw_detector_feed(d, r.bytes, r.len), LW_ERR_BADREC);
    assert_int_equal(lw_detector_report(d)->nfindings, 0);
    lw_detector_free(d);
}

static struct lw_lock_ref robust_ref(uint64_t addr, uint32_t generation)
{
    struct lw_lock_ref ref = ref_mutex(addr);
    ref.flags |= LW_LOCKF_ROBUST;
    ref.generation = generation;
    return ref;
}

/* A robust mutex's exit-holding waits for the end of the run; a recovery of that very lock
 * (same address and generation) drops it. */
static void test_robust_held_back(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    const struct lw_report *rep = lw_detector_report(d);
    rec_misuse(&r, PID, 1, LW_MISUSE_EXIT_HOLDING, robust_ref(A, 1), 0x50, 0x51, 1, 0);
    feed_ok(d, &r);
    rec_misuse(&r, PID, 2, LW_MISUSE_EXIT_HOLDING, robust_ref(B, 1), 0x50, 0x52, 2, 0);
    feed_ok(d, &r);
    assert_int_equal(rep->nfindings, 0);
    /* Recovered by thread 0: A of generation 1; B only in another generation. */
    rec_misuse(&r, PID, 0, LW_MISUSE_RECOVERED, ref_mutex(A), 0, 0, UINT32_MAX, 0);
    ((struct lw_rec_misuse *)(void *)r.bytes)->lock.generation = 1;
    feed_ok(d, &r);
    rec_misuse(&r, PID, 0, LW_MISUSE_RECOVERED, ref_mutex(B), 0, 0, UINT32_MAX, 0);
    ((struct lw_rec_misuse *)(void *)r.bytes)->lock.generation = 2;
    feed_ok(d, &r);
    assert_int_equal(rep->nfindings, 0);
    assert_int_equal(lw_detector_finish(d), LW_OK);
    assert_int_equal(rep->nfindings, 1);
    const struct lw_finding *f = rep->findings[0];
    assert_int_equal(f->kind, LW_KIND_EXIT_HOLDING_LOCK);
    assert_int_equal(f->locks[0]->addr, B);
    assert_int_equal(f->threads[0]->number, 2);
    assert_int_equal(lw_detector_finish(d), LW_OK); /* nothing left to add twice */
    assert_int_equal(rep->nfindings, 1);
    lw_detector_free(d);
}

/* A robust exit still pending when the detector is freed leaks nothing (ASan). */
static void test_robust_pending_freed(void **state)
{
    struct lw_detector *d = lw_detector_new(NULL);
    rec_misuse(&r, PID, 1, LW_MISUSE_EXIT_HOLDING, robust_ref(A, 0), 0x50, 0x51, 1, 0);
    feed_ok(d, &r);
    lw_detector_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_lock),          cmocka_unit_test(test_other_kinds),
        cmocka_unit_test(test_lifecycle_kinds),      cmocka_unit_test(test_cond_kinds),
        cmocka_unit_test(test_bad_misuse_records),   cmocka_unit_test(test_robust_held_back),
        cmocka_unit_test(test_robust_pending_freed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
