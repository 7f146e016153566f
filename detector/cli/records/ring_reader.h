/* ring_reader.h — the driver's end of a record ring (lockwatch/ring.h): maps the ring a process
 * image handed over, drains its records in order, and decides when a ring is no longer written. No
 * knowledge of connections or the detector: records go to a callback. */
#ifndef LWD_RING_READER_H
#define LWD_RING_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockwatch/ring.h"
#include "records/record_stream.h"

struct lwd_ring {
    struct lw_ring_header *hdr; /* NULL: no ring */
    uint64_t ino;               /* the memfd's inode, to find the ring in /proc/PID/maps */
    /* The read position. The shared `tail` is only written, never read back: a program that
     * scribbles on it can make its own writers overwrite unread records (which then fail the
     * checks), but never make the driver read a record twice. */
    uint64_t tail;
    /* Whether the pids in the ring's records are pids here (false: the program runs in another
     * pid namespace, and /proc cannot tell about its writers). */
    bool pids_ours;
    /* An unpublished slot holding the read up: where, since when, and when its writer was last
     * asked about (ms, CLOCK_MONOTONIC). */
    bool stalled;
    uint64_t stall_pos;
    long long stall_since_ms, stall_asked_ms;
};

/* Maps the ring behind fd (a memfd from a LW_REC_RING record of file_size bytes), checks its
 * header and seals, and tells its writers the driver reads it. Always closes fd. Returns 0, or
 * -1 when the descriptor is not a ring (r stays without one). */
int lwd_ring_attach(struct lwd_ring *r, int fd, uint64_t file_size, bool pids_ours);

/* Marks the ring closed (writers stop waiting for room and go passive) and unmaps it. */
void lwd_ring_detach(struct lwd_ring *r);

enum lwd_ring_drain_result {
    LWD_RING_EMPTY,  /* read everything published (up to the first slot still being written) */
    LWD_RING_MORE,   /* stopped at the byte cap with records left */
    LWD_RING_BROKEN, /* the ring holds something that is not records: detach it */
    LWD_RING_STUCK,  /* a slot has stayed unpublished for LWD_RING_GIVE_UP_MS: detach it */
};

/* Feeds fn each whole record from the tail on, in order, up to about cap bytes and no further
 * than the writers had reserved when it started; adds the bytes consumed to *bytes and the slots
 * skipped (reserved by a process image that no longer maps the ring, so never to be written) to
 * *skipped. `final`: the caller knows no process maps the ring any more, so an unpublished slot
 * is skipped at once (a slot never marked ends the drain: its size is unknown). */
enum lwd_ring_drain_result lwd_ring_drain(struct lwd_ring *r, size_t cap, bool final,
                                          lwd_record_fn *fn, void *ctx, size_t *bytes,
                                          uint64_t *skipped);

/* Tells the ring's writers the driver is alive without reading: a writer waiting for room keeps
 * waiting (lockwatch/ring.h: the beat). */
void lwd_ring_beat(struct lwd_ring *r);

/* Whether process pid still maps the ring (true when its maps cannot be read: it may). */
bool lwd_ring_mapped_by(const struct lwd_ring *r, int32_t pid);

#endif
