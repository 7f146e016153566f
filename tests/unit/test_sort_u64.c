/* test_sort_u64.c — lw_sort_u64 (detector/core/sort_u64.c) against the C library's qsort: every
 * length up to a few hundred and some long arrays, of random keys, few distinct keys, sorted,
 * reversed, all equal and organ-pipe inputs; the result is qsort's, element for element. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sort_u64.h"

static int compare(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static uint64_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return *state >> 11;
}

enum shape { RANDOM, FEW, SORTED, REVERSED, EQUAL, PIPE, SHAPES };

static void fill(uint64_t *a, size_t n, enum shape shape, uint64_t *rnd)
{
    for (size_t i = 0; i < n; i++) {
        switch (shape) {
        case RANDOM:
            a[i] = next_random(rnd) << 11 ^ next_random(rnd);
            break;
        case FEW:
            a[i] = next_random(rnd) % 4;
            break;
        case SORTED:
            a[i] = i;
            break;
        case REVERSED:
            a[i] = UINT64_MAX - i;
            break;
        case EQUAL:
            a[i] = 42;
            break;
        case PIPE:
        case SHAPES:
            a[i] = i < n / 2 ? i : n - i;
            break;
        }
    }
}

static void check(size_t n, enum shape shape, uint64_t *rnd)
{
    uint64_t *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    fill(a, n, shape, rnd);
    memcpy(b, a, n * sizeof *a);
    lw_sort_u64(a, n);
    qsort(b, n, sizeof *b, compare);
    assert_memory_equal(a, b, n * sizeof *a);
    free(a);
    free(b);
}

static void test_sort_matches_qsort(void **state)
{
    (void)state;
    uint64_t rnd = 1;
    for (int shape = 0; shape < SHAPES; shape++) {
        for (size_t n = 0; n <= 300; n++)
            check(n, (enum shape)shape, &rnd);
        check(10000, (enum shape)shape, &rnd);
        check(100003, (enum shape)shape, &rnd);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_matches_qsort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
