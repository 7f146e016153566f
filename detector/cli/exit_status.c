/* exit_status.c — see exit_status.h. */
#include "exit_status.h"

int lwd_exit_status(const struct lw_report *report, const struct lwd_triage *triage,
                    const struct lwd_outcome *outcome, const struct lwd_options *opts)
{
    size_t known = triage != NULL ? triage->known_count : 0;
    if (report->nfindings > known) return opts->exit_code;
    if (outcome->signal != 0) return 128 + outcome->signal;
    return outcome->exit_code;
}
