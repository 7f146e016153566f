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
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "lockwatch/wire.h"

/* Bytes asked of the socket per recv(), and read from one connection before the event loop
 * looks at the other connections, the signals and the clock again. */
#define LWD_READ_BYTES (64u * 1024u)
#define LWD_READ_CAP (1024u * 1024u)
/* How often a connection whose socket ended asks whether a process still maps its ring. */
#define LWD_ORPHAN_CHECK_MS 1000

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

static void free_connection(struct lwd_conn *conn)
{
    if (conn->fd >= 0) close(conn->fd);
    if (conn->passed_fd >= 0) close(conn->passed_fd);
    lwd_ring_detach(&conn->ring); /* writers still waiting for room give up */
    free(conn->writers);
    free(conn);
}

void lwd_channel_close(struct lwd_channel *ch)
{
    if (ch->listen_fd >= 0) close(ch->listen_fd);
    ch->listen_fd = -1;
    for (size_t i = 0; i < ch->nconns; i++)
        free_connection(ch->conns[i]);
    free(ch->conns);
    ch->conns = NULL;
    ch->nconns = ch->cap = 0;
    lwd_backlog_free(&ch->backlog);
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
        struct lwd_conn *conn = calloc(1, sizeof *conn);
        if (!conn) goto out_of_memory;
        conn->passed_fd = -1;
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
    free_connection(ch->conns[i]);
    memmove(&ch->conns[i], &ch->conns[i + 1], (--ch->nconns - i) * sizeof *ch->conns);
}

/* Where a connection's records are delivered. */
struct feed_target {
    struct lwd_channel *ch;
    struct lwd_conn *conn;
    struct lw_detector *d;
};

static void count_bad(struct feed_target *t, uint64_t n)
{
    lw_detector_report(t->d)->bad_records += n;
}

static void out_of_memory(struct feed_target *t)
{
    if (!t->ch->out_of_memory)
        fputs("lockwatch: out of memory; later records are dropped\n", stderr);
    t->ch->out_of_memory = true;
}

/* Remembers pid as a writer of the connection's ring (lwd_ring_mapped_by asks about each). */
static void note_writer(struct feed_target *t, int32_t pid)
{
    struct lwd_conn *c = t->conn;
    if (c->nwriters > 0 && c->writers[c->nwriters - 1] == pid) return; /* the usual case */
    for (size_t i = 0; i < c->nwriters; i++)
        if (c->writers[i] == pid) return;
    if (c->nwriters == c->writers_cap) {
        size_t cap = c->writers_cap ? 2 * c->writers_cap : 4;
        int32_t *grown = realloc(c->writers, cap * sizeof *grown);
        if (!grown) {
            out_of_memory(t);
            return;
        }
        c->writers = grown;
        c->writers_cap = cap;
    }
    c->writers[c->nwriters++] = pid;
}

/* A LW_REC_RING record: the descriptor that came with it is the ring of the rest of the
 * connection's records. */
static void take_ring(struct feed_target *t, const struct lw_rec_ring *r, size_t size)
{
    struct lwd_conn *c = t->conn;
    int fd = c->passed_fd;
    c->passed_fd = -1;
    bool taken = false;
    if (size == sizeof *r && !c->ring.hdr && fd >= 0) {
        /* The kernel gives the peer's pid as seen here; a different pid in the record means the
         * program runs in another pid namespace, where /proc says nothing of its writers. */
        struct ucred peer;
        socklen_t len = sizeof peer;
        bool pids_ours =
            getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0 && peer.pid == r->h.pid;
        taken = lwd_ring_attach(&c->ring, fd, r->file_size, pids_ours) == 0; /* closes fd */
        fd = -1;
    }
    if (fd >= 0) close(fd);
    if (!taken) {
        count_bad(t, 1);
        return;
    }
    note_writer(t, r->h.pid);
}

/* Applies one record to the detector (from the backlog, or at once when it cannot grow). */
static void apply_record(void *ctx, const void *rec, size_t size)
{
    struct feed_target *t = ctx;
    if (t->ch->out_of_memory) return;
    if (lw_detector_feed(t->d, rec, size) == LW_ERR_NOMEM) out_of_memory(t);
}

/* A record just read: a RING record is taken at once (the ring carries what follows); the others
 * join the backlog, or, when it cannot grow, are applied after it, in order. */
static void feed_record(void *ctx, const void *rec, size_t size)
{
    struct feed_target *t = ctx;
    const struct lw_rec_header *h = rec;
    if (size >= sizeof *h && h->type == LW_REC_RING) {
        take_ring(t, rec, size);
        return;
    }
    if (t->conn->ring.hdr) note_writer(t, h->pid);
    if (t->ch->out_of_memory) return;
    if (lwd_backlog_push(&t->ch->backlog, rec, size) == 0) return;
    lwd_backlog_apply(&t->ch->backlog, SIZE_MAX, apply_record, t);
    apply_record(t, rec, size);
}

/* Keeps the descriptors that came with a read: the first for the RING record, the rest (which no
 * runtime sends) closed. */
static void keep_passed_fds(struct lwd_conn *conn, struct msghdr *msg)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t k = 0; k < n; k++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + k * sizeof fd, sizeof fd);
            if (conn->passed_fd < 0)
                conn->passed_fd = fd;
            else
                close(fd);
        }
    }
}

/* Reads the socket until it has nothing waiting or *total reaches the cap (*more set). False
 * when it ended: the peer closed it, or it carried something that is not records. */
static bool read_socket(struct feed_target *t, size_t *total, bool *more)
{
    static unsigned char buf[LWD_READ_BYTES];
    struct lwd_conn *conn = t->conn;
    while (*total < LWD_READ_CAP) {
        union {
            struct cmsghdr align;
            char bytes[CMSG_SPACE(4 * sizeof(int))];
        } control;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = control.bytes,
                             .msg_controllen = sizeof control.bytes};
        ssize_t got = recvmsg(conn->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        if (got > 0) keep_passed_fds(conn, &msg);
        /* 0: orderly end; < 0: reset, same thing. A record cut short by the end was never
         * wholly sent (the runtime sends each record whole): nothing to report. */
        if (got <= 0) return false;
        *total += (size_t)got;
        if (!lwd_record_stream_push(&conn->stream, buf, (size_t)got, feed_record, t)) {
            count_bad(t, 1);
            return false;
        }
    }
    *more = true; /* the event loop comes back after the signals and the clock */
    return true;
}

/* Drains the connection's ring, up to cap bytes (*more set when it stopped there); `final` as for
 * lwd_ring_drain. A ring holding something that is not records is detached: its writers go
 * passive. */
static void drain_ring(struct feed_target *t, size_t cap, bool final, size_t *total, bool *more)
{
    struct lwd_conn *conn = t->conn;
    uint64_t skipped = 0;
    size_t bytes = 0;
    switch (lwd_ring_drain(&conn->ring, cap, final, feed_record, t, &bytes, &skipped)) {
    case LWD_RING_EMPTY:
        break;
    case LWD_RING_MORE:
        *more = true;
        break;
    case LWD_RING_BROKEN:
        count_bad(t, 1);
        lwd_ring_detach(&conn->ring);
        break;
    case LWD_RING_STUCK:
        fprintf(stderr,
                "lockwatch: a record of process %ld was never finished (a signal handler that did "
                "not return?); its later records are lost\n",
                conn->nwriters ? (long)conn->writers[0] : 0L);
        count_bad(t, 1);
        lwd_ring_detach(&conn->ring);
        break;
    }
    *total += bytes;
    count_bad(t, skipped); /* never published: lost, as a malformed record is */
}

/* For a connection whose socket ended: whether a process may still write into its ring. Asked
 * at once when the socket ends, then at most once every LWD_ORPHAN_CHECK_MS (or at once again
 * after lwd_channel_recheck). Writers that no longer map the ring are forgotten: they cannot map
 * it again. Without pids of our namespace nothing can be asked, and the socket's end is the
 * ring's. */
static bool ring_still_written(struct lwd_conn *conn)
{
    if (!conn->ring.hdr || !conn->ring.pids_ours) return false;
    long long now = lwd_now_ms();
    if (conn->checked_ms >= 0 && now - conn->checked_ms < LWD_ORPHAN_CHECK_MS) return true;
    conn->checked_ms = now;
    size_t kept = 0;
    for (size_t i = 0; i < conn->nwriters; i++)
        if (lwd_ring_mapped_by(&conn->ring, conn->writers[i]))
            conn->writers[kept++] = conn->writers[i];
    conn->nwriters = kept;
    return kept > 0;
}

size_t lwd_channel_read(struct lwd_channel *ch, size_t i, struct lw_detector *d, bool *more)
{
    struct lwd_conn *conn = ch->conns[i];
    struct feed_target target = {ch, conn, d};
    size_t total = 0;
    if (conn->fd >= 0 && !read_socket(&target, &total, more)) {
        close(conn->fd);
        conn->fd = -1;
        conn->checked_ms = -1; /* ask about the ring's writers now */
    }
    if (conn->ring.hdr && !*more) drain_ring(&target, LWD_READ_CAP - total, false, &total, more);
    if (conn->fd < 0 && !*more && !ring_still_written(conn)) {
        /* Nobody can write into the ring any more: what it holds is all there will be. */
        if (conn->ring.hdr) drain_ring(&target, SIZE_MAX, true, &total, more);
        remove_connection(ch, i);
        *more = false;
    }
    return total;
}

size_t lwd_channel_apply(struct lwd_channel *ch, struct lw_detector *d, size_t max)
{
    struct feed_target target = {ch, NULL, d};
    return lwd_backlog_apply(&ch->backlog, max, apply_record, &target);
}

void lwd_channel_beat(struct lwd_channel *ch)
{
    for (size_t i = 0; i < ch->nconns; i++)
        lwd_ring_beat(&ch->conns[i]->ring);
}

void lwd_channel_recheck(struct lwd_channel *ch)
{
    for (size_t i = 0; i < ch->nconns; i++)
        ch->conns[i]->checked_ms = -1;
}

void lwd_channel_finish(struct lwd_channel *ch, struct lw_detector *d)
{
    for (size_t i = 0; i < ch->nconns; i++) {
        struct lwd_conn *conn = ch->conns[i];
        if (!conn->ring.hdr) continue;
        struct feed_target target = {ch, conn, d};
        conn->checked_ms = -1;
        bool final = conn->fd < 0 && !ring_still_written(conn);
        size_t total = 0;
        bool more = false;
        drain_ring(&target, SIZE_MAX, final, &total, &more);
    }
    lwd_channel_apply(ch, d, SIZE_MAX);
}

bool lwd_channel_has_rings(const struct lwd_channel *ch)
{
    for (size_t i = 0; i < ch->nconns; i++)
        if (ch->conns[i]->ring.hdr) return true;
    return false;
}
