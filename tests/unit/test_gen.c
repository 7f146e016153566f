/* test_gen.c — exact lock generations (interpose/gen.h): every 4-byte unit has its own counter, so
 * no address renames another (neighbours, addresses a multiple of 8 MiB apart that a hashed table
 * would fold together); a generation is handed out once per life and ended only if it was; ending
 * a range (a free) ends exactly the used units inside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "degraded.h"
#include "gen.h"
#include "tls.h"

__thread struct lwi_thread lwi_tls __attribute__((tls_model("initial-exec")));

struct lwi_degraded lwi_degraded; /* the tables raise flags here (degraded.h) */

/* Addresses in a region of their own per test (the table covers any address). */
#define BASE 0x7e0000000000ull

static void test_one_generation_per_life(void **state)
{
    (void)state;
    uint64_t a = BASE + 0x1040;
    uint32_t g1 = lwi_gen_use(a);
    assert_true(g1 & 1u);
    assert_int_equal(lwi_gen_use(a), g1); /* the same lock, used again */
    lwi_gen_retire(a);                    /* destroyed, or its memory freed */
    uint32_t g2 = lwi_gen_use(a);
    assert_int_not_equal(g2, g1);
    lwi_gen_retire(a);
    lwi_gen_retire(a); /* nothing used since: no new name is burnt */
    assert_int_equal(lwi_gen_use(a), g2 + 2);
    assert_int_equal(atomic_load(&lwi_degraded.raised), 0);
}

static void test_no_address_renames_another(void **state)
{
    (void)state;
    const uint64_t a = BASE + 0x100000 + 0x2000;
    /* its 4-byte neighbours, and addresses 8 MiB and 64 MiB apart (one folded table slot) */
    const uint64_t others[] = {a - 4, a + 4, a + (8ull << 20), a + (64ull << 20), a - (8ull << 20)};
    uint32_t before[sizeof others / sizeof others[0]];
    uint32_t ga = lwi_gen_use(a);
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        before[i] = lwi_gen_use(others[i]);
    for (int round = 0; round < 100; round++) {
        for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
            lwi_gen_retire(others[i]);
            before[i] = lwi_gen_use(others[i]);
        }
    }
    assert_int_equal(lwi_gen_use(a), ga);
    lwi_gen_retire(a);
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        assert_int_equal(lwi_gen_use(others[i]), before[i]);
}

static void test_range_ends_used_units_inside(void **state)
{
    (void)state;
    const uint64_t block = BASE + 0x400000 + 0xff0; /* spans a page boundary */
    const uint64_t len = 64;
    uint64_t in1 = block, in2 = block + 40, below = block - 8, above = block + len;
    uint32_t g_in1 = lwi_gen_use(in1), g_in2 = lwi_gen_use(in2);
    uint32_t g_below = lwi_gen_use(below), g_above = lwi_gen_use(above);
    assert_true(lwi_gen_range_used(block, len));
    lwi_gen_retire_range(block, len);
    assert_false(lwi_gen_range_used(block, len));
    assert_true(lwi_gen_range_used(below, 8));
    assert_true(lwi_gen_range_used(above, 4));
    assert_int_not_equal(lwi_gen_use(in1), g_in1);
    assert_int_not_equal(lwi_gen_use(in2), g_in2);
    assert_int_equal(lwi_gen_use(below), g_below);
    assert_int_equal(lwi_gen_use(above), g_above);
}

static void test_range_without_locks(void **state)
{
    (void)state;
    /* no leaf at all, and a leaf whose pages hold nothing used */
    assert_false(lwi_gen_range_used(BASE + (40ull << 30), 1 << 20));
    uint64_t a = BASE + 0x800000;
    lwi_gen_use(a);
    lwi_gen_retire(a);
    assert_false(lwi_gen_range_used(a - 4096, 3 * 4096));
    lwi_gen_retire_range(0, 0);
    lwi_gen_retire_range(UINT64_MAX - 8, 64); /* wraps: nothing */
}

/* The stamp the memo checks moves whenever a generation ends, and only then. */
static void test_stamp_moves_with_every_end(void **state)
{
    (void)state;
    uint64_t a = BASE + 0xa00000;
    _Atomic uint32_t *c = lwi_gen_counter(a);
    assert_non_null(c);
    uint32_t s = lwi_gen_stamp(a);
    uint32_t g = lwi_gen_mark(c, a);
    assert_int_equal(lwi_gen_stamp(a), s); /* a first use is no end */
    lwi_gen_retire_range(a, 4);
    assert_int_not_equal(lwi_gen_stamp(a), s);
    s = lwi_gen_stamp(a);
    lwi_gen_retire(a); /* nothing used: nothing ends */
    assert_int_equal(lwi_gen_stamp(a), s);
    assert_int_not_equal(lwi_gen_use(a), g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_generation_per_life),
        cmocka_unit_test(test_no_address_renames_another),
        cmocka_unit_test(test_range_ends_used_units_inside),
        cmocka_unit_test(test_range_without_locks),
        cmocka_unit_test(test_stamp_moves_with_every_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
