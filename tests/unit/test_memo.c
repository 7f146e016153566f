/* test_memo.c — the fast path's per-thread memo (interpose/memo.h): a filled slot matches exactly
 * the acquisition it was filled for, and any difference in what identifies the chain (the chain
 * below, the lock's address, its type, the mode, how it is acquired, the call site) or a new
 * generation of its lock (its stamp moved on since the fill) is a miss, so a memo hit never
 * stands for a chain the driver has not seen; the flags are the slot's own; a cleared memo matches
 * nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "memo.h"

#define BELOW 0x9e3779b97f4a7c15ull
#define PC 0x401234ull

/* The generation stamps (gen.c is not linked: the memo only reads them). */
_Atomic uint32_t lwi_gen_stamps[1u << LWI_GEN_STAMP_LOG2];

static struct lw_lock_ref lock_ref(void)
{
    return (struct lw_lock_ref){.addr = 0x7f0000001040ull,
                                .generation = 3,
                                .type = LW_LOCK_RWLOCK,
                                .flags = 0,
                                .mode = LW_MODE_SHARED,
                                .acq = 0};
}

static struct lwi_held_entry *filled_slot(struct lwi_memo *m)
{
    struct lw_lock_ref ref = lock_ref();
    ref.flags = LW_LOCKF_RECURSIVE; /* as the chain cache gave them */
    struct lwi_held_entry *slot = lwi_memo_slot(m, BELOW, ref.addr, PC);
    lwi_memo_fill(slot, BELOW, ref, lwi_gen_stamp(ref.addr), PC, 0x1111, 0x2222);
    return slot;
}

static void test_fill_then_match(void **state)
{
    (void)state;
    static struct lwi_memo m;
    lwi_memo_clear(&m);
    struct lwi_held_entry *slot = filled_slot(&m);
    struct lw_lock_ref want = lock_ref(); /* flags unread: 0 */
    assert_ptr_equal(lwi_memo_slot(&m, BELOW, want.addr, PC), slot);
    assert_true(lwi_memo_matches(slot, BELOW, &want, PC));
    /* the entry the fast path copies onto the held stack */
    assert_int_equal(slot->ref.addr, want.addr);
    assert_int_equal(slot->ref.flags, LW_LOCKF_RECURSIVE);
    assert_int_equal(slot->lock_chain, 0x1111);
    assert_int_equal(slot->stack, 0x2222);
    assert_int_equal(slot->memo_stamp, lwi_gen_stamp(want.addr));
    assert_int_equal(slot->count, 1);
    assert_int_equal(slot->pc, PC);
}

static void test_any_difference_misses(void **state)
{
    (void)state;
    static struct lwi_memo m;
    lwi_memo_clear(&m);
    const struct lwi_held_entry *slot = filled_slot(&m);
    struct lw_lock_ref want = lock_ref();
    assert_false(lwi_memo_matches(slot, BELOW ^ 1, &want, PC));
    assert_false(lwi_memo_matches(slot, BELOW, &want, PC + 1));
    struct lw_lock_ref other = want;
    other.addr += 8;
    assert_false(lwi_memo_matches(slot, BELOW, &other, PC));
    other = want;
    other.generation++; /* not compared: the slot's stamp says whether its lock still lives */
    assert_true(lwi_memo_matches(slot, BELOW, &other, PC));
    atomic_fetch_add(lwi_gen_stamp_slot(want.addr), 1); /* destroyed, freed or made again */
    assert_false(lwi_memo_matches(slot, BELOW, &want, PC));
    atomic_fetch_sub(lwi_gen_stamp_slot(want.addr), 1);
    other = want;
    other.type = LW_LOCK_MUTEX;
    assert_false(lwi_memo_matches(slot, BELOW, &other, PC));
    other = want;
    other.mode = LW_MODE_EXCLUSIVE;
    assert_false(lwi_memo_matches(slot, BELOW, &other, PC));
    other = want;
    other.acq = LW_ACQF_TRY;
    assert_false(lwi_memo_matches(slot, BELOW, &other, PC));
    other = want;
    other.flags = LW_LOCKF_ERRORCHECK; /* not part of the identity */
    assert_true(lwi_memo_matches(slot, BELOW, &other, PC));
}

static void test_clear_empties_every_slot(void **state)
{
    (void)state;
    static struct lwi_memo m;
    lwi_memo_clear(&m);
    const struct lwi_held_entry *slot = filled_slot(&m);
    lwi_memo_clear(&m);
    struct lw_lock_ref want = lock_ref();
    assert_false(lwi_memo_matches(slot, BELOW, &want, PC));
    for (unsigned i = 0; i < LWI_MEMO_SLOTS; i++)
        assert_int_equal(m.slots[i].ref.addr, 0);
}

/* Locks in an array share a call site and the chain below: consecutive elements of 8 to 512
 * bytes must not all fall into a few slots. */
static void test_arrays_spread(void **state)
{
    (void)state;
    static struct lwi_memo m;
    static const uint64_t strides[] = {8, 40, 64, 128, 512};
    for (size_t s = 0; s < sizeof strides / sizeof strides[0]; s++) {
        bool used[LWI_MEMO_SLOTS] = {false};
        unsigned distinct = 0;
        for (uint64_t i = 0; i < LWI_MEMO_SLOTS; i++) {
            size_t slot =
                (size_t)(lwi_memo_slot(&m, BELOW, 0x55550000a000ull + i * strides[s], PC) -
                         m.slots);
            if (!used[slot]) distinct++;
            used[slot] = true;
        }
        assert_true(distinct >= LWI_MEMO_SLOTS / 4);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill_then_match),
        cmocka_unit_test(test_any_difference_misses),
        cmocka_unit_test(test_clear_empties_every_slot),
        cmocka_unit_test(test_arrays_spread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
