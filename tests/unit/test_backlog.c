/* test_backlog.c — the driver's backlog of records read but not yet applied
 * (detector/cli/records/backlog.h): records come out whole, aligned and in the order pushed,
 * however the pushes and the applications interleave and however many chunks they span; an
 * application stops at its count; an emptied backlog takes records again; freeing a backlog with
 * records waiting leaks nothing (run under the sanitizers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "records/backlog.h"

/* What the callback checks: the next record expected, by sequence number. */
struct expect {
    uint32_t next;
};

/* A record of `size` bytes whose header's thread field is its sequence number and whose body is a
 * pattern of it. */
static size_t make_record(unsigned char *buf, uint32_t seq)
{
    uint32_t size = (uint32_t)sizeof(struct lw_rec_header) + (seq * 37u) % 700u;
    struct lw_rec_header h = {.magic = LW_WIRE_MAGIC,
                              .version = LW_WIRE_VERSION,
                              .type = LW_REC_THREAD_EXIT,
                              .size = size,
                              .thread = seq};
    memcpy(buf, &h, sizeof h);
    for (uint32_t i = sizeof h; i < size; i++)
        buf[i] = (unsigned char)(i * 7 + seq);
    return size;
}

static void on_record(void *ctx, const void *rec, size_t size)
{
    struct expect *e = ctx;
    assert_int_equal((uintptr_t)rec % 16, 0);
    const struct lw_rec_header *h = rec;
    assert_int_equal(h->thread, e->next);
    _Alignas(16) unsigned char want[LW_WIRE_MAX_RECORD];
    size_t want_size = make_record(want, e->next);
    assert_int_equal(size, want_size);
    assert_memory_equal(rec, want, size);
    e->next++;
}

static void push(struct lwd_backlog *b, uint32_t seq)
{
    _Alignas(16) unsigned char rec[LW_WIRE_MAX_RECORD];
    size_t size = make_record(rec, seq);
    assert_int_equal(lwd_backlog_push(b, rec, size), 0);
}

static void test_empty(void **state)
{
    (void)state;
    struct lwd_backlog b = {0};
    struct expect e = {0};
    assert_true(lwd_backlog_empty(&b));
    assert_int_equal(lwd_backlog_apply(&b, 10, on_record, &e), 0);
    lwd_backlog_free(&b);
}

/* Enough records to span many chunks, all pushed, then applied in uneven counts. */
static void test_order_across_chunks(void **state)
{
    (void)state;
    struct lwd_backlog b = {0};
    struct expect e = {0};
    const uint32_t n = 20000; /* ~7 MB: dozens of chunks */
    for (uint32_t i = 0; i < n; i++)
        push(&b, i);
    assert_int_equal(b.records, n);
    assert_false(lwd_backlog_empty(&b));
    size_t applied = 0;
    for (size_t step = 1; applied < n; step = step * 3 % 1000 + 1) {
        size_t got = lwd_backlog_apply(&b, step, on_record, &e);
        assert_true(got <= step);
        assert_true(got == step || applied + got == n);
        applied += got;
    }
    assert_int_equal(e.next, n);
    assert_true(lwd_backlog_empty(&b));
    assert_int_equal(b.bytes, 0);
    assert_true(b.peak_bytes > 0);
    assert_int_equal(lwd_backlog_apply(&b, SIZE_MAX, on_record, &e), 0);
    lwd_backlog_free(&b);
}

/* Pushes and applications interleaved, the backlog emptied now and then (its chunk reused). */
static void test_interleaved(void **state)
{
    (void)state;
    struct lwd_backlog b = {0};
    struct expect e = {0};
    uint32_t pushed = 0;
    for (int round = 0; round < 400; round++) {
        uint32_t burst = (uint32_t)(round * 53 % 211);
        for (uint32_t i = 0; i < burst; i++)
            push(&b, pushed++);
        size_t take = round % 5 == 0 ? SIZE_MAX : (size_t)(round * 17 % 150);
        lwd_backlog_apply(&b, take, on_record, &e);
        assert_int_equal(b.records, pushed - e.next);
    }
    lwd_backlog_apply(&b, SIZE_MAX, on_record, &e);
    assert_int_equal(e.next, pushed);
    lwd_backlog_free(&b);
}

/* Freed with records waiting: nothing applied, nothing leaked, empty again. */
static void test_free_with_records(void **state)
{
    (void)state;
    struct lwd_backlog b = {0};
    for (uint32_t i = 0; i < 3000; i++)
        push(&b, i);
    lwd_backlog_free(&b);
    assert_true(lwd_backlog_empty(&b));
    struct expect e = {0};
    push(&b, 0);
    assert_int_equal(lwd_backlog_apply(&b, SIZE_MAX, on_record, &e), 1);
    lwd_backlog_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_order_across_chunks),
        cmocka_unit_test(test_interleaved),
        cmocka_unit_test(test_free_with_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
