/* peer.h — whether a process that connected to the record channel belongs to the run: it
 * descends from lockwatch (which is the run's subreaper, so a daemon that left its parent is
 * still below it), or its environment carries the run's LOCKWATCH_SOCKET entry (a process that
 * left the tree some other way). Read from /proc; nothing here changes any process. */
#ifndef LWD_PEER_H
#define LWD_PEER_H

#include <sys/types.h>

enum lwd_peer {
    LWD_PEER_RUN,     /* a process of the run */
    LWD_PEER_FOREIGN, /* alive, and not of the run */
    LWD_PEER_GONE,    /* exited (and reaped) before it could be asked about */
    LWD_PEER_UNKNOWN, /* /proc could not be read (lockwatch out of descriptors, say) */
};

/* entry: "LOCKWATCH_SOCKET=<value>" exactly as it appears in /proc/PID/environ. */
enum lwd_peer lwd_peer_of_run(pid_t pid, const char *entry);

#endif
