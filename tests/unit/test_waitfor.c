/* test_waitfor.c — real deadlocks as cycles of the wait-for graph, from WAIT records and board
 * waits: what breaks them (wait end, thread exit, timed waits, two readers, separate processes)
 * and must_stop; each kind of edge (a held lock, the owner a lock object names, a writer queued
 * on a writer-preferring rwlock, a join by pthread_t); board waits that make no edge, their end,
 * bad kinds and better stacks; a condition wait re-taking its mutex; the merge of a deadlock into
 * its lock-order inversion; the cycle's rotation and pid whatever the arrival order. Deadlocks
 * that are no cycle (an ended owner, a stuck run): test_stuck.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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
#define D 0xd000
#define CV 0xe000 /* a condition variable */
#define SEM 0xf000
#define BAR 0xf800           /* a barrier */
#define H2 0x7f0000002000ull /* thread 2's pthread_t */
#define H3 0x7f0000003000ull
/* Tids are pid + thread number (records.c): these pids keep their threads' tids apart. */
#define PID2 300  /* an exec'd program of another image */
#define CHILD 400 /* a forked child of PID */

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

/* Thread `thread` of pid blocks on `lock` (stack 0x100 + thread) holding nothing, the lock
 * object naming owner_tid (0: none) as its owner. */
static void wait_owned(struct lw_detector *d, int32_t pid, uint32_t thread, struct lw_lock_ref lock,
                       int32_t owner_tid)
{
    rec_wait(&r, pid, thread, lock, 0x100 + thread, 0, 0, NULL);
    rec_wait_owner(&r, owner_tid);
    feed_ok(d, &r);
}

static void watch(struct lw_detector *d, int32_t pid, uint32_t thread, uint64_t handle)
{
    rec_watch(&r, pid, thread, handle);
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

/* --- join edges --------------------------------------------------------------------------- */

static const struct lw_held held_a[] = {
    {.lock = {.addr = A, .type = LW_LOCK_MUTEX}, .stack = 0x201}};

/* T1 holds A and joins T2 (handle from T2's WATCH record); T2 waits for A. */
static void test_join_of_thread_waiting_for_joiners_lock_deadlocks(void **state)
{
    struct lw_detector *d = *state;
    watch(d, PID, 2, H2);
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_JOIN, H2, 1, held_a), LW_OK);
    assert_int_equal(rep(d)->nfindings, 0);
    wait_owned(d, PID, 2, ref_mutex(A), 0);
    assert_true(lw_detector_must_stop(d));
    assert_int_equal(rep(d)->nfindings, 1);
    const struct lw_finding *f = rep(d)->findings[0];
    assert_int_equal(f->kind, LW_KIND_DEADLOCK);
    assert_false(f->inversion);
    assert_false(f->stuck);
    assert_int_equal(f->ncycle, 0); /* a join is no lock edge */
    assert_int_equal(f->nwaits, 2);
    const struct lw_thread_wait *joiner = wait_in(f, PID, 1), *waiter = wait_in(f, PID, 2);
    assert_int_equal(joiner->kind, LW_WAIT_JOIN);
    assert_int_equal(joiner->object, H2);
    assert_ptr_equal(joiner->waits_for, thread_numbered(d, PID, 2));
    assert_int_equal(joiner->nheld, 1);
    assert_int_equal(joiner->held[0].lock->addr, A);
    assert_int_equal(waiter->kind, LW_WAIT_LOCK);
    assert_int_equal(waiter->lock->addr, A);
    assert_ptr_equal(waiter->waits_for, thread_numbered(d, PID, 1));
    assert_false(waiter->holder_ended);
    assert_int_equal(f->nlocks, 1);
    assert_int_equal(f->locks[0]->addr, A);
    char buf[64];
    lw_wait_phrase(f, joiner, false, buf, sizeof buf);
    assert_string_equal(buf, "joins T2");
}

static void test_join_cycle_found_when_join_comes_last(void **state)
{
    struct lw_detector *d = *state;
    watch(d, PID, 2, H2);
    wait_owned(d, PID, 2, ref_mutex(A), 0);
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_JOIN, H2, 1, held_a), LW_OK);
    assert_true(lw_detector_must_stop(d));
    assert_int_equal(the_deadlock(d)->nwaits, 2);
}

static void test_join_without_watch_handle_makes_no_edge(void **state)
{
    struct lw_detector *d = *state;
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_JOIN, H2, 1, held_a), LW_OK);
    wait_owned(d, PID, 2, ref_mutex(A), 0);
    assert_int_equal(rep(d)->nfindings, 0);
    assert_false(lw_detector_must_stop(d));
}

static void test_join_of_another_handle_makes_no_edge(void **state)
{
    struct lw_detector *d = *state;
    watch(d, PID, 2, H2);
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_JOIN, H3, 1, held_a), LW_OK);
    wait_owned(d, PID, 2, ref_mutex(A), 0);
    assert_int_equal(rep(d)->nfindings, 0);
}

/* A forked child has the same addresses, so its thread may have the joined handle: a join still
 * names a thread of the joiner's own process. The lock is process-shared so that the other edge
 * (the child's thread waits for the lock T1 holds) exists either way. */
static void test_join_never_matches_thread_of_another_process(void **state)
{
    struct lw_detector *d = *state;
    fork_process(d, CHILD, PID);
    const struct lw_held sa[] = {held_at(ref_pshared(ref_mutex(A)), 0x201)};
    watch(d, CHILD, 2, H2);
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_JOIN, H2, 1, sa), LW_OK);
    wait_owned(d, CHILD, 2, ref_pshared(ref_mutex(A)), 0);
    assert_int_equal(rep(d)->nfindings, 0);
    /* The same handle in the joiner's process does close the cycle. */
    watch(d, PID, 2, H2);
    wait_owned(d, PID, 2, ref_pshared(ref_mutex(A)), 0);
    const struct lw_finding *f = the_deadlock(d);
    assert_ptr_equal(wait_in(f, PID, 1)->waits_for, thread_numbered(d, PID, 2));
}

/* --- owner-tid edges ---------------------------------------------------------------------- */

/* T2's WAIT record carries only its most recent held locks (held_total > nheld), none of them
 * B, but B's lock object names T2: the owner closes the cycle. */
static void test_owner_tid_closes_cycle_when_held_list_is_cut_short(void **state)
{
    struct lw_detector *d = *state;
    const struct lw_held h[] = {held_at(ref_mutex(A), 0x201)};
    rec_wait(&r, PID, 1, ref_mutex(B), 0x101, 0, 1, h);
    rec_wait_owner(&r, tid_of(PID, 2));
    feed_ok(d, &r);
    const struct lw_held c[] = {held_at(ref_mutex(C), 0x202)};
    rec_wait(&r, PID, 2, ref_mutex(A), 0x102, 0, 1, c);
    rec_wait_held_total(&r, 40);
    feed_ok(d, &r);
    assert_true(lw_detector_must_stop(d));
    const struct lw_finding *f = the_deadlock(d);
    assert_int_equal(f->nwaits, 2);
    assert_int_equal(f->ncycle, 0); /* one link is no held lock: no lock-order edges */
    assert_ptr_equal(wait_in(f, PID, 1)->waits_for, thread_numbered(d, PID, 2));
    assert_ptr_equal(wait_in(f, PID, 2)->waits_for, thread_numbered(d, PID, 1));
}

/* The owner B's object named when T1 began to wait let go of B since (T3 took it): T2's whole
 * held list lacks B, so T2 does not keep T1 waiting, and T1 -> T2 -> T1 is no cycle. */
static void test_stale_owner_tid_makes_no_edge(void **state)
{
    struct lw_detector *d = *state;
    const struct lw_held h[] = {held_at(ref_mutex(A), 0x201)};
    rec_wait(&r, PID, 1, ref_mutex(B), 0x101, 0, 1, h);
    rec_wait_owner(&r, tid_of(PID, 2));
    feed_ok(d, &r);
    wait_owned(d, PID, 2, ref_mutex(A), tid_of(PID, 1));
    assert_false(lw_detector_must_stop(d));
    assert_int_equal(rep(d)->nfindings, 0);
}

/* Two programs of different images share two process-shared mutexes; each names the other's
 * thread as owner of the one it waits for. other_first: PID2's wait arrives first. */
static void owner_in_other_image(struct lw_detector *d, uint8_t flags, bool other_first)
{
    rec_process(&r, PID2, 1, LW_ORIGIN_EXEC, "/bin/other");
    feed_ok(d, &r);
    struct lw_lock_ref a = ref_mutex(A), b = ref_mutex(B);
    a.flags = b.flags = flags;
    const struct lw_held ha[] = {held_at(a, 0x201)}, hb[] = {held_at(b, 0x201)};
    for (int i = 0; i < 2; i++) {
        if ((i == 0) != other_first) {
            rec_wait(&r, PID, 1, b, 0x101, 0, 1, ha);
            rec_wait_owner(&r, tid_of(PID2, 1));
        } else {
            rec_wait(&r, PID2, 1, a, 0x101, 0, 1, hb);
            rec_wait_owner(&r, tid_of(PID, 1));
        }
        feed_ok(d, &r);
    }
}

static void test_pshared_lock_owner_may_be_in_another_process(void **state)
{
    struct lw_detector *d = *state;
    owner_in_other_image(d, LW_LOCKF_PSHARED, false);
    assert_true(lw_detector_must_stop(d));
    const struct lw_finding *f = the_deadlock(d);
    assert_int_equal(f->nwaits, 2);
    assert_ptr_equal(wait_in(f, PID, 1)->waits_for, thread_numbered(d, PID2, 1));
    assert_ptr_equal(wait_in(f, PID2, 1)->waits_for, thread_numbered(d, PID, 1));
    assert_true(lw_report_multi_process(rep(d)));
}

static void test_private_lock_owner_is_never_in_another_process(void **state)
{
    struct lw_detector *d = *state;
    owner_in_other_image(d, 0, false);
    assert_int_equal(rep(d)->nfindings, 0);
    assert_false(lw_detector_must_stop(d));
}

/* --- writer preference -------------------------------------------------------------------- */

/* T1 holds R for reading and asks for it again; T2 queues as writer behind T1's read hold. */
static void reader_behind_writer(struct lw_detector *d, uint8_t flags)
{
    const struct lw_held h[] = {held_at(ref_rwlock(C, LW_MODE_SHARED, flags), 0x201)};
    rec_wait(&r, PID, 1, ref_rwlock(C, LW_MODE_SHARED, flags), 0x101, 0, 1, h);
    feed_ok(d, &r);
    wait_owned(d, PID, 2, ref_rwlock(C, LW_MODE_EXCLUSIVE, flags), 0);
}

static void test_reader_behind_queued_writer_deadlocks_on_writer_preferring_rwlock(void **state)
{
    struct lw_detector *d = *state;
    reader_behind_writer(d, LW_LOCKF_WRITER_PREF);
    assert_true(lw_detector_must_stop(d));
    const struct lw_finding *f = the_deadlock(d);
    assert_int_equal(f->nwaits, 2);
    const struct lw_thread_wait *reader = wait_in(f, PID, 1), *writer = wait_in(f, PID, 2);
    assert_ptr_equal(reader->waits_for, thread_numbered(d, PID, 2)); /* the queued writer */
    assert_int_equal(reader->mode, LW_MODE_SHARED);
    assert_ptr_equal(writer->waits_for, thread_numbered(d, PID, 1)); /* the read holder */
    assert_int_equal(writer->mode, LW_MODE_EXCLUSIVE);
    char buf[128];
    lw_wait_phrase(f, reader, false, buf, sizeof buf);
    assert_string_equal(buf, "waits for M1 (read) behind T2, a writer queued for it");
}

static void test_reader_passes_queued_writer_on_reader_preferring_rwlock(void **state)
{
    struct lw_detector *d = *state;
    reader_behind_writer(d, 0);
    assert_int_equal(rep(d)->nfindings, 0);
    assert_false(lw_detector_must_stop(d));
}

/* --- board waits -------------------------------------------------------------------------- */

/* Any thread may post a semaphore or signal a condition: only a stuck run (test_stuck.c) makes
 * such waits a deadlock, however many threads are blocked. */
static void test_condition_semaphore_and_barrier_waits_make_no_edge(void **state)
{
    struct lw_detector *d = *state;
    const struct lw_held ha[] = {held_at(ref_mutex(A), 1)}, hb[] = {held_at(ref_mutex(B), 2)},
                         hc[] = {held_at(ref_mutex(C), 3)};
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_COND, CV, 1, ha), LW_OK);
    assert_int_equal(board_wait(d, PID, 2, LW_WAIT_SEM, SEM, 1, hb), LW_OK);
    assert_int_equal(board_wait(d, PID, 3, LW_WAIT_BARRIER, BAR, 1, hc), LW_OK);
    wait_on(d, PID, 4, ref_mutex(A), ref_mutex(D));
    wait_on(d, PID, 5, ref_mutex(B), ref_mutex(D + 8));
    wait_on(d, PID, 6, ref_mutex(C), ref_mutex(D + 16));
    assert_int_equal(rep(d)->nfindings, 0);
    assert_false(lw_detector_must_stop(d));
}

static void test_board_wait_end_removes_only_a_board_wait(void **state)
{
    struct lw_detector *d = *state;
    watch(d, PID, 2, H2);
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_JOIN, H2, 1, held_a), LW_OK);
    lw_detector_board_wait_end(d, PID, 1);
    wait_owned(d, PID, 2, ref_mutex(A), 0);
    assert_int_equal(rep(d)->nfindings, 0);
    /* T2's wait came in a WAIT record: only its WAIT_END ends it. */
    lw_detector_board_wait_end(d, PID, 2);
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_JOIN, H2, 1, held_a), LW_OK);
    assert_int_equal(the_deadlock(d)->nwaits, 2);
}

/* T1 was woken in its condition wait on CV and now waits to re-take M, held by T2, while holding
 * A, which T2 waits for. */
static void test_condition_wait_retaking_its_mutex_is_a_lock_wait(void **state)
{
    struct lw_detector *d = *state;
    const uint64_t pc = 0x5001;
    const struct lw_board_wait bw = {.pid = PID,
                                     .thread = 1,
                                     .kind = LW_WAIT_COND,
                                     .object = CV,
                                     .lock = ref_mutex(B),
                                     .pcs = &pc,
                                     .npcs = 1,
                                     .held = held_a,
                                     .nheld = 1,
                                     .reacquiring = true,
                                     .owner_tid = tid_of(PID, 2)};
    assert_int_equal(lw_detector_board_wait(d, &bw), LW_OK);
    wait_on(d, PID, 2, ref_mutex(A), ref_mutex(B));
    assert_true(lw_detector_must_stop(d));
    const struct lw_finding *f = the_deadlock(d);
    assert_int_equal(f->nwaits, 2);
    assert_int_equal(f->ncycle, 2); /* each holds what the other waits for */
    const struct lw_thread_wait *w = wait_in(f, PID, 1);
    assert_int_equal(w->kind, LW_WAIT_LOCK);
    assert_true(w->condwait);
    assert_int_equal(w->lock->addr, B);
    assert_int_equal(w->object, CV);
    assert_ptr_equal(w->waits_for, thread_numbered(d, PID, 2));
    assert_false(wait_in(f, PID, 2)->condwait);
    char buf[128];
    lw_wait_phrase(f, w, false, buf, sizeof buf);
    assert_string_equal(buf, "waits for M1 to return from its wait on condition variable 0xe000, "
                             "held by T2");
}

/* A condition wait that was not woken waits for a signal, not for its mutex. */
static void test_condition_wait_not_retaking_makes_no_edge(void **state)
{
    struct lw_detector *d = *state;
    const struct lw_board_wait bw = {.pid = PID,
                                     .thread = 1,
                                     .kind = LW_WAIT_COND,
                                     .object = CV,
                                     .lock = ref_mutex(B),
                                     .held = held_a,
                                     .nheld = 1,
                                     .owner_tid = tid_of(PID, 2)};
    assert_int_equal(lw_detector_board_wait(d, &bw), LW_OK);
    wait_on(d, PID, 2, ref_mutex(A), ref_mutex(B));
    assert_int_equal(rep(d)->nfindings, 0);
}

static void test_board_wait_rejects_kinds_that_are_not_board_waits(void **state)
{
    struct lw_detector *d = *state;
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_NONE, 0, 0, NULL), LW_ERR_BADREC);
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_LOCK, A, 0, NULL), LW_ERR_BADREC);
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_KIND_MAX + 1, H2, 0, NULL), LW_ERR_BADREC);
    assert_int_equal(board_wait(d, PID, 1, UINT32_MAX, H2, 0, NULL), LW_ERR_BADREC);
    /* Nothing was recorded: no board wait to give a stack to. */
    const uint64_t pc = 1;
    assert_int_equal(lw_detector_board_wait_stack(d, PID, 1, &pc, 1), LW_ERR_BADREC);
    assert_int_equal(rep(d)->nfindings, 0);
}

/* The driver names threads that records made: an unknown pid is rejected (detector.h), and no
 * call on the board makes a process or thread of the report. */
static void test_board_calls_on_unknown_process_or_thread_change_nothing(void **state)
{
    struct lw_detector *d = *state;
    const uint64_t pc = 1;
    assert_int_equal(board_wait(d, PID + 99, 1, LW_WAIT_SEM, SEM, 0, NULL), LW_ERR_BADREC);
    lw_detector_board_wait_end(d, PID + 98, 1);
    lw_detector_board_wait_end(d, PID, 7);
    assert_int_equal(lw_detector_board_wait_stack(d, PID + 97, 1, &pc, 1), LW_ERR_BADREC);
    assert_int_equal(lw_detector_board_wait_stack(d, PID, 8, &pc, 1), LW_ERR_BADREC);
    assert_int_equal(rep(d)->nprocesses, 1);
    assert_int_equal(rep(d)->nthreads, 0);
}

static void test_board_wait_stack_replaces_frames_in_existing_finding(void **state)
{
    struct lw_detector *d = *state;
    watch(d, PID, 2, H2);
    assert_int_equal(board_wait(d, PID, 1, LW_WAIT_JOIN, H2, 1, held_a), LW_OK);
    wait_owned(d, PID, 2, ref_mutex(A), 0);
    const struct lw_finding *f = the_deadlock(d);
    const struct lw_thread_wait *w = wait_in(f, PID, 1);
    assert_non_null(w->stack);
    assert_int_equal(w->stack->nframes, 1);
    assert_int_equal(w->stack->frames[0].pc, 0x5001);
    const uint64_t pcs[] = {0x401234, 0x401500, 0x401800};
    assert_int_equal(lw_detector_board_wait_stack(d, PID, 1, pcs, 3), LW_OK);
    assert_int_equal(w->stack->nframes, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(w->stack->frames[i].pc, pcs[i]);
    size_t k = 0; /* the labelled stack is the same one */
    while (k < f->nstacks && strcmp(f->stacks[k].label, "joins here") != 0)
        k++;
    assert_true(k < f->nstacks);
    assert_ptr_equal(f->stacks[k].stack, w->stack);
    /* T2's wait is a WAIT record's, whose stack the runtime named. */
    assert_int_equal(lw_detector_board_wait_stack(d, PID, 2, pcs, 3), LW_ERR_BADREC);
}

/* --- inversion merge ---------------------------------------------------------------------- */

static void acquire(struct lw_detector *d, uint32_t thread, uint64_t lock, uint64_t held)
{
    const struct lw_held h[] = {held_at(ref_mutex(held), 0x200 + thread)};
    rec_acquire(&r, PID, thread, ref_mutex(lock), 0x100 + thread, 1, h);
    feed_ok(d, &r);
}

static void test_deadlock_over_inversion_upgrades_that_finding(void **state)
{
    struct lw_detector *d = *state;
    acquire(d, 1, B, A);
    acquire(d, 2, A, B);
    assert_int_equal(rep(d)->nfindings, 1);
    assert_int_equal(rep(d)->findings[0]->kind, LW_KIND_LOCK_ORDER_INVERSION);
    assert_false(lw_detector_must_stop(d));
    wait_on(d, PID, 1, ref_mutex(B), ref_mutex(A));
    wait_on(d, PID, 2, ref_mutex(A), ref_mutex(B));
    assert_true(lw_detector_must_stop(d));
    assert_int_equal(rep(d)->nfindings, 1);
    const struct lw_finding *f = rep(d)->findings[0];
    assert_int_equal(f->id, 1);
    assert_int_equal(f->kind, LW_KIND_DEADLOCK);
    assert_true(f->inversion);
    assert_int_equal(f->nwaits, 2);
    assert_int_equal(f->ncycle, 2); /* the inversion's edges */
    assert_int_equal(f->nthreads, 2);
    assert_int_equal(f->nlocks, 2);
}

static void test_deadlock_over_other_locks_is_new_finding(void **state)
{
    struct lw_detector *d = *state;
    acquire(d, 1, B, A);
    acquire(d, 2, A, B);
    wait_on(d, PID, 3, ref_mutex(D), ref_mutex(C));
    wait_on(d, PID, 4, ref_mutex(C), ref_mutex(D));
    assert_int_equal(rep(d)->nfindings, 2);
    assert_int_equal(rep(d)->findings[0]->kind, LW_KIND_LOCK_ORDER_INVERSION);
    const struct lw_finding *f = rep(d)->findings[1];
    assert_int_equal(f->kind, LW_KIND_DEADLOCK);
    assert_false(f->inversion);
    assert_int_equal(f->nwaits, 2);
    assert_int_equal(f->ncycle, 2);
}

/* --- determinism -------------------------------------------------------------------------- */

/* The same deadlock, whatever order the waits arrive in (and so whatever order the detector
 * numbered the threads in), starts at the lowest thread number. */
static void assert_rotation(const uint32_t *order, size_t n)
{
    static const uint64_t want[] = {B, C, A}, hold[] = {A, B, C};
    struct lw_detector *d = detector_with_process(PID);
    for (size_t i = 0; i < n; i++) {
        uint32_t t = order[i];
        size_t k = t - 1;
        /* two threads: ABBA; three: A->B, B->C, C->A */
        uint64_t lock = n == 2 ? (t == 1 ? B : A) : want[k],
                 held = n == 2 ? (t == 1 ? A : B) : hold[k];
        wait_on(d, PID, t, ref_mutex(lock), ref_mutex(held));
    }
    const struct lw_finding *f = the_deadlock(d);
    assert_int_equal(f->ncycle, n);
    assert_int_equal(f->nwaits, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(f->cycle[i].thread->number, i + 1);
        assert_int_equal(f->waits[i].thread->number, i + 1);
        assert_int_equal(f->threads[i]->number, i + 1);
    }
    lw_detector_free(d);
}

static void test_cycle_rotation_does_not_depend_on_arrival_order(void **state)
{
    (void)state;
    assert_rotation((const uint32_t[]){1, 2}, 2);
    assert_rotation((const uint32_t[]){2, 1}, 2);
    assert_rotation((const uint32_t[]){1, 2, 3}, 3);
    assert_rotation((const uint32_t[]){3, 1, 2}, 3);
    assert_rotation((const uint32_t[]){2, 3, 1}, 3);
}

/* A deadlock across processes is reported under the first process in that order too, not under
 * the one whose wait happened to arrive last. */
static void test_cross_process_deadlock_pid_does_not_depend_on_arrival_order(void **state)
{
    (void)state;
    for (int other_first = 0; other_first < 2; other_first++) {
        struct lw_detector *d = detector_with_process(PID);
        owner_in_other_image(d, LW_LOCKF_PSHARED, other_first);
        const struct lw_finding *f = the_deadlock(d);
        assert_int_equal(f->pid, PID);
        assert_int_equal(f->waits[0].thread->pid, PID);
        assert_int_equal(f->waits[1].thread->pid, PID2);
        lw_detector_free(d);
    }
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
        T(test_join_of_thread_waiting_for_joiners_lock_deadlocks),
        T(test_join_cycle_found_when_join_comes_last),
        T(test_join_without_watch_handle_makes_no_edge),
        T(test_join_of_another_handle_makes_no_edge),
        T(test_join_never_matches_thread_of_another_process),
        T(test_owner_tid_closes_cycle_when_held_list_is_cut_short),
        T(test_stale_owner_tid_makes_no_edge),
        T(test_pshared_lock_owner_may_be_in_another_process),
        T(test_private_lock_owner_is_never_in_another_process),
        T(test_reader_behind_queued_writer_deadlocks_on_writer_preferring_rwlock),
        T(test_reader_passes_queued_writer_on_reader_preferring_rwlock),
        T(test_condition_semaphore_and_barrier_waits_make_no_edge),
        T(test_board_wait_end_removes_only_a_board_wait),
        T(test_condition_wait_retaking_its_mutex_is_a_lock_wait),
        T(test_condition_wait_not_retaking_makes_no_edge),
        T(test_board_wait_rejects_kinds_that_are_not_board_waits),
        T(test_board_calls_on_unknown_process_or_thread_change_nothing),
        T(test_board_wait_stack_replaces_frames_in_existing_finding),
        T(test_deadlock_over_inversion_upgrades_that_finding),
        T(test_deadlock_over_other_locks_is_new_finding),
        T(test_cycle_rotation_does_not_depend_on_arrival_order),
        T(test_cross_process_deadlock_pid_does_not_depend_on_arrival_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
