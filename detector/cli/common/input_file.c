/* input_file.c — see input_file.h. */
#include "common/input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode)) return "a directory, not a regular file";
    if (S_ISCHR(mode)) return "a character device, not a regular file";
    if (S_ISBLK(mode)) return "a block device, not a regular file";
    if (S_ISFIFO(mode)) return "a FIFO or pipe, not a regular file";
    if (S_ISSOCK(mode)) return "a socket, not a regular file";
    return "not a regular file";
}

enum lwd_read_status lwd_read_fd(int fd, size_t limit, int truncate, char **text, size_t *len,
                                 int *cut, const char **why)
{
    struct stat st;
    *text = NULL;
    *len = 0;
    *cut = 0;
    if (fstat(fd, &st) != 0) {
        *why = strerror(errno);
        return LWD_READ_BAD;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = kind_of(st.st_mode);
        return LWD_READ_BAD;
    }
    /* The size is only a hint (files under /proc say 0, a file may grow while read): the limit
     * is enforced on the bytes actually read, one more than allowed telling "too large". */
    size_t cap = st.st_size > 0 && (size_t)st.st_size < limit ? (size_t)st.st_size + 1 : 4096;
    if (cap > limit + 1) cap = limit + 1;
    char *buf = malloc(cap + 1);
    if (buf == NULL) return LWD_READ_NOMEM;
    size_t used = 0;
    for (;;) {
        if (used == cap) {
            if (cap == limit + 1) break;
            size_t grown_cap = cap <= (limit + 1) / 2 ? cap * 2 : limit + 1;
            char *grown = realloc(buf, grown_cap + 1);
            if (grown == NULL) {
                free(buf);
                return LWD_READ_NOMEM;
            }
            buf = grown;
            cap = grown_cap;
        }
        ssize_t got = read(fd, buf + used, cap - used);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            *why = strerror(errno);
            free(buf);
            return LWD_READ_BAD;
        }
        if (got == 0) break;
        used += (size_t)got;
    }
    if (used > limit) {
        if (!truncate) {
            free(buf);
            return LWD_READ_TOO_LARGE;
        }
        used = limit;
        *cut = 1;
    }
    buf[used] = '\0';
    *text = buf;
    *len = used;
    return LWD_READ_OK;
}

bool lwd_read_input(const char *path, const char *what, size_t limit, char **text, size_t *len,
                    bool *out_of_memory)
{
    *text = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO for reading must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "lockwatch: cannot read the %s %s: %s\n", what, path, strerror(errno));
        return false;
    }
    int cut = 0;
    const char *why = NULL;
    enum lwd_read_status st = lwd_read_fd(fd, limit, 0, text, len, &cut, &why);
    close(fd);
    if (st == LWD_READ_NOMEM) {
        fputs("lockwatch: out of memory\n", stderr);
        *out_of_memory = true;
    }
    if (st == LWD_READ_TOO_LARGE)
        fprintf(stderr, "lockwatch: cannot read the %s %s: larger than %zu bytes\n", what, path,
                limit);
    if (st == LWD_READ_BAD)
        fprintf(stderr, "lockwatch: cannot read the %s %s: %s\n", what, path, why);
    return st == LWD_READ_OK;
}
