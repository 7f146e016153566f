/* test_python.c — CPython frames: the shared reader (lockwatch/pyframe.h) on a fake process
 * memory laid out by a made-up layout, its location-table decoding against CPython 3.11's own
 * answer (co_lines) for a real table, and the detector's PYTHON, PYCODE and PYSTACK records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lockwatch/detector.h"
#include "lockwatch/pyframe.h"
#include "lockwatch/report.h"
#include "records.h"
#include "state.h"

/* ---- a fake process: one arena of memory at BASE; everything else is unmapped ---- */

#define BASE 0x100000u
#define ARENA 0x4000u
static unsigned char mem[ARENA];

static bool fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    (void)ctx;
    if (addr < BASE || addr + len > BASE + ARENA || addr + len < addr) return false;
    memcpy(buf, mem + (addr - BASE), len);
    return true;
}

static void put64(uint64_t addr, uint64_t v)
{
    memcpy(mem + (addr - BASE), &v, sizeof v);
}

static void put32(uint64_t addr, uint32_t v)
{
    memcpy(mem + (addr - BASE), &v, sizeof v);
}

/* Type objects live outside the arena: only their addresses matter (py_layout_fake's). */
#define CODE_TYPE 0x9000u
#define STR_TYPE 0x9100u
#define BYTES_TYPE 0x9200u

static struct lw_py_layout layout; /* py_layout_fake(BASE + 0x3f00), set by main */

/* CPython 3.11.2's co_linetable of a 111-unit function whose first line is 2, and the line of
 * each code unit as its co_lines() gives it (0: none), printed by that interpreter. */
static const unsigned char table[] = {
    0x80, 0x00, 0xd8, 0x0c, 0x0d, 0x80, 0x45, 0xdd, 0x0d, 0x12, 0x90, 0x31, 0x89, 0x58, 0x8c,
    0x58, 0xf0, 0x00, 0x09, 0x05, 0x0e, 0xf0, 0x00, 0x09, 0x05, 0x0e, 0x88, 0x01, 0xd8, 0x0b,
    0x0c, 0x88, 0x71, 0x89, 0x35, 0x90, 0x41, 0x8a, 0x3a, 0x88, 0x3a, 0xd8, 0x0c, 0x11, 0x90,
    0x51, 0x98, 0x11, 0x91, 0x55, 0x89, 0x4e, 0x88, 0x45, 0x88, 0x45, 0xd8, 0x0d, 0x0e, 0x90,
    0x11, 0x89, 0x55, 0x90, 0x61, 0x8a, 0x5a, 0x88, 0x5a, 0xd8, 0x0c, 0x11, 0x90, 0x51, 0x89,
    0x4a, 0x88, 0x45, 0x88, 0x45, 0xe0, 0x0c, 0x11, 0xd8, 0x10, 0x11, 0xd8, 0x12, 0x13, 0xf1,
    0x03, 0x01, 0x11, 0x14, 0xf1, 0x03, 0x03, 0x0d, 0x0e, 0x88, 0x45, 0x88, 0x45, 0xf0, 0x08,
    0x03, 0x05, 0x11, 0xd8, 0x0c, 0x25, 0xd0, 0x0c, 0x25, 0x9d, 0x05, 0x98, 0x65, 0x99, 0x0c,
    0x9c, 0x0c, 0xd0, 0x0c, 0x25, 0xd1, 0x0c, 0x25, 0xd4, 0x0c, 0x25, 0x88, 0x01, 0x88, 0x01,
    0xf8, 0xdd, 0x0b, 0x14, 0xf0, 0x00, 0x01, 0x05, 0x11, 0xf0, 0x00, 0x01, 0x05, 0x11, 0xf0,
    0x00, 0x01, 0x05, 0x11, 0xd8, 0x0c, 0x10, 0x88, 0x01, 0x88, 0x01, 0x88, 0x01, 0xf0, 0x03,
    0x01, 0x05, 0x11, 0xf8, 0xf8, 0xf8, 0xe0, 0x0b, 0x10, 0x90, 0x21, 0x88, 0x38, 0x80, 0x4f};
static const int lines[111] = {
    2,  3,  3,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  5,  5,  5,
    5,  5,  5,  5,  5,  5,  6,  6,  6,  6,  6,  6,  6,  6,  6,  7,  7,  7,  7,  7,  7,  7,  7,
    7,  8,  8,  8,  8,  8,  8,  10, 11, 12, 11, 11, 10, 10, 10, 10, 14, 15, 15, 15, 15, 15, 15,
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 0,  16, 16,
    16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 16, 0,  0,  0,  18, 18, 18, 18};

/* Addresses of the fake objects. */
#define TSTATE (BASE + 0x100)
#define TSTATE2 (BASE + 0x180)
#define CFRAME (BASE + 0x200)
#define FRAME1 (BASE + 0x300) /* innermost */
#define FRAME2 (BASE + 0x340)
#define FRAME3 (BASE + 0x380)
#define CODE (BASE + 0x400)
#define TABLE (BASE + 0x800)
#define FILE_STR (BASE + 0x1000)
#define FUNC_STR (BASE + 0x1100)
#define WIDE_STR (BASE + 0x1200)

static void put_str(uint64_t addr, const void *data, uint64_t length, uint32_t kind, bool ascii)
{
    put64(addr + layout.ob_type, STR_TYPE);
    put64(addr + layout.str_length, length);
    put32(addr + layout.str_state, kind << layout.str_kind_shift | layout.str_compact_bit |
                                       (ascii ? layout.str_ascii_bit : 0));
    uint64_t at = addr + (ascii ? layout.str_ascii_data : layout.str_compact_data);
    memcpy(mem + (at - BASE), data, length * kind);
}

static void put_frame(uint64_t frame, uint64_t code, int64_t unit, bool entry, uint64_t previous)
{
    put64(frame + layout.fr_code, code);
    put64(frame + layout.fr_previous, previous);
    put64(frame + layout.fr_prev_instr, code + layout.co_code + (uint64_t)(unit * 2));
    mem[frame + layout.fr_is_entry - BASE] = entry;
}

/* A thread state (native id 4242) running code CODE in three frames: units 40 (line 7), 64
 * (line 15) and 0 (line 2, before its first traceable unit 1), the outermost an entry frame. */
static int setup(void **state)
{
    memset(mem, 0, sizeof mem);
    put64(layout.runtime + layout.runtime_interp_head, BASE + 0x3e00); /* the interpreter */
    put64(BASE + 0x3e00 + layout.interp_threads_head, TSTATE2);
    put64(TSTATE2 + layout.ts_next, TSTATE);
    put64(TSTATE2 + layout.ts_native_tid, 4141);
    put64(TSTATE + layout.ts_native_tid, 4242);
    put64(TSTATE + layout.ts_cframe, CFRAME);
    put64(CFRAME + layout.cframe_current, FRAME1);
    put_frame(FRAME1, CODE, 40, false, FRAME2);
    put_frame(FRAME2, CODE, 64, false, FRAME3);
    put_frame(FRAME3, CODE, 0, true, 0);
    put64(CODE + layout.ob_type, CODE_TYPE);
    put64(CODE + layout.ob_size, 111);
    put64(CODE + layout.co_filename, FILE_STR);
    put64(CODE + layout.co_qualname, FUNC_STR);
    put32(CODE + layout.co_firstlineno, 2);
    put32(CODE + layout.co_firsttraceable, 1);
    put64(CODE + layout.co_linetable, TABLE);
    put64(TABLE + layout.ob_type, BYTES_TYPE);
    put64(TABLE + layout.ob_size, sizeof table);
    memcpy(mem + (TABLE + layout.bytes_data - BASE), table, sizeof table);
    put_str(FILE_STR, "lesson.py", 9, 1, true);
    put_str(FUNC_STR, "Worker.run", 10, 1, true);
    (void)state;
    return 0;
}

static void test_layout_is_valid(void **state)
{
    assert_true(lw_py_layout_valid(&layout));
    struct lw_py_layout bad = layout;
    bad.fr_code = 30; /* its 8 bytes would end past the frame read */
    assert_false(lw_py_layout_valid(&bad));
    bad = layout;
    bad.fr_size = LW_PY_MAX_OBJECT + 8;
    assert_false(lw_py_layout_valid(&bad));
    (void)state;
}

static void test_walk(void **state)
{
    struct lw_py_raw_frame raw[8];
    uint32_t flags = 99;
    assert_int_equal(lw_py_find_thread(&layout, fake_read, NULL, 4242, 16), TSTATE);
    assert_int_equal(lw_py_find_thread(&layout, fake_read, NULL, 7, 16), 0);
    size_t n = lw_py_walk(&layout, fake_read, NULL, TSTATE, raw, 8, &flags);
    assert_int_equal(n, 3);
    assert_int_equal(flags, 0);
    assert_int_equal(raw[0].code, CODE);
    assert_int_equal(raw[0].offset, 80);
    assert_int_equal(raw[1].offset, 128);
    assert_int_equal(raw[2].flags, LW_PYF_ENTRY);
    assert_int_equal(raw[0].flags, 0);

    unsigned char cbuf[LW_PY_MAX_OBJECT];
    struct lw_py_frame f;
    assert_true(lw_py_resolve(&layout, fake_read, NULL, &raw[0], &f, cbuf));
    assert_int_equal(f.line, 7);
    assert_true(lw_py_resolve(&layout, fake_read, NULL, &raw[1], &f, cbuf));
    assert_int_equal(f.line, 15);
    assert_true(lw_py_resolve(&layout, fake_read, NULL, &raw[2], &f, cbuf));
    assert_int_equal(f.line, 2);
    assert_int_equal(f.flags, LW_PYF_ENTRY | LW_PYF_INCOMPLETE);
    (void)state;
}

/* Every code unit's line, against what CPython itself said for this table. */
static void test_location_table(void **state)
{
    unsigned char cbuf[LW_PY_MAX_OBJECT];
    assert_true(fake_read(NULL, CODE, cbuf, layout.co_code));
    for (int u = 0; u < 111; u++) {
        struct lw_py_raw_frame raw = {.code = CODE, .offset = 2 * u, .flags = 0};
        struct lw_py_frame f;
        assert_true(lw_py_resolve(&layout, fake_read, NULL, &raw, &f, cbuf));
        if (f.line != lines[u]) fail_msg("unit %d: line %d, CPython says %d", u, f.line, lines[u]);
        assert_int_equal((f.flags & LW_PYF_NO_LINE) != 0, lines[u] == 0);
    }
    /* Before the first instruction: the first line. Past the code: not believed. */
    struct lw_py_raw_frame before = {.code = CODE, .offset = -1, .flags = 0};
    struct lw_py_frame f;
    assert_true(lw_py_resolve(&layout, fake_read, NULL, &before, &f, cbuf));
    assert_int_equal(f.line, 2);
    struct lw_py_raw_frame past = {.code = CODE, .offset = 222, .flags = 0};
    assert_false(lw_py_resolve(&layout, fake_read, NULL, &past, &f, cbuf));
    /* A table cut short (its size says more than is mapped) gives no line, not a fault. */
    put64(TABLE + layout.ob_size, ARENA);
    struct lw_py_raw_frame late = {.code = CODE, .offset = 2 * 110, .flags = 0};
    assert_true(lw_py_resolve(&layout, fake_read, NULL, &late, &f, cbuf));
    (void)state;
}

static void test_bad_chains(void **state)
{
    struct lw_py_raw_frame raw[4];
    uint32_t flags;
    /* A previous pointer into nothing: the frames before it, and UNREADABLE. */
    put64(FRAME2 + layout.fr_previous, 0xdead0000);
    assert_int_equal(lw_py_walk(&layout, fake_read, NULL, TSTATE, raw, 4, &flags), 2);
    assert_int_equal(flags, LW_PYS_UNREADABLE);
    /* A loop: cut at the capacity, TRUNCATED. */
    put64(FRAME2 + layout.fr_previous, FRAME1);
    assert_int_equal(lw_py_walk(&layout, fake_read, NULL, TSTATE, raw, 4, &flags), 4);
    assert_int_equal(flags, LW_PYS_TRUNCATED);
    /* Not a code object: not resolved. */
    put64(CODE + layout.ob_type, STR_TYPE);
    unsigned char cbuf[LW_PY_MAX_OBJECT];
    struct lw_py_frame f;
    assert_false(lw_py_resolve(&layout, fake_read, NULL, &raw[0], &f, cbuf));
    /* No thread state: nothing, and nothing said. */
    assert_int_equal(lw_py_walk(&layout, fake_read, NULL, 0, raw, 4, &flags), 0);
    assert_int_equal(flags, 0);
    (void)state;
}

static void test_strings(void **state)
{
    char buf[64];
    bool cut;
    size_t n = lw_py_str(&layout, fake_read, NULL, FILE_STR, buf, sizeof buf, &cut);
    assert_int_equal(n, 9);
    assert_memory_equal(buf, "lesson.py", 9);
    assert_false(cut);
    n = lw_py_str(&layout, fake_read, NULL, FILE_STR, buf, 4, &cut);
    assert_int_equal(n, 4);
    assert_true(cut);
    /* Latin-1, UCS-2 (with a lone surrogate) and UCS-4 text becomes UTF-8. */
    const unsigned char latin1[] = {'c', 'a', 'f', 0xe9};
    put_str(WIDE_STR, latin1, 4, 1, false);
    n = lw_py_str(&layout, fake_read, NULL, WIDE_STR, buf, sizeof buf, &cut);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "caf\xc3\xa9", 5);
    const uint16_t ucs2[] = {0x3a9, 0xd800};
    put_str(WIDE_STR, ucs2, 2, 2, false);
    n = lw_py_str(&layout, fake_read, NULL, WIDE_STR, buf, sizeof buf, &cut);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "\xce\xa9\xef\xbf\xbd", 5);
    const uint32_t ucs4[] = {0x1f600};
    put_str(WIDE_STR, ucs4, 1, 4, false);
    n = lw_py_str(&layout, fake_read, NULL, WIDE_STR, buf, sizeof buf, &cut);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "\xf0\x9f\x98\x80", 4);
    assert_false(cut);
    /* Not a str: nothing. */
    assert_int_equal(lw_py_str(&layout, fake_read, NULL, CODE, buf, sizeof buf, &cut), 0);
    assert_true(cut);
    /* Same address, other names: another code id. */
    assert_true(lw_py_code_id(CODE, "a.py", 4, "f", 1, 1) !=
                lw_py_code_id(CODE, "a.py", 4, "g", 1, 1));
    (void)state;
}

/* ---- the detector's records ---- */

#define PID 700

static void test_records(void **state)
{
    struct lw_detector *d = detector_with_process(PID);
    struct rec r;
    rec_python(&r, PID, 0x030b02f0, &layout);
    feed_ok(d, &r);
    rec_pycode(&r, PID, 0xc0de, 10, "/home/s/lesson.py", "Worker.run");
    feed_ok(d, &r);
    const uint64_t pcs[] = {0x401000, 0x402000};
    rec_stack(&r, PID, 77, 2, pcs);
    feed_ok(d, &r);
    const struct lw_py_frame frames[] = {{0xc0de, 12, LW_PYF_ENTRY}, {0xc0de, 3, 0}};
    rec_pystack(&r, PID, 77, 2, frames, LW_PYS_TRUNCATED);
    feed_ok(d, &r);
    /* A re-sent stack keeps its first frames. */
    rec_pystack(&r, PID, 77, 1, frames + 1, 0);
    feed_ok(d, &r);

    const struct lw_report *rep = lw_detector_report(d);
    const struct lw_image *img = &rep->images[0];
    assert_true(img->python);
    assert_true(img->python_supported);
    assert_int_equal(img->python_version, 0x030b02f0);
    const struct lw_py_code *code = lw_report_py_code(rep, 0, 0xc0de);
    assert_non_null(code);
    assert_string_equal(code->file, "/home/s/lesson.py");
    assert_string_equal(code->function, "Worker.run");
    assert_int_equal(code->first_line, 10);
    assert_null(lw_report_py_code(rep, 0, 0xc0df));
    int nomem = 0;
    struct lw_stack *st = lw_depot_get(&d->depot, 0, 77, &nomem);
    assert_non_null(st);
    assert_int_equal(st->npy, 2);
    assert_int_equal(st->py[0].line, 12);
    assert_int_equal(st->py_flags, LW_PYS_TRUNCATED);

    /* Malformed: a code record whose lengths do not add up, frame flags nobody defined, a
     * layout reading past its objects. */
    uint64_t bad = rep->bad_records;
    rec_pycode(&r, PID, 0xc0df, 1, "a.py", "f");
    ((struct lw_rec_pycode *)(void *)r.bytes)->file_len = 9;
    assert_int_equal(lw_detector_feed(d, r.bytes, r.len), LW_ERR_BADREC);
    const struct lw_py_frame odd[] = {{0xc0de, 1, 1u << 7}};
    rec_pystack(&r, PID, 78, 1, odd, 0);
    assert_int_equal(lw_detector_feed(d, r.bytes, r.len), LW_ERR_BADREC);
    struct lw_py_layout wrong = layout;
    wrong.co_linetable = 60;
    rec_python(&r, PID, 0x030b02f0, &wrong);
    assert_int_equal(lw_detector_feed(d, r.bytes, r.len), LW_ERR_BADREC);
    assert_int_equal(rep->bad_records, bad + 3);
    /* An unsupported version: known as Python, no frames. */
    rec_python(&r, PID, 0x030c01f0, NULL);
    feed_ok(d, &r);
    assert_false(rep->images[0].python_supported);
    lw_detector_free(d);
    (void)state;
}

int main(void)
{
    layout = py_layout_fake(BASE + 0x3f00);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_layout_is_valid, setup),
        cmocka_unit_test_setup(test_walk, setup),
        cmocka_unit_test_setup(test_location_table, setup),
        cmocka_unit_test_setup(test_bad_chains, setup),
        cmocka_unit_test_setup(test_strings, setup),
        cmocka_unit_test_setup(test_records, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
