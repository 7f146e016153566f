/* lwrecv.c — a stand-alone receiver for liblockwatch.so, to test the runtime without the driver.
 *
 *   lwrecv --lib LIB [--runtime KNOBS] [--kill-after SEC] [--stdout FILE] -- program [args...]
 *
 * Listens on an AF_UNIX stream socket in a private directory, runs the program with
 * LD_PRELOAD=LIB and LOCKWATCH_SOCKET=<secret>:<path> (LOCKWATCH_RUNTIME=KNOBS if given), checks
 * that every connection starts with the secret, takes the record ring each image hands over and
 * prints every record it receives, from the socket or a ring, as one line (record_text.h). A
 * stream or ring that breaks the contract of lockwatch/wire.h and lockwatch/ring.h prints an
 * "ERROR" line. After the program has ended and nothing arrived for 0.3 s it prints
 * "EXIT status=N" (or "EXIT signal=N") and exits 0; --kill-after sends SIGKILL to a program still
 * running after SEC seconds. The program's stdout goes to FILE with --stdout.
 * Exit status: 0 when the run was received, 2 on a usage error, 3 when the receiver itself failed
 * (socket, spawn, memory). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lockwatch/ring.h"
#include "lockwatch/wire.h"
#include "record_text.h"

#define LWR_MAX_CONNS 256
#define LWR_MAX_RINGS 256
#define LWR_MAX_FDS 16 /* descriptors received on one connection and not yet claimed */

struct lwr_conn {
    int fd;
    size_t proof;       /* bytes of the secret received so far */
    unsigned char *buf; /* received bytes not yet a whole record */
    size_t len, cap;
    int fds[LWR_MAX_FDS];
    int nfds;
};

struct lwr_state {
    char secret[LW_WIRE_SECRET_LEN + 1];
    struct lwr_conn conns[LWR_MAX_CONNS];
    int nconns;
    struct lw_ring_header *rings[LWR_MAX_RINGS];
    int nrings;
    unsigned long records, errors, connections;
};

static double lwr_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void lwr_take(struct lwr_state *s, const void *rec, size_t len)
{
    if (lwr_record_text(stdout, rec, len))
        s->records++;
    else
        s->errors++;
}

static void lwr_close_conn(struct lwr_state *s, int i)
{
    struct lwr_conn *c = &s->conns[i];
    close(c->fd);
    for (int k = 0; k < c->nfds; k++)
        close(c->fds[k]);
    free(c->buf);
    s->conns[i] = s->conns[--s->nconns];
}

/* Maps the ring whose descriptor came with a RING record; false (and an ERROR line) if it is not
 * one. */
static bool lwr_map_ring(struct lwr_state *s, struct lwr_conn *c, const void *rec)
{
    struct lw_rec_ring r;
    memcpy(&r, rec, sizeof r);
    if (c->nfds == 0) {
        printf("ERROR ring: no descriptor came with the RING record\n");
        return false;
    }
    int fd = c->fds[0];
    memmove(c->fds, c->fds + 1, (size_t)--c->nfds * sizeof c->fds[0]);
    void *map = MAP_FAILED;
    if (r.file_size == LW_RING_FILE_SIZE && s->nrings < LWR_MAX_RINGS)
        map = mmap(NULL, r.file_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        printf("ERROR ring: cannot map %llu bytes\n", (unsigned long long)r.file_size);
        return false;
    }
    struct lw_ring_header *hdr = map;
    if (hdr->magic != LW_RING_MAGIC || hdr->version != LW_WIRE_VERSION ||
        hdr->data_size != LW_RING_DATA_SIZE) {
        printf("ERROR ring: bad header magic=%#x version=%u data_size=%llu\n", hdr->magic,
               hdr->version, (unsigned long long)hdr->data_size);
        munmap(map, r.file_size);
        return false;
    }
    atomic_store_explicit(&hdr->beat, 1, memory_order_relaxed);
    s->rings[s->nrings++] = hdr;
    return true;
}

/* Takes the whole records published in one ring; true if any. A slot still reserved (magic 0)
 * ends this pass: its writer is at it. */
static bool lwr_drain_ring(struct lwr_state *s, int i)
{
    _Alignas(16) unsigned char rec[LW_WIRE_MAX_RECORD];
    struct lw_ring_header *hdr = s->rings[i];
    if (!hdr) return false;
    atomic_fetch_add_explicit(&hdr->beat, 1, memory_order_relaxed);
    uint64_t head = atomic_load_explicit(&hdr->head, memory_order_acquire);
    uint64_t tail = atomic_load_explicit(&hdr->tail, memory_order_relaxed);
    bool took = false;
    while (tail != head) {
        uint64_t word = __atomic_load_n(lw_ring_slot_word(hdr, tail), __ATOMIC_ACQUIRE);
        struct lw_rec_header h = lw_ring_word_header(word);
        if (word == 0 || h.magic == 0) break;
        if (h.magic != LW_WIRE_MAGIC || h.version != LW_WIRE_VERSION || h.size < sizeof h ||
            h.size > LW_WIRE_MAX_RECORD || lw_ring_span(h.size) > head - tail) {
            printf("ERROR ring: broken at %llu: magic=%#x version=%u size=%u\n",
                   (unsigned long long)tail, h.magic, h.version, h.size);
            s->errors++;
            atomic_store_explicit(&hdr->closed, 1, memory_order_release);
            s->rings[i] = NULL; /* left mapped: writers may still look at it */
            return took;
        }
        lw_ring_copy_out(hdr, tail, rec, h.size);
        lw_ring_zero(hdr, tail, (size_t)lw_ring_span(h.size));
        tail += lw_ring_span(h.size);
        atomic_store_explicit(&hdr->tail, tail, memory_order_release);
        lwr_take(s, rec, h.size);
        took = true;
    }
    return took;
}

/* Consumes what one connection received: the secret first, then records back to back. Returns
 * false when the connection must be closed (its stream broke the contract). */
static bool lwr_consume(struct lwr_state *s, struct lwr_conn *c)
{
    size_t off = 0;
    while (c->proof < LW_WIRE_SECRET_LEN && off < c->len) {
        if (c->buf[off] != (unsigned char)s->secret[c->proof]) {
            printf("ERROR secret: byte %zu differs\n", c->proof);
            s->errors++;
            return false;
        }
        c->proof++, off++;
    }
    bool ok = true;
    while (c->len - off >= sizeof(struct lw_rec_header)) {
        struct lw_rec_header h;
        memcpy(&h, c->buf + off, sizeof h);
        if (h.magic != LW_WIRE_MAGIC || h.version != LW_WIRE_VERSION || h.size < sizeof h ||
            h.size > LW_WIRE_MAX_RECORD) {
            /* not records: there is no next record to find, so the connection is done */
            printf("ERROR stream: magic=%#x version=%u size=%u\n", h.magic, h.version, h.size);
            s->errors++;
            ok = false;
            break;
        }
        if (c->len - off < h.size) break;
        lwr_take(s, c->buf + off, h.size);
        if (h.type == LW_REC_RING && h.size == sizeof(struct lw_rec_ring) &&
            !lwr_map_ring(s, c, c->buf + off))
            s->errors++;
        off += h.size;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
    return ok;
}

/* Reads what is waiting on connection i; false when it closed or broke. */
static bool lwr_read_conn(struct lwr_state *s, int i)
{
    struct lwr_conn *c = &s->conns[i];
    if (c->cap - c->len < 65536) {
        size_t cap = c->cap ? c->cap * 2 : 131072;
        unsigned char *buf = realloc(c->buf, cap);
        if (!buf) {
            printf("ERROR receiver: out of memory\n");
            s->errors++;
            return false;
        }
        c->buf = buf, c->cap = cap;
    }
    union {
        char space[CMSG_SPACE(LWR_MAX_FDS * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {.iov_base = c->buf + c->len, .iov_len = c->cap - c->len};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = control.space,
                         .msg_controllen = sizeof control.space};
    ssize_t n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
        size_t nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t k = 0; k < nfds; k++) {
            int fd;
            memcpy(&fd, CMSG_DATA(cm) + k * sizeof fd, sizeof fd);
            if (c->nfds < LWR_MAX_FDS)
                c->fds[c->nfds++] = fd;
            else
                close(fd);
        }
    }
    if (n == 0) return false;
    c->len += (size_t)n;
    return lwr_consume(s, c);
}

static bool lwr_make_secret(char *out)
{
    unsigned char raw[LW_WIRE_SECRET_LEN / 2];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) return false;
    for (size_t i = 0; i < sizeof raw; i++)
        sprintf(out + 2 * i, "%02x", raw[i]);
    return true;
}

static pid_t lwr_spawn(char **argv, const char *lib, const char *knobs, const char *socket_env,
                       const char *out_path)
{
    char *abs_lib = realpath(lib, NULL);
    if (!abs_lib) {
        fprintf(stderr, "lwrecv: %s: %s\n", lib, strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        if (out_path) {
            int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) _exit(127);
        }
        setenv("LD_PRELOAD", abs_lib, 1);
        setenv(LW_WIRE_ENV_SOCKET, socket_env, 1);
        if (knobs) setenv(LW_WIRE_ENV_OPTIONS, knobs, 1);
        execvp(argv[0], argv);
        fprintf(stderr, "lwrecv: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    free(abs_lib);
    if (pid < 0) fprintf(stderr, "lwrecv: fork: %s\n", strerror(errno));
    return pid;
}

static int lwr_usage(void)
{
    fprintf(stderr, "usage: lwrecv --lib LIB [--runtime KNOBS] [--kill-after SEC] [--stdout FILE]"
                    " -- program [args...]\n");
    return 2;
}

/* Receives until the program has ended and everything went quiet; returns its wait status. */
static int lwr_receive(struct lwr_state *s, int srv, pid_t pid, double kill_after)
{
    double started = lwr_now(), quiet_since = 0;
    bool killed = false;
    int status = 0;
    bool exited = false;
    for (;;) {
        if (kill_after > 0 && !exited && !killed && lwr_now() - started > kill_after) {
            kill(pid, SIGKILL);
            killed = true;
        }
        if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            quiet_since = lwr_now();
        }
        if (exited && lwr_now() - quiet_since > 0.3) break;
        struct pollfd pfd[1 + LWR_MAX_CONNS];
        pfd[0] = (struct pollfd){.fd = srv, .events = POLLIN};
        for (int i = 0; i < s->nconns; i++)
            pfd[1 + i] = (struct pollfd){.fd = s->conns[i].fd, .events = POLLIN};
        int ready = poll(pfd, (nfds_t)(1 + s->nconns), 50);
        bool busy = ready > 0;
        for (int i = s->nconns - 1; ready > 0 && i >= 0; i--)
            if (pfd[1 + i].revents && !lwr_read_conn(s, i)) lwr_close_conn(s, i);
        if (ready > 0 && (pfd[0].revents & POLLIN)) {
            int fd = accept4(srv, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd >= 0 && s->nconns < LWR_MAX_CONNS) {
                s->conns[s->nconns++] = (struct lwr_conn){.fd = fd};
                s->connections++;
            } else if (fd >= 0) {
                printf("ERROR receiver: more than %d connections at once\n", LWR_MAX_CONNS);
                s->errors++;
                close(fd);
            }
        }
        /* A ring outlives its connection (the program may close the socket): drain them all. */
        for (int i = 0; i < s->nrings; i++)
            busy |= lwr_drain_ring(s, i);
        if (busy && exited) quiet_since = lwr_now(); /* still draining: wait for quiet */
    }
    return status;
}

int main(int argc, char **argv)
{
    const char *lib = NULL, *knobs = NULL, *out_path = NULL;
    double kill_after = 0;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--"); i++) {
        if (i + 1 >= argc) return lwr_usage();
        if (!strcmp(argv[i], "--lib"))
            lib = argv[++i];
        else if (!strcmp(argv[i], "--runtime"))
            knobs = argv[++i];
        else if (!strcmp(argv[i], "--stdout"))
            out_path = argv[++i];
        else if (!strcmp(argv[i], "--kill-after"))
            kill_after = atof(argv[++i]);
        else
            return lwr_usage();
    }
    if (!lib || i + 1 >= argc) return lwr_usage();
    static struct lwr_state s;
    char dir[] = "/tmp/lwrecv-XXXXXX";
    if (!lwr_make_secret(s.secret) || !mkdtemp(dir)) {
        fprintf(stderr, "lwrecv: secret or private directory: %s\n", strerror(errno));
        return 3;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s/s", dir);
    int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof addr) || listen(srv, 64)) {
        fprintf(stderr, "lwrecv: socket %s: %s\n", addr.sun_path, strerror(errno));
        rmdir(dir);
        return 3;
    }
    char socket_env[LW_WIRE_SECRET_LEN + 2 + sizeof addr.sun_path];
    snprintf(socket_env, sizeof socket_env, "%s:%s", s.secret, addr.sun_path);
    fflush(stdout);
    pid_t pid = lwr_spawn(argv + i + 1, lib, knobs, socket_env, out_path);
    int rc = 3;
    if (pid > 0) {
        int status = lwr_receive(&s, srv, pid, kill_after);
        if (WIFSIGNALED(status))
            printf("EXIT signal=%d\n", WTERMSIG(status));
        else
            printf("EXIT status=%d\n", WEXITSTATUS(status));
        rc = 0;
    }
    for (int k = 0; k < s.nrings; k++)
        if (s.rings[k]) /* writers still running stop waiting for room */
            atomic_store_explicit(&s.rings[k]->closed, 1, memory_order_release);
    close(srv);
    unlink(addr.sun_path);
    rmdir(dir);
    fprintf(stderr, "# connections=%lu records=%lu errors=%lu\n", s.connections, s.records,
            s.errors);
    return fflush(stdout) == 0 ? rc : 3;
}
