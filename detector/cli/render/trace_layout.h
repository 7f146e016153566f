/* trace_layout.h — which slices of one thread's timeline can be drawn as nested slices.
 *
 * A trace viewer draws a thread's complete ("X") slices as a stack: every two of them must be
 * disjoint or one inside the other. Lock holds are not always like that — unlock order need not
 * be LIFO (A taken, B taken, A released, B released) — so a slice that would overlap the one it
 * starts inside without ending within it is marked `nested = false`, and the writer draws it as
 * an async begin/end pair instead, which viewers show on a track of its own. Pure logic. */
#ifndef LWD_TRACE_LAYOUT_H
#define LWD_TRACE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lwd_span {
    uint32_t track;      /* thread: spans of different tracks never interact */
    uint64_t start, end; /* start <= end */
    size_t item;         /* the caller's index of what the span draws */
    bool nested;         /* out: can be an "X" slice */
};

/* Sorts spans by track, then start (earliest first), then end (longest first), and marks each
 * span nested or not: walking a track in that order with a stack of the open nested spans, a
 * span is nested when, after closing the open spans that end at or before its start, it ends at
 * or before the innermost open one (or none is open). Touching spans (one ends where the next
 * starts) are disjoint. Returns 0, or -1 when out of memory (spans sorted, marks unset). */
int lwd_trace_nest(struct lwd_span *spans, size_t n);

#endif
