/* main.c — the `lockwatch` command: runs the stages of driver.h in order and returns the exit
 * status. Where each stage lives (docs/hacking.md, "The driver, stage by stage"): the options in
 * options.c (one table for the command line, LOCKWATCH_OPTIONS and --help); the checks before the
 * run, the spawn and the event loop in run/ (run.c); the records the runtime sends in records/
 * (listener.c feeds each to the detector in detector/core); the stuck rule and hang reports in
 * stuck/; naming frames, locks and threads in symbolise/; suppressions, baseline and the exit
 * status in triage/; the reports in render/ (render_text.c, render_json.c, render_sarif.c, the
 * --graph and --trace files); `demo` and `merge-sarif` in commands/; shared helpers in common/.
 * Every failing stage has already said why on stderr; main only picks the exit code. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands/demo.h"
#include "commands/merge_sarif.h"
#include "common/out_file.h"
#include "common/path_pattern.h"
#include "common/safe_text.h"
#include "common/wrap.h"
#include "driver.h"
#include "lockwatch/wire.h"
#include "options.h"
#include "render/graph_out.h"
#include "render/profile_view.h"
#include "render/trace_out.h"
#include "run/confirm.h"
#include "run/preflight.h"
#include "run/replay.h"
#include "run/run.h"
#include "run/runtime_settings.h"
#include "run/tsan_run.h"
#include "symbolise/symbolise.h"
#include "triage/exit_status.h"
#include "triage/suppress.h"
#include "triage/triage.h"

/* Colour only for a text report on a terminal that takes it (lwd_terminal_colour);
 * --color=always or never decides instead. */
static bool want_color(const struct lwd_options *opts, FILE *out)
{
    if (opts->format != LWD_FORMAT_TEXT || opts->color == LWD_COLOR_NEVER) return false;
    if (opts->color == LWD_COLOR_ALWAYS) return true;
    return lwd_terminal_colour(fileno(out));
}

static int render(FILE *out, const struct lwd_render_input *in)
{
    switch (in->options->format) {
    case LWD_FORMAT_TEXT:
        return lwd_render_text(out, in);
    case LWD_FORMAT_JSON:
        return lwd_render_json(out, in);
    case LWD_FORMAT_SARIF:
        return lwd_render_sarif(out, in);
    }
    return -1;
}

/* --replay: one line saying whether the recorded deadlock happened again. */
static void replay_outcome(const char *path, const struct lw_report *report)
{
    for (size_t i = 0; i < report->nfindings; i++) {
        if (report->findings[i]->kind == LW_KIND_DEADLOCK) {
            fprintf(stderr, "lockwatch: replay of %s: the run deadlocked\n", path);
            return;
        }
    }
    fprintf(stderr,
            "lockwatch: replay of %s: the run did not deadlock (the program, its input or its "
            "libraries may differ from the run that recorded it)\n",
            path);
}

int main(int argc, char **argv)
{
    enum lwd_exit status = LWD_EXIT_TOOL; /* of lockwatch's stages */
    int program_status = 0;               /* the run's, once every stage succeeded */
    char *env_words = NULL;
    struct lwd_preflight pf = {NULL, NULL};
    struct lw_detector *detector = NULL;
    struct lwd_suppressions *suppressions = NULL;
    struct lwd_baseline *baseline = NULL;
    struct lwd_triaged triaged = {0};
    struct lw_report *confirmed = NULL; /* holds the replay file names of --confirm */
    char *steer = NULL;                 /* --replay: the recorded steering */
    FILE *raw_err = lwd_safe_stdio();   /* before any output: stdout and stderr escape */
    FILE *out = stderr;
    struct lwd_graph_out graph = {.requested = NULL};
    struct lwd_trace_out trace = {NULL, NULL};
    struct lwd_options opts;
    bool color = false;
    char *names[3] = {NULL, NULL, NULL}; /* --output, --graph, --trace with %p expanded */

    /* Steering belongs to the --confirm and --replay runs that set it: one inherited from the
     * environment (a lockwatch run inside a steered program) must not steer this run. */
    unsetenv(LW_WIRE_ENV_STEER);

    /* `lockwatch demo [NAME]`: the teaching front end (demo.h). A program called demo still runs
     * as `lockwatch ./demo` or `lockwatch -- demo`. */
    if (argc >= 2 && strcmp(argv[1], "demo") == 0) return (int)lwd_demo(argc - 1, argv + 1);
    /* `lockwatch merge-sarif OUT IN...`: a test suite's SARIF logs into one (merge_sarif.h). */
    if (argc >= 2 && strcmp(argv[1], "merge-sarif") == 0)
        return (int)lwd_merge_sarif(argc - 1, argv + 1);

    const char *env = getenv(LWD_ENV_OPTIONS);
    if (env && !(env_words = strdup(env))) {
        fputs("lockwatch: out of memory\n", stderr);
        goto out;
    }
    switch (lwd_options_parse(&opts, env_words, argc, argv)) {
    case LWD_PARSE_RUN:
        break;
    case LWD_PARSE_DONE:
        status = LWD_EXIT_OK;
        goto out;
    case LWD_PARSE_FAILED:
        status = LWD_EXIT_USAGE;
        goto out;
    }
    const char **named[] = {&opts.output, &opts.graph, &opts.trace};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        if (*named[i] == NULL) continue;
        if ((names[i] = lwd_path_expand(*named[i])) == NULL) {
            fputs("lockwatch: out of memory\n", stderr);
            goto out;
        }
        *named[i] = names[i];
    }
    status = lwd_triage_load(&opts, &suppressions, &baseline);
    if (status != LWD_EXIT_OK) goto out;
    status = lwd_preflight(&opts, &pf);
    if (status != LWD_EXIT_OK) goto out;
    if (opts.replay != NULL) {
        status = lwd_replay_load(opts.replay, pf.program, &steer);
        if (status != LWD_EXIT_OK) goto out;
        if (setenv(LW_WIRE_ENV_STEER, steer, 1) != 0) {
            fputs("lockwatch: out of memory\n", stderr);
            status = LWD_EXIT_TOOL;
            goto out;
        }
    }
    if (lwd_set_runtime_settings(&opts) != 0) {
        status = LWD_EXIT_TOOL;
        goto out;
    }
    /* Opened before the run so a bad path fails before the program does anything. The text
     * report is escaped (safe_text.h) like everything else lockwatch prints for people; JSON and
     * SARIF escape in their own syntax and go out as they are. */
    FILE *raw_out = opts.output ? lwd_out_create(opts.output, "report file") : raw_err;
    if (raw_out == NULL) {
        status = LWD_EXIT_USAGE;
        goto out;
    }
    color = want_color(&opts, raw_out);
    if (opts.format != LWD_FORMAT_TEXT)
        out = raw_out;
    else if (raw_out != raw_err && (out = lwd_safe_open(raw_out, true)) == NULL) {
        fclose(raw_out);
        out = stderr;
        fputs("lockwatch: out of memory\n", stderr);
        status = LWD_EXIT_TOOL;
        goto out;
    }
    status = lwd_graph_open(&graph, opts.graph);
    if (status != LWD_EXIT_OK) goto out;
    status = lwd_trace_open(&trace, opts.trace);
    if (status != LWD_EXIT_OK) goto out;
    /* Holds are kept for the timeline only when one is wanted (--trace). */
    const struct lw_detector_options dopts = {
        .cycle_search_budget = opts.cycle_search_budget,
        .max_trace_holds = opts.trace ? LWD_TRACE_MAX_HOLDS : 0,
    };
    detector = lw_detector_new(&dopts);
    if (!detector) {
        fputs("lockwatch: out of memory\n", stderr);
        status = LWD_EXIT_TOOL;
        goto out;
    }
    struct lwd_outcome outcome;
    status = lwd_run(&opts, &pf, detector, &outcome);
    if (status != LWD_EXIT_OK) goto out;
    if (lw_detector_finish(detector) != LW_OK) {
        fputs("lockwatch: out of memory\n", stderr);
        status = LWD_EXIT_TOOL;
        goto out;
    }

    struct lw_report *report = lw_detector_report(detector);
    if (opts.replay != NULL) replay_outcome(opts.replay, report);
    confirmed = report;
    if (opts.confirm && (status = lwd_confirm(&opts, &pf, report)) != LWD_EXIT_OK) goto out;
    lwd_symbolise_report(report); /* on failure it said so; the report renders raw */
    if (opts.profile || opts.trace) lwd_symbolise_profile(report); /* likewise */
    if (lwd_triage_report(report, suppressions, baseline, &triaged) != 0) {
        status = LWD_EXIT_TOOL;
        goto out;
    }
    const struct lwd_render_input in = {
        .report = &triaged.report,
        .options = &opts,
        .outcome = &outcome,
        .color = color,
        .triage = &triaged.triage,
        .races_checked = lwd_tsan_in_run(report, pf.program),
        .width = lwd_report_width(fileno(raw_out)),
    };
    if (render(out, &in) != 0 || fflush(out) != 0 || ferror(out)) {
        fprintf(stderr, "lockwatch: cannot write the report: %m\n");
        status = LWD_EXIT_TOOL;
        goto out;
    }
    /* --text-on-stderr: people (ctest --output-on-failure, a CI log) read the text report
     * while tools get the file. */
    bool text_on_stderr = opts.format != LWD_FORMAT_TEXT || opts.output != NULL;
    if (opts.text_on_stderr && text_on_stderr) {
        struct lwd_render_input text = in;
        struct lwd_options text_opts = opts;
        text_opts.format = LWD_FORMAT_TEXT;
        text.options = &text_opts;
        text.color = want_color(&text_opts, raw_err);
        text.width = lwd_report_width(STDERR_FILENO);
        if (lwd_render_text(stderr, &text) != 0 || fflush(stderr) != 0) {
            fprintf(stderr, "lockwatch: cannot write the report: %m\n");
            status = LWD_EXIT_TOOL;
            goto out;
        }
    }
    /* --verbose lists the suppressions that matched nothing: stale rules hide nothing but
     * still read as if they did. */
    if (opts.verbose) lwd_suppressions_print_unused(suppressions, stderr);
    /* --profile's table goes to stderr whatever the report's format and place (a text report
     * on stderr already holds it). */
    if (opts.profile && text_on_stderr && !opts.text_on_stderr &&
        (lwd_print_profile(stderr, in.report) != 0 || fflush(stderr) != 0)) {
        fputs("lockwatch: out of memory while printing the profile\n", stderr);
        status = LWD_EXIT_TOOL;
        goto out;
    }
    /* The findings as rendered (their ids), the locks and edges of the whole run. */
    if (lwd_graph_write(&graph, detector, in.report) != 0) {
        status = LWD_EXIT_TOOL;
        goto out;
    }
    /* The findings as rendered, the holds and threads of the whole run. */
    if (lwd_trace_write(&trace, in.report) != 0) {
        status = LWD_EXIT_TOOL;
        goto out;
    }
    program_status = lwd_exit_status(&triaged.report, &triaged.triage, &outcome, &opts);
    status = LWD_EXIT_OK;
out:
    if (lwd_graph_close(&graph) != 0) status = LWD_EXIT_TOOL;
    if (lwd_trace_close(&trace) != 0) status = LWD_EXIT_TOOL;
    if (out != stderr && out != raw_err && fclose(out) != 0 && status != LWD_EXIT_TOOL) {
        fprintf(stderr, "lockwatch: cannot write the report: %m\n");
        status = LWD_EXIT_TOOL;
    }
    lwd_confirm_release(confirmed);
    free(steer);
    lwd_triaged_free(&triaged);
    lwd_suppressions_free(suppressions);
    lwd_baseline_free(baseline);
    if (detector) lw_detector_free(detector);
    lwd_preflight_free(&pf);
    free(env_words);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        free(names[i]);
    return status != LWD_EXIT_OK ? (int)status : program_status;
}
