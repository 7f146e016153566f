/* exit_status.c — see exit_status.h. */
#include "triage/exit_status.h"

bool lwd_finding_counts(const struct lw_finding *f, enum lwd_fail_on fail_on)
{
    if (f->kind != LW_KIND_LOCK_ORDER_INVERSION) return true;
    switch (fail_on) {
    case LWD_FAIL_ON_ALL:
        return true;
    case LWD_FAIL_ON_CONCURRENT:
        return f->schedule != LW_SCHEDULE_ORDERED;
    case LWD_FAIL_ON_CONFIRMED:
        return f->confirmation.status == LW_CONFIRM_REPRODUCED;
    }
    return true;
}

int lwd_exit_status(const struct lw_report *report, const struct lwd_triage *triage,
                    const struct lwd_outcome *outcome, const struct lwd_options *opts)
{
    const bool *known = triage != NULL ? triage->known : NULL;
    for (size_t i = 0; i < report->nfindings; i++) {
        if (known != NULL && known[i]) continue;
        if (lwd_finding_counts(report->findings[i], opts->fail_on)) return opts->exit_code;
    }
    if (outcome->signal != 0) return 128 + outcome->signal;
    return outcome->exit_code;
}
