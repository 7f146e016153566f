/* triage.h — applies --suppressions and --baseline to a named report (after symbolise): the
 * report the renderers get holds only the findings not suppressed, renumbered 1..N so "finding
 * N of M" stays true, and struct lwd_triage (driver.h) says which of them the baseline knew. */
#ifndef LWD_TRIAGE_H
#define LWD_TRIAGE_H

#include "driver.h"
#include "triage/baseline.h"
#include "triage/suppress.h"

struct lwd_triaged {
    struct lw_report report;      /* the detector's report with the kept findings only */
    struct lw_finding *copies;    /* the kept findings (shallow copies, renumbered) */
    struct lw_finding **findings; /* report.findings */
    bool *known;                  /* triage.known's storage */
    struct lwd_triage triage;
};

/* Loads the files of --suppressions and --baseline (each NULL when not given). Returns
 * LWD_EXIT_OK, or the exit code for the failure after one line on stderr:
 * LWD_EXIT_BAD_SUPPRESSIONS, LWD_EXIT_BAD_BASELINE, or LWD_EXIT_TOOL when out of memory. */
enum lwd_exit lwd_triage_load(const struct lwd_options *opts,
                              struct lwd_suppressions **suppressions,
                              struct lwd_baseline **baseline);

/* suppressions and baseline may be NULL. Returns 0, or -1 after printing "out of memory". */
int lwd_triage_report(const struct lw_report *in, struct lwd_suppressions *suppressions,
                      const struct lwd_baseline *baseline, struct lwd_triaged *out);

void lwd_triaged_free(struct lwd_triaged *t);

#endif
