/* record_stream.h — cuts one connection's byte stream back into records (wire.h).
 *
 * The runtime writes each record whole, but a read may end anywhere: in a header, in a body, on a
 * boundary. The stream keeps the start of an unfinished record until the rest arrives. Pure logic
 * (bytes in, records out through a callback), so tests can feed it any split of a stream. */
#ifndef LWD_RECORD_STREAM_H
#define LWD_RECORD_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "lockwatch/wire.h"

struct lwd_record_stream {
    size_t npartial; /* bytes of an unfinished record at the start of buf */
    /* Aligned, so the detector may read a record's fields in place: records are handed on from
     * here, never from the caller's bytes. */
    _Alignas(16) unsigned char buf[LW_WIRE_MAX_RECORD];
};

/* Called with each whole record; `rec` is valid only during the call. */
typedef void lwd_record_fn(void *ctx, const void *rec, size_t size);

void lwd_record_stream_init(struct lwd_record_stream *s);

/* Feeds bytes[0, len), calling fn for every record it completes, in order. False when the bytes
 * cannot be records (a header with the wrong magic or version, or an impossible size): there is
 * no way back into step, the stream must not be pushed again, and the caller drops the
 * connection. */
bool lwd_record_stream_push(struct lwd_record_stream *s, const unsigned char *bytes, size_t len,
                            lwd_record_fn *fn, void *ctx);

#endif
