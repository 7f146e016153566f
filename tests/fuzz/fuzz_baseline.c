/* fuzz_baseline.c — a --baseline report of any content (detector/cli/triage/baseline.c): checked,
 * and when it is accepted, looked up. */
#include <stddef.h>
#include <stdint.h>

#include "triage/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool nomem = false;
    struct lwd_baseline *b = lwd_baseline_parse((const char *)data, size, "fuzz.json", &nomem);
    if (b == NULL) return 0;
    (void)lwd_baseline_has(b, "0123456789abcdef");
    lwd_baseline_free(b);
    return 0;
}
