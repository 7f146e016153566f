/* listener.c — see listener.h. The socket is a path in a directory only lockwatch's user can enter
 * (mkdtemp, 0700), removed with the channel; an abstract name would be listed in /proc/net/unix
 * for every local user to connect to. A stream socket, not SOCK_SEQPACKET: a sequenced-packet
 * peer may queue only net.unix.max_dgram_qlen messages (10 by default) before its senders block,
 * so the driver could never let records pile up and read them in batches; a stream peer queues
 * up to its send buffer (wire.h says why records still never interleave). A header that cannot
 * start a record (magic, version, size) means the stream is not records, which only a foreign
 * peer could write: counted as one bad record, and the connection is closed, as there is no way
 * to find the next record. */
#include "records/listener.h"

#include <errno.h>
#include <fcntl.h>
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

#include "common/clock.h"
#include "common/out_file.h"
#include "lockwatch/wire.h"
#include "run/peer.h"
#include "stuck/proc_tasks.h"

/* Bytes asked of the socket per recv(), and read from one connection before the event loop
 * looks at the other connections, the signals and the clock again. */
#define LWD_READ_BYTES (64u * 1024u)
#define LWD_READ_CAP (1024u * 1024u)
/* How often a connection whose socket ended asks whether a process still maps its ring. */
#define LWD_ORPHAN_CHECK_MS 1000
/* A runtime sends the secret right after it connects: a peer of the run that has not sent it
 * after this long never will (it was stopped, or is not a runtime). */
#define LWD_SECRET_WAIT_MS 2000
#define LWD_SOCKET_FILE "/s"
#define LWD_ENV_RECORD_COPY "LOCKWATCH_RECORD_COPY"

/* Makes the private directory under $TMPDIR (else /tmp; /tmp also when $TMPDIR's path would make
 * the socket's too long for sun_path). */
static int make_private_dir(struct lwd_channel *ch)
{
    const char *tmp = getenv("TMPDIR");
    const char *bases[2] = {tmp && tmp[0] == '/' ? tmp : "/tmp", "/tmp"};
    struct sockaddr_un addr;
    for (int i = 0; i < 2; i++) {
        int n = snprintf(ch->dir, sizeof ch->dir, "%s/lockwatch-XXXXXX", bases[i]);
        if (n < 0 || (size_t)n + sizeof LWD_SOCKET_FILE > sizeof addr.sun_path) continue;
        if (mkdtemp(ch->dir)) return 0; /* mode 0700 */
        if (i == 1 || strcmp(bases[0], "/tmp") == 0) break;
    }
    ch->dir[0] = '\0';
    return -1;
}

int lwd_channel_open(struct lwd_channel *ch)
{
    memset(ch, 0, sizeof *ch);
    ch->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    ch->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (ch->listen_fd < 0 || make_private_dir(ch) != 0) goto fail;
    unsigned char secret[LW_WIRE_SECRET_LEN / 2];
    if (getrandom(secret, sizeof secret, 0) != (ssize_t)sizeof secret) goto fail;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t dir_len = strlen(ch->dir); /* make_private_dir left room for the file's name */
    memcpy(addr.sun_path, ch->dir, dir_len);
    memcpy(addr.sun_path + dir_len, LWD_SOCKET_FILE, sizeof LWD_SOCKET_FILE);
    size_t at = 0;
    for (size_t i = 0; i < sizeof secret; i++)
        at += (size_t)snprintf(ch->name + at, sizeof ch->name - at, "%02x", secret[i]);
    snprintf(ch->name + at, sizeof ch->name - at, ":%s", addr.sun_path);
    snprintf(ch->entry, sizeof ch->entry, "%s=%s", LW_WIRE_ENV_SOCKET, ch->name);
    if (bind(ch->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(ch->listen_fd, SOMAXCONN) != 0)
        goto fail;
    const char *copy = getenv(LWD_ENV_RECORD_COPY);
    if (copy && copy[0]) {
        ch->copy = lwd_out_create(copy, "record copy");
        if (!ch->copy) {
            lwd_channel_close(ch);
            return -1;
        }
    }
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
    if (ch->spare_fd >= 0) close(ch->spare_fd);
    ch->spare_fd = -1;
    if (ch->dir[0]) {
        char path[sizeof ch->dir + sizeof LWD_SOCKET_FILE];
        snprintf(path, sizeof path, "%s%s", ch->dir, LWD_SOCKET_FILE);
        unlink(path);
        rmdir(ch->dir);
        ch->dir[0] = '\0';
    }
    for (size_t i = 0; i < ch->nconns; i++)
        free_connection(ch->conns[i]);
    free(ch->conns);
    ch->conns = NULL;
    ch->nconns = ch->cap = 0;
    lwd_backlog_free(&ch->backlog);
    if (ch->copy && fclose(ch->copy) != 0)
        fprintf(stderr, "lockwatch: cannot write the record copy: %s\n", strerror(errno));
    ch->copy = NULL;
}

static void refuse(struct lwd_channel *ch, long pid)
{
    if (ch->refused++ == 0) ch->refused_pid = pid;
}

/* accept4 failed for want of descriptors: the connection waits in the listen queue and would wake
 * every poll. The spare descriptor makes room to take it and close it. */
static bool drop_one(struct lwd_channel *ch)
{
    if (ch->spare_fd >= 0) close(ch->spare_fd);
    int fd = accept4(ch->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        ch->dropped++;
    }
    ch->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd >= 0;
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
        int fd = accept4(ch->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            switch (errno) {
            case EMFILE:
            case ENFILE:
            case ENOBUFS:
            case ENOMEM:
                if (!drop_one(ch)) return 0; /* try again at the next wake-up */
                continue;
            case EAGAIN:
            case ECONNABORTED: /* the peer went away before we accepted it: nothing to read */
                return 0;
            case EINTR:
                continue;
            }
            fprintf(stderr, "lockwatch: cannot accept a connection: %s\n", strerror(errno));
            return -1;
        }
        struct ucred peer = {0};
        socklen_t len = sizeof peer;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0) peer.pid = 0;
        /* A peer that is gone can send nothing more than what it sent, and one lockwatch cannot
         * ask /proc about (out of descriptors) is no less likely the run's: both are judged by
         * the secret alone. */
        if (lwd_peer_of_run(peer.pid, ch->entry) == LWD_PEER_FOREIGN) {
            close(fd);
            refuse(ch, (long)peer.pid);
            continue;
        }
        struct lwd_conn *conn = calloc(1, sizeof *conn);
        if (!conn) {
            close(fd);
            goto out_of_memory;
        }
        conn->fd = fd;
        conn->passed_fd = -1;
        conn->accepted_ms = lwd_now_ms();
        lwd_record_stream_init(&conn->stream);
        ch->conns[ch->nconns++] = conn;
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
    if (t->ch->copy) fwrite(rec, 1, size, t->ch->copy); /* an error shows at fclose */
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
/* Reads what has come of the secret; false when the peer ended or sent something else (the
 * connection is refused). Reads no byte past the secret. */
static bool read_secret(struct feed_target *t)
{
    struct lwd_conn *conn = t->conn;
    const char *secret = t->ch->name;
    while (conn->secret_got < LW_WIRE_SECRET_LEN) {
        char got[LW_WIRE_SECRET_LEN];
        ssize_t n = recv(conn->fd, got, LW_WIRE_SECRET_LEN - conn->secret_got, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        if (n <= 0 || memcmp(got, secret + conn->secret_got, (size_t)n) != 0) break;
        conn->secret_got += (size_t)n;
    }
    if (conn->secret_got == LW_WIRE_SECRET_LEN) return true;
    struct ucred peer = {0};
    socklen_t len = sizeof peer;
    (void)getsockopt(conn->fd, SOL_SOCKET, SO_PEERCRED, &peer, &len);
    refuse(t->ch, (long)peer.pid);
    return false;
}

static bool read_socket(struct feed_target *t, size_t *total, bool *more)
{
    static unsigned char buf[LWD_READ_BYTES];
    struct lwd_conn *conn = t->conn;
    if (!read_secret(t)) return false;
    if (conn->secret_got < LW_WIRE_SECRET_LEN) return true;
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
 * it again. Without pids of our namespace nothing can be asked (the runtime closes its socket
 * after the hand-over): such a ring is read until every process of the run has ended. */
/* Whether pid is known to write into some ring. */
static bool known_writer(const struct lwd_channel *ch, pid_t pid)
{
    for (size_t i = 0; i < ch->nconns; i++)
        for (size_t w = 0; w < ch->conns[i]->nwriters; w++)
            if (ch->conns[i]->writers[w] == pid) return true;
    return false;
}

/* Every known writer of the ring has ended, but a child forked just before its parent exited may
 * not have written yet: asks each live process below lockwatch not known as any ring's writer
 * (those are few: an exec'd image writes its own ring at once) whether it maps this ring.
 * Returns how many do (they become writers). */
static size_t find_unseen_writer(const struct lwd_channel *ch, struct lwd_conn *conn)
{
    pid_t *pids = NULL;
    size_t n = lwd_proc_descendants(getpid(), &pids), found = 0;
    for (size_t i = 0; i < n && found == 0; i++) {
        if (pids[i] == getpid() || known_writer(ch, pids[i])) continue;
        if (!lwd_ring_mapped_by(&conn->ring, pids[i])) continue;
        if (conn->writers_cap == 0) {
            int32_t *w = realloc(conn->writers, 4 * sizeof *w);
            if (!w) break;
            conn->writers = w;
            conn->writers_cap = 4;
        }
        conn->writers[conn->nwriters++] = pids[i];
        found++;
    }
    free(pids);
    return found;
}

static bool ring_still_written(const struct lwd_channel *ch, struct lwd_conn *conn)
{
    if (!conn->ring.hdr) return false;
    if (!conn->ring.pids_ours) return !ch->run_over;
    long long now = lwd_now_ms();
    if (conn->checked_ms >= 0 && now - conn->checked_ms < LWD_ORPHAN_CHECK_MS) return true;
    conn->checked_ms = now;
    size_t kept = 0;
    for (size_t i = 0; i < conn->nwriters; i++)
        if (lwd_ring_mapped_by(&conn->ring, conn->writers[i]))
            conn->writers[kept++] = conn->writers[i];
    conn->nwriters = kept;
    if (kept == 0 && !ch->run_over) kept = find_unseen_writer(ch, conn);
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
    if (conn->fd < 0 && !*more && !ring_still_written(ch, conn)) {
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
        bool final = conn->fd < 0 && !ring_still_written(ch, conn);
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

int lwd_channel_expire(struct lwd_channel *ch)
{
    long long now = lwd_now_ms(), next = -1;
    for (size_t i = 0; i < ch->nconns;) {
        struct lwd_conn *conn = ch->conns[i];
        if (conn->fd < 0 || conn->secret_got == LW_WIRE_SECRET_LEN) {
            i++;
            continue;
        }
        long long left = conn->accepted_ms + LWD_SECRET_WAIT_MS - now;
        if (left <= 0) {
            struct ucred peer = {0};
            socklen_t len = sizeof peer;
            (void)getsockopt(conn->fd, SOL_SOCKET, SO_PEERCRED, &peer, &len);
            refuse(ch, (long)peer.pid);
            remove_connection(ch, i);
            continue;
        }
        if (next < 0 || left < next) next = left;
        i++;
    }
    return next < 0 ? -1 : (int)next;
}

void lwd_channel_say_refused(const struct lwd_channel *ch)
{
    if (ch->refused > 0)
        fprintf(stderr,
                "lockwatch: refused %llu connection%s to the record channel from outside the run "
                "(the first from pid %ld); nothing they sent was used\n",
                ch->refused, ch->refused == 1 ? "" : "s", ch->refused_pid);
    if (ch->dropped > 0)
        fprintf(stderr,
                "lockwatch: closed %llu connection%s of the run for want of file descriptors; "
                "their records are lost (counted as bad records)\n",
                ch->dropped, ch->dropped == 1 ? "" : "s");
}
