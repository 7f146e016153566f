/* test_record_stream.c — cutting a connection's bytes back into records
 * (detector/cli/records/record_stream.h): records split anywhere across reads — inside a header,
 * inside a body, a byte at a time, many per read — come out whole, in order and aligned; a header
 * with the wrong magic, version or size stops the stream, whether it arrives whole or in pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "records/record_stream.h"

#define MAX_SEEN 64

/* What the callback saw: each record's size and a checksum of its bytes. */
struct seen {
    size_t n;
    size_t size[MAX_SEEN];
    uint32_t sum[MAX_SEEN];
    uint32_t thread[MAX_SEEN];
};

static uint32_t checksum(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void on_record(void *ctx, const void *rec, size_t size)
{
    struct seen *s = ctx;
    assert_true(s->n < MAX_SEEN);
    assert_int_equal((uintptr_t)rec % 16, 0);
    const struct lw_rec_header *h = rec; /* read in place: the point of the aligned copy */
    assert_int_equal(h->size, size);
    s->size[s->n] = size;
    s->sum[s->n] = checksum(rec, size);
    s->thread[s->n] = h->thread;
    s->n++;
}

/* Appends a record of `size` bytes (header, then a body pattern) to buf at *len. */
static void put_record(unsigned char *buf, size_t *len, uint32_t size, uint32_t thread)
{
    struct lw_rec_header h = {.magic = LW_WIRE_MAGIC,
                              .version = LW_WIRE_VERSION,
                              .type = LW_REC_THREAD_EXIT,
                              .size = size,
                              .thread = thread};
    memcpy(buf + *len, &h, sizeof h);
    for (uint32_t i = sizeof h; i < size; i++)
        buf[*len + i] = (unsigned char)(i * 7 + thread);
    *len += size;
}

/* A stream of records of assorted sizes, the largest allowed among them. */
static size_t sample_stream(unsigned char *buf, struct seen *expect)
{
    static const uint32_t sizes[] = {
        sizeof(struct lw_rec_header),     100, 37, LW_WIRE_MAX_RECORD, 64, 1000,
        sizeof(struct lw_rec_header) + 1, 4000};
    size_t len = 0;
    memset(expect, 0, sizeof *expect);
    for (uint32_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        size_t at = len;
        put_record(buf, &len, sizes[i], i + 1);
        expect->size[i] = sizes[i];
        expect->sum[i] = checksum(buf + at, sizes[i]);
        expect->thread[i] = i + 1;
        expect->n++;
    }
    return len;
}

static void assert_same(const struct seen *got, const struct seen *expect)
{
    assert_int_equal(got->n, expect->n);
    for (size_t i = 0; i < expect->n; i++) {
        assert_int_equal(got->size[i], expect->size[i]);
        assert_int_equal(got->sum[i], expect->sum[i]);
        assert_int_equal(got->thread[i], expect->thread[i]);
    }
}

/* Feeds buf[0, len) in pieces of the lengths `piece` gives, checking every push succeeds. */
static void feed_in_pieces(struct lwd_record_stream *s, const unsigned char *buf, size_t len,
                           size_t (*piece)(size_t at, void *arg), void *arg, struct seen *got)
{
    for (size_t at = 0; at < len;) {
        size_t n = piece(at, arg);
        if (n > len - at) n = len - at;
        /* From an unaligned copy, as recv() into a buffer at any offset might give. */
        unsigned char *copy = malloc(n + 1);
        assert_non_null(copy);
        memcpy(copy + 1, buf + at, n);
        assert_true(lwd_record_stream_push(s, copy + 1, n, on_record, got));
        free(copy);
        at += n;
    }
}

static size_t fixed_piece(size_t at, void *arg)
{
    (void)at;
    return *(size_t *)arg;
}

static size_t random_piece(size_t at, void *arg)
{
    (void)at;
    unsigned *seed = arg;
    *seed = *seed * 1103515245u + 12345u;
    return 1 + (*seed >> 8) % 6000;
}

/* Feeds the sample stream to a fresh record stream in pieces of the lengths `piece` gives and
 * checks that every record came out whole and in order, with nothing left over. */
static void check_split(size_t (*piece)(size_t at, void *arg), void *arg)
{
    static unsigned char buf[16 * LW_WIRE_MAX_RECORD];
    struct seen expect, got = {0};
    size_t len = sample_stream(buf, &expect);
    struct lwd_record_stream s;
    lwd_record_stream_init(&s);
    feed_in_pieces(&s, buf, len, piece, arg, &got);
    assert_same(&got, &expect);
    assert_int_equal(s.npartial, 0);
}

static void test_whole_stream_in_one_read(void **state)
{
    (void)state;
    size_t all = SIZE_MAX;
    check_split(fixed_piece, &all);
}

static void test_every_fixed_split(void **state)
{
    (void)state;
    /* 1 (a byte at a time) through sizes that cut headers and bodies at every offset, a header's
     * size and its neighbours among them. */
    enum { H = sizeof(struct lw_rec_header) };
    static const size_t pieces[] = {1, 2, 3, 7, H - 1, H, H + 1, 99, 4095, 4096, 4097, 8191};
    for (size_t k = 0; k < sizeof pieces / sizeof *pieces; k++) {
        size_t piece = pieces[k];
        check_split(fixed_piece, &piece);
    }
}

static void test_random_splits(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 200; seed++) {
        unsigned state_seed = seed;
        check_split(random_piece, &state_seed);
    }
}

static void test_unfinished_record_waits(void **state)
{
    (void)state;
    unsigned char buf[256];
    size_t len = 0;
    put_record(buf, &len, 200, 9);
    struct seen got = {0};
    struct lwd_record_stream s;
    lwd_record_stream_init(&s);
    assert_true(lwd_record_stream_push(&s, buf, 199, on_record, &got));
    assert_int_equal(got.n, 0);
    assert_int_equal(s.npartial, 199);
    assert_true(lwd_record_stream_push(&s, buf + 199, 1, on_record, &got));
    assert_int_equal(got.n, 1);
    assert_int_equal(got.thread[0], 9);
}

/* A bad header stops the stream whether it comes whole, after good records, or a byte at a
 * time; `corrupt` spoils one field of the second record's header. */
static void check_bad_header(void (*corrupt)(struct lw_rec_header *h))
{
    unsigned char buf[512];
    size_t len = 0;
    put_record(buf, &len, 100, 1);
    size_t second = len;
    put_record(buf, &len, 100, 2);
    struct lw_rec_header h;
    memcpy(&h, buf + second, sizeof h);
    corrupt(&h);
    memcpy(buf + second, &h, sizeof h);

    struct seen got = {0};
    struct lwd_record_stream s;
    lwd_record_stream_init(&s);
    assert_false(lwd_record_stream_push(&s, buf, len, on_record, &got));
    assert_int_equal(got.n, 1); /* the good record before it still counts */

    memset(&got, 0, sizeof got);
    lwd_record_stream_init(&s);
    bool ok = true;
    for (size_t at = 0; at < len && ok; at++)
        ok = lwd_record_stream_push(&s, buf + at, 1, on_record, &got);
    assert_false(ok);
    assert_int_equal(got.n, 1);
}

static void bad_magic(struct lw_rec_header *h)
{
    h->magic ^= 0x0101;
}

static void bad_version(struct lw_rec_header *h)
{
    h->version = LW_WIRE_VERSION + 1;
}

static void size_too_small(struct lw_rec_header *h)
{
    h->size = sizeof *h - 1;
}

static void size_too_large(struct lw_rec_header *h)
{
    h->size = LW_WIRE_MAX_RECORD + 1;
}

static void test_bad_headers(void **state)
{
    (void)state;
    check_bad_header(bad_magic);
    check_bad_header(bad_version);
    check_bad_header(size_too_small);
    check_bad_header(size_too_large);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_stream_in_one_read),
        cmocka_unit_test(test_every_fixed_split),
        cmocka_unit_test(test_random_splits),
        cmocka_unit_test(test_unfinished_record_waits),
        cmocka_unit_test(test_bad_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
