/* backlog.h — records read from the program but not yet applied to the detector, in the driver's
 * own memory, in the order they were read.
 *
 * Reading a record (copying it out of a ring or a socket) is cheap; applying it may not be (a new
 * lock-order edge starts a cycle search). The event loop reads everything waiting into the
 * backlog first, which frees the ring for the program at once, and applies the backlog in short
 * slices between reads, so a program never waits for room while the driver searches. Records
 * are kept in chunks that are freed as they are applied; nothing is ever dropped: when no chunk
 * can be allocated, lwd_backlog_push says so and the caller applies the record at once. Pure
 * (no system calls besides the allocator), so tests can drive it directly. */
#ifndef LWD_BACKLOG_H
#define LWD_BACKLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records/record_stream.h"

struct lwd_backlog_chunk;

struct lwd_backlog {
    struct lwd_backlog_chunk *head;  /* oldest chunk: the next record applied is in it */
    struct lwd_backlog_chunk *tail;  /* newest chunk: records are appended to it */
    struct lwd_backlog_chunk *spare; /* one emptied chunk kept for reuse */
    size_t records;                  /* records waiting */
    size_t bytes;                    /* their sizes, summed */
    size_t peak_bytes;               /* the most bytes ever waiting at once */
};

/* A zeroed struct is an empty backlog; lwd_backlog_free returns it to that state. */
void lwd_backlog_free(struct lwd_backlog *b);

/* Appends a copy of one record (size <= LW_WIRE_MAX_RECORD). 0, or -1 when out of memory (the
 * backlog is unchanged). */
int lwd_backlog_push(struct lwd_backlog *b, const void *rec, size_t size);

static inline bool lwd_backlog_empty(const struct lwd_backlog *b)
{
    return b->records == 0;
}

/* Hands the oldest records to fn, in order, up to `max` of them (fewer when the backlog runs
 * out); each record is 16-byte aligned and valid only during its call. Returns how many were
 * handed over. */
size_t lwd_backlog_apply(struct lwd_backlog *b, size_t max, lwd_record_fn *fn, void *ctx);

#endif
