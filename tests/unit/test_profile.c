/* test_profile.c — HOLDS records (--profile, --trace): validation, per-lock figures, the
 * timeline's cap, and the record time findings carry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "records.h"

#define PID 500
#define A 0xa000
#define B 0xb000

static struct rec r;

static struct lw_hold hold(uint64_t addr, uint64_t wait_start, uint64_t acquired, uint64_t released,
                           uint32_t flags)
{
    return (struct lw_hold){.lock = ref_mutex(addr),
                            .wait_start_ns = wait_start,
                            .acquired_ns = acquired,
                            .released_ns = released,
                            .flags = flags};
}

static const struct lw_lock *lock_at(const struct lw_report *rep, uint64_t addr)
{
    for (size_t i = 0; i < rep->nlocks; i++)
        if (rep->locks[i]->addr == addr) return rep->locks[i];
    return NULL;
}

static void test_figures(void **state)
{
    (void)state;
    struct lw_detector *d = detector_with_process(PID);
    const struct lw_hold events[] = {
        hold(A, 100, 100, 150, LW_HOLDF_NO_WAIT),   /* trylock: hold 50 */
        hold(A, 200, 700, 900, LW_HOLDF_CONTENDED), /* waited 500, held 200 */
        hold(B, 300, 310, 1310, 0),                 /* waited 10, held 1000 */
        hold(A, 1000, 1100, 1130, 0),               /* waited 100, held 30 */
    };
    rec_holds(&r, PID, 1, events, 4, 2000);
    feed_ok(d, &r);
    const struct lw_report *rep = lw_detector_report(d);
    const struct lw_lock *a = lock_at(rep, A), *b = lock_at(rep, B);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(lw_profile_of(rep, a)->acquisitions, 3);
    assert_int_equal(lw_profile_of(rep, a)->contended, 1);
    assert_int_equal(lw_profile_of(rep, a)->wait_total_ns, 600);
    assert_int_equal(lw_profile_of(rep, a)->wait_max_ns, 500);
    assert_int_equal(lw_profile_of(rep, a)->hold_total_ns, 280);
    assert_int_equal(lw_profile_of(rep, a)->hold_max_ns, 200);
    assert_int_equal(lw_profile_of(rep, b)->acquisitions, 1);
    assert_int_equal(lw_profile_of(rep, b)->contended, 0);
    assert_int_equal(lw_profile_of(rep, b)->wait_total_ns, 10);
    assert_int_equal(lw_profile_of(rep, b)->hold_max_ns, 1000);
    assert_int_equal(rep->holds, 4);
    assert_int_equal(rep->ntrace, 0); /* no timeline asked for */
    assert_int_equal(rep->trace_dropped, 0);
    assert_int_equal(rep->nthreads, 1);
    lw_detector_free(d);
}

static void test_trace_cap(void **state)
{
    (void)state;
    const struct lw_detector_options opts = {.max_trace_holds = 3};
    struct lw_detector *d = lw_detector_new(&opts);
    const struct lw_hold events[] = {hold(A, 1, 2, 3, 0), hold(B, 4, 5, 6, LW_HOLDF_CONTENDED)};
    rec_holds(&r, PID, 1, events, 2, 10);
    feed_ok(d, &r);
    rec_holds(&r, PID, 2, events, 2, 20);
    feed_ok(d, &r);
    const struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->holds, 4);
    assert_int_equal(rep->ntrace, 3);
    assert_int_equal(rep->trace_dropped, 1);
    assert_int_equal(rep->trace[1].lock->addr, B);
    assert_int_equal(rep->trace[1].wait_start_ns, 4);
    assert_int_equal(rep->trace[1].flags, LW_HOLDF_CONTENDED);
    assert_int_equal(rep->trace[2].thread->number, 2);
    assert_int_equal(lw_profile_of(rep, lock_at(rep, A))->acquisitions,
                     2); /* the cap cuts the timeline only */
    assert_int_equal(rep->first_time_ns, 10);
    lw_detector_free(d);
}

static void assert_rejected(struct lw_detector *d, const struct rec *bad)
{
    uint64_t before = lw_detector_report(d)->bad_records;
    assert_int_equal(lw_detector_feed(d, bad->bytes, bad->len), LW_ERR_BADREC);
    assert_int_equal(lw_detector_report(d)->bad_records, before + 1);
}

static void test_validation(void **state)
{
    (void)state;
    struct lw_detector *d = lw_detector_new(NULL);
    struct lw_hold e = hold(A, 10, 20, 30, 0);
    rec_holds(&r, PID, 1, &e, 1, 1);
    feed_ok(d, &r);

    struct lw_hold acquired_before_attempt = hold(A, 20, 10, 30, 0);
    rec_holds(&r, PID, 1, &acquired_before_attempt, 1, 1);
    assert_rejected(d, &r);
    struct lw_hold released_before_acquired = hold(A, 10, 20, 15, 0);
    rec_holds(&r, PID, 1, &released_before_acquired, 1, 1);
    assert_rejected(d, &r);
    struct lw_hold unknown_flag = hold(A, 10, 20, 30, 1u << 7);
    rec_holds(&r, PID, 1, &unknown_flag, 1, 1);
    assert_rejected(d, &r);
    struct lw_hold bad_type = e;
    bad_type.lock.type = 9;
    rec_holds(&r, PID, 1, &bad_type, 1, 1);
    assert_rejected(d, &r);
    rec_holds(&r, PID, 1, &e, 0, 1); /* empty batch */
    assert_rejected(d, &r);
    rec_holds(&r, PID, 1, &e, 1, 1);
    ((struct lw_rec_holds *)r.bytes)->nevents = 2; /* count disagrees with the size */
    assert_rejected(d, &r);
    /* More than LW_WIRE_MAX_HOLDS events, even when the size agrees and fits a message. */
    struct lw_hold many[LW_WIRE_MAX_HOLDS + 1];
    for (size_t i = 0; i < LW_WIRE_MAX_HOLDS + 1; i++)
        many[i] = e;
    if (sizeof(struct lw_rec_holds) + sizeof many <= LW_WIRE_MAX_RECORD) {
        rec_holds(&r, PID, 1, many, LW_WIRE_MAX_HOLDS + 1, 1);
        assert_rejected(d, &r);
    }
    rec_holds(&r, PID, 1, many, LW_WIRE_MAX_HOLDS, 1);
    feed_ok(d, &r);
    assert_int_equal(
        lw_profile_of(lw_detector_report(d), lock_at(lw_detector_report(d), A))->acquisitions,
        1 + LW_WIRE_MAX_HOLDS);
    lw_detector_free(d);
}

/* A finding carries the header time of the record that produced it (the timeline's mark). */
static void test_finding_time(void **state)
{
    (void)state;
    struct lw_detector *d = lw_detector_new(NULL);
    struct lw_held held_a = held_at(ref_mutex(A), 0x11), held_b = held_at(ref_mutex(B), 0x21);
    rec_acquire(&r, PID, 1, ref_mutex(B), 0x12, 1, &held_a);
    ((struct lw_rec_header *)r.bytes)->time_ns = 5000;
    feed_ok(d, &r);
    rec_acquire(&r, PID, 2, ref_mutex(A), 0x22, 1, &held_b);
    ((struct lw_rec_header *)r.bytes)->time_ns = 7000;
    feed_ok(d, &r);
    const struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nfindings, 1);
    assert_int_equal(rep->findings[0]->kind, LW_KIND_LOCK_ORDER_INVERSION);
    assert_int_equal(rep->findings[0]->time_ns, 7000);
    assert_int_equal(rep->first_time_ns, 5000);
    lw_detector_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures),
        cmocka_unit_test(test_trace_cap),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_finding_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
