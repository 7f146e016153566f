/* fuzz_tsan.c — the ThreadSanitizer log parser (detector/core/tsan_parse.c) on any text, and
 * every race it finds added to a detector as lockwatch does after a run. */
#include <stddef.h>
#include <stdint.h>

#include "lockwatch/detector.h"
#include "lockwatch/tsan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lw_tsan_log log = {0};
    if (lw_tsan_parse((const char *)data, size, &log) == 0) {
        const struct lw_detector_options opts = {.cycle_search_budget = 1000};
        struct lw_detector *d = lw_detector_new(&opts);
        for (size_t i = 0; d != NULL && i < log.nreports; i++)
            if (lw_tsan_is_race(&log.reports[i])) lw_detector_add_tsan(d, &log.reports[i]);
        if (d != NULL && lw_detector_finish(d) == LW_OK) (void)lw_detector_report(d);
        if (d != NULL) lw_detector_free(d);
    }
    lw_tsan_log_free(&log);
    return 0;
}
