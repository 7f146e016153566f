/* test_trace_layout.c — which timeline slices nest (detector/cli/render/trace_layout.h): LIFO
 * holds nest, a non-LIFO release does not, tracks are independent, touching slices are disjoint;
 * and, over seeded random holds, the slices marked nested always form a proper nesting on each
 * track while fully LIFO sequences are nested entirely. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "render/trace_layout.h"

static const struct lwd_span *by_item(const struct lwd_span *s, size_t n, size_t item)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].item == item) return &s[i];
    return NULL;
}

static void test_lifo_nests(void **state)
{
    (void)state;
    struct lwd_span s[] = {
        {0, 10, 100, 0, false},  /* outer hold */
        {0, 20, 30, 1, false},   /* inner */
        {0, 40, 90, 2, false},   /* inner, later */
        {0, 50, 60, 3, false},   /* inside that */
        {0, 100, 120, 4, false}, /* touches the outer's end: after it */
        {0, 5, 10, 5, false},    /* a wait ending where the outer hold begins */
    };
    assert_int_equal(lwd_trace_nest(s, 6), 0);
    for (size_t i = 0; i < 6; i++)
        assert_true(by_item(s, 6, i)->nested);
    assert_int_equal(s[0].item, 5); /* sorted by start */
}

static void test_non_lifo(void **state)
{
    (void)state;
    struct lwd_span s[] = {
        {0, 10, 50, 0, false}, /* A held */
        {0, 20, 80, 1, false}, /* B taken inside, released after A: overlaps */
        {0, 30, 40, 2, false}, /* C inside both */
        {0, 60, 70, 3, false}, /* D after A ended, inside B's time */
    };
    assert_int_equal(lwd_trace_nest(s, 4), 0);
    assert_true(by_item(s, 4, 0)->nested);
    assert_false(by_item(s, 4, 1)->nested);
    assert_true(by_item(s, 4, 2)->nested);
    assert_true(by_item(s, 4, 3)->nested);
}

static void test_tracks_apart(void **state)
{
    (void)state;
    struct lwd_span s[] = {
        {1, 10, 50, 0, false},
        {2, 20, 80, 1, false}, /* would overlap item 0, but on another thread */
        {1, 40, 60, 2, false}, /* overlaps item 0 on its own track */
        {0, 0, 0, 3, false},   /* zero-length */
    };
    assert_int_equal(lwd_trace_nest(s, 4), 0);
    assert_true(by_item(s, 4, 0)->nested);
    assert_true(by_item(s, 4, 1)->nested);
    assert_false(by_item(s, 4, 2)->nested);
    assert_true(by_item(s, 4, 3)->nested);
    assert_int_equal(lwd_trace_nest(NULL, 0), 0);
}

/* A small seeded generator (xorshift32): the same sequence on every platform. */
static uint32_t next_random(uint32_t *seed)
{
    *seed ^= *seed << 13;
    *seed ^= *seed >> 17;
    *seed ^= *seed << 5;
    return *seed;
}

/* Random holds of a few threads: locks taken and released in random (not always LIFO) order. */
static size_t random_holds(struct lwd_span *s, size_t max, bool lifo, uint32_t *seed)
{
    size_t n = 0;
    for (uint32_t track = 0; track < 3; track++) {
        size_t open[16], nopen = 0;
        uint64_t now = 0;
        while (n < max) {
            now += (uint64_t)(next_random(seed) % 3); /* equal times happen */
            bool take = nopen == 0 || (nopen < 16 && next_random(seed) % 2);
            if (take) {
                if (n + nopen >= max) break;
                s[n] = (struct lwd_span){track, now, 0, n, false};
                open[nopen++] = n++;
                continue;
            }
            size_t k = lifo ? nopen - 1 : (size_t)next_random(seed) % nopen;
            s[open[k]].end = now;
            open[k] = open[--nopen]; /* in LIFO order k is the last: a plain pop */
            if (n > max / 3 * (track + 1) && nopen == 0) break;
        }
        while (nopen > 0)
            s[open[--nopen]].end = now + 1;
    }
    return n;
}

static void test_random_against_pairwise_check(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    enum { MAX = 300 };
    for (int round = 0; round < 200; round++) {
        struct lwd_span s[MAX];
        bool lifo = round % 2 == 0;
        size_t n = random_holds(s, MAX, lifo, &seed);
        assert_int_equal(lwd_trace_nest(s, n), 0);
        for (size_t i = 0; i < n; i++) {
            if (lifo) assert_true(s[i].nested);
            for (size_t j = 0; j < n; j++) {
                if (i == j || !s[i].nested || !s[j].nested || s[i].track != s[j].track) continue;
                const struct lwd_span *a = &s[i], *b = &s[j];
                bool disjoint = a->end <= b->start || b->end <= a->start;
                bool a_in_b = b->start <= a->start && a->end <= b->end;
                bool b_in_a = a->start <= b->start && b->end <= a->end;
                assert_true(disjoint || a_in_b || b_in_a);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifo_nests),
        cmocka_unit_test(test_non_lifo),
        cmocka_unit_test(test_tracks_apart),
        cmocka_unit_test(test_random_against_pairwise_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
