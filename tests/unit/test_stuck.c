/* test_stuck.c — deadlocks that are no cycle of the wait-for graph: a lock wait whose owner
 * ended holding the lock (only when its EXIT_HOLDING record named it; across processes only for
 * a process-shared lock), and a stuck run (lw_detector_stuck: every thread waits): one finding,
 * its waits in thread order with copies of their held locks, reported once, rejected without
 * threads or with one that does not wait; and the messages of both. Cycles: test_waitfor.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "records.h"

#define PID 200
#define CHILD 400 /* a forked child of PID; its tids (pid + thread) are apart from PID's */
#define A 0xa000
#define B 0xb000
#define C 0xc000
#define M 0x9000 /* a condition variable's mutex */
#define CV 0xe000
#define SEM 0xf000
#define H9 0x7f0000009000ull /* a pthread_t no WATCH record gave */

static struct rec r;

static int setup(void **state)
{
    *state = detector_with_process(PID);
    return 0;
}

static struct lw_report *rep(struct lw_detector *d)
{
    return lw_detector_report(d);
}

/* Thread `thread` of pid blocks on `lock` (stack 0x100 + thread) holding held[0..nheld), the
 * lock object naming owner_tid (0: none) as its owner. */
static void wait_for(struct lw_detector *d, int32_t pid, uint32_t thread, struct lw_lock_ref lock,
                     int32_t owner_tid, uint32_t nheld, const struct lw_held *held)
{
    rec_wait(&r, pid, thread, lock, 0x100 + thread, 0, nheld, held);
    rec_wait_owner(&r, owner_tid);
    feed_ok(d, &r);
}

static void wait_owned(struct lw_detector *d, int32_t pid, uint32_t thread, struct lw_lock_ref lock,
                       int32_t owner_tid)
{
    wait_for(d, pid, thread, lock, owner_tid, 0, NULL);
}

/* Thread `thread` of pid ends holding `lock`: its EXIT_HOLDING record, then THREAD_EXIT. */
static void exit_holding(struct lw_detector *d, int32_t pid, uint32_t thread,
                         struct lw_lock_ref lock)
{
    rec_misuse(&r, pid, thread, LW_MISUSE_EXIT_HOLDING, lock, 0x300 + thread, 0x200 + thread,
               thread, 0);
    feed_ok(d, &r);
    rec_thread_exit(&r, pid, thread, 1);
    feed_ok(d, &r);
}

/* A record of thread `thread` of pid, so that its tid is known. */
static void thread_start(struct lw_detector *d, int32_t pid, uint32_t thread)
{
    rec_thread(&r, pid, thread, 0, 0);
    feed_ok(d, &r);
}

static size_t deadlocks(struct lw_detector *d)
{
    size_t n = 0;
    for (size_t i = 0; i < rep(d)->nfindings; i++)
        n += rep(d)->findings[i]->kind == LW_KIND_DEADLOCK;
    return n;
}

/* --- a lock whose owner ended ------------------------------------------------------------- */

static void assert_ended_owner(struct lw_detector *d, int32_t owner_pid)
{
    assert_true(lw_detector_must_stop(d));
    const struct lw_finding *f = the_deadlock(d);
    assert_int_equal(f->nwaits, 1);
    assert_int_equal(f->nthreads, 2);
    assert_ptr_equal(f->threads[0], thread_numbered(d, PID, 2));
    assert_ptr_equal(f->threads[1], thread_numbered(d, owner_pid, 1));
    const struct lw_thread_wait *w = &f->waits[0];
    assert_ptr_equal(w->thread, thread_numbered(d, PID, 2));
    assert_ptr_equal(w->waits_for, thread_numbered(d, owner_pid, 1));
    assert_true(w->holder_ended);
    assert_int_equal(f->nlocks, 1);
    assert_int_equal(f->locks[0]->addr, A);
    char buf[256];
    lw_finding_message(f, false, buf, sizeof buf);
    assert_non_null(strstr(buf, "still held when it ended"));
}

static void test_wait_for_lock_whose_owner_ended_holding_it_deadlocks(void **state)
{
    struct lw_detector *d = *state;
    exit_holding(d, PID, 1, ref_mutex(A));
    assert_false(lw_detector_must_stop(d));
    wait_owned(d, PID, 2, ref_mutex(A), tid_of(PID, 1));
    assert_ended_owner(d, PID);
}

static void test_owner_ending_holding_lock_after_wait_began_deadlocks(void **state)
{
    struct lw_detector *d = *state;
    thread_start(d, PID, 1);
    wait_owned(d, PID, 2, ref_mutex(A), tid_of(PID, 1));
    assert_int_equal(deadlocks(d), 0);
    exit_holding(d, PID, 1, ref_mutex(A));
    assert_ended_owner(d, PID);
}

/* The owner a waiter read may have unlocked since: without its EXIT_HOLDING record, its end
 * says nothing about the lock. */
static void test_owner_that_released_lock_before_ending_is_no_deadlock(void **state)
{
    struct lw_detector *d = *state;
    thread_start(d, PID, 1);
    rec_thread_exit(&r, PID, 1, 0);
    feed_ok(d, &r);
    wait_owned(d, PID, 2, ref_mutex(A), tid_of(PID, 1)); /* wait after the end */
    thread_start(d, PID, 3);
    wait_owned(d, PID, 4, ref_mutex(B), tid_of(PID, 3)); /* end after the wait */
    rec_thread_exit(&r, PID, 3, 0);
    feed_ok(d, &r);
    assert_int_equal(deadlocks(d), 0);
    assert_false(lw_detector_must_stop(d));
}

/* Another lock's EXIT_HOLDING says nothing about A either. */
static void test_owner_that_ended_holding_another_lock_is_no_deadlock(void **state)
{
    struct lw_detector *d = *state;
    exit_holding(d, PID, 1, ref_mutex(B));
    wait_owned(d, PID, 2, ref_mutex(A), tid_of(PID, 1));
    assert_int_equal(deadlocks(d), 0);
    assert_false(lw_detector_must_stop(d));
}

/* A forked child's thread ends holding a process-shared mutex its parent's thread waits for:
 * the owner a process-shared lock names may be in another process (as for cycles). */
static void test_pshared_lock_whose_owner_ended_in_another_process_deadlocks(void **state)
{
    struct lw_detector *d = *state;
    fork_process(d, CHILD, PID);
    exit_holding(d, CHILD, 1, ref_pshared(ref_mutex(A)));
    wait_owned(d, PID, 2, ref_pshared(ref_mutex(A)), tid_of(CHILD, 1));
    assert_ended_owner(d, CHILD);
}

static void test_pshared_owner_ending_in_another_process_after_wait_deadlocks(void **state)
{
    struct lw_detector *d = *state;
    fork_process(d, CHILD, PID);
    thread_start(d, CHILD, 1);
    wait_owned(d, PID, 2, ref_pshared(ref_mutex(A)), tid_of(CHILD, 1));
    exit_holding(d, CHILD, 1, ref_pshared(ref_mutex(A)));
    assert_ended_owner(d, CHILD);
}

/* A private mutex of a forked child is another object at the same address. */
static void test_private_lock_ended_in_another_process_is_no_deadlock(void **state)
{
    struct lw_detector *d = *state;
    fork_process(d, CHILD, PID);
    exit_holding(d, CHILD, 1, ref_mutex(A));
    wait_owned(d, PID, 2, ref_mutex(A), tid_of(CHILD, 1));
    thread_start(d, CHILD, 3);
    wait_owned(d, PID, 4, ref_mutex(A), tid_of(CHILD, 3));
    exit_holding(d, CHILD, 3, ref_mutex(A));
    assert_int_equal(deadlocks(d), 0);
    assert_false(lw_detector_must_stop(d));
}

/* --- stuck runs --------------------------------------------------------------------------- */

/* T3 holds A and waits on CV (whose mutex is M); T1 waits on SEM; T2 holds B and waits for A.
 * Nothing closes a cycle: any thread might post the semaphore or signal the condition. */
static void three_waiting(struct lw_detector *d)
{
    const uint64_t pc = 0x5003;
    const struct lw_held ha[] = {held_at(ref_mutex(A), 0x203)},
                         hb[] = {held_at(ref_mutex(B), 0x202)};
    const struct lw_board_wait cond = {.pid = PID,
                                       .thread = 3,
                                       .kind = LW_WAIT_COND,
                                       .object = CV,
                                       .lock = ref_mutex(M),
                                       .pcs = &pc,
                                       .npcs = 1,
                                       .held = ha,
                                       .nheld = 1};
    assert_int_equal(lw_detector_board_wait(d, &cond), LW_OK);
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_SEM, SEM, 0, NULL), LW_OK);
    wait_for(d, PID, 2, ref_mutex(A), 0, 1, hb);
    assert_int_equal(rep(d)->nfindings, 0);
}

/* The threads as the driver might list them: not in number order. */
static int stuck(struct lw_detector *d)
{
    struct lw_thread *const ts[] = {thread_numbered(d, PID, 3), thread_numbered(d, PID, 1),
                                    thread_numbered(d, PID, 2)};
    return lw_detector_stuck(d, ts, 3);
}

static void test_stuck_run_is_one_finding_with_waits_in_thread_order(void **state)
{
    struct lw_detector *d = *state;
    three_waiting(d);
    assert_false(lw_detector_must_stop(d));
    assert_int_equal(stuck(d), LW_OK);
    assert_true(lw_detector_must_stop(d));
    assert_int_equal(rep(d)->nfindings, 1);
    const struct lw_finding *f = rep(d)->findings[0];
    assert_int_equal(f->kind, LW_KIND_DEADLOCK);
    assert_true(f->stuck);
    assert_false(f->inversion);
    assert_int_equal(f->pid, PID);
    assert_int_equal(f->ncycle, 0);
    assert_int_equal(f->nwaits, 3);
    assert_int_equal(f->nthreads, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(f->waits[i].thread->number, i + 1);
        assert_ptr_equal(f->threads[i], f->waits[i].thread);
    }
    const struct lw_thread_wait *sem = &f->waits[0], *lock = &f->waits[1], *cond = &f->waits[2];
    assert_int_equal(sem->kind, LW_WAIT_SEM);
    assert_int_equal(sem->object, SEM);
    assert_null(sem->waits_for); /* anyone may post it */
    assert_int_equal(sem->nheld, 0);
    assert_null(sem->held);
    assert_int_equal(lock->kind, LW_WAIT_LOCK);
    assert_int_equal(lock->lock->addr, A);
    assert_ptr_equal(lock->waits_for, thread_numbered(d, PID, 3));
    assert_false(lock->holder_ended);
    assert_int_equal(lock->nheld, 1);
    assert_int_equal(lock->held[0].lock->addr, B);
    assert_int_equal(lock->held[0].stack->id, 0x202);
    assert_int_equal(cond->kind, LW_WAIT_COND);
    assert_int_equal(cond->object, CV);
    assert_int_equal(cond->lock->addr, M);
    assert_false(cond->condwait);
    assert_null(cond->waits_for);
    assert_int_equal(cond->nheld, 1);
    assert_int_equal(cond->held[0].lock->addr, A);
    assert_int_equal(cond->held[0].mode, LW_MODE_EXCLUSIVE);
    assert_int_equal(cond->held[0].stack->id, 0x203);
    /* The locks waited for: A; not the condition's mutex, which T3 does not wait for. */
    assert_int_equal(f->nlocks, 1);
    assert_int_equal(f->locks[0]->addr, A);
}

/* The finding keeps what each thread held then, whatever the threads do next. */
static void test_stuck_finding_keeps_copies_of_held_locks(void **state)
{
    struct lw_detector *d = *state;
    three_waiting(d);
    assert_int_equal(stuck(d), LW_OK);
    const struct lw_finding *f = rep(d)->findings[0];
    lw_detector_board_wait_end(d, PID, 3);
    const struct lw_held hc[] = {held_at(ref_mutex(C), 0x303), held_at(ref_mutex(B), 0x304)};
    assert_int_equal(board_wait(d, PID, 3, LW_WAIT_SEM, SEM, 2, hc), LW_OK);
    rec_wait_end(&r, PID, 2, ref_mutex(A));
    feed_ok(d, &r);
    assert_int_equal(f->waits[2].kind, LW_WAIT_COND);
    assert_int_equal(f->waits[2].nheld, 1);
    assert_int_equal(f->waits[2].held[0].lock->addr, A);
    assert_int_equal(f->waits[1].held[0].lock->addr, B);
}

static void test_stuck_twice_adds_nothing(void **state)
{
    struct lw_detector *d = *state;
    three_waiting(d);
    assert_int_equal(stuck(d), LW_OK);
    assert_int_equal(stuck(d), LW_OK);
    struct lw_thread *const ordered[] = {thread_numbered(d, PID, 1), thread_numbered(d, PID, 2),
                                         thread_numbered(d, PID, 3)};
    assert_int_equal(lw_detector_stuck(d, ordered, 3), LW_OK);
    assert_int_equal(rep(d)->nfindings, 1);
}

static void test_stuck_with_thread_that_does_not_wait_is_rejected(void **state)
{
    struct lw_detector *d = *state;
    three_waiting(d);
    thread_start(d, PID, 4); /* running */
    struct lw_thread *const four[] = {thread_numbered(d, PID, 1), thread_numbered(d, PID, 2),
                                      thread_numbered(d, PID, 3), thread_numbered(d, PID, 4)};
    assert_int_equal(lw_detector_stuck(d, four, 4), LW_ERR_BADREC);
    /* A wait that ended, from a WAIT record or the board, is no wait either. */
    rec_wait_end(&r, PID, 2, ref_mutex(A));
    feed_ok(d, &r);
    assert_int_equal(stuck(d), LW_ERR_BADREC);
    wait_for(d, PID, 2, ref_mutex(A), 0, 0, NULL);
    lw_detector_board_wait_end(d, PID, 1);
    assert_int_equal(stuck(d), LW_ERR_BADREC);
    assert_int_equal(rep(d)->nfindings, 0);
    assert_false(lw_detector_must_stop(d));
}

static void test_stuck_without_threads_is_rejected(void **state)
{
    struct lw_detector *d = *state;
    three_waiting(d);
    struct lw_thread *const one[] = {thread_numbered(d, PID, 1)};
    assert_int_equal(lw_detector_stuck(d, one, 0), LW_ERR_BADREC);
    assert_int_equal(rep(d)->nfindings, 0);
    assert_false(lw_detector_must_stop(d));
}

/* A stuck run of a parent and its forked child: the parent's threads first, and the finding is
 * the parent's even when the driver lists the child's thread first. */
static void test_stuck_across_processes_orders_by_process_then_number(void **state)
{
    struct lw_detector *d = *state;
    fork_process(d, CHILD, PID);
    assert_int_equal(board_wait(d, CHILD, 0, LW_WAIT_SEM, SEM, 0, NULL), LW_OK);
    assert_int_equal(board_wait(d, PID, 2, LW_WAIT_SEM, SEM, 0, NULL), LW_OK);
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_CHILD, CHILD, 0, NULL), LW_OK);
    struct lw_thread *const ts[] = {thread_numbered(d, CHILD, 0), thread_numbered(d, PID, 2),
                                    thread_numbered(d, PID, 1)};
    assert_int_equal(lw_detector_stuck(d, ts, 3), LW_OK);
    const struct lw_finding *f = the_deadlock(d);
    assert_int_equal(f->pid, PID);
    assert_ptr_equal(f->waits[0].thread, ts[2]);
    assert_ptr_equal(f->waits[1].thread, ts[1]);
    assert_ptr_equal(f->waits[2].thread, ts[0]);
}

/* --- messages ----------------------------------------------------------------------------- */

static void test_stuck_message_says_what_each_thread_waits_for(void **state)
{
    struct lw_detector *d = *state;
    three_waiting(d);
    assert_int_equal(stuck(d), LW_OK);
    char buf[512];
    size_t n = lw_finding_message(rep(d)->findings[0], false, buf, sizeof buf);
    assert_int_equal(n, strlen(buf));
    /* Locks are numbered as first seen: M1 the mutex, M2 = A, M3 = B. */
    assert_string_equal(buf, "every thread waits and none can wake another: "
                             "T1 waits on semaphore 0xf000; "
                             "T2 holds M3 and waits for M2, held by T3; "
                             "T3 holds M2 and waits on condition variable 0xe000");
}

static void test_stuck_message_counts_threads_past_the_fourth(void **state)
{
    struct lw_detector *d = *state;
    struct lw_thread *ts[6];
    for (uint32_t i = 0; i < 6; i++) {
        assert_int_equal(board_wait(d, PID, i + 1, LW_WAIT_SEM, SEM, 0, NULL), LW_OK);
        ts[i] = thread_numbered(d, PID, i + 1);
    }
    assert_int_equal(lw_detector_stuck(d, ts, 6), LW_OK);
    char buf[512];
    lw_finding_message(rep(d)->findings[0], false, buf, sizeof buf);
    const char *prefix = "every thread waits and none can wake another: T1 waits on semaphore";
    assert_memory_equal(buf, prefix, strlen(prefix));
    assert_non_null(strstr(buf, "T4 waits on semaphore 0xf000; 2 more threads wait"));
    assert_null(strstr(buf, "T5"));
}

/* A join of a thread that sent no WATCH record names no thread. */
static void test_join_of_unseen_thread_says_so(void **state)
{
    struct lw_detector *d = *state;
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_JOIN, H9, 0, NULL), LW_OK);
    struct lw_thread *const one[] = {thread_numbered(d, PID, 1)};
    assert_int_equal(lw_detector_stuck(d, one, 1), LW_OK);
    const struct lw_finding *f = the_deadlock(d);
    assert_null(f->waits[0].waits_for);
    char buf[128];
    lw_wait_phrase(f, &f->waits[0], false, buf, sizeof buf);
    assert_string_equal(buf, "joins a thread lockwatch did not see start");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, detector_teardown)
    const struct CMUnitTest tests[] = {
        T(test_wait_for_lock_whose_owner_ended_holding_it_deadlocks),
        T(test_owner_ending_holding_lock_after_wait_began_deadlocks),
        T(test_owner_that_released_lock_before_ending_is_no_deadlock),
        T(test_owner_that_ended_holding_another_lock_is_no_deadlock),
        T(test_pshared_lock_whose_owner_ended_in_another_process_deadlocks),
        T(test_pshared_owner_ending_in_another_process_after_wait_deadlocks),
        T(test_private_lock_ended_in_another_process_is_no_deadlock),
        T(test_stuck_run_is_one_finding_with_waits_in_thread_order),
        T(test_stuck_finding_keeps_copies_of_held_locks),
        T(test_stuck_twice_adds_nothing),
        T(test_stuck_with_thread_that_does_not_wait_is_rejected),
        T(test_stuck_without_threads_is_rejected),
        T(test_stuck_across_processes_orders_by_process_then_number),
        T(test_stuck_message_says_what_each_thread_waits_for),
        T(test_stuck_message_counts_threads_past_the_fourth),
        T(test_join_of_unseen_thread_says_so),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
