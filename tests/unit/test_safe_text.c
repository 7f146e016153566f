/* test_safe_text.c — the terminal filter (detector/cli/common/safe_text.c) byte for byte:
 * controls, DEL, C1 and bidirectional controls and ill-formed UTF-8 escaped as \xNN, other UTF-8
 * kept, a character split between two writes kept whole, lockwatch's own colour codes in place;
 * and the JSON pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/safe_text.h"

/* What the filter makes of the pieces, written one after another (flushed in between). */
static char *filtered(const char *const *pieces, size_t n)
{
    char *out = NULL;
    size_t len = 0;
    FILE *raw = open_memstream(&out, &len);
    assert_non_null(raw);
    FILE *safe = lwd_safe_open(raw, true);
    assert_non_null(safe);
    for (size_t i = 0; i < n; i++) {
        fputs(pieces[i], safe);
        fflush(safe);
    }
    assert_int_equal(fclose(safe), 0);
    return out;
}

static void expect(const char *in, const char *want)
{
    char *out = filtered(&in, 1);
    assert_string_equal(out, want);
    free(out);
}

static void test_controls(void **state)
{
    (void)state;
    expect("plain text, tab\tand newline\n", "plain text, tab\tand newline\n");
    expect("\x1b]2;pwn\x07", "\\x1b]2;pwn\\x07");
    expect("a\rb\bc\x7f", "a\\x0db\\x08c\\x7f");
    expect("back\\slash", "back\\slash");
}

static void test_utf8(void **state)
{
    (void)state;
    expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92",
           "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92");
    expect("\xc2\x9b"
           "31m",
           "\\xc2\\x9b31m"); /* C1 CSI */
    expect("\xe2\x80\xae"
           "abc",
           "\\xe2\\x80\\xaeabc");                       /* right-to-left override */
    expect("\xff\xc0\xaf", "\\xff\\xc0\\xaf");          /* never UTF-8; overlong '/' */
    expect("\xed\xa0\x80", "\\xed\\xa0\\x80");          /* a surrogate */
    expect("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
    expect("\xe2\x82"
           "x",
           "\\xe2\\x82x");                  /* cut by another character */
    expect("end\xe2\x82", "end\\xe2\\x82"); /* cut by the end */
}

static void test_split_character(void **state)
{
    (void)state;
    const char *pieces[] = {"caf\xc3", "\xa9 \xe2", "\x82", "\xac!"};
    char *out = filtered(pieces, 4);
    assert_string_equal(out, "caf\xc3\xa9 \xe2\x82\xac!");
    free(out);
}

static void test_raw_colour(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0;
    FILE *raw = open_memstream(&out, &len);
    FILE *safe = lwd_safe_open(raw, true);
    assert_non_null(safe);
    fputs("before \x1b", safe);
    lwd_safe_raw(safe, "\x1b[1;31m");
    fputs("red", safe);
    lwd_safe_raw(safe, "\x1b[0m");
    fputs(" after", safe);
    assert_int_equal(fclose(safe), 0);
    assert_string_equal(out, "before \\x1b\x1b[1;31mred\x1b[0m after");
    free(out);
}

static void test_json(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_int_equal(
        lwd_safe_json(f, "{\n  \"name\": \"ok\xe2\x80\xae\xc2\x9b\x7f\xff\xc3\xa9\"\n}"), 0);
    fclose(f);
    assert_string_equal(out, "{\n  \"name\": \"ok\\u202e\\u009b\\u007f\\ufffd\xc3\xa9\"\n}");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_split_character),
        cmocka_unit_test(test_raw_colour),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
