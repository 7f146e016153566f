/* options.c — parses the `lockwatch` command line and LOCKWATCH_OPTIONS into struct lwd_options.
 * One table (options[]) names every option once: how it takes its value, the setter that checks
 * and stores it, and its lines of --help, so parsing and the help text cannot drift apart. The
 * help text doubles as the command's reference (keep it in step with docs/ and the exit codes in
 * driver.h). */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* How an option takes its value. */
enum option_value {
    VALUE_NONE,     /* --name */
    VALUE_REQUIRED, /* --name=VALUE or --name VALUE */
    VALUE_OPTIONAL, /* --name or --name=VALUE (a separate word is the program, not the value) */
};

enum set_result {
    SET_OK,   /* stored: go on */
    SET_DONE, /* --help or --version printed: stop, exit 0 */
    SET_BAD,  /* one line on stderr said why: stop, usage error */
};

struct option_def;

/* value: the option's value, NULL for VALUE_NONE (and VALUE_OPTIONAL without "="); prefix: ""
 * or "LOCKWATCH_OPTIONS: ", for messages. */
typedef enum set_result (*option_setter)(const struct option_def *def, struct lwd_options *opts,
                                         const char *value, const char *prefix);

struct option_def {
    const char *name;  /* without the leading "--" */
    const char *alias; /* another whole word meaning the same ("-h"), or NULL */
    enum option_value takes;
    const char *metavar; /* in --help: "--name=METAVAR"; NULL: the choices joined by '|' */
    option_setter set;
    size_t field;               /* offsetof(struct lwd_options, ...) that the setter writes */
    const char *expected;       /* set_path: what the value names; others: the bad-value hint */
    const char *const *choices; /* set_choice: the names, in the order of the enum's values */
    unsigned max_ms;            /* set_seconds: the largest value allowed */
    const char *help;           /* its lines of --help, after the option's spelling */
};

static void *field_of(struct lwd_options *opts, const struct option_def *def)
{
    return (char *)opts + def->field;
}

static enum set_result bad_value(const struct option_def *def, const char *value,
                                 const char *prefix, const char *expected)
{
    fprintf(stderr, "lockwatch: %sbad value '%s' for --%s (%s)\n", prefix, value, def->name,
            expected);
    return SET_BAD;
}

static enum set_result set_flag(const struct option_def *def, struct lwd_options *opts,
                                const char *value, const char *prefix)
{
    *(bool *)field_of(opts, def) = true;
    return SET_OK;
}

/* A file or directory name that must not be empty (whether it can be used is checked where it is
 * used, with its own exit code). */
static enum set_result set_path(const struct option_def *def, struct lwd_options *opts,
                                const char *value, const char *prefix)
{
    if (value[0] == '\0') {
        fprintf(stderr, "lockwatch: %s--%s needs %s\n", prefix, def->name, def->expected);
        return SET_BAD;
    }
    *(const char **)field_of(opts, def) = value;
    return SET_OK;
}

/* Every enum a choice sets is stored as an unsigned whose value is the choice's index. */
_Static_assert(sizeof(enum lwd_format) == sizeof(unsigned) &&
                   sizeof(enum lwd_color) == sizeof(unsigned) &&
                   sizeof(enum lwd_on_deadlock) == sizeof(unsigned) &&
                   sizeof(enum lwd_fail_on) == sizeof(unsigned),
               "choice options store their enum as an unsigned");

static enum set_result set_choice(const struct option_def *def, struct lwd_options *opts,
                                  const char *value, const char *prefix)
{
    size_t n = 0;
    for (; def->choices[n] != NULL; n++) {
        if (strcmp(value, def->choices[n]) == 0) {
            unsigned index = (unsigned)n;
            memcpy(field_of(opts, def), &index, sizeof index);
            return SET_OK;
        }
    }
    /* "expected a, b or c" */
    char expected[128] = "expected ";
    for (size_t i = 0; i < n; i++) {
        const char *sep = i == 0 ? "" : i + 1 < n ? ", " : " or ";
        size_t used = strlen(expected);
        snprintf(expected + used, sizeof expected - used, "%s%s", sep, def->choices[i]);
    }
    return bad_value(def, value, prefix, expected);
}

/* Seconds with an optional fraction ("2", "0.25") into whole milliseconds, rounded up so a
 * small positive value never becomes 0; at most max_ms. */
static bool parse_seconds(const char *value, unsigned max_ms, unsigned *ms)
{
    char *end = NULL;
    errno = 0;
    double seconds = strtod(value, &end);
    if (value[0] == '\0' || *end != '\0' || errno != 0 || !(seconds > 0) ||
        seconds * 1000.0 > (double)max_ms)
        return false;
    double whole = seconds * 1000.0;
    unsigned rounded = (unsigned)whole;
    *ms = (double)rounded < whole ? rounded + 1 : rounded;
    return true;
}

static enum set_result set_seconds(const struct option_def *def, struct lwd_options *opts,
                                   const char *value, const char *prefix)
{
    if (parse_seconds(value, def->max_ms, field_of(opts, def))) return SET_OK;
    return bad_value(def, value, prefix, def->expected);
}

static enum set_result set_exit_code(const struct option_def *def, struct lwd_options *opts,
                                     const char *value, const char *prefix)
{
    char *end = NULL;
    errno = 0;
    long code = strtol(value, &end, 10);
    if (value[0] == '\0' || *end != '\0' || errno != 0 || code < 0 || code > 255)
        return bad_value(def, value, prefix, def->expected);
    opts->exit_code = (int)code;
    return SET_OK;
}

static enum set_result set_cycle_search_budget(const struct option_def *def,
                                               struct lwd_options *opts, const char *value,
                                               const char *prefix)
{
    char *end = NULL;
    errno = 0;
    unsigned long long steps = strtoull(value, &end, 10);
    if (!(value[0] >= '0' && value[0] <= '9' && *end == '\0' && errno == 0))
        return bad_value(def, value, prefix, def->expected);
    opts->cycle_search_budget = steps == 0 ? UINT64_MAX : (uint64_t)steps;
    return SET_OK;
}

/* --confirm alone re-runs LWD_CONFIRM_DEFAULT times. */
static enum set_result set_confirm(const struct option_def *def, struct lwd_options *opts,
                                   const char *value, const char *prefix)
{
    if (value == NULL) {
        opts->confirm = LWD_CONFIRM_DEFAULT;
        return SET_OK;
    }
    char *end = NULL;
    errno = 0;
    unsigned long n = strtoul(value, &end, 10);
    if (!(value[0] >= '1' && value[0] <= '9' && *end == '\0' && errno == 0 && n <= 1000))
        return bad_value(def, value, prefix, def->expected);
    opts->confirm = (unsigned)n;
    return SET_OK;
}

static const char usage_head[] =
    "Usage: lockwatch [options] [--] program [args...]\n"
    "       lockwatch demo [--step] [--confirm[=N]] [NAME]\n"
    "       lockwatch merge-sarif OUT IN...\n"
    "\n"
    "Runs an unmodified, dynamically linked program with the lockwatch runtime preloaded and\n"
    "reports lock-order inversions (potential deadlocks), real deadlocks and lock misuse\n"
    "(double lock, unlock of a lock not held, destroy of a held lock, thread exit holding a\n"
    "lock) in the program and every process it forks or executes. The program's own standard\n"
    "input, output and error are left alone; the report goes to standard error.\n"
    "\n"
    "Options (they stop at the first word that is not an option, so the program's options\n"
    "pass through; \"--\" ends them explicitly):\n";

static const char usage_tail[] =
    "Options that take a value accept \"--name=VALUE\" and \"--name VALUE\".\n"
    "\n"
    "Environment:\n"
    "  LOCKWATCH_OPTIONS    options applied before the command line's (which win), separated\n"
    "                       by whitespace; quote a value with blanks, e.g.\n"
    "                       LOCKWATCH_OPTIONS=\"--format=json --output='my report.json'\"\n"
    "  NO_COLOR             when set, the text report is not coloured\n"
    "\n"
    "Exit status:\n"
    "  66      findings exist (or the --exit-code value), also when lockwatch ended the\n"
    "          run itself after a deadlock or the --timeout; --fail-on and --baseline\n"
    "          choose which count\n"
    "  N       no findings: the program's own exit status\n"
    "  128+S   no findings: the program was killed by signal S\n"
    "  2       usage error: unknown option, bad value, no program, or the --output,\n"
    "          --graph or --trace file cannot be created\n"
    "  3       lockwatch itself failed (out of memory, cannot start the program, cannot\n"
    "          write the report, graph or trace)\n"
    "  4       the program was not found\n"
    "  5       the program cannot be executed (not a regular file, no permission)\n"
    "  6       the program is statically linked: LD_PRELOAD cannot reach it\n"
    "  7       the program is setuid or setgid: the loader ignores LD_PRELOAD\n"
    "  8       the runtime library liblockwatch.so was not found, or the program cannot\n"
    "          load it (another ELF class or machine)\n"
    "  9       the --suppressions file cannot be read or has a malformed line\n"
    "  10      the --baseline file cannot be read or is not a lockwatch JSON report or\n"
    "          SARIF log\n"
    "  11      the arguments and environment do not fit with lockwatch's additions\n"
    "  12      --graph names a format graphviz's dot cannot render, or dot is missing\n"
    "  13      merge-sarif: an input is not a lockwatch SARIF log, or they cannot merge\n"
    "  14      the --replay file cannot be read or is not a lockwatch replay file\n"
    "\n"
    "Merging SARIF (a test suite run under lockwatch, one log per test):\n"
    "  lockwatch merge-sarif OUT IN...  writes one SARIF log with one run holding every\n"
    "                        result of the IN logs once (code scanning wants one run per\n"
    "                        tool and category)\n"
    "\n"
    "Demo (for teaching):\n"
    "  lockwatch demo        lists the scenarios: small broken/fixed program pairs\n"
    "  lockwatch demo NAME   explains scenario NAME, runs its broken program under lockwatch,\n"
    "                        then the fixed one; exits 0 when both behaved as the scenario\n"
    "                        expects, 1 otherwise. Build the scenarios first (cmake --build\n"
    "                        BUILD --target scenarios); a program named demo runs as\n"
    "                        'lockwatch ./demo'. Everything goes to standard output (pipe\n"
    "                        it to a pager), wrapped to the terminal; --step waits for\n"
    "                        Enter on the terminal between steps; --confirm[=N] is passed\n"
    "                        on to the runs (try: lockwatch demo rare-deadlock --confirm)\n"
    "\n"
    "Example:\n"
    "  lockwatch --format=json --output=report.json ./server --threads 4\n";

/* --help and --version belong on the command line: from LOCKWATCH_OPTIONS they would end every
 * run with exit 0 before the program ran, and a CI job would pass without testing anything. */
static bool command_line_only(const struct option_def *def, const char *prefix)
{
    if (prefix[0] == '\0') return true;
    fprintf(stderr, "lockwatch: %s--%s is for the command line only\n", prefix, def->name);
    return false;
}

static enum set_result show_version(const struct option_def *def, struct lwd_options *opts,
                                    const char *value, const char *prefix)
{
    if (!command_line_only(def, prefix)) return SET_BAD;
    printf("lockwatch %s\n", LOCKWATCH_VERSION);
    return SET_DONE;
}

static enum set_result show_help(const struct option_def *def, struct lwd_options *opts,
                                 const char *value, const char *prefix);

/* Upper bounds: a delay above an hour is a typo; a timeout fits in 32-bit milliseconds. */
#define LWD_MAX_DEADLOCK_DELAY_MS (3600u * 1000u)
#define LWD_MAX_TIMEOUT_MS (1000000u * 1000u)

#define FIELD(member) offsetof(struct lwd_options, member)

static const char *const format_names[] = {"text", "json", "sarif", NULL};
static const char *const color_names[] = {"auto", "always", "never", NULL};
static const char *const on_deadlock_names[] = {"exit", "report", NULL};
static const char *const fail_on_names[] = {"all", "concurrent", "confirmed", NULL};

/* Every option, in the order --help lists them. */
static const struct option_def options[] = {
    {.name = "format",
     .takes = VALUE_REQUIRED,
     .set = set_choice,
     .field = FIELD(format),
     .choices = format_names,
     .help = "report format (default text); sarif is SARIF 2.1.0 for code\n"
             "scanning (GitHub and others)"},
    {.name = "color",
     .takes = VALUE_REQUIRED,
     .set = set_choice,
     .field = FIELD(color),
     .choices = color_names,
     .help = "colour the text report: on a terminal without NO_COLOR (auto,\n"
             "the default), always, or never"},
    {.name = "output",
     .takes = VALUE_REQUIRED,
     .metavar = "FILE",
     .set = set_path,
     .field = FIELD(output),
     .expected = "a file name",
     .help = "write the report to FILE instead of standard error; %p in FILE\n"
             "becomes lockwatch's process id (also in --graph and --trace)"},
    {.name = "text-on-stderr",
     .set = set_flag,
     .field = FIELD(text_on_stderr),
     .help = "also write the text report on standard error when the report\n"
             "goes elsewhere (--output, or JSON or SARIF), e.g. so that\n"
             "ctest --output-on-failure shows it"},
    {.name = "exit-code",
     .takes = VALUE_REQUIRED,
     .metavar = "N",
     .set = set_exit_code,
     .expected = "expected 0..255",
     .help = "exit status when findings exist, 0..255 (default 66)"},
    {.name = "runtime",
     .takes = VALUE_REQUIRED,
     .metavar = "PATH",
     .set = set_path,
     .field = FIELD(runtime),
     .expected = "a path",
     .help = "liblockwatch.so to preload (default: the one installed beside\n"
             "this command, ../lib/liblockwatch.so)"},
    {.name = "on-deadlock",
     .takes = VALUE_REQUIRED,
     .set = set_choice,
     .field = FIELD(on_deadlock),
     .choices = on_deadlock_names,
     .help = "when the program deadlocks for real (threads wait for each other\n"
             "in a cycle, every thread of the run waits and none can wake\n"
             "another, or a thread re-locks a lock it holds and would block for\n"
             "ever): exit (default) kills every process of the run with SIGKILL\n"
             "and reports; report only reports once you end the run"},
    {.name = "deadlock-delay",
     .takes = VALUE_REQUIRED,
     .metavar = "SEC",
     .set = set_seconds,
     .field = FIELD(deadlock_delay_ms),
     .max_ms = LWD_MAX_DEADLOCK_DELAY_MS,
     .expected = "expected seconds, more than 0 and at most 3600, e.g. 0.1",
     .help = "a thread blocked for SEC seconds (fractions allowed) on a lock, a\n"
             "join, a condition variable, a semaphore, a barrier or a child is\n"
             "checked for a deadlock, so a real deadlock is reported about SEC\n"
             "after it forms (default 0.1)"},
    {.name = "timeout",
     .takes = VALUE_REQUIRED,
     .metavar = "SEC",
     .set = set_seconds,
     .field = FIELD(timeout_ms),
     .max_ms = LWD_MAX_TIMEOUT_MS,
     .expected = "expected seconds, more than 0, e.g. 30 or 2.5",
     .help = "end a run still going after SEC seconds (fractions allowed): the\n"
             "report gets a hang finding with every thread's current stack in\n"
             "every process of the run, then every process is killed (SIGKILL)\n"
             "and the exit status is the findings code. Default: no timeout.\n"
             "The same happens to a program still running after SIGINT,\n"
             "SIGTERM or SIGHUP to lockwatch, once the grace below is over"},
    {.name = "interrupt-grace",
     .takes = VALUE_REQUIRED,
     .metavar = "SEC",
     .set = set_seconds,
     .field = FIELD(interrupt_grace_ms),
     .max_ms = LWD_MAX_TIMEOUT_MS,
     .expected = "expected seconds, more than 0, e.g. 2 or 30",
     .help = "how long a program may take to end after SIGINT, SIGTERM or\n"
             "SIGHUP to lockwatch before it is reported and ended (default 2)"},
    {.name = "linger",
     .takes = VALUE_REQUIRED,
     .metavar = "SEC",
     .set = set_seconds,
     .field = FIELD(linger_ms),
     .max_ms = LWD_MAX_TIMEOUT_MS,
     .expected = "expected seconds, more than 0, e.g. 5 or 0.5",
     .help = "after the program exits, wait at most SEC seconds for processes\n"
             "it left running (a daemon) before the report; they are left\n"
             "running. Default: wait until every process of the run has ended;\n"
             "SIGINT, SIGTERM or SIGHUP to lockwatch also ends the wait"},
    {.name = "cycle-search-budget",
     .takes = VALUE_REQUIRED,
     .metavar = "N",
     .set = set_cycle_search_budget,
     .expected = "expected a number of steps, e.g. 1000000, or 0 for no limit",
     .help = "steps one lock-order cycle search may take (default 1000000,\n"
             "0 = no limit). Cycles of any length are searched; a search that\n"
             "reaches the budget is counted and the report says so"},
    {.name = "confirm",
     .takes = VALUE_OPTIONAL,
     .metavar = "N",
     .set = set_confirm,
     .expected = "expected a number of re-runs from 1 to 1000, e.g. 10",
     .help = "after a run with lock-order inversions, run the program again (up\n"
             "to N times per inversion, default 10) pausing threads at the\n"
             "cycle's lock calls until its partners arrive; an inversion whose\n"
             "re-run really deadlocks is marked CONFIRMED. The program runs\n"
             "more than once: its side effects happen again. The schedule of\n"
             "each confirmed one is written to lockwatch-replay-ID.json (ID:\n"
             "the finding's id), for --replay: in --replay-dir, else next to\n"
             "the --output file, else in the current directory"},
    {.name = "replay-dir",
     .takes = VALUE_REQUIRED,
     .metavar = "DIR",
     .set = set_path,
     .field = FIELD(replay_dir),
     .expected = "a directory name",
     .help = "with --confirm: write the replay files into the directory DIR"},
    {.name = "replay",
     .takes = VALUE_REQUIRED,
     .metavar = "FILE",
     .set = set_path,
     .field = FIELD(replay),
     .expected = "a file name",
     .help = "run the program once with the schedule a --confirm re-run recorded\n"
             "in FILE: the confirmed deadlock happens again and is reported"},
    {.name = "fail-on",
     .takes = VALUE_REQUIRED,
     .metavar = "WHICH",
     .set = set_choice,
     .field = FIELD(fail_on),
     .choices = fail_on_names,
     .help = "which lock-order inversions make the exit status 66: all (default),\n"
             "concurrent (not those labelled ordered: this run's thread\n"
             "creates, joins and barriers kept them apart), or confirmed (only\n"
             "those --confirm reproduced; needs --confirm). Other findings always\n"
             "count"},
    {.name = "graph",
     .takes = VALUE_REQUIRED,
     .metavar = "FILE",
     .set = set_path,
     .field = FIELD(graph),
     .expected = "a file name",
     .help = "also write the run's whole lock-order graph to FILE in Graphviz\n"
             "DOT: locks as nodes, \"requested while holding\" as edges, the\n"
             "cycles of findings in red. FILE ending in .dot or .gv (or with\n"
             "no extension) gets DOT text; any other extension (.svg, .png,\n"
             ".pdf, ...) is rendered by graphviz's dot in that format, or the\n"
             "run does not start (exit 12). At most 2000 locks are drawn: those of\n"
             "cycles first, then the first seen; the graph's title says what\n"
             "was left out"},
    {.name = "verbose",
     .set = set_flag,
     .field = FIELD(verbose),
     .help = "on a run without findings, still print the text report's summary\n"
             "line (locks and threads seen, how the program ended); without it\n"
             "a clean run prints nothing, as the sanitizers do. Also lists the\n"
             "--suppressions rules that matched no finding (on stderr)"},
    {.name = "no-hints",
     .set = set_flag,
     .field = FIELD(no_hints),
     .help = "leave out advice lines: the note, on a clean --verbose run of\n"
             "several threads, that data races are checked only in\n"
             "ThreadSanitizer builds"},
    {.name = "profile",
     .set = set_flag,
     .field = FIELD(profile),
     .help = "time every lock acquisition and add a contention profile to the\n"
             "report: per lock, acquisitions, contended ones (the thread had to\n"
             "wait), total and longest wait, total and longest hold; the text\n"
             "report shows the 10 locks with the most waiting, the JSON report\n"
             "every lock (\"profile\"); the table goes to standard error\n"
             "whatever the format. Costs about three clock reads per lock\n"
             "call; without it nothing is timed"},
    {.name = "trace",
     .takes = VALUE_REQUIRED,
     .metavar = "FILE",
     .set = set_path,
     .field = FIELD(trace),
     .expected = "a file name",
     .help = "write a timeline of the run to FILE in Chrome trace-event JSON\n"
             "(open it in ui.perfetto.dev or chrome://tracing): a track per\n"
             "thread, slices for waiting for and holding each lock, a mark\n"
             "where each finding was found. Times every acquisition like\n"
             "--profile; keeps the first 2000000 holds (the rest are counted)"},
    {.name = "suppressions",
     .takes = VALUE_REQUIRED,
     .metavar = "FILE",
     .set = set_path,
     .field = FIELD(suppressions),
     .expected = "a path",
     .help = "leave out findings matching a rule of FILE, one per line:\n"
             "KIND:TYPE:PATTERN, e.g. lock-order-inversion:function:legacy_*\n"
             "(TYPE is function, file, module or lock; see the user guide);\n"
             "a # after a blank starts a comment"},
    {.name = "baseline",
     .takes = VALUE_REQUIRED,
     .metavar = "REPORT",
     .set = set_path,
     .field = FIELD(baseline),
     .expected = "a path",
     .help = "a JSON report or SARIF log of an earlier run: its findings are\n"
             "marked known\n"
             "and only new findings make lockwatch fail"},
    {.name = "source-root",
     .takes = VALUE_REQUIRED,
     .metavar = "DIR",
     .set = set_path,
     .field = FIELD(source_root),
     .expected = "a path",
     .help = "SARIF file locations relative to DIR (uriBaseId SRCROOT)"},
    {.name = "help", .alias = "-h", .set = show_help, .help = "print this help and exit"},
    {.name = "version", .set = show_version, .help = "print the version and exit"},
};
static const size_t option_count = sizeof options / sizeof options[0];

/* The help: the head, each option's spelling and lines (the text starts in column 24, on the
 * spelling's line when the spelling leaves room), the tail. */
static enum set_result show_help(const struct option_def *def, struct lwd_options *opts,
                                 const char *value, const char *prefix)
{
    if (!command_line_only(def, prefix)) return SET_BAD;
    fputs(usage_head, stdout);
    for (size_t i = 0; i < option_count; i++) {
        const struct option_def *o = &options[i];
        char spelling[64];
        int len = snprintf(spelling, sizeof spelling, "%s%s--%s", o->alias ? o->alias : "",
                           o->alias ? ", " : "", o->name);
        char metavar[64] = "";
        const char *mv = o->metavar;
        if (mv == NULL && o->choices != NULL) { /* "a|b|c" */
            for (size_t k = 0; o->choices[k] != NULL; k++) {
                size_t used = strlen(metavar);
                snprintf(metavar + used, sizeof metavar - used, "%s%s", k ? "|" : "",
                         o->choices[k]);
            }
            mv = metavar;
        }
        if (o->takes == VALUE_REQUIRED)
            len += snprintf(spelling + len, sizeof spelling - (size_t)len, "=%s", mv);
        else if (o->takes == VALUE_OPTIONAL)
            len += snprintf(spelling + len, sizeof spelling - (size_t)len, "[=%s]", mv);
        if (len <= 21)
            printf("  %-20s ", spelling);
        else
            printf("  %s\n%23s", spelling, "");
        for (const char *line = o->help; *line != '\0';) {
            size_t n = strcspn(line, "\n");
            printf("%.*s\n", (int)n, line);
            line += n;
            if (*line == '\n' && *++line != '\0') printf("%23s", "");
        }
    }
    fputs(usage_tail, stdout);
    return SET_DONE;
}

/* The option a word names: "--name", "--name=VALUE" or an alias; *eq points at the '=' or is
 * NULL. */
static const struct option_def *find_option(const char *word, const char **eq)
{
    *eq = NULL;
    for (size_t i = 0; i < option_count; i++)
        if (options[i].alias && strcmp(word, options[i].alias) == 0) return &options[i];
    if (strncmp(word, "--", 2) != 0) return NULL;
    const char *name = word + 2;
    const char *sep = strchr(name, '=');
    size_t name_len = sep ? (size_t)(sep - name) : strlen(name);
    for (size_t i = 0; i < option_count; i++) {
        const struct option_def *def = &options[i];
        if (strlen(def->name) != name_len || strncmp(def->name, name, name_len) != 0) continue;
        if (sep && def->takes == VALUE_NONE) return NULL; /* "--profile=1" is no option */
        *eq = sep;
        return def;
    }
    return NULL;
}

/* Applies the option in words[*i] (consuming a separate value word if it takes one). */
static enum set_result apply_option(struct lwd_options *opts, char **words, int nwords, int *i,
                                    const char *prefix)
{
    const char *word = words[*i];
    const char *eq = NULL;
    const struct option_def *def = find_option(word, &eq);
    if (def == NULL) {
        fprintf(stderr, "lockwatch: %sunknown option '%s'\n", prefix, word);
        return SET_BAD;
    }
    const char *value = NULL;
    if (eq) {
        value = eq + 1;
    } else if (def->takes == VALUE_REQUIRED) {
        if (*i + 1 >= nwords) {
            fprintf(stderr, "lockwatch: %s--%s needs a value\n", prefix, def->name);
            return SET_BAD;
        }
        *i += 1;
        value = words[*i];
    }
    return def->set(def, opts, value, prefix);
}

static bool is_option_word(const char *word)
{
    return word[0] == '-' && word[1] != '\0';
}

/* Splits s in place into a NULL-terminated, malloc'd array of words, as the sanitizers split
 * their *_OPTIONS: blanks separate words, and a part of a word between single or double quotes
 * keeps its blanks and loses its quotes (no escapes). *unclosed is the quote left open, or 0.
 * NULL: out of memory. */
static char **split_words(char *s, int *nwords, char *unclosed)
{
    char **words = calloc(strlen(s) / 2 + 2, sizeof *words); /* a word and a blank: 2 bytes */
    if (!words) return NULL;
    int n = 0;
    char *r = s, *w = s, quote = 0;
    while (*r != '\0') {
        if (isspace((unsigned char)*r)) {
            r++;
            continue;
        }
        words[n++] = w; /* w never passes r: quotes are dropped, nothing is added */
        for (; *r != '\0' && (quote || !isspace((unsigned char)*r)); r++) {
            if (quote ? *r == quote : (*r == '\'' || *r == '"'))
                quote = quote ? 0 : *r;
            else
                *w++ = *r;
        }
        if (*r != '\0') r++;
        *w++ = '\0';
    }
    *nwords = n;
    *unclosed = quote;
    return words;
}

/* Applies words[first..nwords) up to the first word that is not an option (or, when dashdash
 * ends them, after "--"); *next is the index after the options. */
static enum lwd_parse_result apply_words(struct lwd_options *opts, char **words, int first,
                                         int nwords, bool dashdash_ends, const char *prefix,
                                         int *next)
{
    int i = first;
    for (; i < nwords && is_option_word(words[i]); i++) {
        if (dashdash_ends && strcmp(words[i], "--") == 0) {
            i++;
            break;
        }
        switch (apply_option(opts, words, nwords, &i, prefix)) {
        case SET_OK:
            break;
        case SET_DONE:
            return LWD_PARSE_DONE;
        case SET_BAD:
            return LWD_PARSE_FAILED;
        }
    }
    *next = i;
    return LWD_PARSE_RUN;
}

/* LOCKWATCH_OPTIONS holds options only (the program goes on the command line), split as
 * split_words says. */
static enum lwd_parse_result parse_env_words(struct lwd_options *opts, char *env_words)
{
    const char *prefix = LWD_ENV_OPTIONS ": ";
    int nwords = 0, next = 0;
    char unclosed = 0;
    char **words = split_words(env_words, &nwords, &unclosed);
    if (!words) {
        fputs("lockwatch: out of memory\n", stderr);
        return LWD_PARSE_FAILED;
    }
    if (unclosed) { /* nothing is set from a value whose end is unknown */
        fprintf(stderr, "lockwatch: %sa %c quote is not closed\n", prefix, unclosed);
        free(words);
        return LWD_PARSE_FAILED;
    }
    enum lwd_parse_result result = apply_words(opts, words, 0, nwords, false, prefix, &next);
    if (result == LWD_PARSE_RUN && next < nwords) {
        fprintf(stderr,
                "lockwatch: %s'%s' is not an option (the program goes on the command line)\n",
                prefix, words[next]);
        result = LWD_PARSE_FAILED;
    }
    free(words);
    return result;
}

/* The rules between options, checked once all are read. Returns false after one line. */
static bool options_agree(const struct lwd_options *opts)
{
    if (opts->fail_on == LWD_FAIL_ON_CONFIRMED && opts->confirm == 0) {
        fputs("lockwatch: --fail-on=confirmed needs --confirm (without it no lock-order "
              "inversion is ever confirmed)\n",
              stderr);
        return false;
    }
    if (opts->replay_dir != NULL && opts->confirm == 0) {
        fputs("lockwatch: --replay-dir needs --confirm (only --confirm writes replay files)\n",
              stderr);
        return false;
    }
    struct stat dir;
    if (opts->replay_dir != NULL && (stat(opts->replay_dir, &dir) != 0 || !S_ISDIR(dir.st_mode))) {
        fprintf(stderr, "lockwatch: --replay-dir=%s: not a directory\n", opts->replay_dir);
        return false;
    }
    if (opts->replay != NULL && opts->confirm != 0) {
        fputs("lockwatch: --replay and --confirm cannot be used together (a replay is one run "
              "with a recorded schedule)\n",
              stderr);
        return false;
    }
    return true;
}

static enum lwd_parse_result parse(struct lwd_options *opts, char *env_words, int argc, char **argv)
{
    *opts = (struct lwd_options){
        .format = LWD_FORMAT_TEXT,
        .exit_code = LWD_EXIT_FINDINGS,
        .on_deadlock = LWD_ON_DEADLOCK_EXIT,
        .deadlock_delay_ms = LWD_DEFAULT_DEADLOCK_DELAY_MS,
        .interrupt_grace_ms = LWD_DEFAULT_INTERRUPT_GRACE_MS,
    };
    if (env_words) {
        enum lwd_parse_result result = parse_env_words(opts, env_words);
        if (result != LWD_PARSE_RUN) return result;
    }
    int i = 1;
    enum lwd_parse_result result = apply_words(opts, argv, 1, argc, true, "", &i);
    if (result != LWD_PARSE_RUN) return result;
    if (i >= argc) {
        fputs("lockwatch: no program given\n", stderr);
        return LWD_PARSE_FAILED;
    }
    if (!options_agree(opts)) return LWD_PARSE_FAILED;
    opts->argv = argv + i;
    opts->argc = argc - i;
    return LWD_PARSE_RUN;
}

enum lwd_parse_result lwd_options_parse(struct lwd_options *opts, char *env_words, int argc,
                                        char **argv)
{
    enum lwd_parse_result result = parse(opts, env_words, argc, argv);
    if (result == LWD_PARSE_FAILED) fputs("Try 'lockwatch --help' for more information.\n", stderr);
    return result;
}
