/* channel.c — see channel.h. The name is in the abstract namespace (no file to clean up, gone
 * with the socket) and carries random bits so concurrent runs never collide. A record longer
 * than LW_WIRE_MAX_RECORD is detected with MSG_TRUNC and counted as bad. */
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

/* Records read from one connection per call before the poll loop looks at the others. */
#define LWD_READ_BATCH 64

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
    ch->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
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
    for (size_t i = 0; i < ch->nconns; i++)
        close(ch->conns[i]);
    free(ch->conns);
    ch->conns = NULL;
    ch->nconns = ch->cap = 0;
}

int lwd_channel_accept(struct lwd_channel *ch)
{
    for (;;) {
        if (ch->nconns == ch->cap) {
            size_t cap = ch->cap ? 2 * ch->cap : 8;
            int *conns = realloc(ch->conns, cap * sizeof *conns);
            if (!conns) {
                fputs("lockwatch: out of memory\n", stderr);
                return -1;
            }
            ch->conns = conns;
            ch->cap = cap;
        }
        int fd = accept4(ch->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
            ch->conns[ch->nconns++] = fd;
            continue;
        }
        switch (errno) {
        case EAGAIN:
        case EINTR:
        case ECONNABORTED: /* the peer went away before we accepted it: nothing to read */
            return 0;
        }
        fprintf(stderr, "lockwatch: cannot accept a connection: %s\n", strerror(errno));
        return -1;
    }
}

/* Keeps the others in accept order: run.c reads older connections first. */
static void remove_connection(struct lwd_channel *ch, size_t i)
{
    close(ch->conns[i]);
    memmove(&ch->conns[i], &ch->conns[i + 1], (--ch->nconns - i) * sizeof *ch->conns);
}

static void feed(struct lwd_channel *ch, struct lw_detector *d, const void *rec, size_t len)
{
    if (ch->out_of_memory) return;
    if (lw_detector_feed(d, rec, len) == LW_ERR_NOMEM) {
        fputs("lockwatch: out of memory; later records are dropped\n", stderr);
        ch->out_of_memory = true;
    }
}

void lwd_channel_read(struct lwd_channel *ch, size_t i, struct lw_detector *d)
{
    /* Aligned so the detector may read the record's fields in place. */
    static _Alignas(16) unsigned char buf[LW_WIRE_MAX_RECORD];
    for (int n = 0; n < LWD_READ_BATCH; n++) {
        ssize_t got = recv(ch->conns[i], buf, sizeof buf, MSG_TRUNC | MSG_DONTWAIT);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (got <= 0) {
            /* 0: orderly end (the protocol has no empty records); < 0: reset, same thing. */
            remove_connection(ch, i);
            return;
        }
        if ((size_t)got > sizeof buf)
            lw_detector_report(d)->bad_records++;
        else
            feed(ch, d, buf, (size_t)got);
    }
}
