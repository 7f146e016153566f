/* out_file.c — see out_file.h. */
#include "common/out_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The standard stream (1 or 2) that path leads to through its links, or -1. stat, not open:
 * opening what an unknown link names could itself act (a device's open may). */
static int standard_stream_at(const char *path)
{
    struct stat target, fdst;
    if (stat(path, &target) != 0) return -1;
    for (int fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++)
        if (fstat(fd, &fdst) == 0 && fdst.st_dev == target.st_dev && fdst.st_ino == target.st_ino)
            return fd;
    return -1;
}

/* An open of the last component that cannot follow a link, then checks on what was opened.
 * Returns the descriptor, or -1 with *why set. */
static int open_no_link(const char *path, const char **why)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd < 0 && errno == ELOOP) {
        int std = standard_stream_at(path);
        if (std >= 0 && (fd = fcntl(std, F_DUPFD_CLOEXEC, 3)) >= 0) return fd;
        *why = "it is a symbolic link, and lockwatch does not write through links (remove it, "
               "or name the file it points to)";
        return -1;
    }
    if (fd < 0) {
        *why = errno == ENXIO ? "it is a FIFO that no process reads" : strerror(errno);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *why = strerror(errno);
    } else if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
        *why = "it has other hard links, and lockwatch does not write through links";
    } else if (S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0) {
        *why = strerror(errno);
    } else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        *why = strerror(errno);
    } else {
        return fd;
    }
    close(fd);
    return -1;
}

FILE *lwd_out_create(const char *path, const char *what)
{
    const char *why = NULL;
    int fd = open_no_link(path, &why);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (fd >= 0 && f == NULL) {
        why = strerror(errno);
        close(fd);
    }
    if (f == NULL) fprintf(stderr, "lockwatch: cannot create the %s %s: %s\n", what, path, why);
    return f;
}
