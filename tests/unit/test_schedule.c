/* test_schedule.c — the happens-before label from records (detector/core/schedule.c): THREAD
 * records with the creator's epoch, JOIN records matched to the joined thread by its pthread_t,
 * ACQUIRE records in their epochs, and the label and ordering at lw_detector_finish. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "lockwatch/graph.h"
#include "records.h"
#include "state.h"

#define PID 100
#define LOCK_A 0x1000
#define LOCK_B 0x2000
#define S_HOLD 0x11
#define S_TAKE 0x21
#define S_JOIN 0x31
#define S_CREATE 0x41
#define S_BARRIER 0x51
#define BARRIER 0x3000

static struct rec r;

static void feed(struct lw_detector *d)
{
    feed_ok(d, &r);
}

/* Thread `thread` starts, created by main in main's epoch `parent_epoch`, with pthread_t handle. */
static void start(struct lw_detector *d, uint32_t thread, uint32_t parent_epoch, uint64_t handle)
{
    rec_thread(&r, PID, thread, 0, S_CREATE + thread);
    rec_parent_epoch(&r, parent_epoch);
    feed(d);
    rec_watch(&r, PID, thread, handle);
    feed(d);
}

/* `thread` in `epoch` holds `held` and requests `lock`. */
static void take(struct lw_detector *d, uint32_t thread, uint32_t epoch, uint64_t held,
                 uint64_t lock)
{
    const struct lw_held h[] = {held_at(ref_mutex(held), S_HOLD)};
    rec_acquire(&r, PID, thread, ref_mutex(lock), S_TAKE, 1, h);
    rec_epoch(&r, epoch);
    feed(d);
}

static void end(struct lw_detector *d, uint32_t thread)
{
    rec_thread_exit(&r, PID, thread, 0);
    feed(d);
}

/* main joins `handle`; the join leaves main in epoch `epoch_after`. */
static void join(struct lw_detector *d, uint64_t handle, uint32_t epoch_after)
{
    rec_join(&r, PID, 0, handle, S_JOIN);
    rec_epoch(&r, epoch_after);
    feed(d);
}

static const struct lw_finding *the_inversion(struct lw_detector *d)
{
    assert_int_equal(lw_detector_finish(d), LW_OK);
    const struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nfindings, 1);
    assert_int_equal(rep->findings[0]->kind, LW_KIND_LOCK_ORDER_INVERSION);
    return rep->findings[0];
}

/* create T1, T1 takes A -> B, join T1, create T2, T2 takes B -> A: ordered by that join. */
static void test_join_then_create_is_ordered(void **state)
{
    (void)state;
    struct lw_detector *d = detector_with_process(PID);
    start(d, 1, 0, 0x1111);
    take(d, 1, 0, LOCK_A, LOCK_B);
    end(d, 1);
    join(d, 0x1111, 2);
    start(d, 2, 2, 0x2222);
    take(d, 2, 0, LOCK_B, LOCK_A);
    end(d, 2);
    const struct lw_finding *f = the_inversion(d);
    assert_int_equal(f->schedule, LW_SCHEDULE_ORDERED);
    assert_int_equal(f->nordered, 1);
    const struct lw_ordering *o = &f->ordered_by[0];
    assert_int_equal(o->first->number, 1);
    assert_int_equal(o->then->number, 2);
    assert_int_equal(o->nsteps, 2);
    assert_int_equal(o->steps[0].kind, LW_ORDER_JOINED);
    assert_int_equal(o->steps[0].from->number, 1);
    assert_int_equal(o->steps[0].to->number, 0);
    assert_non_null(o->steps[0].stack);
    assert_int_equal(o->steps[0].stack->id, S_JOIN);
    assert_int_equal(o->steps[1].kind, LW_ORDER_CREATED);
    assert_int_equal(o->steps[1].to->number, 2);
    assert_int_equal(o->steps[1].stack->id, S_CREATE + 2);
    lw_detector_free(d);
}

/* The same without the join: both threads may be alive at once. */
static void test_no_join_is_concurrent(void **state)
{
    (void)state;
    struct lw_detector *d = detector_with_process(PID);
    start(d, 1, 0, 0x1111);
    take(d, 1, 0, LOCK_A, LOCK_B);
    end(d, 1);
    start(d, 2, 1, 0x2222);
    take(d, 2, 0, LOCK_B, LOCK_A);
    const struct lw_finding *f = the_inversion(d);
    assert_int_equal(f->schedule, LW_SCHEDULE_CONCURRENT);
    assert_int_equal(f->nordered, 0);
    lw_detector_free(d);
}

/* `thread` left a round of BARRIER (of `count` threads) in epoch `epoch_after`. */
static void meet(struct lw_detector *d, uint32_t thread, uint32_t count, uint32_t epoch_after)
{
    rec_barrier(&r, PID, thread, BARRIER, count, S_BARRIER + thread);
    rec_epoch(&r, epoch_after);
    feed(d);
}

/* T1 takes A -> B, then T1 and T2 meet at a barrier of two, then T2 takes B -> A: ordered by the
 * barrier; with a barrier of three (a round these two cannot make alone) nothing is ordered. */
static void test_barrier_orders(void **state)
{
    (void)state;
    for (uint32_t count = 2; count <= 3; count++) {
        struct lw_detector *d = detector_with_process(PID);
        start(d, 1, 0, 0x1111);
        start(d, 2, 1, 0x2222);
        take(d, 1, 0, LOCK_A, LOCK_B);
        meet(d, 1, count, 1);
        meet(d, 2, count, 1);
        take(d, 2, 1, LOCK_B, LOCK_A);
        const struct lw_finding *f = the_inversion(d);
        if (count == 3) {
            assert_int_equal(f->schedule, LW_SCHEDULE_CONCURRENT);
            lw_detector_free(d);
            continue;
        }
        assert_int_equal(f->schedule, LW_SCHEDULE_ORDERED);
        assert_int_equal(f->nordered, 1);
        const struct lw_ordering *o = &f->ordered_by[0];
        assert_int_equal(o->first->number, 1);
        assert_int_equal(o->then->number, 2);
        assert_int_equal(o->nsteps, 1);
        assert_int_equal(o->steps[0].kind, LW_ORDER_BARRIER);
        assert_int_equal(o->steps[0].from->number, 1);
        assert_int_equal(o->steps[0].to->number, 2);
        assert_int_equal(o->steps[0].object, BARRIER);
        assert_non_null(o->steps[0].stack);
        assert_int_equal(o->steps[0].stack->id, S_BARRIER + 1);
        lw_detector_free(d);
    }
}

/* A semaphore event of `thread` in `epoch` (the header's meaning: wire.h lw_rec_sem). */
static void sem(struct lw_detector *d, uint32_t thread, uint32_t op, uint32_t value, uint32_t epoch)
{
    rec_sem(&r, PID, thread, 0x4000, op, value, 0x61 + op);
    rec_epoch(&r, epoch);
    feed(d);
}

/* T1 takes A -> B, posts; T2 waits, takes B -> A: concurrent, with a hand-over note. A second
 * poster (main, after T1 in record order: its post may really have come first and been the
 * one T2 took), a post before T1's edge, a semaphore initialised with a token, or one whose
 * sem_init was not seen: no note. */
static void test_semaphore_note(void **state)
{
    (void)state;
    for (int variant = 0; variant < 5; variant++) {
        struct lw_detector *d = detector_with_process(PID);
        if (variant != 4) sem(d, 0, LW_SEM_INIT, variant == 3 ? 1 : 0, 0);
        start(d, 1, 0, 0x1111);
        start(d, 2, 1, 0x2222);
        if (variant == 2) sem(d, 1, LW_SEM_POST, 0, 0);
        take(d, 1, 0, LOCK_A, LOCK_B);
        sem(d, 1, LW_SEM_POST, 0, 1); /* its edge ended epoch 0 there */
        if (variant == 1) sem(d, 0, LW_SEM_POST, 0, 2);
        sem(d, 2, LW_SEM_WAIT, 0, 0);
        take(d, 2, 0, LOCK_B, LOCK_A);
        const struct lw_finding *f = the_inversion(d);
        assert_int_equal(f->schedule, LW_SCHEDULE_CONCURRENT);
        if (variant != 0) {
            assert_int_equal(f->nordered, 0);
            lw_detector_free(d);
            continue;
        }
        assert_int_equal(f->nordered, 1);
        const struct lw_ordering *o = &f->ordered_by[0];
        assert_true(o->note);
        assert_int_equal(o->first->number, 1);
        assert_int_equal(o->then->number, 2);
        assert_int_equal(o->nsteps, 2);
        assert_int_equal(o->steps[0].kind, LW_ORDER_SEM_POST);
        assert_int_equal(o->steps[1].kind, LW_ORDER_SEM_WAIT);
        assert_int_equal(o->steps[0].object, 0x4000);
        lw_detector_free(d);
    }
}

/* A semaphore event at `addr` (sem() above is at 0x4000). */
static void sem_at(struct lw_detector *d, uint64_t addr, uint32_t thread, uint32_t op,
                   uint32_t value, uint32_t epoch)
{
    rec_sem(&r, PID, thread, addr, op, value, 0x61 + op);
    rec_epoch(&r, epoch);
    feed(d);
}

/* Semaphore lives re-made at one address (CPython's Condition makes a waiter per wait): a life
 * that cannot hand over (its one wait took its initial token) is forgotten when the next
 * sem_init replaces it, so 10,000 of them keep a few; one that can is kept in its place, and the
 * finding still gets its note from it. */
static void test_semaphore_lives_forgotten(void **state)
{
    (void)state;
    struct lw_detector *d = detector_with_process(PID);
    start(d, 1, 0, 0x1111);
    start(d, 2, 1, 0x2222);
    sem_at(d, 0x5000, 0, LW_SEM_INIT, 1, 0);
    sem(d, 0, LW_SEM_INIT, 0, 0);
    take(d, 1, 0, LOCK_A, LOCK_B);
    sem(d, 1, LW_SEM_POST, 0, 1);
    sem(d, 2, LW_SEM_WAIT, 0, 0);
    for (int i = 0; i < 10000; i++) {
        sem_at(d, 0x5000, 2, LW_SEM_POST, 0, 0);
        sem_at(d, 0x5000, 1, LW_SEM_WAIT, 0, 1);
        sem_at(d, 0x5000, 0, LW_SEM_INIT, 1, 0);
        if (i == 5000) sem(d, 0, LW_SEM_INIT, 0, 0); /* the life at 0x4000 ends, kept */
    }
    assert_true(d->nsems <= 64);
    take(d, 2, 0, LOCK_B, LOCK_A);
    const struct lw_finding *f = the_inversion(d);
    assert_int_equal(f->schedule, LW_SCHEDULE_CONCURRENT);
    assert_int_equal(f->nordered, 1);
    assert_true(f->ordered_by[0].note);
    assert_int_equal(f->ordered_by[0].steps[0].object, 0x4000);
    lw_detector_free(d);
}

/* A forked child (announced at time 10) takes A -> B; the parent's main thread waits for its end
 * (REAP at time 20, epoch 1) and takes B -> A: ordered by the wait. The same wait at time 5 (the
 * child with that pid announced itself after it: a reused pid) or at time 0 (no clock) orders
 * nothing, and neither does a wait for another pid. */
static void test_reap_orders(void **state)
{
    (void)state;
    const uint64_t reap_time[] = {20, 5, 0, 20};
    for (int variant = 0; variant < 4; variant++) {
        struct lw_detector *d = detector_with_process(PID);
        rec_process(&r, PID + 1, PID, LW_ORIGIN_FORK, "/bin/prog");
        rec_time(&r, 10);
        feed(d);
        /* process-shared locks: two processes' edges can meet at them */
        const struct lw_held ha[] = {held_at(ref_pshared(ref_mutex(LOCK_A)), S_HOLD)};
        rec_acquire(&r, PID + 1, 0, ref_pshared(ref_mutex(LOCK_B)), S_TAKE, 1, ha);
        feed(d);
        rec_reap(&r, PID, 0, variant == 3 ? PID + 2 : PID + 1, S_JOIN);
        rec_epoch(&r, 1);
        rec_time(&r, reap_time[variant]);
        feed(d);
        const struct lw_held hb[] = {held_at(ref_pshared(ref_mutex(LOCK_B)), S_HOLD)};
        rec_acquire(&r, PID, 0, ref_pshared(ref_mutex(LOCK_A)), S_TAKE, 1, hb);
        rec_epoch(&r, 1);
        feed(d);
        const struct lw_finding *f = the_inversion(d);
        if (variant != 0) {
            assert_int_equal(f->schedule, LW_SCHEDULE_CONCURRENT);
            lw_detector_free(d);
            continue;
        }
        assert_int_equal(f->schedule, LW_SCHEDULE_ORDERED);
        assert_int_equal(f->nordered, 1);
        const struct lw_ordering *o = &f->ordered_by[0];
        assert_int_equal(o->first->pid, PID + 1);
        assert_int_equal(o->then->pid, PID);
        assert_int_equal(o->nsteps, 1);
        assert_int_equal(o->steps[0].kind, LW_ORDER_REAPED);
        assert_int_equal(o->steps[0].stack->id, S_JOIN);
        lw_detector_free(d);
    }
}

/* Two ended, unjoined threads with the join's pthread_t (a handle reused before the old
 * thread's JOIN arrived): the join orders neither. */
static void test_ambiguous_handle_orders_nothing(void **state)
{
    (void)state;
    struct lw_detector *d = detector_with_process(PID);
    start(d, 1, 0, 0x1111);
    take(d, 1, 0, LOCK_A, LOCK_B);
    end(d, 1);
    start(d, 3, 1, 0x1111);
    end(d, 3);
    join(d, 0x1111, 3);
    start(d, 2, 3, 0x2222);
    take(d, 2, 0, LOCK_B, LOCK_A);
    const struct lw_finding *f = the_inversion(d);
    assert_int_equal(f->schedule, LW_SCHEDULE_CONCURRENT);
    lw_detector_free(d);
}

/* main takes A -> B before it creates T1 (epoch 0) and again after (epoch 1): the second use
 * overlaps T1's B -> A. */
static void test_use_after_create_is_concurrent(void **state)
{
    (void)state;
    struct lw_detector *d = detector_with_process(PID);
    take(d, 0, 0, LOCK_A, LOCK_B);
    start(d, 1, 0, 0x1111);
    take(d, 1, 0, LOCK_B, LOCK_A);
    end(d, 1);
    take(d, 0, 1, LOCK_A, LOCK_B);
    const struct lw_finding *f = the_inversion(d);
    assert_int_equal(f->schedule, LW_SCHEDULE_CONCURRENT);
    lw_detector_free(d);
}

/* Threads 1..66 each take A -> B and are joined one after another; thread 67 takes A -> B and
 * is not joined when thread 68 takes B -> A. The edge keeps the epochs of its two stored
 * instances' threads and of LW_GRAPH_OTHER_THREADS others (1..66), not 67's: every use it
 * knows is ordered before 68's, but the one it does not know closes the cycle concurrently. */
static void test_unknown_thread_is_never_ordered(void **state)
{
    (void)state;
    struct lw_detector *d = detector_with_process(PID);
    const uint32_t kept = 2 + LW_GRAPH_OTHER_THREADS;
    uint32_t epoch = 0;
    for (uint32_t t = 1; t <= kept; t++) {
        start(d, t, epoch++, 0x1000 + t);
        take(d, t, 0, LOCK_A, LOCK_B);
        end(d, t);
        join(d, 0x1000 + t, ++epoch);
    }
    start(d, kept + 1, epoch++, 0x1000 + kept + 1);
    take(d, kept + 1, 0, LOCK_A, LOCK_B);
    start(d, kept + 2, epoch++, 0x1000 + kept + 2);
    take(d, kept + 2, 0, LOCK_B, LOCK_A);
    const struct lw_finding *f = the_inversion(d);
    assert_int_not_equal(f->schedule, LW_SCHEDULE_ORDERED);
    assert_int_equal(f->schedule, LW_SCHEDULE_UNCHECKED);
    lw_detector_free(d);
}

/* The same with one thread fewer: the edge knows thread 66's use, so the label is exact. */
static void test_kept_thread_is_concurrent(void **state)
{
    (void)state;
    struct lw_detector *d = detector_with_process(PID);
    const uint32_t kept = 1 + LW_GRAPH_OTHER_THREADS;
    uint32_t epoch = 0;
    for (uint32_t t = 1; t <= kept; t++) {
        start(d, t, epoch++, 0x1000 + t);
        take(d, t, 0, LOCK_A, LOCK_B);
        end(d, t);
        join(d, 0x1000 + t, ++epoch);
    }
    start(d, kept + 1, epoch++, 0x1000 + kept + 1);
    take(d, kept + 1, 0, LOCK_A, LOCK_B);
    start(d, kept + 2, epoch++, 0x1000 + kept + 2);
    take(d, kept + 2, 0, LOCK_B, LOCK_A);
    assert_int_equal(the_inversion(d)->schedule, LW_SCHEDULE_CONCURRENT);
    lw_detector_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_then_create_is_ordered),
        cmocka_unit_test(test_barrier_orders),
        cmocka_unit_test(test_semaphore_note),
        cmocka_unit_test(test_reap_orders),
        cmocka_unit_test(test_no_join_is_concurrent),
        cmocka_unit_test(test_ambiguous_handle_orders_nothing),
        cmocka_unit_test(test_use_after_create_is_concurrent),
        cmocka_unit_test(test_unknown_thread_is_never_ordered),
        cmocka_unit_test(test_kept_thread_is_concurrent),
        cmocka_unit_test(test_semaphore_lives_forgotten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
