/* channel.c — connection, fd placement, health check and reconnection of the record channel
 * (see channel.h). */
#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "degraded.h"
#include "emit.h"
#include "errsave.h"
#include "fd_high.h"
#include "lockwatch/wire.h"
#include "nocancel.h"
#include "ring.h"
#include "tls.h"

/* Send buffer asked for: the kernel grants up to net.core.wmem_max (212992 by default), doubled.
 * Each queued record costs its size plus ~600 bytes of skb overhead, so the stock maximum holds
 * ~330-550 records of 100-300 bytes, twice what the stock default (212992) holds. */
#define LWI_CHANNEL_SNDBUF (1 << 20)
/* Below this send buffer a largest record would be queued as more than one skb ((sndbuf / 2) -
 * 64 bytes each), so concurrent sends could interleave inside it. */
#define LWI_CHANNEL_MIN_SNDBUF (2 * (LW_WIRE_MAX_RECORD + 64))

static struct {
    struct sockaddr_un addr;
    char secret[LW_WIRE_SECRET_LEN]; /* sent first on every connection (wire.h) */
    socklen_t addr_len;
    atomic_int fd;
    _Atomic uint64_t dev, ino; /* identity of our socket, to notice a reused descriptor number */
    atomic_bool dead;
    atomic_flag reconnecting; /* held only on the rare reconnect path */
    atomic_bool serial; /* send buffer too small to keep records whole: sends take `sending` */
    atomic_flag sending;
    /* once handed to the driver, every record goes here instead (lwi_channel_use_ring) */
    _Atomic(struct lw_ring_header *) ring;
} lwi_chan = {.fd = -1, .reconnecting = ATOMIC_FLAG_INIT, .sending = ATOMIC_FLAG_INIT};

/* The driver is gone, or the stream is out of step: stop sending, and stop tracking (nothing
 * would ever leave the process): threads retire as they next try to send (tls.h). */
static void lwi_channel_mark_dead(void)
{
    atomic_store(&lwi_chan.dead, true);
    atomic_store(&lwi_active, false);
}

static int lwi_channel_connect(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int rc;
    do
        rc = connect(fd, (const struct sockaddr *)&lwi_chan.addr, lwi_chan.addr_len);
    while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        close(fd);
        return -1;
    }
    ssize_t sent;
    do
        sent = send(fd, lwi_chan.secret, sizeof lwi_chan.secret, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    if (sent != (ssize_t)sizeof lwi_chan.secret) {
        close(fd);
        return -1;
    }
    fd = lwi_fd_raise(fd);
    int sndbuf = LWI_CHANNEL_SNDBUF;
    socklen_t len = sizeof sndbuf;
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, len); /* capped, not refused */
    bool serial = getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) != 0 ||
                  sndbuf < (int)LWI_CHANNEL_MIN_SNDBUF;
    atomic_store(&lwi_chan.serial, serial);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return -1;
    }
    atomic_store(&lwi_chan.dev, (uint64_t)st.st_dev);
    atomic_store(&lwi_chan.ino, (uint64_t)st.st_ino);
    atomic_store(&lwi_chan.fd, fd);
    return fd;
}

int lwi_channel_open(const char *value)
{
    const char *path = value + LW_WIRE_SECRET_LEN + 1;
    size_t len = strnlen(value, LW_WIRE_SECRET_LEN + 1 + sizeof lwi_chan.addr.sun_path);
    if (len <= LW_WIRE_SECRET_LEN + 1 || value[LW_WIRE_SECRET_LEN] != ':' ||
        len - (LW_WIRE_SECRET_LEN + 1) >= sizeof lwi_chan.addr.sun_path) {
        atomic_store(&lwi_chan.dead, true);
        return -1;
    }
    memcpy(lwi_chan.secret, value, LW_WIRE_SECRET_LEN);
    memset(&lwi_chan.addr, 0, sizeof lwi_chan.addr);
    lwi_chan.addr.sun_family = AF_UNIX;
    memcpy(lwi_chan.addr.sun_path, path, len - (LW_WIRE_SECRET_LEN + 1));
    lwi_chan.addr_len = (socklen_t)sizeof lwi_chan.addr;
    if (lwi_channel_connect() < 0) {
        atomic_store(&lwi_chan.dead, true);
        return -1;
    }
    return 0;
}

bool lwi_channel_alive(void)
{
    return !atomic_load_explicit(&lwi_chan.dead, memory_order_relaxed);
}

static bool lwi_channel_fd_is_ours(int fd)
{
    if (lwi_tls.restricted) return fd >= 0; /* fstat may be refused (restrict.h) */
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) return false;
    return (uint64_t)st.st_dev == atomic_load(&lwi_chan.dev) &&
           (uint64_t)st.st_ino == atomic_load(&lwi_chan.ino);
}

/* Replaces a descriptor the program took from us. Only one thread reconnects; the others find
 * the new descriptor when they get the flag. Returns false when the channel is dead. */
static bool lwi_channel_reconnect(int seen_fd)
{
    while (atomic_flag_test_and_set_explicit(&lwi_chan.reconnecting, memory_order_acquire))
        sched_yield();
    bool reopened = false;
    if (atomic_load(&lwi_chan.fd) == seen_fd && !atomic_load(&lwi_chan.dead)) {
        if (lwi_channel_connect() < 0)
            lwi_channel_mark_dead();
        else
            reopened = true;
    }
    atomic_flag_clear_explicit(&lwi_chan.reconnecting, memory_order_release);
    if (reopened) lwi_degraded_raise(LW_OVERFLOW_CHANNEL, 0);
    return !atomic_load(&lwi_chan.dead);
}

/* One send(), taking the send flag when the buffer is too small for records to stay whole (a
 * system with net.core.wmem_max below ~4 KB; never by default). The flag cannot deadlock: a
 * signal handler that interrupts a send runs under this thread's guard and sends nothing. It
 * serialises the threads of one process only: a forked child sharing the connection is not
 * serialised against its parent, a gap left open for so unlikely a configuration. */
static ssize_t lwi_channel_write(int fd, const void *record, size_t size)
{
    bool serial = atomic_load_explicit(&lwi_chan.serial, memory_order_relaxed);
    bool restricted = lwi_tls.restricted; /* only write(2) may be allowed (restrict.h) */
    if (serial)
        while (atomic_flag_test_and_set_explicit(&lwi_chan.sending, memory_order_acquire))
            if (!restricted) sched_yield();
    ssize_t n;
    do
        n = restricted ? write(fd, record, size) : send(fd, record, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (serial) atomic_flag_clear_explicit(&lwi_chan.sending, memory_order_release);
    return n;
}

/* The body of lwi_channel_send; may change errno. */
static void lwi_channel_send_once(const void *record, size_t size)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        if (atomic_load_explicit(&lwi_chan.dead, memory_order_relaxed)) return;
        int fd = atomic_load(&lwi_chan.fd);
        if (!lwi_channel_fd_is_ours(fd)) {
            if (lwi_tls.restricted || !lwi_channel_reconnect(fd)) return;
            continue;
        }
        ssize_t n = lwi_channel_write(fd, record, size);
        if (n == (ssize_t)size) return;
        if (n >= 0) {
            /* Part of a record went out (a signal interrupted a send that needed more than one
             * skb, which a record never does: wire.h): the stream is out of step, and anything
             * sent after it would be misread. */
            lwi_channel_mark_dead();
            return;
        }
        switch (errno) {
        case EBADF:
        case ENOTSOCK:
            if (lwi_tls.restricted) return; /* no socket() there: this record is lost */
            if (!lwi_channel_reconnect(fd)) return;
            continue;
        case EPIPE:
        case ECONNREFUSED:
        case ECONNRESET:
        case ENOTCONN:
            lwi_channel_mark_dead();
            return;
        default:
            return; /* ENOBUFS, ENOMEM...: this record is lost, the channel is fine */
        }
    }
}

void lwi_channel_send(const void *record, size_t size)
{
    LWI_ERRNO_SAVE();
    struct lw_ring_header *ring = atomic_load_explicit(&lwi_chan.ring, memory_order_acquire);
    if (ring) {
        if (lwi_channel_alive() && !lwi_ring_put_ex(ring, record, size, !lwi_tls.restricted))
            lwi_channel_mark_dead();
    } else {
        /* send(), connect(); also keeps the flags below from being left set */
        LWI_NOCANCEL_BEGIN();
        lwi_channel_send_once(record, size);
        LWI_NOCANCEL_END();
    }
    if (!lwi_channel_alive()) lwi_retire(&lwi_tls);
    LWI_ERRNO_RESTORE();
}

bool lwi_channel_send_fd(const void *record, size_t size, int fd)
{
    LWI_ERRNO_SAVE();
    int sock = atomic_load(&lwi_chan.fd);
    if (atomic_load(&lwi_chan.dead) || !lwi_channel_fd_is_ours(sock)) {
        LWI_ERRNO_RESTORE();
        return false;
    }
    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(sizeof(int))];
    } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = {.iov_base = (void *)record, .iov_len = size};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.bytes,
                         .msg_controllen = sizeof control.bytes};
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
    LWI_NOCANCEL_BEGIN();
    ssize_t n;
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    LWI_NOCANCEL_END();
    LWI_ERRNO_RESTORE();
    if (n >= 0 && n != (ssize_t)size) lwi_channel_mark_dead(); /* out of step, as in send_once */
    return n == (ssize_t)size;
}

void lwi_channel_use_ring(const struct lwi_thread *self)
{
    int memfd;
    struct lw_ring_header *ring = lwi_ring_create(&memfd);
    if (!ring) return;
    bool handed_over = lwi_emit_ring(self, memfd);
    close(memfd); /* the mapping and the driver's copy keep the ring; the program cannot take it */
    if (!handed_over) {
        lwi_ring_destroy(ring);
        return;
    }
    atomic_store_explicit(&lwi_chan.ring, ring, memory_order_release);
    /* Nothing more goes on the socket: give its descriptor back to the program. */
    int fd = atomic_exchange(&lwi_chan.fd, -1);
    if (fd >= 0) close(fd);
}

void lwi_channel_after_fork(void)
{
    atomic_flag_clear(&lwi_chan.reconnecting);
    atomic_flag_clear(&lwi_chan.sending);
}
