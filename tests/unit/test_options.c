/* test_options.c — the command line and LOCKWATCH_OPTIONS (detector/cli/options.h): every option
 * in both spellings ("--name=VALUE", "--name VALUE"), the environment applied first and the
 * command line winning, where the options stop, and the exact one-line message and result of each
 * kind of bad input (the integration tests and users rely on the words). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "options.h"

#define HINT "Try 'lockwatch --help' for more information.\n"

/* One parse with stdout and stderr caught. words: the command line after "lockwatch". */
struct parsed {
    enum lwd_parse_result result;
    struct lwd_options opts;
    char *out; /* what went to stdout */
    char *err; /* what went to stderr */
    char *env; /* the writable copy of LOCKWATCH_OPTIONS, which opts may point into */
    char *argv[64];
};

static struct parsed *parse(const char *env, const char *const *words)
{
    struct parsed *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->argv[0] = "lockwatch";
    int argc = 1;
    for (; words[argc - 1] != NULL; argc++) {
        assert_true(argc < 63);
        p->argv[argc] = (char *)words[argc - 1];
    }
    if (env) p->env = strdup(env);
    size_t out_len = 0, err_len = 0;
    FILE *saved_out = stdout, *saved_err = stderr;
    stdout = open_memstream(&p->out, &out_len);
    stderr = open_memstream(&p->err, &err_len);
    assert_non_null(stdout);
    assert_non_null(stderr);
    p->result = lwd_options_parse(&p->opts, p->env, argc, p->argv);
    fclose(stdout);
    fclose(stderr);
    stdout = saved_out;
    stderr = saved_err;
    return p;
}

static void release(struct parsed *p)
{
    free(p->out);
    free(p->err);
    free(p->env);
    free(p);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The parse fails with exactly this message (and the hint after it). */
static void expect_error(const char *env, const char *const *words, const char *message)
{
    struct parsed *p = parse(env, words);
    assert_int_equal(p->result, LWD_PARSE_FAILED);
    char want[512];
    snprintf(want, sizeof want, "lockwatch: %s\n" HINT, message);
    assert_string_equal(p->err, want);
    assert_string_equal(p->out, "");
    release(p);
}

static void test_defaults(void **state)
{
    (void)state;
    struct parsed *p = parse(NULL, WORDS("./prog", "--format=json"));
    assert_int_equal(p->result, LWD_PARSE_RUN);
    assert_string_equal(p->err, "");
    const struct lwd_options *o = &p->opts;
    assert_int_equal(o->format, LWD_FORMAT_TEXT);
    assert_int_equal(o->color, LWD_COLOR_AUTO);
    assert_null(o->output);
    assert_int_equal(o->exit_code, LWD_EXIT_FINDINGS);
    assert_null(o->runtime);
    assert_int_equal(o->on_deadlock, LWD_ON_DEADLOCK_EXIT);
    assert_int_equal(o->deadlock_delay_ms, LWD_DEFAULT_DEADLOCK_DELAY_MS);
    assert_int_equal(o->timeout_ms, 0);
    assert_int_equal(o->interrupt_grace_ms, LWD_DEFAULT_INTERRUPT_GRACE_MS);
    assert_int_equal(o->linger_ms, 0);
    assert_int_equal(o->cycle_search_budget, 0);
    assert_int_equal(o->confirm, 0);
    assert_int_equal(o->fail_on, LWD_FAIL_ON_ALL);
    assert_false(o->verbose || o->no_hints || o->text_on_stderr || o->profile);
    assert_null(o->suppressions);
    assert_null(o->baseline);
    assert_null(o->source_root);
    assert_null(o->graph);
    assert_null(o->trace);
    assert_null(o->replay);
    assert_null(o->replay_dir);
    /* The program's own options pass through untouched. */
    assert_int_equal(o->argc, 2);
    assert_string_equal(o->argv[0], "./prog");
    assert_string_equal(o->argv[1], "--format=json");
    assert_null(o->argv[2]);
    release(p);
}

/* Every option, half of them as "--name=VALUE" and half as "--name VALUE". */
static void test_every_option(void **state)
{
    (void)state;
    char dir[] = "/tmp/lw-test-options-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct parsed *p = parse(
        NULL, WORDS("--format", "sarif", "--color=never", "--output", "r.json", "--text-on-stderr",
                    "--exit-code=0", "--runtime", "/x/liblockwatch.so", "--on-deadlock=report",
                    "--deadlock-delay", "0.0001", "--timeout=2.5", "--interrupt-grace", "30",
                    "--linger=0.5", "--cycle-search-budget", "5", "--confirm=3", "--replay-dir",
                    dir, "--fail-on=confirmed", "--graph", "g.svg", "--verbose", "--no-hints",
                    "--profile", "--trace=t.json", "--suppressions", "s.txt", "--baseline=b.json",
                    "--source-root", "/src", "--", "-prog", "a"));
    assert_int_equal(p->result, LWD_PARSE_RUN);
    assert_string_equal(p->err, "");
    const struct lwd_options *o = &p->opts;
    assert_int_equal(o->format, LWD_FORMAT_SARIF);
    assert_int_equal(o->color, LWD_COLOR_NEVER);
    assert_string_equal(o->output, "r.json");
    assert_true(o->text_on_stderr);
    assert_int_equal(o->exit_code, 0);
    assert_string_equal(o->runtime, "/x/liblockwatch.so");
    assert_int_equal(o->on_deadlock, LWD_ON_DEADLOCK_REPORT);
    assert_int_equal(o->deadlock_delay_ms, 1); /* rounded up, never 0 */
    assert_int_equal(o->timeout_ms, 2500);
    assert_int_equal(o->interrupt_grace_ms, 30000);
    assert_int_equal(o->linger_ms, 500);
    assert_int_equal(o->cycle_search_budget, 5);
    assert_int_equal(o->confirm, 3);
    assert_string_equal(o->replay_dir, dir);
    assert_int_equal(o->fail_on, LWD_FAIL_ON_CONFIRMED);
    assert_string_equal(o->graph, "g.svg");
    assert_true(o->verbose);
    assert_true(o->no_hints);
    assert_true(o->profile);
    assert_string_equal(o->trace, "t.json");
    assert_string_equal(o->suppressions, "s.txt");
    assert_string_equal(o->baseline, "b.json");
    assert_string_equal(o->source_root, "/src");
    assert_int_equal(o->argc, 2);
    assert_string_equal(o->argv[0], "-prog"); /* "--" ends the options */
    release(p);
    rmdir(dir);

    p = parse(NULL, WORDS("--format=json", "--color", "always", "--confirm", "--fail-on",
                          "concurrent", "--cycle-search-budget=0", "prog"));
    assert_int_equal(p->result, LWD_PARSE_RUN);
    assert_int_equal(p->opts.format, LWD_FORMAT_JSON);
    assert_int_equal(p->opts.color, LWD_COLOR_ALWAYS);
    assert_int_equal(p->opts.confirm, LWD_CONFIRM_DEFAULT);
    assert_int_equal(p->opts.fail_on, LWD_FAIL_ON_CONCURRENT);
    assert_int_equal(p->opts.cycle_search_budget, UINT64_MAX); /* 0: no limit */
    release(p);
    p = parse(NULL, WORDS("--replay", "r", "--color=auto", "--format=text", "prog"));
    assert_int_equal(p->result, LWD_PARSE_RUN);
    assert_string_equal(p->opts.replay, "r");
    assert_int_equal(p->opts.color, LWD_COLOR_AUTO);
    release(p);
}

/* LOCKWATCH_OPTIONS first, the command line second: the command line wins. */
static void test_environment(void **state)
{
    (void)state;
    struct parsed *p =
        parse(" --format=json\t--exit-code 3\n --profile ", WORDS("--format=text", "prog"));
    assert_int_equal(p->result, LWD_PARSE_RUN);
    assert_int_equal(p->opts.format, LWD_FORMAT_TEXT);
    assert_int_equal(p->opts.exit_code, 3);
    assert_true(p->opts.profile);
    assert_string_equal(p->opts.argv[0], "prog");
    release(p);
    p = parse("", WORDS("prog"));
    assert_int_equal(p->result, LWD_PARSE_RUN);
    release(p);
}

/* Options stop at the first word that is not one; "--confirm" takes its count only after "=". */
static void test_where_options_stop(void **state)
{
    (void)state;
    struct parsed *p = parse(NULL, WORDS("--confirm", "5", "--format=json"));
    assert_int_equal(p->result, LWD_PARSE_RUN);
    assert_int_equal(p->opts.confirm, LWD_CONFIRM_DEFAULT);
    assert_string_equal(p->opts.argv[0], "5");
    assert_int_equal(p->opts.format, LWD_FORMAT_TEXT);
    release(p);
    p = parse(NULL, WORDS("-", "--verbose"));
    assert_int_equal(p->result, LWD_PARSE_RUN);
    assert_string_equal(p->opts.argv[0], "-"); /* "-" alone is not an option */
    assert_false(p->opts.verbose);
    release(p);
    /* A separate value is taken as it is, even when it looks like an option. */
    p = parse(NULL, WORDS("--output", "--verbose", "prog"));
    assert_int_equal(p->result, LWD_PARSE_RUN);
    assert_string_equal(p->opts.output, "--verbose");
    assert_false(p->opts.verbose);
    release(p);
}

static void test_help_and_version(void **state)
{
    (void)state;
    const char *const *help[] = {WORDS("--help"), WORDS("-h", "prog"), WORDS("--verbose", "-h")};
    for (size_t i = 0; i < sizeof help / sizeof help[0]; i++) {
        struct parsed *p = parse(NULL, help[i]);
        assert_int_equal(p->result, LWD_PARSE_DONE);
        assert_string_equal(p->err, "");
        assert_true(strncmp(p->out, "Usage: lockwatch [options] [--] program [args...]\n", 50) ==
                    0);
        assert_non_null(strstr(p->out, "\n  --format=text|json|sarif\n"));
        assert_non_null(strstr(p->out, "\n  --source-root=DIR    SARIF file locations"));
        assert_non_null(strstr(
            p->out, "  lockwatch --format=json --output=report.json ./server --threads 4\n"));
        release(p);
    }
    struct parsed *p = parse(NULL, WORDS("--version", "prog"));
    assert_int_equal(p->result, LWD_PARSE_DONE);
    assert_string_equal(p->out, "lockwatch " LOCKWATCH_VERSION "\n");
    release(p);
    /* From LOCKWATCH_OPTIONS they would end every run before the program ran, with exit 0. */
    expect_error("--version", WORDS("prog"),
                 "LOCKWATCH_OPTIONS: --version is for the command line only");
    expect_error("--verbose -h", WORDS("prog"),
                 "LOCKWATCH_OPTIONS: --help is for the command line only");
}

/* Each kind of bad input: one line, the hint, LWD_PARSE_FAILED. */
static void test_errors(void **state)
{
    (void)state;
    expect_error(NULL, WORDS("--bogus", "prog"), "unknown option '--bogus'");
    expect_error(NULL, WORDS("--profile=1", "prog"), "unknown option '--profile=1'");
    expect_error(NULL, WORDS("--help=x", "prog"), "unknown option '--help=x'");
    expect_error(NULL, WORDS("-x", "prog"), "unknown option '-x'");
    expect_error(NULL, WORDS("--form=json", "prog"), "unknown option '--form=json'");
    expect_error(NULL, WORDS("--format"), "--format needs a value");
    expect_error(NULL, WORDS("--verbose"), "no program given");
    expect_error(NULL, WORDS("--"), "no program given");
    expect_error(NULL, WORDS("--format=xml", "p"),
                 "bad value 'xml' for --format (expected text, json or sarif)");
    expect_error(NULL, WORDS("--color=blue", "p"),
                 "bad value 'blue' for --color (expected auto, always or never)");
    expect_error(NULL, WORDS("--on-deadlock=wait", "p"),
                 "bad value 'wait' for --on-deadlock (expected exit or report)");
    expect_error(NULL, WORDS("--fail-on=some", "p"),
                 "bad value 'some' for --fail-on (expected all, concurrent or confirmed)");
    expect_error(NULL, WORDS("--exit-code=256", "p"),
                 "bad value '256' for --exit-code (expected 0..255)");
    expect_error(NULL, WORDS("--exit-code=", "p"),
                 "bad value '' for --exit-code (expected 0..255)");
    expect_error(NULL, WORDS("--deadlock-delay=3601", "p"),
                 "bad value '3601' for --deadlock-delay (expected seconds, more than 0 and at "
                 "most 3600, e.g. 0.1)");
    expect_error(NULL, WORDS("--timeout=0", "p"),
                 "bad value '0' for --timeout (expected seconds, more than 0, e.g. 30 or 2.5)");
    expect_error(NULL, WORDS("--linger=1s", "p"),
                 "bad value '1s' for --linger (expected seconds, more than 0, e.g. 5 or 0.5)");
    expect_error(NULL, WORDS("--interrupt-grace=-1", "p"),
                 "bad value '-1' for --interrupt-grace (expected seconds, more than 0, e.g. 2 or "
                 "30)");
    expect_error(NULL, WORDS("--cycle-search-budget=-1", "p"),
                 "bad value '-1' for --cycle-search-budget (expected a number of steps, e.g. "
                 "1000000, or 0 for no limit)");
    expect_error(NULL, WORDS("--confirm=0", "p"),
                 "bad value '0' for --confirm (expected a number of re-runs from 1 to 1000, e.g. "
                 "10)");
    expect_error(NULL, WORDS("--confirm=1001", "p"),
                 "bad value '1001' for --confirm (expected a number of re-runs from 1 to 1000, "
                 "e.g. 10)");
    expect_error(NULL, WORDS("--output=", "p"), "--output needs a file name");
    expect_error(NULL, WORDS("--graph=", "p"), "--graph needs a file name");
    expect_error(NULL, WORDS("--trace", "", "p"), "--trace needs a file name");
    expect_error(NULL, WORDS("--replay=", "p"), "--replay needs a file name");
    expect_error(NULL, WORDS("--confirm", "--replay-dir=", "p"),
                 "--replay-dir needs a directory name");
    expect_error(NULL, WORDS("--runtime=", "p"), "--runtime needs a path");
    expect_error(NULL, WORDS("--suppressions=", "p"), "--suppressions needs a path");
    expect_error(NULL, WORDS("--baseline=", "p"), "--baseline needs a path");
    expect_error(NULL, WORDS("--source-root=", "p"), "--source-root needs a path");
    expect_error(NULL, WORDS("--fail-on=confirmed", "p"),
                 "--fail-on=confirmed needs --confirm (without it no lock-order inversion is "
                 "ever confirmed)");
    expect_error(NULL, WORDS("--replay-dir=/", "p"),
                 "--replay-dir needs --confirm (only --confirm writes replay files)");
    expect_error(NULL, WORDS("--confirm", "--replay-dir=/nonexistent/lw", "p"),
                 "--replay-dir=/nonexistent/lw: not a directory");
    expect_error(NULL, WORDS("--confirm", "--replay=r", "p"),
                 "--replay and --confirm cannot be used together (a replay is one run with a "
                 "recorded schedule)");
}

/* The same errors from LOCKWATCH_OPTIONS name it; the command line is not looked at then. */
static void test_environment_errors(void **state)
{
    (void)state;
    expect_error("--bogus", WORDS("prog"), "LOCKWATCH_OPTIONS: unknown option '--bogus'");
    expect_error("--format=xml", WORDS("prog"),
                 "LOCKWATCH_OPTIONS: bad value 'xml' for --format (expected text, json or "
                 "sarif)");
    expect_error("--output", WORDS("prog"), "LOCKWATCH_OPTIONS: --output needs a value");
    expect_error("--verbose ./prog", WORDS("prog"),
                 "LOCKWATCH_OPTIONS: './prog' is not an option (the program goes on the command "
                 "line)");
    expect_error("--runtime=", WORDS("--help"), "LOCKWATCH_OPTIONS: --runtime needs a path");
    /* Quotes keep blanks in a value and go (as in the sanitizers' *_OPTIONS); one left open is
     * refused before anything is set. */
    expect_error("--output='my report.txt", WORDS("prog"),
                 "LOCKWATCH_OPTIONS: a ' quote is not closed");
    expect_error("--verbose \"--output=r.json", WORDS("prog"),
                 "LOCKWATCH_OPTIONS: a \" quote is not closed");
    /* The value of a separate word is not checked for being an option. */
    struct parsed *p = parse("--output report", WORDS("prog"));
    assert_int_equal(p->result, LWD_PARSE_RUN);
    assert_string_equal(p->opts.output, "report");
    release(p);
    const char *quoted[][2] = {{"--output='my report.txt'", "my report.txt"},
                               {" --verbose\t--output \"r.json\" ", "r.json"},
                               {"--output=\"a 'b'\"c' d'", "a 'b'c d"}};
    for (size_t i = 0; i < sizeof quoted / sizeof quoted[0]; i++) {
        p = parse(quoted[i][0], WORDS("prog"));
        assert_string_equal(p->err, "");
        assert_string_equal(p->opts.output ? p->opts.output : "(none)", quoted[i][1]);
        release(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),           cmocka_unit_test(test_every_option),
        cmocka_unit_test(test_environment),        cmocka_unit_test(test_where_options_stop),
        cmocka_unit_test(test_help_and_version),   cmocka_unit_test(test_errors),
        cmocka_unit_test(test_environment_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
