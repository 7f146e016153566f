/* triage.c — see triage.h. The detector's report is left untouched: kept findings are shallow
 * copies whose pointers still lead into it. */
#include "triage/triage.h"

#include <stdlib.h>

#include "triage/fingerprint.h"

enum lwd_exit lwd_triage_load(const struct lwd_options *opts,
                              struct lwd_suppressions **suppressions,
                              struct lwd_baseline **baseline)
{
    bool out_of_memory = false;
    *suppressions = NULL;
    *baseline = NULL;
    if (opts->suppressions != NULL &&
        !(*suppressions = lwd_suppressions_load(opts->suppressions, &out_of_memory)))
        return out_of_memory ? LWD_EXIT_TOOL : LWD_EXIT_BAD_SUPPRESSIONS;
    if (opts->baseline != NULL && !(*baseline = lwd_baseline_load(opts->baseline, &out_of_memory)))
        return out_of_memory ? LWD_EXIT_TOOL : LWD_EXIT_BAD_BASELINE;
    return LWD_EXIT_OK;
}

void lwd_triaged_free(struct lwd_triaged *t)
{
    free(t->copies);
    free(t->findings);
    free(t->known);
    *t = (struct lwd_triaged){0};
}

int lwd_triage_report(const struct lw_report *in, struct lwd_suppressions *suppressions,
                      const struct lwd_baseline *baseline, struct lwd_triaged *out)
{
    size_t n = in->nfindings > 0 ? in->nfindings : 1;
    *out = (struct lwd_triaged){.report = *in};
    out->copies = calloc(n, sizeof *out->copies);
    out->findings = calloc(n, sizeof *out->findings);
    out->known = calloc(n, sizeof *out->known);
    if (out->copies == NULL || out->findings == NULL || out->known == NULL) goto oom;
    size_t kept = 0;
    for (size_t i = 0; i < in->nfindings; i++) {
        const struct lw_finding *f = in->findings[i];
        if (lwd_suppressed(suppressions, f)) {
            out->triage.suppressed++;
            continue;
        }
        if (baseline != NULL) {
            char fp[LWD_FINGERPRINT_LEN];
            if (lwd_fingerprint(f, fp) != 0) goto oom;
            out->known[kept] = lwd_baseline_has(baseline, fp);
            if (out->known[kept]) out->triage.known_count++;
        }
        out->copies[kept] = *f;
        out->copies[kept].id = (uint32_t)(kept + 1);
        out->findings[kept] = &out->copies[kept];
        kept++;
    }
    out->report.findings = out->findings;
    out->report.nfindings = kept;
    out->triage.known = baseline != NULL ? out->known : NULL;
    return 0;
oom:
    fputs("lockwatch: out of memory\n", stderr);
    lwd_triaged_free(out);
    return -1;
}
