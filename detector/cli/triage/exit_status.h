/* exit_status.h — the one place that turns a finished run into the command's exit status
 * (codes in enum lwd_exit, driver.h). */
#ifndef LWD_EXIT_STATUS_H
#define LWD_EXIT_STATUS_H

#include "driver.h"

/* Whether finding f makes the exit status --exit-code under --fail-on (before the baseline). */
bool lwd_finding_counts(const struct lw_finding *f, enum lwd_fail_on fail_on);

/* --exit-code (default 66) when the report holds findings that count (lwd_finding_counts) and
 * are new (not suppressed, which triage already left out of the report, and not in the
 * --baseline); otherwise the program's own
 * exit status, or 128 + N when signal N killed it (as shells report it). triage may be NULL. */
int lwd_exit_status(const struct lw_report *report, const struct lwd_triage *triage,
                    const struct lwd_outcome *outcome, const struct lwd_options *opts);

#endif
