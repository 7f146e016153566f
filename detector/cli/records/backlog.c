/* backlog.c — see backlog.h. A chunk is a block of records, each stored as its own bytes rounded
 * up to 16 (the record's header carries its size). */
#include "records/backlog.h"

#include <stdlib.h>
#include <string.h>

#include "lockwatch/wire.h"

#define LWD_BACKLOG_CHUNK_BYTES (256u * 1024u)
#define LWD_BACKLOG_ALIGN 16u

struct lwd_backlog_chunk {
    struct lwd_backlog_chunk *next;
    size_t read;  /* offset of the next record to apply */
    size_t write; /* offset after the last record appended */
    _Alignas(LWD_BACKLOG_ALIGN) unsigned char data[LWD_BACKLOG_CHUNK_BYTES];
};

_Static_assert(LW_WIRE_MAX_RECORD <= LWD_BACKLOG_CHUNK_BYTES, "a chunk holds any record");

static size_t stored_size(size_t size)
{
    return (size + LWD_BACKLOG_ALIGN - 1) & ~(size_t)(LWD_BACKLOG_ALIGN - 1);
}

static size_t record_size(const unsigned char *p)
{
    struct lw_rec_header h;
    memcpy(&h, p, sizeof h);
    return h.size;
}

void lwd_backlog_free(struct lwd_backlog *b)
{
    while (b->head) {
        struct lwd_backlog_chunk *next = b->head->next;
        free(b->head);
        b->head = next;
    }
    free(b->spare);
    *b = (struct lwd_backlog){0};
}

int lwd_backlog_push(struct lwd_backlog *b, const void *rec, size_t size)
{
    size_t need = stored_size(size);
    struct lwd_backlog_chunk *c = b->tail;
    if (!c || LWD_BACKLOG_CHUNK_BYTES - c->write < need) {
        struct lwd_backlog_chunk *fresh = b->spare;
        if (fresh)
            b->spare = NULL;
        else if (!(fresh = malloc(sizeof *fresh)))
            return -1;
        fresh->next = NULL;
        fresh->read = fresh->write = 0;
        if (c)
            c->next = fresh;
        else
            b->head = fresh;
        b->tail = c = fresh;
    }
    memcpy(c->data + c->write, rec, size);
    c->write += need;
    b->records++;
    b->bytes += size;
    if (b->bytes > b->peak_bytes) b->peak_bytes = b->bytes;
    return 0;
}

/* Retires the head chunk once it is read to its end: kept as the spare, or freed. */
static void retire_head(struct lwd_backlog *b)
{
    struct lwd_backlog_chunk *done = b->head;
    b->head = done->next;
    if (!b->head) b->tail = NULL;
    if (!b->spare)
        b->spare = done;
    else
        free(done);
}

size_t lwd_backlog_apply(struct lwd_backlog *b, size_t max, lwd_record_fn *fn, void *ctx)
{
    size_t done = 0;
    while (done < max && b->records > 0) {
        struct lwd_backlog_chunk *c = b->head;
        if (c->read == c->write) {
            retire_head(b);
            continue;
        }
        const unsigned char *rec = c->data + c->read;
        size_t size = record_size(rec);
        c->read += stored_size(size);
        b->records--;
        b->bytes -= size;
        done++;
        fn(ctx, rec, size);
    }
    if (b->records == 0 && b->head) {
        /* Everything applied: keep one chunk, reset, for the next burst. */
        while (b->head)
            retire_head(b);
    }
    return done;
}
