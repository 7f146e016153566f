/* test_lock_table.c — the detector's table of locks (detector/core/tables.c, lock_index.c): a
 * lock is its image, address and generation; thousands of locks (several allocation blocks) each
 * get their own entry, found again by identity, with dense 1-based ids in order of first mention;
 * a new generation at an address, or another image, is another lock; the index alone finds
 * nothing it was not given. Locks only ever taken alone (LOCK_SEEN) are counted once, in the
 * lone set until a chain names them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lock_index.h"
#include "lockwatch/detector.h"
#include "lockwatch/report.h"
#include "lone_locks.h"
#include "records.h"

#define PID 100
#define NPAIRS 2500u /* 5000 locks: more than four blocks of LW_LOCK_BLOCK */

static uint64_t addr_of(uint32_t i)
{
    return 0x10000u + 64u * (uint64_t)i;
}

/* Thread 1 takes lock 2k, then lock 2k+1 while holding it. */
static void take_pair(struct lw_detector *d, uint32_t k, uint32_t generation)
{
    struct lw_lock_ref first = ref_mutex(addr_of(2 * k));
    struct lw_lock_ref second = ref_mutex(addr_of(2 * k + 1));
    first.generation = second.generation = generation;
    struct lw_held held = held_at(first, 0);
    struct rec r;
    rec_acquire(&r, PID, 1, second, 0, 1, &held);
    feed_ok(d, &r);
}

static void test_many_locks(void **state)
{
    struct lw_detector *d = *state = detector_with_process(PID);
    for (uint32_t k = 0; k < NPAIRS; k++)
        take_pair(d, k, 0);
    const struct lw_report *r = lw_detector_report(d);
    assert_int_equal(r->nlocks, 2 * NPAIRS);
    for (uint32_t i = 0; i < 2 * NPAIRS; i++) {
        assert_int_equal(r->locks[i]->index, i + 1);
        assert_int_equal(r->locks[i]->addr, addr_of(i));
        assert_int_equal(r->locks[i]->generation, 0);
        assert_null(lw_profile_of(r, r->locks[i]));
    }
    /* Without hold events no lock pays for a profile: not even a NULL pointer each. */
    assert_null(r->profiles);
    assert_true(sizeof(struct lw_lock) <= 40);
    /* The same pairs again: every lock is found, none added. */
    for (uint32_t k = 0; k < NPAIRS; k += 7)
        take_pair(d, k, 0);
    assert_int_equal(r->nlocks, 2 * NPAIRS);
    /* A new generation at the same addresses: new locks. */
    take_pair(d, 3, 1);
    assert_int_equal(r->nlocks, 2 * NPAIRS + 2);
    assert_int_equal(r->locks[2 * NPAIRS]->addr, addr_of(6));
    assert_int_equal(r->locks[2 * NPAIRS]->generation, 1);
    assert_int_equal(r->nfindings, 0);
}

/* Another process image (an exec'd program) numbers its own locks: same address, other lock. */
static void test_other_image(void **state)
{
    struct lw_detector *d = *state = detector_with_process(PID);
    take_pair(d, 0, 0);
    struct rec r;
    rec_process(&r, PID + 1, PID, LW_ORIGIN_EXEC, "/bin/other");
    feed_ok(d, &r);
    struct lw_lock_ref a = ref_mutex(addr_of(0)), b = ref_mutex(addr_of(1));
    struct lw_held held = held_at(a, 0);
    rec_acquire(&r, PID + 1, 1, b, 0, 1, &held);
    feed_ok(d, &r);
    const struct lw_report *rep = lw_detector_report(d);
    assert_int_equal(rep->nlocks, 4);
    assert_int_not_equal(rep->locks[0]->image, rep->locks[2]->image);
    assert_int_equal(rep->locks[2]->addr, addr_of(0));
}

/* Locks of one 4 KiB window take neighbouring slots, in address order, so that a program taking
 * them in address order has the driver read the index in order too. */
static void test_index_neighbours(void **state)
{
    (void)state;
    enum { N = 400 };
    static struct lw_lock storage[N];
    struct lw_lock *locks[N];
    struct lw_lock_index x = {0};
    for (uint32_t i = 0; i < N; i++) {
        storage[i] = (struct lw_lock){.index = i + 1, .addr = 0x7f0000010000u + 8u * i};
        locks[i] = &storage[i];
        assert_int_equal(lw_lock_index_add(&x, locks, i), 0);
    }
    /* a slot holds index + 1 below the table's size, a tag above it */
    uint32_t mask = (uint32_t)(x.capacity - 1);
    size_t first = x.capacity;
    for (size_t s = 0; s < x.capacity; s++)
        if ((x.slots[s] & mask) == 1u) first = s; /* lock 0 */
    assert_true(first < x.capacity);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(x.slots[(first + i) & mask] & mask, i + 1);
    lw_lock_index_free(&x);
}

/* The index by itself: finds what it was given, by every part of the identity. */
static void test_index_alone(void **state)
{
    (void)state;
    enum { N = 300 };
    struct lw_lock *locks[N];
    struct lw_lock storage[N];
    struct lw_lock_index x = {0};
    for (uint32_t i = 0; i < N; i++) {
        /* Pairs that differ in one part of the identity only. */
        storage[i] = (struct lw_lock){.index = i + 1,
                                      .image = i % 3,
                                      .addr = 0x1000u + 16u * (i / 6),
                                      .generation = (i / 3) % 2};
        locks[i] = &storage[i];
        assert_int_equal(
            lw_lock_index_find(&x, locks, storage[i].image, storage[i].addr, storage[i].generation),
            UINT32_MAX);
        assert_int_equal(lw_lock_index_add(&x, locks, i), 0);
    }
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(
            lw_lock_index_find(&x, locks, storage[i].image, storage[i].addr, storage[i].generation),
            i);
    assert_int_equal(lw_lock_index_find(&x, locks, 3, 0x1000u, 0), UINT32_MAX);
    assert_int_equal(lw_lock_index_find(&x, locks, 0, 0x1000u, 7), UINT32_MAX);
    assert_int_equal(lw_lock_index_find(&x, locks, 0, 0x1008u, 0), UINT32_MAX);
    lw_lock_index_free(&x);
    assert_int_equal(lw_lock_index_find(&x, locks, 0, 0x1000u, 0), UINT32_MAX);
}

static void lone_seen(struct lw_detector *d, struct lw_lock_ref lock)
{
    struct rec r;
    rec_lock_seen(&r, PID, 1, lock);
    feed_ok(d, &r);
}

static void test_lone_locks_counted_once(void **state)
{
    struct lw_detector *d = detector_with_process(PID);
    *state = d;
    const struct lw_report *rep = lw_detector_report(d);
    lone_seen(d, ref_mutex(0x1000));
    lone_seen(d, ref_mutex(0x1000)); /* another call site: the same lock */
    lone_seen(d, ref_mutex(0x2000));
    assert_int_equal(rep->nlone_locks, 2);
    assert_int_equal(rep->nlocks, 0);
    /* 0x2000 taken inside 0x1000: both move to the lock table, neither is counted twice */
    struct rec r;
    struct lw_held held = held_at(ref_mutex(0x1000), 0);
    rec_acquire(&r, PID, 1, ref_mutex(0x2000), 0, 1, &held);
    feed_ok(d, &r);
    assert_int_equal(rep->nlocks, 2);
    assert_int_equal(rep->nlone_locks, 0);
    lone_seen(d, ref_mutex(0x2000)); /* known to the table: stays there */
    assert_int_equal(rep->nlone_locks, 0);
    struct lw_lock_ref next = ref_mutex(0x1000);
    next.generation = 1; /* re-initialised: another lock */
    lone_seen(d, next);
    assert_int_equal(rep->nlone_locks, 1);
    assert_int_equal(rep->nlocks, 2);
}

/* Removal by backward shift keeps every other entry reachable, through growth and wrap-around. */
static void test_lone_set_remove(void **state)
{
    (void)state;
    struct lw_lone_locks s = {0};
    enum { N = 5000 };
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(lw_lone_locks_add(&s, i % 3, 0x1000u + 8u * i, i % 2), 0);
    assert_int_equal(lw_lone_locks_add(&s, 0, 0x1000u, 0), 0); /* present: no second entry */
    assert_int_equal(s.count, N);
    for (uint32_t i = 0; i < N; i += 2)
        assert_true(lw_lone_locks_remove(&s, i % 3, 0x1000u + 8u * i, i % 2));
    assert_int_equal(s.count, N / 2);
    for (uint32_t i = 0; i < N; i += 2)
        assert_false(lw_lone_locks_remove(&s, i % 3, 0x1000u + 8u * i, i % 2));
    assert_false(lw_lone_locks_remove(&s, 1, 0x1000u, 0)); /* never added: another image */
    for (uint32_t i = 1; i < N; i += 2)
        assert_true(lw_lone_locks_remove(&s, i % 3, 0x1000u + 8u * i, i % 2));
    assert_int_equal(s.count, 0);
    lw_lone_locks_free(&s);
    assert_false(lw_lone_locks_remove(&s, 0, 0x1000u, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_many_locks, detector_teardown),
        cmocka_unit_test_teardown(test_other_image, detector_teardown),
        cmocka_unit_test(test_index_neighbours),
        cmocka_unit_test(test_index_alone),
        cmocka_unit_test_teardown(test_lone_locks_counted_once, detector_teardown),
        cmocka_unit_test(test_lone_set_remove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
