/* peer.c — see peer.h. */
#include "run/peer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "run/stop.h"

/* A chain of parents longer than this is not believed (pid_max is at most 2^22). */
#define LWD_PEER_MAX_DEPTH 4096

/* The parent of pid from /proc/PID/stat; -1 when the process is gone, 0 when unknown, -2 when
 * /proc cannot be read at all. */
static pid_t parent_of(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT || errno == ESRCH ? -1 : -2;
    ssize_t got = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (got <= 0) return -1;
    buf[got] = '\0';
    /* "pid (comm) state ppid ...": comm may hold any byte, so look after its last ')' */
    const char *close_paren = strrchr(buf, ')');
    char state;
    long ppid;
    if (!close_paren || sscanf(close_paren + 1, " %c %ld", &state, &ppid) != 2) return 0;
    if (state == 'Z' || state == 'X') return -1; /* it can send nothing more */
    return (pid_t)ppid;
}

enum lwd_peer lwd_peer_of_run(pid_t pid, const char *entry)
{
    if (pid <= 0) return LWD_PEER_FOREIGN; /* a pid namespace lockwatch cannot see into */
    pid_t self = getpid();
    pid_t at = pid;
    for (int depth = 0; depth < LWD_PEER_MAX_DEPTH && at > 1; depth++) {
        pid_t parent = parent_of(at);
        if (parent == -2) return LWD_PEER_UNKNOWN;
        if (parent < 0 && at == pid) return LWD_PEER_GONE;
        if (parent == self) return LWD_PEER_RUN;
        if (parent <= 0) break; /* an ancestor ended meanwhile: ask the environment */
        at = parent;
    }
    if (lwd_environ_holds(pid, entry)) return LWD_PEER_RUN;
    switch (parent_of(pid)) {
    case -2:
        return LWD_PEER_UNKNOWN;
    case -1:
        return LWD_PEER_GONE;
    }
    return LWD_PEER_FOREIGN;
}
