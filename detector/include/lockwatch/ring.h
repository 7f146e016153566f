/* lockwatch/ring.h — the record ring: shared memory that carries a process image's records to the
 * driver without a system call per record (wire.h says when it replaces the socket).
 *
 * The runtime creates the ring (a memfd: this header page, then LW_RING_DATA_SIZE bytes of data),
 * hands its descriptor to the driver with a LW_REC_RING record sent over the socket, and from then
 * on writes every record of the image into it; a forked child shares the mapping and writes into
 * the same ring. Positions count bytes since creation and never wrap; a position's byte is at
 * data[pos % LW_RING_DATA_SIZE]. Each record starts on an 8-byte boundary and takes its size
 * rounded up to 8 (a record may run past the end of the data into its start).
 *
 * A writer:
 *   1. reserves [pos, pos + len) by compare-and-swap on `head`, only while pos + len - tail fits
 *      in the data (else it waits for the driver: the ring is never overwritten);
 *   2. at once marks the slot reserved: its first 8 bytes become a record header's first 8 bytes
 *      with magic 0 and the size, after the header's pid and tid (so the driver knows whose slot
 *      it is);
 *   3. copies the record after those 8 bytes;
 *   4. publishes it by storing the header's first 8 bytes (magic included) with release order.
 * The driver, at `tail`, reads the slot's first 8 bytes with acquire order: the wire magic means a
 * whole record; magic 0 means a writer is still at it (come back later). It copies the record
 * out, zeroes its bytes (so an unpublished slot always reads as magic 0), then advances `tail`
 * with release order. A slot reserved by a process image that is gone (killed mid-record, or
 * exec'd) would stop the ring for good; the driver skips it once that pid no longer maps the ring.
 * A slot that stays unpublished although its writer lives on (a signal handler that never
 * returned into the write), or that was never marked (a process killed between steps 1 and 2),
 * holds the read up until the driver gives the ring up: it then closes it, and its writers stop
 * tracking rather than wait for room that will never come.
 *
 * Header-only: shared by interpose/ (the writer) and detector/cli (the reader). */
#ifndef LOCKWATCH_RING_H
#define LOCKWATCH_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lockwatch/wire.h"

#define LW_RING_MAGIC 0x4e52574cu /* "LWRN" */
#define LW_RING_DATA_OFFSET 4096u /* the header page */
/* 1 MiB: memcached's ~30,000 new chains a second (~5 MB/s) fill a fifth of it between two of
 * the driver's reads; pages are touched only as the ring goes round. */
#define LW_RING_DATA_SIZE (1u << 20)
#define LW_RING_FILE_SIZE (LW_RING_DATA_OFFSET + LW_RING_DATA_SIZE)

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "the ring needs lock-free 64-bit atomics");
_Static_assert((LW_RING_DATA_SIZE & (LW_RING_DATA_SIZE - 1)) == 0, "data size: a power of two");
_Static_assert(LW_RING_DATA_SIZE >= 4 * LW_WIRE_MAX_RECORD, "data must hold several records");

struct lw_ring_header {
    uint32_t magic;     /* LW_RING_MAGIC, set by the runtime before the hand-over */
    uint32_t version;   /* LW_WIRE_VERSION */
    uint64_t data_size; /* LW_RING_DATA_SIZE */
    /* Set by the driver: `beat` moves each time it looks at the ring (0 until it maps it), so a
     * writer waiting for room can tell a slow driver from a gone one without pids (which differ
     * across pid namespaces and get reused); `closed` when it stops reading the ring, after which
     * writers give up instead of waiting for room. */
    _Atomic uint64_t beat;
    _Atomic uint32_t closed;
    _Alignas(64) _Atomic uint64_t head; /* bytes reserved by writers */
    _Alignas(64) _Atomic uint64_t tail; /* bytes the driver has consumed */
};

/* Bytes a record of `size` takes in the ring. */
static inline uint64_t lw_ring_span(uint64_t size)
{
    return (size + 7u) & ~(uint64_t)7u;
}

static inline unsigned char *lw_ring_byte(struct lw_ring_header *r, uint64_t pos)
{
    return (unsigned char *)r + LW_RING_DATA_OFFSET + (pos & (LW_RING_DATA_SIZE - 1u));
}

/* A slot's first 8 bytes (8-aligned: never split by the end of the data). */
static inline uint64_t *lw_ring_slot_word(struct lw_ring_header *r, uint64_t pos)
{
    return (uint64_t *)(void *)lw_ring_byte(r, pos);
}

/* The first 8 bytes of a record header as one word, and back. */
static inline uint64_t lw_ring_header_word(const struct lw_rec_header *h)
{
    uint64_t w;
    memcpy(&w, h, sizeof w);
    return w;
}

static inline struct lw_rec_header lw_ring_word_header(uint64_t w)
{
    struct lw_rec_header h;
    memset(&h, 0, sizeof h);
    memcpy(&h, &w, sizeof w);
    return h;
}

/* Copies between a flat buffer and the ring bytes from pos, going round the end of the data. */
static inline void lw_ring_copy_in(struct lw_ring_header *r, uint64_t pos, const void *src,
                                   size_t len)
{
    size_t room = LW_RING_DATA_SIZE - (size_t)(pos & (LW_RING_DATA_SIZE - 1u));
    size_t first = len < room ? len : room;
    memcpy(lw_ring_byte(r, pos), src, first);
    memcpy(lw_ring_byte(r, pos + first), (const unsigned char *)src + first, len - first);
}

static inline void lw_ring_copy_out(struct lw_ring_header *r, uint64_t pos, void *dst, size_t len)
{
    size_t room = LW_RING_DATA_SIZE - (size_t)(pos & (LW_RING_DATA_SIZE - 1u));
    size_t first = len < room ? len : room;
    memcpy(dst, lw_ring_byte(r, pos), first);
    memcpy((unsigned char *)dst + first, lw_ring_byte(r, pos + first), len - first);
}

static inline void lw_ring_zero(struct lw_ring_header *r, uint64_t pos, size_t len)
{
    size_t room = LW_RING_DATA_SIZE - (size_t)(pos & (LW_RING_DATA_SIZE - 1u));
    size_t first = len < room ? len : room;
    memset(lw_ring_byte(r, pos), 0, first);
    memset(lw_ring_byte(r, pos + first), 0, len - first);
}

#endif
