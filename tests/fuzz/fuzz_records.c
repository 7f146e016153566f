/* fuzz_records.c — a connection's bytes, as a program under lockwatch could write anything:
 * cut into records by the driver's record stream (detector/cli/records/record_stream.c), fed in two
 * reads split where the first input byte says, each record checked by the validator
 * (detector/core/validate.c) and applied by the detector, then the report built. Must never
 * crash, hang or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lockwatch/detector.h"
#include "records/record_stream.h"

static void feed(void *ctx, const void *rec, size_t size)
{
    lw_detector_feed(ctx, rec, size); /* a refused record is the expected answer */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static struct lwd_record_stream stream; /* large: kept out of the stack */
    const struct lw_detector_options opts = {.cycle_search_budget = 100000, .max_trace_holds = 64};
    struct lw_detector *d = lw_detector_new(&opts);
    if (d == NULL) return 0;
    size_t split = size > 1 ? data[0] % size : 0;
    data++;
    size--;
    if (split > size) split = size;
    lwd_record_stream_init(&stream);
    if (lwd_record_stream_push(&stream, data, split, feed, d))
        lwd_record_stream_push(&stream, data + split, size - split, feed, d);
    if (lw_detector_finish(d) == LW_OK) (void)lw_detector_report(d);
    lw_detector_free(d);
    return 0;
}
