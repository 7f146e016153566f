/* test_depot.c — the stack depot: stacks named before their STACK record, re-sent stacks, and
 * the same id in different images. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "depot.h"

static void test_lookup_then_fill(void **state)
{
    struct lw_depot depot = {0};
    int nomem = 0;
    struct lw_stack *s = lw_depot_get(&depot, 0, 42, &nomem);
    assert_non_null(s);
    assert_int_equal(nomem, 0);
    assert_null(s->frames);
    assert_int_equal(s->id, 42);
    assert_ptr_equal(lw_depot_get(&depot, 0, 42, &nomem), s);
    const uint64_t pcs[] = {0x10, 0x20};
    assert_int_equal(lw_depot_fill(&depot, 0, 42, pcs, 2), 0);
    assert_int_equal(s->nframes, 2);
    assert_int_equal(s->frames[1].pc, 0x20);
    assert_null(s->frames[1].function);
    /* A re-sent stack keeps the first addresses. */
    const uint64_t other[] = {0x99};
    assert_int_equal(lw_depot_fill(&depot, 0, 42, other, 1), 0);
    assert_int_equal(s->nframes, 2);
    assert_int_equal(depot.nstacks, 1);
    lw_depot_free(&depot);
}

static void test_fill_before_lookup(void **state)
{
    struct lw_depot depot = {0};
    const uint64_t pcs[] = {0x10};
    assert_int_equal(lw_depot_fill(&depot, 3, 7, pcs, 1), 0);
    int nomem = 0;
    struct lw_stack *s = lw_depot_get(&depot, 3, 7, &nomem);
    assert_int_equal(s->nframes, 1);
    assert_int_equal(s->image, 3);
    lw_depot_free(&depot);
}

static void test_images_are_separate(void **state)
{
    struct lw_depot depot = {0};
    int nomem = 0;
    struct lw_stack *a = lw_depot_get(&depot, 0, 5, &nomem);
    struct lw_stack *b = lw_depot_get(&depot, 1, 5, &nomem);
    assert_ptr_not_equal(a, b);
    assert_null(lw_depot_get(&depot, 0, 0, &nomem)); /* id 0: no stack */
    assert_int_equal(nomem, 0);
    for (uint64_t id = 1; id <= 100000; id++)
        assert_non_null(lw_depot_get(&depot, 2, id * 0x9e3779b97f4a7c15ull, &nomem));
    assert_int_equal(depot.nstacks, 100002);
    assert_ptr_equal(lw_depot_get(&depot, 0, 5, &nomem), a);
    lw_depot_free(&depot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_then_fill),
        cmocka_unit_test(test_fill_before_lookup),
        cmocka_unit_test(test_images_are_separate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
