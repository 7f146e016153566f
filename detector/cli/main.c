/* main.c — the `lockwatch` command: runs the stages of driver.h in order (options, preflight,
 * run, symbolise, render) and returns the exit status chosen in exit_status.c. Every failing
 * stage has already said why on stderr; main only picks the exit code. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confirm.h"
#include "demo.h"
#include "driver.h"
#include "exit_status.h"
#include "graph_out.h"
#include "knobs.h"
#include "options.h"
#include "out_file.h"
#include "preflight.h"
#include "run.h"
#include "safe_text.h"
#include "symbolise.h"
#include "trace_out.h"
#include "triage.h"
#include "tsan_run.h"

/* Colour only for a text report on a terminal, unless NO_COLOR (no-color.org) or TERM=dumb. */
static bool want_color(const struct lwd_options *opts, FILE *out)
{
    const char *term = getenv("TERM");
    return opts->format == LWD_FORMAT_TEXT && isatty(fileno(out)) && !getenv("NO_COLOR") &&
           !(term && strcmp(term, "dumb") == 0);
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

int main(int argc, char **argv)
{
    int status = LWD_EXIT_TOOL;
    char *env_words = NULL;
    struct lwd_preflight pf = {NULL, NULL};
    struct lw_detector *detector = NULL;
    struct lwd_suppressions *suppressions = NULL;
    struct lwd_baseline *baseline = NULL;
    struct lwd_triaged triaged = {0};
    FILE *raw_err = lwd_safe_stdio(); /* before any output: stdout and stderr escape */
    FILE *out = stderr;
    struct lwd_graph_out graph = {NULL, NULL, NULL, NULL, false};
    struct lwd_trace_out trace = {NULL, NULL};
    struct lwd_options opts;
    bool color = false;

    /* `lockwatch demo [NAME]`: the teaching front end (demo.h). A program called demo still runs
     * as `lockwatch ./demo` or `lockwatch -- demo`. */
    if (argc >= 2 && strcmp(argv[1], "demo") == 0) return lwd_demo(argc - 1, argv + 1);

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
    status = lwd_triage_load(&opts, &suppressions, &baseline);
    if (status != LWD_EXIT_OK) goto out;
    status = lwd_preflight(&opts, &pf);
    if (status != LWD_EXIT_OK) goto out;
    if (lwd_set_runtime_knobs(&opts) != 0) {
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
    };
    if (render(out, &in) != 0 || fflush(out) != 0 || ferror(out)) {
        fprintf(stderr, "lockwatch: cannot write the report: %m\n");
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
    status = lwd_exit_status(&triaged.report, &triaged.triage, &outcome, &opts);
out:
    if (lwd_graph_close(&graph) != 0) status = LWD_EXIT_TOOL;
    if (lwd_trace_close(&trace) != 0) status = LWD_EXIT_TOOL;
    if (out != stderr && out != raw_err && fclose(out) != 0 && status != LWD_EXIT_TOOL) {
        fprintf(stderr, "lockwatch: cannot write the report: %m\n");
        status = LWD_EXIT_TOOL;
    }
    lwd_triaged_free(&triaged);
    lwd_suppressions_free(suppressions);
    lwd_baseline_free(baseline);
    if (detector) lw_detector_free(detector);
    lwd_preflight_free(&pf);
    free(env_words);
    return status;
}
