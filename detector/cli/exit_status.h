/* exit_status.h — the one place that turns a finished run into the command's exit status
 * (codes in enum lwd_exit, driver.h). */
#ifndef LWD_EXIT_STATUS_H
#define LWD_EXIT_STATUS_H

#include "driver.h"

/* --exit-code (default 66) when the report holds findings that are new (not suppressed, which
 * triage already left out of the report, and not in the --baseline); otherwise the program's own
 * exit status, or 128 + N when signal N killed it (as shells report it). triage may be NULL. */
int lwd_exit_status(const struct lw_report *report, const struct lwd_triage *triage,
                    const struct lwd_outcome *outcome, const struct lwd_options *opts);

#endif
