/* test_sem_locks.c — semaphores in the lock-order graph (detector/core/sem_locks.c): edges
 * through a semaphore wait for the end of the run, a SEM_SIGNAL record voids them (whether it
 * comes before or after them), a semaphore never proved a signal is a lock at the end, and
 * neither a signal nor a semaphore held around one thread's edges only is a gate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "lockwatch/report.h"
#include "records.h"
#include "state.h"

#define PID 100
#define A 0x1000
#define B 0x2000
#define S 0x3000
#define G 0x4000

static struct rec r;

static int setup(void **state)
{
    *state = detector_with_process(PID);
    return 0;
}

/* `thread` requests `second` while holding `first`. */
static void order(struct lw_detector *d, uint32_t thread, struct lw_lock_ref first,
                  struct lw_lock_ref second)
{
    const struct lw_held held[] = {held_at(first, 0x10 + thread)};
    rec_acquire(&r, PID, thread, second, 0x20 + thread, 1, held);
    feed_ok(d, &r);
}

/* `thread` requests `second` while holding `gate` and then `first`. */
static void gated(struct lw_detector *d, uint32_t thread, struct lw_lock_ref gate,
                  struct lw_lock_ref first, struct lw_lock_ref second)
{
    const struct lw_held held[] = {held_at(gate, 0x30 + thread), held_at(first, 0x10 + thread)};
    rec_acquire(&r, PID, thread, second, 0x20 + thread, 2, held);
    feed_ok(d, &r);
}

static void signal_of(struct lw_detector *d, uint32_t thread, struct lw_lock_ref sem, uint32_t why)
{
    rec_sem_signal(&r, PID, thread, sem, why);
    feed_ok(d, &r);
}

static size_t findings_at_end(struct lw_detector *d)
{
    assert_int_equal(lw_detector_finish(d), LW_OK);
    return lw_detector_report(d)->nfindings;
}

/* A is a mutex, S a semaphore lock: S -> A against A -> S is an inversion, found at the end. */
static void test_undecided_sem_is_a_lock(void **state)
{
    struct lw_detector *d = *state;
    order(d, 1, ref_sem(S), ref_mutex(A));
    order(d, 2, ref_mutex(A), ref_sem(S));
    assert_int_equal(lw_detector_report(d)->nfindings, 0); /* kept aside until the end */
    assert_int_equal(findings_at_end(d), 1);
    const struct lw_finding *f = lw_detector_report(d)->findings[0];
    assert_int_equal(f->kind, LW_KIND_LOCK_ORDER_INVERSION);
    assert_int_equal(f->nlocks, 2);
    bool saw_sem = false;
    for (size_t i = 0; i < f->nlocks; i++)
        saw_sem |= f->locks[i]->type == LW_LOCK_SEM;
    assert_true(saw_sem);
}

/* Two semaphore locks in opposite orders (CPython's lock1/lock2). */
static void test_two_sem_locks_abba(void **state)
{
    struct lw_detector *d = *state;
    order(d, 1, ref_sem(S), ref_sem(B));
    order(d, 2, ref_sem(B), ref_sem(S));
    assert_int_equal(findings_at_end(d), 1);
}

/* The signal record after the edges voids them (the post by another thread came later). */
static void test_signal_after_edges(void **state)
{
    struct lw_detector *d = *state;
    order(d, 1, ref_sem(S), ref_mutex(A));
    order(d, 2, ref_mutex(A), ref_sem(S));
    signal_of(d, 2, ref_sem(S), LW_SEM_POSTED_UNHELD);
    assert_int_equal(findings_at_end(d), 0);
}

/* ... and before them. */
static void test_signal_before_edges(void **state)
{
    struct lw_detector *d = *state;
    signal_of(d, 1, ref_sem(S), LW_SEM_RETAKEN);
    order(d, 1, ref_sem(S), ref_mutex(A));
    order(d, 2, ref_mutex(A), ref_sem(S));
    assert_int_equal(findings_at_end(d), 0);
}

/* A signal voids only its own generation: the semaphore re-made at the address is a lock again. */
static void test_signal_is_per_generation(void **state)
{
    struct lw_detector *d = *state;
    signal_of(d, 1, ref_sem(S), LW_SEM_INITIAL_VALUE);
    struct lw_lock_ref next = ref_sem(S);
    next.generation = 1;
    order(d, 1, next, ref_mutex(A));
    order(d, 2, ref_mutex(A), next);
    assert_int_equal(findings_at_end(d), 1);
}

/* A cycle of mutexes alone is not held back by a signal elsewhere. */
static void test_mutex_cycle_unaffected(void **state)
{
    struct lw_detector *d = *state;
    signal_of(d, 1, ref_sem(S), LW_SEM_POSTED_UNHELD);
    order(d, 1, ref_mutex(A), ref_mutex(B));
    order(d, 2, ref_mutex(B), ref_mutex(A));
    assert_int_equal(lw_detector_report(d)->nfindings, 1); /* at once, as before */
    assert_int_equal(findings_at_end(d), 1);
}

/* A -> B and B -> A (semaphore locks) both under semaphore S in two threads: while S is a lock it
 * gates the cycle; once S is a signal it excludes nothing, and the cycle stands. */
static void test_sem_gate(void **state)
{
    struct lw_detector *d = *state;
    gated(d, 1, ref_sem(S), ref_sem(A), ref_sem(B));
    gated(d, 2, ref_sem(S), ref_sem(B), ref_sem(A));
    assert_int_equal(findings_at_end(d), 0);
}

static void test_signal_gate_excludes_nothing(void **state)
{
    struct lw_detector *d = *state;
    gated(d, 1, ref_sem(S), ref_sem(A), ref_sem(B));
    gated(d, 2, ref_sem(S), ref_sem(B), ref_sem(A));
    signal_of(d, 1, ref_sem(S), LW_SEM_POSTED_UNHELD);
    assert_int_equal(findings_at_end(d), 1);
    const struct lw_finding *f = lw_detector_report(d)->findings[0];
    assert_int_equal(f->nlocks, 2);
    for (size_t i = 0; i < f->nlocks; i++)
        assert_int_equal(f->locks[i]->addr == A || f->locks[i]->addr == B, true);
}

/* A semaphore held around the edges of one thread only (CPython's thread-state lock) gates
 * nothing: the cycle that thread takes in both orders stands. A mutex would gate it. */
static void test_one_thread_sem_gate(void **state)
{
    struct lw_detector *d = *state;
    gated(d, 1, ref_sem(S), ref_mutex(A), ref_mutex(B));
    gated(d, 1, ref_sem(S), ref_mutex(B), ref_mutex(A));
    assert_int_equal(findings_at_end(d), 1);
    assert_true(lw_detector_report(d)->findings[0]->single_thread);
}

/* The same with semaphore locks, each also taken alone under the thread's own semaphore. */
static void test_one_thread_sem_gate_sems(void **state)
{
    struct lw_detector *d = *state;
    order(d, 1, ref_sem(S), ref_sem(A));
    order(d, 1, ref_sem(S), ref_sem(B));
    gated(d, 1, ref_sem(S), ref_sem(A), ref_sem(B));
    gated(d, 1, ref_sem(S), ref_sem(B), ref_sem(A));
    assert_int_equal(findings_at_end(d), 1);
}

static void test_one_thread_mutex_gate(void **state)
{
    struct lw_detector *d = *state;
    gated(d, 1, ref_mutex(G), ref_sem(S), ref_mutex(A));
    gated(d, 1, ref_mutex(G), ref_mutex(A), ref_sem(S));
    assert_int_equal(findings_at_end(d), 0);
}

/* A mutex gate still gates a cycle through a semaphore lock. */
static void test_mutex_gate_around_sem(void **state)
{
    struct lw_detector *d = *state;
    gated(d, 1, ref_mutex(G), ref_sem(S), ref_mutex(A));
    gated(d, 2, ref_mutex(G), ref_mutex(A), ref_sem(S));
    assert_int_equal(findings_at_end(d), 0);
}

/* CPython's Condition.wait, 10,000 times: thread 1, holding its own semaphore S, takes a fresh
 * waiter semaphore W (a new generation each time), proved a signal, and takes mutex A while
 * holding S and W. The edges S -> A, alike once W is dropped from their gates, are kept aside as
 * a few, not 10,000; the inversion against thread 2's A -> S is found as before. */
static void test_signal_waiters_kept_as_few(void **state)
{
    struct lw_detector *d = *state;
    for (uint32_t i = 0; i < 10000; i++) {
        struct lw_lock_ref w = ref_sem(B);
        w.generation = i;
        order(d, 1, ref_sem(S), w);
        gated(d, 1, ref_sem(S), w, ref_mutex(A));
        signal_of(d, 1, w, LW_SEM_RETAKEN);
    }
    assert_true(d->sem_edges_cap <= 64);
    order(d, 2, ref_mutex(A), ref_sem(S));
    assert_int_equal(findings_at_end(d), 1);
    const struct lw_finding *f = lw_detector_report(d)->findings[0];
    assert_int_equal(f->nlocks, 2);
    for (size_t i = 0; i < f->nlocks; i++)
        assert_true(f->locks[i]->addr == A || f->locks[i]->addr == S);
}

/* Malformed SEM_SIGNAL records are refused: another lock type, an unknown reason. */
static void test_bad_sem_signal(void **state)
{
    struct lw_detector *d = *state;
    rec_sem_signal(&r, PID, 1, ref_mutex(A), LW_SEM_POSTED_UNHELD);
    assert_int_equal(lw_detector_feed(d, r.bytes, r.len), LW_ERR_BADREC);
    rec_sem_signal(&r, PID, 1, ref_sem(S), 0);
    assert_int_equal(lw_detector_feed(d, r.bytes, r.len), LW_ERR_BADREC);
    rec_sem_signal(&r, PID, 1, ref_sem(S), LW_SEM_INITIAL_VALUE + 1);
    assert_int_equal(lw_detector_feed(d, r.bytes, r.len), LW_ERR_BADREC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_undecided_sem_is_a_lock, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_two_sem_locks_abba, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_signal_after_edges, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_signal_before_edges, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_signal_is_per_generation, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_mutex_cycle_unaffected, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_sem_gate, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_signal_gate_excludes_nothing, setup,
                                        detector_teardown),
        cmocka_unit_test_setup_teardown(test_one_thread_sem_gate, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_one_thread_sem_gate_sems, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_one_thread_mutex_gate, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_mutex_gate_around_sem, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_signal_waiters_kept_as_few, setup, detector_teardown),
        cmocka_unit_test_setup_teardown(test_bad_sem_signal, setup, detector_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
