/* listener.h — the driver's end of the record channel (wire.h): a listening AF_UNIX SOCK_STREAM
 * socket in a private directory, the connections of the run's processes, and the cutting of
 * their byte streams into records (header.size bytes each) for the detector.
 *
 * Only the run talks to the driver: a connection is accepted only from a process of the run (its
 * SO_PEERCRED pid descends from lockwatch or carries the run's LOCKWATCH_SOCKET entry; peer.h),
 * and its first bytes must be the run's random secret (wire.h). Anything else is closed at once
 * and counted (lwd_channel_refused); it never reaches the detector. */
#ifndef LWD_LISTENER_H
#define LWD_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lockwatch/detector.h"
#include "lockwatch/wire.h"
#include "records/backlog.h"
#include "records/record_stream.h"
#include "records/ring_reader.h"

/* "<secret>:<path>": 32 hex digits, then a path that fits sun_path */
#define LWD_SOCKET_NAME_MAX (LW_WIRE_SECRET_LEN + 1 + 108)

/* One process image's connection: its socket's byte stream, cut into records as they arrive,
 * and from its LW_REC_RING record on, its ring. A connection whose socket ended lives on while a
 * process still maps its ring (a program that closed every descriptor, or a forked child), and
 * ends once none does and the ring is drained. */
struct lwd_conn {
    int fd;                /* the socket; -1 once it ended */
    size_t secret_got;     /* bytes of the secret read so far: LW_WIRE_SECRET_LEN once proven */
    long long accepted_ms; /* a connection that has not proven itself in time is refused */
    int passed_fd;         /* a descriptor that came with the socket's bytes, for the RING record */
    struct lwd_ring ring;
    int32_t *writers; /* pids seen writing into the ring: who may still map it */
    size_t nwriters, writers_cap;
    long long checked_ms; /* when the ended socket's ring was last checked for writers */
    struct lwd_record_stream stream;
};

struct lwd_channel {
    int listen_fd;                        /* -1 when closed */
    int spare_fd;                         /* kept to accept-and-close when descriptors run out */
    char name[LWD_SOCKET_NAME_MAX];       /* LOCKWATCH_SOCKET's value: "<secret>:<socket path>" */
    char dir[LWD_SOCKET_NAME_MAX];        /* the private (0700) directory holding the socket */
    char entry[LWD_SOCKET_NAME_MAX + 32]; /* "LOCKWATCH_SOCKET=<name>", as in /proc/PID/environ */
    unsigned long long refused;           /* connections refused: not from the run, or no secret */
    long refused_pid;                     /* the first refused peer's pid (0: unknown) */
    unsigned long long dropped; /* connections of the run closed for want of descriptors */
    bool run_over;           /* every process of the run has ended: no ring is written any more */
    struct lwd_conn **conns; /* open connections, in accept order */
    size_t nconns, cap;
    struct lwd_backlog backlog; /* records read, not yet applied (backlog.h) */
    bool out_of_memory;         /* the detector ran out: later records are dropped */
    /* LOCKWATCH_RECORD_COPY=FILE (bench/README.md, "Growth"): every record applied, in order,
     * also written there, so a benchmark can feed the same records to the detector alone. */
    FILE *copy;
};

/* Returns 0, or -1 after one line on stderr (also when LOCKWATCH_RECORD_COPY names a file that
 * cannot be created). */
int lwd_channel_open(struct lwd_channel *ch);
/* Closes everything; accepts a channel whose open failed. */
void lwd_channel_close(struct lwd_channel *ch);

/* Accepts every pending connection of the run and refuses (closes, counts) the others. Never
 * fails for a peer's sake: a flood of connections is accepted and closed one by one; when the
 * driver's descriptors run out, the connection is closed, counted in `dropped` and the report's
 * bad records. Returns 0, or -1 after one line on stderr (out of memory). */
int lwd_channel_accept(struct lwd_channel *ch);

/* Closes the connections that have not sent the secret within their time; returns the
 * milliseconds until the next such deadline, or -1 when no connection waits to prove itself. */
int lwd_channel_expire(struct lwd_channel *ch);

/* One line on stderr when connections were refused or dropped (after the run). */
void lwd_channel_say_refused(const struct lwd_channel *ch);

/* Reads what connection i has waiting, on its socket and then in its ring, and appends each whole
 * record to the backlog (lwd_channel_apply feeds them to d later, in the order read; when the
 * backlog cannot grow, the backlog and then the record are applied at once); returns the number
 * of bytes read. The read stops after about a megabyte, so that one busy process cannot keep the
 * driver from its other duties, with *more set: the connection may have more waiting. When the
 * peer is gone (or sent a stream that is not records, which only a foreign peer could) and no
 * process maps its ring any more, connection i is closed and the later ones move down by one. */
size_t lwd_channel_read(struct lwd_channel *ch, size_t i, struct lw_detector *d, bool *more);

/* Feeds d up to `max` of the oldest records read and not yet applied; returns how many. */
size_t lwd_channel_apply(struct lwd_channel *ch, struct lw_detector *d, size_t max);

/* Keeps every ring's writers waiting for room while the driver reads nothing (lwd_ring_beat). */
void lwd_channel_beat(struct lwd_channel *ch);

/* Whether records read wait to be applied. */
static inline bool lwd_channel_backlogged(const struct lwd_channel *ch)
{
    return !lwd_backlog_empty(&ch->backlog);
}

/* Makes every connection whose socket ended ask about its ring's writers at its next read,
 * without waiting for the usual interval: for when a process of the run has exited. */
void lwd_channel_recheck(struct lwd_channel *ch);

/* The last look before the report: drains every ring, to its end (skipping what can never be
 * finished) where no process maps it any more, and applies every record read. */
void lwd_channel_finish(struct lwd_channel *ch, struct lw_detector *d);

/* Whether some connection has a ring, which no poll() can watch: the event loop then wakes on a
 * clock to drain it. */
bool lwd_channel_has_rings(const struct lwd_channel *ch);

#endif
