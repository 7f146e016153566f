/* channel.c — see channel.h. The name is in the abstract namespace (no file to clean up, gone
 * with the socket) and carries random bits so concurrent runs never collide. A stream socket, not
 * SOCK_SEQPACKET: a sequenced-packet peer may queue only net.unix.max_dgram_qlen messages (10 by
 * default) before its senders block, so the driver could never let records pile up and read them
 * in batches; a stream peer queues up to its send buffer (wire.h says why records still never
 * interleave). A header that cannot start a record (magic, version, size) means the stream is not
 * records, which only a foreign peer could write: counted as one bad record, and the connection
 * is closed, as there is no way to find the next record. */
#include "channel.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lockwatch/wire.h"

/* Bytes asked of the socket per recv(), and read from one connection before the event loop
 * looks at the other connections, the signals and the clock again. */
#define LWD_READ_BYTES (64u * 1024u)
#define LWD_READ_CAP (1024u * 1024u)

static socklen_t abstract_address(const char *name, struct sockaddr_un *addr)
{
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    size_t len = strlen(name);
    memcpy(addr->sun_path + 1, name, len); /* sun_path[0] == 0: abstract */
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
}

int lwd_channel_open(struct lwd_channel *ch)
{
    memset(ch, 0, sizeof *ch);
    ch->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (ch->listen_fd < 0) goto fail;
    int bound = -1;
    for (int attempt = 0; attempt < 8 && bound != 0; attempt++) {
        uint64_t random_bits = 0;
        if (getrandom(&random_bits, sizeof random_bits, 0) != (ssize_t)sizeof random_bits)
            goto fail;
        snprintf(ch->name, sizeof ch->name, "lockwatch-%ld-%016llx", (long)getpid(),
                 (unsigned long long)random_bits);
        struct sockaddr_un addr;
        socklen_t len = abstract_address(ch->name, &addr);
        bound = bind(ch->listen_fd, (struct sockaddr *)&addr, len);
        if (bound != 0 && errno != EADDRINUSE) goto fail;
    }
    if (bound != 0 || listen(ch->listen_fd, SOMAXCONN) != 0) goto fail;
    return 0;
fail:
    fprintf(stderr, "lockwatch: cannot create the record channel: %s\n", strerror(errno));
    lwd_channel_close(ch);
    return -1;
}

void lwd_channel_close(struct lwd_channel *ch)
{
    if (ch->listen_fd >= 0) close(ch->listen_fd);
    ch->listen_fd = -1;
    for (size_t i = 0; i < ch->nconns; i++) {
        close(ch->conns[i]->fd);
        free(ch->conns[i]);
    }
    free(ch->conns);
    ch->conns = NULL;
    ch->nconns = ch->cap = 0;
}

int lwd_channel_accept(struct lwd_channel *ch)
{
    for (;;) {
        if (ch->nconns == ch->cap) {
            size_t cap = ch->cap ? 2 * ch->cap : 8;
            struct lwd_conn **conns = realloc(ch->conns, cap * sizeof *conns);
            if (!conns) goto out_of_memory;
            ch->conns = conns;
            ch->cap = cap;
        }
        struct lwd_conn *conn = malloc(sizeof *conn);
        if (!conn) goto out_of_memory;
        lwd_record_stream_init(&conn->stream);
        conn->fd = accept4(ch->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (conn->fd >= 0) {
            ch->conns[ch->nconns++] = conn;
            continue;
        }
        int err = errno;
        free(conn);
        switch (err) {
        case EAGAIN:
        case EINTR:
        case ECONNABORTED: /* the peer went away before we accepted it: nothing to read */
            return 0;
        }
        fprintf(stderr, "lockwatch: cannot accept a connection: %s\n", strerror(err));
        return -1;
    }
out_of_memory:
    fputs("lockwatch: out of memory\n", stderr);
    return -1;
}

/* Keeps the others in accept order: run.c reads older connections first. */
static void remove_connection(struct lwd_channel *ch, size_t i)
{
    close(ch->conns[i]->fd);
    free(ch->conns[i]);
    memmove(&ch->conns[i], &ch->conns[i + 1], (--ch->nconns - i) * sizeof *ch->conns);
}

/* Where lwd_record_stream_push delivers a connection's records. */
struct feed_target {
    struct lwd_channel *ch;
    struct lw_detector *d;
};

static void feed_record(void *ctx, const void *rec, size_t size)
{
    struct feed_target *t = ctx;
    if (t->ch->out_of_memory) return;
    if (lw_detector_feed(t->d, rec, size) == LW_ERR_NOMEM) {
        fputs("lockwatch: out of memory; later records are dropped\n", stderr);
        t->ch->out_of_memory = true;
    }
}

size_t lwd_channel_read(struct lwd_channel *ch, size_t i, struct lw_detector *d, bool *more)
{
    static unsigned char buf[LWD_READ_BYTES];
    struct lwd_conn *conn = ch->conns[i];
    struct feed_target target = {ch, d};
    size_t total = 0;
    while (total < LWD_READ_CAP) {
        ssize_t got = recv(conn->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return total;
        if (got <= 0) {
            /* 0: orderly end; < 0: reset, same thing. A record cut short by the end was never
             * wholly sent (the runtime sends each record whole): nothing to report. */
            remove_connection(ch, i);
            return total;
        }
        total += (size_t)got;
        if (!lwd_record_stream_push(&conn->stream, buf, (size_t)got, feed_record, &target)) {
            lw_detector_report(d)->bad_records++;
            remove_connection(ch, i);
            return total;
        }
    }
    *more = true; /* the event loop comes back after the signals and the clock */
    return total;
}
