/* channel.h — the driver's end of the record channel (wire.h): a listening AF_UNIX
 * SOCK_SEQPACKET socket with a fresh abstract name, the connections of the run's processes, and
 * the reading of their messages (one message = one record) into the detector. */
#ifndef LWD_CHANNEL_H
#define LWD_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "lockwatch/detector.h"

#define LWD_SOCKET_NAME_MAX 64

struct lwd_channel {
    int listen_fd;                  /* -1 when closed */
    char name[LWD_SOCKET_NAME_MAX]; /* "lockwatch-<pid>-<random>": LOCKWATCH_SOCKET's value */
    int *conns;                     /* open connections */
    size_t nconns, cap;
    bool out_of_memory; /* the detector ran out: later records are dropped */
};

/* Returns 0, or -1 after one line on stderr. */
int lwd_channel_open(struct lwd_channel *ch);
/* Closes everything; accepts a channel whose open failed. */
void lwd_channel_close(struct lwd_channel *ch);

/* Accepts every pending connection. Returns 0, or -1 after one line on stderr. */
int lwd_channel_accept(struct lwd_channel *ch);

/* Reads the waiting records of connection i into d (a bounded number, for fairness). When the
 * peer is gone, connection i is closed and replaced by the last one. */
void lwd_channel_read(struct lwd_channel *ch, size_t i, struct lw_detector *d);

#endif
