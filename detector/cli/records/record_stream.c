/* record_stream.c — see record_stream.h. */
#include "records/record_stream.h"

#include <stdint.h>
#include <string.h>

#define LWD_HEADER_SIZE sizeof(struct lw_rec_header)

/* The size of the record whose header is at `p`, or 0 when it cannot start a record. */
static size_t record_size(const unsigned char *p)
{
    struct lw_rec_header h;
    memcpy(&h, p, sizeof h);
    if (h.magic != LW_WIRE_MAGIC || h.version != LW_WIRE_VERSION) return 0;
    if (h.size < sizeof h || h.size > LW_WIRE_MAX_RECORD) return 0;
    return h.size;
}

void lwd_record_stream_init(struct lwd_record_stream *s)
{
    s->npartial = 0;
}

/* Moves up to `want` more bytes of the record in progress into buf; returns how many. */
static size_t gather(struct lwd_record_stream *s, size_t want, const unsigned char *bytes,
                     size_t len)
{
    size_t take = want - s->npartial < len ? want - s->npartial : len;
    memcpy(s->buf + s->npartial, bytes, take);
    s->npartial += take;
    return take;
}

bool lwd_record_stream_push(struct lwd_record_stream *s, const unsigned char *bytes, size_t len,
                            lwd_record_fn *fn, void *ctx)
{
    size_t off = 0;
    /* First the record begun by an earlier read: its header, then its body. */
    if (s->npartial > 0) {
        if (s->npartial < LWD_HEADER_SIZE) off += gather(s, LWD_HEADER_SIZE, bytes, len);
        if (s->npartial < LWD_HEADER_SIZE) return true;
        size_t size = record_size(s->buf);
        if (size == 0) return false;
        off += gather(s, size, bytes + off, len - off);
        if (s->npartial < size) return true;
        fn(ctx, s->buf, size);
        s->npartial = 0;
    }
    /* Then every record that is whole in these bytes. */
    while (len - off >= LWD_HEADER_SIZE) {
        size_t size = record_size(bytes + off);
        if (size == 0) return false;
        if (len - off < size) break;
        memcpy(s->buf, bytes + off, size);
        fn(ctx, s->buf, size);
        off += size;
    }
    /* And the start of the next, shorter than its record (so it fits). */
    s->npartial = len - off;
    memcpy(s->buf, bytes + off, s->npartial);
    return true;
}
