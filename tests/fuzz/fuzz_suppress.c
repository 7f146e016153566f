/* fuzz_suppress.c — a --suppressions file of any content (detector/cli/triage/suppress.c):
 * checked, and when it is accepted, its rules matched against a finding with a lock name and a
 * frame. */
#include <stddef.h>
#include <stdint.h>

#include "triage/suppress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool nomem = false;
    struct lwd_suppressions *s =
        lwd_suppressions_parse((const char *)data, size, "fuzz.supp", &nomem);
    if (s == NULL) return 0;
    struct lw_lock lock = {.name = "cache_lock"};
    struct lw_lock *locks[] = {&lock};
    struct lw_frame frame = {.function = "worker::run(int)",
                             .file = "/src/app/third_party/pool.c",
                             .module = "/usr/lib/libpool.so.1"};
    struct lw_stack stack = {.nframes = 1, .frames = &frame};
    struct lw_labelled_stack labelled = {.stack = &stack};
    struct lw_finding f = {.kind = LW_KIND_LOCK_ORDER_INVERSION,
                           .nlocks = 1,
                           .locks = locks,
                           .nstacks = 1,
                           .stacks = &labelled};
    (void)lwd_suppressed(s, &f);
    f.kind = LW_KIND_DEADLOCK;
    (void)lwd_suppressed(s, &f);
    lwd_suppressions_free(s);
    return 0;
}
