/* test_tsan.c — the ThreadSanitizer report parser on recorded TSan 14 outputs (tests/unit/tsan/):
 * a race on a global, on a heap block with a mutex held, in C++ code with long names and a
 * stack variable, and a lock-order report (not a race: lockwatch reports cycles itself). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lockwatch/tsan.h"

static char *slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", LW_TSAN_SAMPLES, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static void parse_sample(const char *name, struct lw_tsan_log *log)
{
    size_t len;
    char *text = slurp(name, &len);
    memset(log, 0, sizeof *log);
    assert_int_equal(lw_tsan_parse(text, len, log), 0);
    free(text);
}

static void test_race_on_global(void **state)
{
    struct lw_tsan_log log;
    parse_sample("race-global.txt", &log);
    assert_int_equal(log.nreports, 1);
    struct lw_tsan_report *r = &log.reports[0];
    assert_string_equal(r->kind, "data race");
    assert_int_equal(r->pid, 4963);
    assert_true(lw_tsan_is_race(r));
    assert_int_equal(r->naccesses, 2);
    assert_true(r->accesses[0].write);
    assert_false(r->accesses[0].previous);
    assert_int_equal(r->accesses[0].size, 4);
    assert_true(r->accesses[0].addr == 0x561ca215c258ull);
    assert_string_equal(r->accesses[0].thread, "T2");
    assert_null(r->accesses[0].mutexes);
    assert_true(r->accesses[1].previous);
    assert_string_equal(r->accesses[1].thread, "T1");
    assert_int_equal(r->accesses[0].stack.nframes, 1);
    struct lw_tsan_frame *f = &r->accesses[0].stack.frames[0];
    assert_string_equal(f->function, "work");
    assert_string_equal(f->file, "/tmp/race.c");
    assert_int_equal(f->line, 4);
    assert_int_equal(f->column, 68);
    assert_string_equal(f->module, "race");
    assert_true(f->module_offset == 0xd01e8);
    assert_string_equal(r->location, "global 'counter' of size 4");
    assert_string_equal(r->variable, "counter");
    assert_int_equal(r->nthreads, 2);
    assert_string_equal(r->threads[0].thread, "T2");
    assert_int_equal(r->threads[0].tid, 4966);
    assert_string_equal(r->threads[0].creator, "T0");
    assert_int_equal(r->threads[0].created.nframes, 2);
    assert_string_equal(r->threads[0].created.frames[0].function, "pthread_create");
    assert_null(r->threads[0].created.frames[0].file);
    assert_string_equal(r->threads[0].created.frames[1].function, "main");
    assert_int_equal(r->threads[0].created.frames[1].line, 5);
    assert_string_equal(r->summary, "data race /tmp/race.c:4:68 in work");
    lw_tsan_log_free(&log);
}

static void test_race_on_heap_with_mutex(void **state)
{
    struct lw_tsan_log log;
    parse_sample("race-heap-mutex.txt", &log);
    assert_int_equal(log.nreports, 1);
    struct lw_tsan_report *r = &log.reports[0];
    assert_int_equal(r->naccesses, 2);
    assert_string_equal(r->accesses[0].mutexes, "write M0");
    assert_false(r->accesses[1].write);
    assert_int_equal(r->accesses[1].size, 8);
    assert_string_equal(r->location, "heap block of size 8");
    assert_null(r->variable);
    assert_int_equal(r->location_stack.nframes, 2);
    assert_string_equal(r->location_stack.frames[0].function, "malloc");
    assert_string_equal(r->location_stack.frames[1].function, "main");
    assert_int_equal(r->location_stack.frames[1].line, 9);
    /* The "Mutex M0 created at:" frames belong to no access. */
    assert_int_equal(r->accesses[0].stack.nframes, 1);
    assert_int_equal(r->nthreads, 2);
    lw_tsan_log_free(&log);
}

static void test_cpp_names_and_stack_location(void **state)
{
    struct lw_tsan_log log;
    parse_sample("race-cpp-stack.txt", &log);
    assert_int_equal(log.nreports, 5);
    struct lw_tsan_report *r = &log.reports[0];
    assert_int_equal(r->naccesses, 2);
    struct lw_tsan_frame *f = &r->accesses[0].stack.frames[0];
    assert_string_equal(f->function,
                        "std::vector<int, std::allocator<int> >::push_back(int const&)");
    assert_int_equal(f->line, 1278);
    assert_string_equal(r->accesses[0].stack.frames[1].function, "deposit(Account&, int)");
    assert_string_equal(r->accesses[0].stack.frames[1].file, "/tmp/tsan/cpp.cpp");
    /* "#8 <null> <null> (libstdc++.so.6+0xd44a2)" */
    struct lw_tsan_frame *last = &r->accesses[0].stack.frames[8];
    assert_null(last->function);
    assert_null(last->file);
    assert_string_equal(last->module, "libstdc++.so.6");
    /* The first location wins over TSan's "global '??'" second guess. */
    assert_string_equal(r->location, "stack of main thread");
    assert_null(r->variable);
    /* A report whose location is a heap block allocated by a thread. */
    bool heap = false;
    for (size_t i = 0; i < log.nreports; i++)
        if (log.reports[i].location && strstr(log.reports[i].location, "heap block")) heap = true;
    assert_true(heap);
    lw_tsan_log_free(&log);
}

static void test_lock_order_report_is_not_a_race(void **state)
{
    struct lw_tsan_log log;
    parse_sample("lock-order.txt", &log);
    assert_int_equal(log.nreports, 1);
    assert_false(lw_tsan_is_race(&log.reports[0]));
    assert_string_equal(log.reports[0].kind, "lock-order-inversion (potential deadlock)");
    assert_int_equal(log.reports[0].naccesses, 0);
    lw_tsan_log_free(&log);
}

static void test_garbage_and_truncation(void **state)
{
    const char *inputs[] = {
        "",
        "no report here\n#0 frame outside a report (x+0x1)\n",
        "WARNING: ThreadSanitizer: data race (pid=1)\n  Write of size",
        ("WARNING: ThreadSanitizer: data race (pid=1)\n  Write of size 4 at 0x10 by thread T1:\n"
         "    #0\n    #1 (\n    #2 f :\n    #3 <null> <null> (+)\n  Location is \n"),
        "==================\nWARNING: ThreadSanitizer: data race\n  Thread T\n",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        struct lw_tsan_log log = {0};
        assert_int_equal(lw_tsan_parse(inputs[i], strlen(inputs[i]), &log), 0);
        lw_tsan_log_free(&log);
    }
}

/* A log written with CRLF line ends, cut just after a CR (no final LF), parses as the LF log
 * does; a log that is only "\r", or ends in one, ends the parse. */
static void test_carriage_returns(void **state)
{
    (void)state;
    size_t len;
    char *text = slurp("race-global.txt", &len);
    char *crlf = malloc(2 * len + 2);
    assert_non_null(crlf);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') crlf[n++] = '\r';
        crlf[n++] = text[i];
    }
    if (n > 0 && crlf[n - 1] == '\n') n--; /* the log now ends in "\r" */
    struct lw_tsan_log plain = {0}, dos = {0};
    assert_int_equal(lw_tsan_parse(text, len, &plain), 0);
    assert_int_equal(lw_tsan_parse(crlf, n, &dos), 0);
    assert_int_equal(dos.nreports, plain.nreports);
    assert_true(plain.nreports > 0);
    assert_string_equal(dos.reports[0].kind, plain.reports[0].kind);
    assert_string_equal(dos.reports[0].summary, plain.reports[0].summary);
    assert_int_equal(dos.reports[0].naccesses, plain.reports[0].naccesses);
    assert_int_equal(dos.reports[0].accesses[0].stack.nframes,
                     plain.reports[0].accesses[0].stack.nframes);
    lw_tsan_log_free(&plain);
    lw_tsan_log_free(&dos);
    const char *tails[] = {"\r", "x\r", "\r\r", "a\n\r"};
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        struct lw_tsan_log log = {0};
        assert_int_equal(lw_tsan_parse(tails[i], strlen(tails[i]), &log), 0);
        lw_tsan_log_free(&log);
    }
    free(crlf);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_race_on_global),
        cmocka_unit_test(test_race_on_heap_with_mutex),
        cmocka_unit_test(test_cpp_names_and_stack_location),
        cmocka_unit_test(test_lock_order_report_is_not_a_race),
        cmocka_unit_test(test_garbage_and_truncation),
        cmocka_unit_test(test_carriage_returns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
