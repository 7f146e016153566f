/* driver.h — what the parts of the `lockwatch` command share: the options, the outcome of the
 * run, and the entry points of the stages main() calls in order:
 *   options → preflight → run (spawn, read records into the detector) → symbolise → name →
 *   render → exit code. */
#ifndef LWD_DRIVER_H
#define LWD_DRIVER_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "lockwatch/detector.h"
#include "lockwatch/report.h"

enum lwd_format { LWD_FORMAT_TEXT, LWD_FORMAT_JSON, LWD_FORMAT_SARIF };

/* --color: colour the text report on a terminal (auto), always, or never. */
enum lwd_color { LWD_COLOR_AUTO, LWD_COLOR_ALWAYS, LWD_COLOR_NEVER };

/* Exit codes of the command, in one place (documented in docs/user-guide.md and lockwatch.1). */
enum lwd_exit {
    LWD_EXIT_OK = 0,               /* or the program's own exit status when no finding */
    LWD_EXIT_DEMO_MISMATCH = 1,    /* demo: a run did not go as the scenario expects */
    LWD_EXIT_USAGE = 2,            /* unknown option, bad option value, no program given */
    LWD_EXIT_TOOL = 3,             /* lockwatch itself failed (out of memory, cannot spawn) */
    LWD_EXIT_NOT_FOUND = 4,        /* the program does not exist / is not on PATH */
    LWD_EXIT_NOT_EXECUTABLE = 5,   /* exists but cannot be executed (permissions, not a file) */
    LWD_EXIT_STATIC = 6,           /* statically linked: LD_PRELOAD cannot reach it */
    LWD_EXIT_SETUID = 7,           /* setuid/setgid: the loader ignores LD_PRELOAD */
    LWD_EXIT_NO_RUNTIME = 8,       /* liblockwatch.so not found */
    LWD_EXIT_BAD_SUPPRESSIONS = 9, /* --suppressions file unreadable or malformed */
    LWD_EXIT_BAD_BASELINE = 10,    /* --baseline file unreadable or not a lockwatch report */
    LWD_EXIT_TOO_LONG = 11,     /* arguments and environment fit natively, not with lockwatch's */
    LWD_EXIT_GRAPH_FORMAT = 12, /* --graph's format cannot be rendered (no dot, unknown format) */
    LWD_EXIT_BAD_SARIF = 13,    /* merge-sarif: an input is not lockwatch SARIF, or cannot merge */
    LWD_EXIT_BAD_REPLAY = 14,   /* --replay file unreadable or not a lockwatch replay file */
    LWD_EXIT_FINDINGS = 66,     /* default of --exit-code */
};

/* --on-deadlock: what to do once the run can never finish (a real deadlock, or a double lock
 * that blocks for ever): end it (SIGKILL to every process of the run) and report, or only report
 * and let the user end it. */
enum lwd_on_deadlock { LWD_ON_DEADLOCK_EXIT, LWD_ON_DEADLOCK_REPORT };

/* --fail-on: which lock-order inversions make the exit status --exit-code (findings of other
 * kinds always do): every one, those this run did not order (schedule not "ordered"), or only
 * those a --confirm re-run reproduced. */
enum lwd_fail_on { LWD_FAIL_ON_ALL, LWD_FAIL_ON_CONCURRENT, LWD_FAIL_ON_CONFIRMED };

struct lwd_options {
    enum lwd_format format;
    const char *output;   /* --output=FILE, NULL = stderr */
    bool verbose;         /* --verbose: a clean run's text report says so instead of nothing */
    bool no_hints;        /* --no-hints: no advice lines (the ThreadSanitizer hint) */
    bool text_on_stderr;  /* --text-on-stderr: the text report on stderr too, whatever --format */
    enum lwd_color color; /* --color */
    int exit_code;        /* --exit-code=N, used when findings exist */
    const char *runtime;  /* --runtime=PATH (liblockwatch.so), NULL = found beside the command */
    char **argv;          /* program and its arguments, NULL-terminated */
    int argc;
    enum lwd_on_deadlock on_deadlock; /* --on-deadlock=exit|report, default exit */
    unsigned deadlock_delay_ms;  /* --deadlock-delay: blocked this long, a thread is published */
    unsigned timeout_ms;         /* --timeout: end a run still going after this long; 0 = never */
    unsigned interrupt_grace_ms; /* --interrupt-grace: how long an interrupted program may take */
    unsigned linger_ms; /* --linger: how long to wait for processes left running; 0 = until gone */
    uint64_t cycle_search_budget; /* --cycle-search-budget: 0 = default, UINT64_MAX = none */
    const char *suppressions;     /* --suppressions=FILE, or NULL */
    const char *baseline;         /* --baseline=REPORT.json, or NULL */
    const char *source_root;      /* --source-root=DIR: SARIF URIs relative to it, or NULL */
    const char
        *graph;   /* --graph=FILE: the lock-order graph, DOT or a graphviz format by extension */
    bool profile; /* --profile: per-lock contention figures in the report */
    const char *trace; /* --trace=FILE: Chrome trace-event timeline of waits and holds, or NULL */
    unsigned confirm;  /* --confirm[=N]: re-runs per lock-order inversion, 0 = none */
    enum lwd_fail_on fail_on; /* --fail-on, default all */
    const char *replay;       /* --replay=FILE: run once with the steering a --confirm recorded */
    const char *replay_dir;   /* --replay-dir=DIR: where --confirm writes replay files, or NULL */
};

#define LWD_CONFIRM_DEFAULT 10u

/* Why lockwatch ended a run itself (lwd_outcome.stop_reason). */
enum lwd_stop_reason {
    LWD_STOP_NONE,        /* the run ended by itself */
    LWD_STOP_DEADLOCK,    /* a real deadlock (--on-deadlock=exit) */
    LWD_STOP_DOUBLE_LOCK, /* a double lock that blocks for ever (--on-deadlock=exit) */
    LWD_STOP_TIMEOUT,     /* --timeout expired: a hang finding holds every thread's stack */
    LWD_STOP_INTERRUPTED, /* lockwatch got SIGINT, SIGTERM or SIGHUP and the program did not end
                             within the grace: a hang finding, as for the timeout */
};

/* How the program ended. */
struct lwd_outcome {
    pid_t pid;
    int exit_code; /* valid when signal == 0 */
    int signal;    /* the signal that killed it, 0 if it exited */
    bool stopped;  /* lockwatch killed the run because it could never finish (--on-deadlock) */
    enum lwd_stop_reason stop_reason; /* why, when stopped */
};

/* triage.c: what --suppressions and --baseline made of the report. The renderers get the
 * report without the suppressed findings and, per finding left, whether the baseline knew it. */
struct lwd_triage {
    size_t suppressed;  /* findings left out by --suppressions */
    const bool *known;  /* per finding of the rendered report; NULL without --baseline */
    size_t known_count; /* findings whose fingerprint the baseline holds */
};

/* Everything a renderer needs. */
struct lwd_render_input {
    const struct lw_report *report;
    const struct lwd_options *options;
    const struct lwd_outcome *outcome;
    bool color;
    const struct lwd_triage *triage; /* NULL: no suppressions, no baseline */
    bool races_checked; /* a ThreadSanitizer build ran (tsan_run.h): data races were looked for */
    int width;          /* the text report's prose width; 0: its default (lwd_report_width) */
};

/* symbolise.c: fills frame function/file/line/module for every stack the findings reference,
 * and lock names (static symbols, else first-use site) and thread names. Returns 0, or -1 after
 * printing one line on stderr when symbolisation is impossible (reports still render raw). */
int lwd_symbolise_report(struct lw_report *report);

/* render_text.c / render_json.c: write the report. Return 0 or -1 on a write error. */
int lwd_render_text(FILE *out, const struct lwd_render_input *in);
int lwd_render_json(FILE *out, const struct lwd_render_input *in);
/* render_sarif.c: SARIF 2.1.0 for code-scanning services. Returns 0 or -1. */
int lwd_render_sarif(FILE *out, const struct lwd_render_input *in);

#endif
