/* channel.h — the driver's end of the record channel (wire.h): a listening AF_UNIX SOCK_STREAM
 * socket with a fresh abstract name, the connections of the run's processes, and the cutting of
 * their byte streams into records (header.size bytes each) for the detector. */
#ifndef LWD_CHANNEL_H
#define LWD_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "lockwatch/detector.h"
#include "lockwatch/wire.h"
#include "record_stream.h"

#define LWD_SOCKET_NAME_MAX 64

/* One process image's connection and its byte stream, cut into records as they arrive. */
struct lwd_conn {
    int fd;
    struct lwd_record_stream stream;
};

struct lwd_channel {
    int listen_fd;                  /* -1 when closed */
    char name[LWD_SOCKET_NAME_MAX]; /* "lockwatch-<pid>-<random>": LOCKWATCH_SOCKET's value */
    struct lwd_conn **conns;        /* open connections, in accept order */
    size_t nconns, cap;
    bool out_of_memory; /* the detector ran out: later records are dropped */
};

/* Returns 0, or -1 after one line on stderr. */
int lwd_channel_open(struct lwd_channel *ch);
/* Closes everything; accepts a channel whose open failed. */
void lwd_channel_close(struct lwd_channel *ch);

/* Accepts every pending connection. Returns 0, or -1 after one line on stderr. */
int lwd_channel_accept(struct lwd_channel *ch);

/* Reads what connection i has waiting and feeds each whole record to d; returns the number of
 * bytes read. The read stops after about a megabyte, so that one busy process cannot keep the
 * driver from its other duties, with *more set: the connection may have more waiting. When the
 * peer is gone (or sent a stream that is not records, which only a foreign peer could),
 * connection i is closed and the later ones move down by one. */
size_t lwd_channel_read(struct lwd_channel *ch, size_t i, struct lw_detector *d, bool *more);

#endif
