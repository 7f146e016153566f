/* trace_layout.c — nesting of timeline slices (see trace_layout.h). */
#include "render/trace_layout.h"

#include <stdlib.h>

static int by_track_start(const void *pa, const void *pb)
{
    const struct lwd_span *a = pa, *b = pb;
    if (a->track != b->track) return a->track < b->track ? -1 : 1;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    if (a->end != b->end) return a->end > b->end ? -1 : 1; /* the outer one first */
    return a->item < b->item ? -1 : a->item > b->item;
}

int lwd_trace_nest(struct lwd_span *spans, size_t n)
{
    qsort(spans, n, sizeof *spans, by_track_start);
    /* The open nested spans of the current track, innermost last, as indices into spans: one
     * array the size of the input, so nesting depth has no limit. */
    size_t *open = malloc((n ? n : 1) * sizeof *open);
    if (open == NULL) return -1;
    size_t depth = 0;
    for (size_t i = 0; i < n; i++) {
        struct lwd_span *s = &spans[i];
        if (i > 0 && spans[i - 1].track != s->track) depth = 0;
        /* Close the open spans this one starts after (a zero-length span at an open span's very
         * end is still inside it). */
        while (depth > 0 && spans[open[depth - 1]].end <= s->start &&
               spans[open[depth - 1]].end < s->end)
            depth--;
        s->nested = depth == 0 || s->end <= spans[open[depth - 1]].end;
        if (s->nested) open[depth++] = i;
    }
    free(open);
    return 0;
}
