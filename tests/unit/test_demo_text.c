/* test_demo_text.c — the pure text helpers of the demo and the output names: word wrapping
 * (detector/cli/common/wrap.c), the marked source lines (demo_source.c) and %p in file names
 * (path_pattern.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "commands/demo_source.h"
#include "common/path_pattern.h"
#include "common/wrap.h"

/* What lwd_wrap_text (line == 0) or lwd_wrap_line (line == 1) makes of text at width. */
static char *wrapped(const char *text, int width, int line)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    struct lwd_wrap w = {.out = f, .width = width};
    if (line) {
        lwd_wrap_line(&w, text);
    } else {
        lwd_wrap_text(&w, text);
        lwd_wrap_end(&w);
    }
    assert_int_equal(fclose(f), 0);
    return out;
}

static void expect_wrap(const char *text, int width, int line, const char *want)
{
    char *out = wrapped(text, width, line);
    assert_string_equal(out, want);
    free(out);
}

static void test_wrap_words(void **state)
{
    (void)state;
    expect_wrap("one two three four", 9, 0, "one two\nthree\nfour\n");
    expect_wrap("  spaced\n\tout   words ", 80, 0, "spaced out words\n");
    /* A word wider than the line is never broken. */
    expect_wrap("a verylongwordindeed b", 6, 0, "a\nverylongwordindeed\nb\n");
    /* Characters, not bytes: "→" is one column. */
    expect_wrap("A → B → A", 9, 0, "A → B → A\n");
}

static void test_wrap_line(void **state)
{
    (void)state;
    expect_wrap("short", 10, 1, "short\n");
    /* Continuation lines keep the line's indentation. */
    expect_wrap("  one two three four", 12, 1, "  one two\n  three four\n");
    /* Colour sequences take no width. */
    expect_wrap("\033[1mab\033[0m cd", 5, 1, "\033[1mab\033[0m cd\n");
}

static char *stripped(const char *line)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s", line);
    lwd_source_strip_markers(buf);
    return buf;
}

static void test_strip_markers(void **state)
{
    (void)state;
    assert_string_equal(stripped("    lock(&a); /* @lock:take-a */"), "    lock(&a);");
    assert_string_equal(stripped("x = x + 1; /* the race: no lock. @lock:increment */"),
                        "x = x + 1; /* the race: no lock. */");
    assert_string_equal(stripped("std::lock_guard g(m); // @lock:move-inbox"),
                        "std::lock_guard g(m);");
    assert_string_equal(stripped("join(t); /* @wait:main */ /* kept */"), "join(t); /* kept */");
    assert_string_equal(stripped("mail@example.com: fine"), "mail@example.com: fine");
}

static void test_source_regions(void **state)
{
    (void)state;
    char path[] = "/tmp/lw-demo-source-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "int hidden;\n"
                        "    /* @show */\n"
                        "    lock(&a); /* @lock:first */\n"
                        "        lock(&b);\n"
                        "    /* @show-end */\n"
                        "int also_hidden;\n"
                        "/* @show */\n"
                        "    unlock(&b);\n"
                        "/* @show-end */\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    struct lwd_source_lines s;
    assert_int_equal(lwd_source_lines_read(path, &s), 0);
    unlink(path);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.lines[0], "lock(&a);");
    assert_string_equal(s.lines[1], "    lock(&b);");
    assert_string_equal(s.lines[2], "...");
    assert_string_equal(s.lines[3], "unlock(&b);");
    assert_int_equal(s.width, 13);
    lwd_source_lines_free(&s);
    assert_int_equal(lwd_source_lines_read("/nonexistent/lw-demo-source", &s), -1);
}

static void test_path_pattern(void **state)
{
    (void)state;
    char want[64];
    snprintf(want, sizeof want, "r-%ld-100%%.sarif", (long)getpid());
    char *got = lwd_path_expand("r-%p-100%%.sarif");
    assert_string_equal(got, want);
    free(got);
    got = lwd_path_expand("plain%d.json");
    assert_string_equal(got, "plain%d.json");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap_words),    cmocka_unit_test(test_wrap_line),
        cmocka_unit_test(test_strip_markers), cmocka_unit_test(test_source_regions),
        cmocka_unit_test(test_path_pattern),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
