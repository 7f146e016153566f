/* test_map_memo.c — the memo in front of a map (detector/core/map.h, lw_map_get_memo): after
 * any mix of insertions, overwrites and frees, every lookup through the memo gives what the map
 * alone gives, for keys it remembers and keys it does not; and it answers from its own ways
 * for a key asked again while the map is unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "map.h"

/* A naive model: the value of each key of a small key space, or absent. */
#define KEYS 40u

struct model {
    bool present[KEYS];
    uint64_t value[KEYS];
};

static uint64_t k0_of(unsigned k)
{
    return (uint64_t)(k % 5) << 40 | (k / 5);
}

static uint64_t k1_of(unsigned k)
{
    return k % 3;
}

static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

/* Random puts (new keys and overwrites), an occasional free, and lookups of every kind. */
static void test_memo_agrees_with_model(void **state)
{
    (void)state;
    struct lw_map m = {0};
    struct lw_map_memo memo = {0};
    struct model model = {0};
    uint32_t rnd = 7;
    for (unsigned step = 0; step < 200000; step++) {
        unsigned k = next_random(&rnd) % KEYS;
        unsigned what = next_random(&rnd) % 100;
        if (what < 20) {
            uint64_t v = next_random(&rnd);
            assert_int_equal(lw_map_put(&m, k0_of(k), k1_of(k), v), 0);
            model.present[k] = true;
            model.value[k] = v;
        } else if (what == 20 && next_random(&rnd) % 50 == 0) {
            lw_map_free(&m);
            for (unsigned i = 0; i < KEYS; i++)
                model.present[i] = false;
        } else {
            uint64_t got = 0;
            bool found = lw_map_get_memo(&m, &memo, k0_of(k), k1_of(k), &got);
            assert_int_equal(found, model.present[k]);
            if (found) assert_int_equal(got, model.value[k]);
        }
    }
    lw_map_free(&m);
}

/* A key asked twice with no change between is answered by the memo: shown by a map whose slots
 * were changed behind its back (which no caller may do), so the second answer is the first. */
static void test_memo_answers_repeats(void **state)
{
    (void)state;
    struct lw_map m = {0};
    struct lw_map_memo memo = {0};
    assert_int_equal(lw_map_put(&m, 1, 2, 33), 0);
    uint64_t got = 0;
    assert_true(lw_map_get_memo(&m, &memo, 1, 2, &got));
    assert_int_equal(got, 33);
    for (size_t i = 0; i < m.capacity; i++)
        if (m.used[i]) m.slots[i].value = 44;
    assert_true(lw_map_get_memo(&m, &memo, 1, 2, &got));
    assert_int_equal(got, 33);
    /* Any put makes it ask the map again. */
    assert_int_equal(lw_map_put(&m, 5, 6, 7), 0);
    assert_true(lw_map_get_memo(&m, &memo, 1, 2, &got));
    assert_int_equal(got, 44);
    lw_map_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memo_agrees_with_model),
        cmocka_unit_test(test_memo_answers_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
