/* options.c — parses the `lockwatch` command line and LOCKWATCH_OPTIONS into struct lwd_options,
 * and holds the help text, which doubles as the command's reference (keep it in step with
 * docs/ and the exit codes in driver.h). */
#include "options.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_text[] =
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
    "pass through; \"--\" ends them explicitly):\n"
    "  --format=text|json|sarif\n"
    "                       report format (default text); sarif is SARIF 2.1.0 for code\n"
    "                       scanning (GitHub and others)\n"
    "  --color=auto|always|never\n"
    "                       colour the text report: on a terminal without NO_COLOR (auto,\n"
    "                       the default), always, or never\n"
    "  --output=FILE        write the report to FILE instead of standard error; %p in FILE\n"
    "                       becomes lockwatch's process id (also in --graph and --trace)\n"
    "  --text-on-stderr     also write the text report on standard error when the report\n"
    "                       goes elsewhere (--output, or JSON or SARIF), e.g. so that\n"
    "                       ctest --output-on-failure shows it\n"
    "  --exit-code=N        exit status when findings exist, 0..255 (default 66)\n"
    "  --runtime=PATH       liblockwatch.so to preload (default: the one installed beside\n"
    "                       this command, ../lib/liblockwatch.so)\n"
    "  --on-deadlock=exit|report\n"
    "                       when the program deadlocks for real (threads wait for each other\n"
    "                       in a cycle, every thread of the run waits and none can wake\n"
    "                       another, or a thread re-locks a lock it holds and would block for\n"
    "                       ever): exit (default) kills every process of the run with SIGKILL\n"
    "                       and reports; report only reports once you end the run\n"
    "  --deadlock-delay=SEC a thread blocked for SEC seconds (fractions allowed) on a lock, a\n"
    "                       join, a condition variable, a semaphore, a barrier or a child is\n"
    "                       checked for a deadlock, so a real deadlock is reported about SEC\n"
    "                       after it forms (default 0.1)\n"
    "  --timeout=SEC        end a run still going after SEC seconds (fractions allowed): the\n"
    "                       report gets a hang finding with every thread's current stack in\n"
    "                       every process of the run, then every process is killed (SIGKILL)\n"
    "                       and the exit status is the findings code. Default: no timeout.\n"
    "                       The same happens to a program still running after SIGINT,\n"
    "                       SIGTERM or SIGHUP to lockwatch, once the grace below is over\n"
    "  --interrupt-grace=SEC how long a program may take to end after SIGINT, SIGTERM or\n"
    "                       SIGHUP to lockwatch before it is reported and ended (default 2)\n"
    "  --linger=SEC         after the program exits, wait at most SEC seconds for processes\n"
    "                       it left running (a daemon) before the report; they are left\n"
    "                       running. Default: wait until every process of the run has ended;\n"
    "                       SIGINT, SIGTERM or SIGHUP to lockwatch also ends the wait\n"
    "  --cycle-search-budget=N\n"
    "                       steps one lock-order cycle search may take (default 1000000,\n"
    "                       0 = no limit). Cycles of any length are searched; a search that\n"
    "                       reaches the budget is counted and the report says so\n"
    "  --confirm[=N]        after a run with lock-order inversions, run the program again (up\n"
    "                       to N times per inversion, default 10) pausing threads at the\n"
    "                       cycle's lock calls until its partners arrive; an inversion whose\n"
    "                       re-run really deadlocks is marked CONFIRMED. The program runs\n"
    "                       more than once: its side effects happen again. The schedule of\n"
    "                       each confirmed one is written to lockwatch-replay-ID.json (ID:\n"
    "                       the finding's id), for --replay: in --replay-dir, else next to\n"
    "                       the --output file, else in the current directory\n"
    "  --replay-dir=DIR     with --confirm: write the replay files into the directory DIR\n"
    "  --replay=FILE        run the program once with the schedule a --confirm re-run recorded\n"
    "                       in FILE: the confirmed deadlock happens again and is reported\n"
    "  --fail-on=WHICH      which lock-order inversions make the exit status 66: all (default),\n"
    "                       concurrent (not those labelled ordered: this run's thread\n"
    "                       creates, joins and barriers kept them apart), or confirmed (only\n"
    "                       those --confirm reproduced; needs --confirm). Other findings always\n"
    "                       count\n"
    "  --graph=FILE         also write the run's whole lock-order graph to FILE in Graphviz\n"
    "                       DOT: locks as nodes, \"requested while holding\" as edges, the\n"
    "                       cycles of findings in red. FILE ending in .dot or .gv (or with\n"
    "                       no extension) gets DOT text; any other extension (.svg, .png,\n"
    "                       .pdf, ...) is rendered by graphviz's dot in that format, or the\n"
    "                       run does not start (exit 12). At most 2000 locks are drawn: those of\n"
    "                       cycles first, then the first seen; the graph's title says what\n"
    "                       was left out\n"
    "  --verbose            on a run without findings, still print the text report's summary\n"
    "                       line (locks and threads seen, how the program ended); without it\n"
    "                       a clean run prints nothing, as the sanitizers do. Also lists the\n"
    "                       --suppressions rules that matched no finding (on stderr)\n"
    "  --no-hints           leave out advice lines: the note, on a clean --verbose run of\n"
    "                       several threads, that data races are checked only in\n"
    "                       ThreadSanitizer builds\n"
    "  --profile            time every lock acquisition and add a contention profile to the\n"
    "                       report: per lock, acquisitions, contended ones (the thread had to\n"
    "                       wait), total and longest wait, total and longest hold; the text\n"
    "                       report shows the 10 locks with the most waiting, the JSON report\n"
    "                       every lock (\"profile\"); the table goes to standard error\n"
    "                       whatever the format. Costs about three clock reads per lock\n"
    "                       call; without it nothing is timed\n"
    "  --trace=FILE         write a timeline of the run to FILE in Chrome trace-event JSON\n"
    "                       (open it in ui.perfetto.dev or chrome://tracing): a track per\n"
    "                       thread, slices for waiting for and holding each lock, a mark\n"
    "                       where each finding was found. Times every acquisition like\n"
    "                       --profile; keeps the first 2000000 holds (the rest are counted)\n"
    "  --suppressions=FILE  leave out findings matching a rule of FILE, one per line:\n"
    "                       KIND:TYPE:PATTERN, e.g. lock-order-inversion:function:legacy_*\n"
    "                       (TYPE is function, file, module or lock; see the user guide);\n"
    "                       a # after a blank starts a comment\n"
    "  --baseline=REPORT    a JSON report or SARIF log of an earlier run: its findings are\n"
    "                       marked known\n"
    "                       and only new findings make lockwatch fail\n"
    "  --source-root=DIR    SARIF file locations relative to DIR (uriBaseId SRCROOT)\n"
    "  -h, --help           print this help and exit\n"
    "  --version            print the version and exit\n"
    "Options that take a value accept \"--name=VALUE\" and \"--name VALUE\".\n"
    "\n"
    "Environment:\n"
    "  LOCKWATCH_OPTIONS    options applied before the command line's (which win), separated\n"
    "                       by whitespace, e.g. LOCKWATCH_OPTIONS=\"--format=json\"\n"
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

static void print_usage_error_hint(void)
{
    fputs("Try 'lockwatch --help' for more information.\n", stderr);
}

/* Where an option came from, for error messages: "" or "LOCKWATCH_OPTIONS: ". */
struct parse_source {
    const char *prefix;
};

static bool set_format(struct lwd_options *opts, const char *value, const struct parse_source *src)
{
    if (strcmp(value, "text") == 0) {
        opts->format = LWD_FORMAT_TEXT;
        return true;
    }
    if (strcmp(value, "json") == 0) {
        opts->format = LWD_FORMAT_JSON;
        return true;
    }
    if (strcmp(value, "sarif") == 0) {
        opts->format = LWD_FORMAT_SARIF;
        return true;
    }
    fprintf(stderr, "lockwatch: %sbad value '%s' for --format (expected text, json or sarif)\n",
            src->prefix, value);
    return false;
}

static bool set_output(struct lwd_options *opts, const char *value, const struct parse_source *src)
{
    if (value[0] == '\0') {
        fprintf(stderr, "lockwatch: %s--output needs a file name\n", src->prefix);
        return false;
    }
    opts->output = value;
    return true;
}

static bool set_color(struct lwd_options *opts, const char *value, const struct parse_source *src)
{
    static const struct {
        const char *name;
        enum lwd_color color;
    } values[] = {
        {"auto", LWD_COLOR_AUTO}, {"always", LWD_COLOR_ALWAYS}, {"never", LWD_COLOR_NEVER}};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        if (strcmp(value, values[i].name) == 0) {
            opts->color = values[i].color;
            return true;
        }
    fprintf(stderr, "lockwatch: %sbad value '%s' for --color (expected auto, always or never)\n",
            src->prefix, value);
    return false;
}

static bool set_exit_code(struct lwd_options *opts, const char *value,
                          const struct parse_source *src)
{
    char *end = NULL;
    errno = 0;
    long code = strtol(value, &end, 10);
    if (value[0] == '\0' || *end != '\0' || errno != 0 || code < 0 || code > 255) {
        fprintf(stderr, "lockwatch: %sbad value '%s' for --exit-code (expected 0..255)\n",
                src->prefix, value);
        return false;
    }
    opts->exit_code = (int)code;
    return true;
}

static bool set_runtime(struct lwd_options *opts, const char *value, const struct parse_source *src)
{
    if (value[0] == '\0') {
        fprintf(stderr, "lockwatch: %s--runtime needs a path\n", src->prefix);
        return false;
    }
    opts->runtime = value;
    return true;
}

static bool set_on_deadlock(struct lwd_options *opts, const char *value,
                            const struct parse_source *src)
{
    if (strcmp(value, "exit") == 0) {
        opts->on_deadlock = LWD_ON_DEADLOCK_EXIT;
        return true;
    }
    if (strcmp(value, "report") == 0) {
        opts->on_deadlock = LWD_ON_DEADLOCK_REPORT;
        return true;
    }
    fprintf(stderr, "lockwatch: %sbad value '%s' for --on-deadlock (expected exit or report)\n",
            src->prefix, value);
    return false;
}

static bool set_trace(struct lwd_options *opts, const char *value, const struct parse_source *src)
{
    if (value[0] == '\0') {
        fprintf(stderr, "lockwatch: %s--trace needs a file name\n", src->prefix);
        return false;
    }
    opts->trace = value;
    return true;
}

static bool set_graph(struct lwd_options *opts, const char *value, const struct parse_source *src)
{
    if (value[0] == '\0') {
        fprintf(stderr, "lockwatch: %s--graph needs a file name\n", src->prefix);
        return false;
    }
    opts->graph = value;
    return true;
}

/* --suppressions, --baseline, --source-root: a path that must not be empty (whether it can be
 * read is checked when it is loaded, with its own exit code). */
static bool set_path(const char **field, const char *name, const char *value,
                     const struct parse_source *src)
{
    if (value[0] == '\0') {
        fprintf(stderr, "lockwatch: %s--%s needs a path\n", src->prefix, name);
        return false;
    }
    *field = value;
    return true;
}

static bool set_suppressions(struct lwd_options *opts, const char *value,
                             const struct parse_source *src)
{
    return set_path(&opts->suppressions, "suppressions", value, src);
}

static bool set_baseline(struct lwd_options *opts, const char *value,
                         const struct parse_source *src)
{
    return set_path(&opts->baseline, "baseline", value, src);
}

static bool set_source_root(struct lwd_options *opts, const char *value,
                            const struct parse_source *src)
{
    return set_path(&opts->source_root, "source-root", value, src);
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

/* Upper bounds: a delay above an hour is a typo; a timeout fits in 32-bit milliseconds. */
#define LWD_MAX_DEADLOCK_DELAY_MS (3600u * 1000u)
#define LWD_MAX_TIMEOUT_MS (1000000u * 1000u)

static bool set_deadlock_delay(struct lwd_options *opts, const char *value,
                               const struct parse_source *src)
{
    if (parse_seconds(value, LWD_MAX_DEADLOCK_DELAY_MS, &opts->deadlock_delay_ms)) return true;
    fprintf(stderr,
            "lockwatch: %sbad value '%s' for --deadlock-delay (expected seconds, more than 0 "
            "and at most 3600, e.g. 0.1)\n",
            src->prefix, value);
    return false;
}

static bool set_timeout(struct lwd_options *opts, const char *value, const struct parse_source *src)
{
    if (parse_seconds(value, LWD_MAX_TIMEOUT_MS, &opts->timeout_ms)) return true;
    fprintf(stderr,
            "lockwatch: %sbad value '%s' for --timeout (expected seconds, more than 0, e.g. "
            "30 or 2.5)\n",
            src->prefix, value);
    return false;
}

static bool set_linger(struct lwd_options *opts, const char *value, const struct parse_source *src)
{
    if (parse_seconds(value, LWD_MAX_TIMEOUT_MS, &opts->linger_ms)) return true;
    fprintf(stderr,
            "lockwatch: %sbad value '%s' for --linger (expected seconds, more than 0, e.g. "
            "5 or 0.5)\n",
            src->prefix, value);
    return false;
}

static bool set_interrupt_grace(struct lwd_options *opts, const char *value,
                                const struct parse_source *src)
{
    if (parse_seconds(value, LWD_MAX_TIMEOUT_MS, &opts->interrupt_grace_ms)) return true;
    fprintf(stderr,
            "lockwatch: %sbad value '%s' for --interrupt-grace (expected seconds, more than 0, "
            "e.g. 2 or 30)\n",
            src->prefix, value);
    return false;
}

static bool set_cycle_search_budget(struct lwd_options *opts, const char *value,
                                    const struct parse_source *src)
{
    char *end = NULL;
    errno = 0;
    unsigned long long steps = strtoull(value, &end, 10);
    if (value[0] >= '0' && value[0] <= '9' && *end == '\0' && errno == 0) {
        opts->cycle_search_budget = steps == 0 ? UINT64_MAX : (uint64_t)steps;
        return true;
    }
    fprintf(stderr,
            "lockwatch: %sbad value '%s' for --cycle-search-budget (expected a number of steps, "
            "e.g. 1000000, or 0 for no limit)\n",
            src->prefix, value);
    return false;
}

static bool set_fail_on(struct lwd_options *opts, const char *value, const struct parse_source *src)
{
    static const struct {
        const char *name;
        enum lwd_fail_on value;
    } names[] = {{"all", LWD_FAIL_ON_ALL},
                 {"concurrent", LWD_FAIL_ON_CONCURRENT},
                 {"confirmed", LWD_FAIL_ON_CONFIRMED}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(value, names[i].name) == 0) {
            opts->fail_on = names[i].value;
            return true;
        }
    }
    fprintf(stderr,
            "lockwatch: %sbad value '%s' for --fail-on (expected all, concurrent or confirmed)\n",
            src->prefix, value);
    return false;
}

static bool set_replay(struct lwd_options *opts, const char *value, const struct parse_source *src)
{
    if (value[0] == '\0') {
        fprintf(stderr, "lockwatch: %s--replay needs a file name\n", src->prefix);
        return false;
    }
    opts->replay = value;
    return true;
}

static bool set_replay_dir(struct lwd_options *opts, const char *value,
                           const struct parse_source *src)
{
    if (value[0] == '\0') {
        fprintf(stderr, "lockwatch: %s--replay-dir needs a directory name\n", src->prefix);
        return false;
    }
    opts->replay_dir = value;
    return true;
}

static bool set_confirm(struct lwd_options *opts, const char *value, const struct parse_source *src)
{
    char *end = NULL;
    errno = 0;
    unsigned long n = strtoul(value, &end, 10);
    if (value[0] >= '1' && value[0] <= '9' && *end == '\0' && errno == 0 && n <= 1000) {
        opts->confirm = (unsigned)n;
        return true;
    }
    fprintf(stderr,
            "lockwatch: %sbad value '%s' for --confirm (expected a number of re-runs from 1 to "
            "1000, e.g. 10)\n",
            src->prefix, value);
    return false;
}

struct option_def {
    const char *name; /* without the leading "--" */
    bool (*set)(struct lwd_options *opts, const char *value, const struct parse_source *src);
};

static const struct option_def value_options[] = {
    {"graph", set_graph},
    {"trace", set_trace},
    {"format", set_format},
    {"color", set_color},
    {"output", set_output},
    {"exit-code", set_exit_code},
    {"runtime", set_runtime},
    {"on-deadlock", set_on_deadlock},
    {"deadlock-delay", set_deadlock_delay},
    {"timeout", set_timeout},
    {"interrupt-grace", set_interrupt_grace},
    {"linger", set_linger},
    {"cycle-search-budget", set_cycle_search_budget},
    {"confirm", set_confirm},
    {"fail-on", set_fail_on},
    {"replay", set_replay},
    {"replay-dir", set_replay_dir},
    {"suppressions", set_suppressions},
    {"baseline", set_baseline},
    {"source-root", set_source_root},
};

enum word_result { WORD_NEXT, WORD_DONE, WORD_FAILED };

/* Applies the option in words[*i] (consuming a separate value word if needed). */
static enum word_result apply_option(struct lwd_options *opts, char **words, int nwords, int *i,
                                     const struct parse_source *src)
{
    const char *word = words[*i];
    if (strcmp(word, "-h") == 0 || strcmp(word, "--help") == 0) {
        fputs(usage_text, stdout);
        return WORD_DONE;
    }
    if (strcmp(word, "--profile") == 0) { /* the options without a value */
        opts->profile = true;
        return WORD_NEXT;
    }
    if (strcmp(word, "--confirm") == 0) {
        opts->confirm = LWD_CONFIRM_DEFAULT;
        return WORD_NEXT;
    }
    if (strcmp(word, "--verbose") == 0) {
        opts->verbose = true;
        return WORD_NEXT;
    }
    if (strcmp(word, "--text-on-stderr") == 0) {
        opts->text_on_stderr = true;
        return WORD_NEXT;
    }
    if (strcmp(word, "--no-hints") == 0) {
        opts->no_hints = true;
        return WORD_NEXT;
    }
    if (strcmp(word, "--version") == 0) {
        printf("lockwatch %s\n", LOCKWATCH_VERSION);
        return WORD_DONE;
    }
    if (strncmp(word, "--", 2) == 0) {
        const char *name = word + 2;
        const char *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        for (size_t k = 0; k < sizeof value_options / sizeof value_options[0]; k++) {
            const struct option_def *def = &value_options[k];
            if (strlen(def->name) != name_len || strncmp(def->name, name, name_len) != 0) continue;
            const char *value = NULL;
            if (eq) {
                value = eq + 1;
            } else if (*i + 1 < nwords) {
                *i += 1;
                value = words[*i];
            } else {
                fprintf(stderr, "lockwatch: %s--%s needs a value\n", src->prefix, def->name);
                return WORD_FAILED;
            }
            return def->set(opts, value, src) ? WORD_NEXT : WORD_FAILED;
        }
    }
    fprintf(stderr, "lockwatch: %sunknown option '%s'\n", src->prefix, word);
    return WORD_FAILED;
}

static bool is_option_word(const char *word)
{
    return word[0] == '-' && word[1] != '\0';
}

/* Splits s in place on whitespace into a NULL-terminated, malloc'd array of words. */
static char **split_words(char *s, int *nwords)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap++;
    char **words = calloc(cap / 2 + 1, sizeof *words);
    if (!words) return NULL;
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(s, " \t\n\r\v\f", &save); w; w = strtok_r(NULL, " \t\n\r\v\f", &save))
        words[n++] = w;
    *nwords = n;
    return words;
}

static enum lwd_parse_result parse_env_words(struct lwd_options *opts, char *env_words)
{
    const struct parse_source src = {LWD_ENV_OPTIONS ": "};
    int nwords = 0;
    char **words = split_words(env_words, &nwords);
    if (!words) {
        fputs("lockwatch: out of memory\n", stderr);
        return LWD_PARSE_FAILED;
    }
    enum lwd_parse_result result = LWD_PARSE_RUN;
    for (int i = 0; i < nwords && result == LWD_PARSE_RUN; i++) {
        if (!is_option_word(words[i])) {
            fprintf(stderr,
                    "lockwatch: %s'%s' is not an option (the program goes on the command line)\n",
                    src.prefix, words[i]);
            result = LWD_PARSE_FAILED;
            break;
        }
        switch (apply_option(opts, words, nwords, &i, &src)) {
        case WORD_NEXT:
            break;
        case WORD_DONE:
            result = LWD_PARSE_DONE;
            break;
        case WORD_FAILED:
            result = LWD_PARSE_FAILED;
            break;
        }
    }
    free(words);
    return result;
}

enum lwd_parse_result lwd_options_parse(struct lwd_options *opts, char *env_words, int argc,
                                        char **argv)
{
    *opts = (struct lwd_options){
        .format = LWD_FORMAT_TEXT,
        .output = NULL,
        .exit_code = LWD_EXIT_FINDINGS,
        .runtime = NULL,
        .argv = NULL,
        .argc = 0,
        .on_deadlock = LWD_ON_DEADLOCK_EXIT,
        .deadlock_delay_ms = LWD_DEFAULT_DEADLOCK_DELAY_MS,
        .timeout_ms = 0,
        .interrupt_grace_ms = LWD_DEFAULT_INTERRUPT_GRACE_MS,
        .linger_ms = 0,
        .suppressions = NULL,
        .baseline = NULL,
        .source_root = NULL,
    };
    if (env_words) {
        enum lwd_parse_result result = parse_env_words(opts, env_words);
        if (result == LWD_PARSE_FAILED) print_usage_error_hint();
        if (result != LWD_PARSE_RUN) return result;
    }

    const struct parse_source src = {""};
    int i = 1;
    while (i < argc && is_option_word(argv[i])) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        switch (apply_option(opts, argv, argc, &i, &src)) {
        case WORD_NEXT:
            break;
        case WORD_DONE:
            return LWD_PARSE_DONE;
        case WORD_FAILED:
            print_usage_error_hint();
            return LWD_PARSE_FAILED;
        }
        i++;
    }
    if (i >= argc) {
        fputs("lockwatch: no program given\n", stderr);
        print_usage_error_hint();
        return LWD_PARSE_FAILED;
    }
    if (opts->fail_on == LWD_FAIL_ON_CONFIRMED && opts->confirm == 0) {
        fputs("lockwatch: --fail-on=confirmed needs --confirm (without it no lock-order "
              "inversion is ever confirmed)\n",
              stderr);
        print_usage_error_hint();
        return LWD_PARSE_FAILED;
    }
    if (opts->replay_dir != NULL && opts->confirm == 0) {
        fputs("lockwatch: --replay-dir needs --confirm (only --confirm writes replay files)\n",
              stderr);
        print_usage_error_hint();
        return LWD_PARSE_FAILED;
    }
    struct stat dir;
    if (opts->replay_dir != NULL && (stat(opts->replay_dir, &dir) != 0 || !S_ISDIR(dir.st_mode))) {
        fprintf(stderr, "lockwatch: --replay-dir=%s: not a directory\n", opts->replay_dir);
        print_usage_error_hint();
        return LWD_PARSE_FAILED;
    }
    if (opts->replay != NULL && opts->confirm != 0) {
        fputs("lockwatch: --replay and --confirm cannot be used together (a replay is one run "
              "with a recorded schedule)\n",
              stderr);
        print_usage_error_hint();
        return LWD_PARSE_FAILED;
    }
    opts->argv = argv + i;
    opts->argc = argc - i;
    return LWD_PARSE_RUN;
}
