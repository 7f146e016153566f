/* channel.h — the record channel to the driver: one AF_UNIX SOCK_STREAM connection to the socket
 * path in LOCKWATCH_SOCKET ("<secret>:<path>", wire.h), which starts with the run's secret, then
 * a shared-memory ring handed over on it (lwi_channel_use_ring). Once the ring is handed over the
 * socket is closed: the program keeps every descriptor it would have without lockwatch. Until
 * the hand-over, or for good when no ring can be made, each record is written whole by one send()
 * (wire.h); what follows describes that socket path. Records in the ring need no descriptor.
 *
 * The socket sits on a high descriptor (≥ 1000, or as high as RLIMIT_NOFILE allows) so programs
 * that dup2 over low numbers do not hit it. Before each send the descriptor is checked with fstat
 * against the saved device/inode: a program that closed it (EBADF) or reused its number gets a
 * new connection (one OVERFLOW record says so); the old number is never touched again, since it
 * may now be the program's. The send buffer is raised to as much as net.core.wmem_max allows, so
 * hundreds of records can wait for the driver's next read. When the driver is gone (EPIPE,
 * ECONNREFUSED), or a record went out only in part, the channel goes dead, sends become no-ops and
 * the runtime turns passive: the sending thread stops tracking when it leaves the guard (tls.h).
 * Safe from any thread; no allocation, no locks of the program. */
#ifndef LWI_CHANNEL_H
#define LWI_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

/* Connects to the socket LOCKWATCH_SOCKET's value names; 0 on success, -1 (with the channel
 * dead) otherwise. */
int lwi_channel_open(const char *value);

/* Sends one record; silently drops it when the channel is dead or the record cannot be sent.
 * Leaves errno as it found it. */
void lwi_channel_send(const void *record, size_t size);

bool lwi_channel_alive(void);

/* Sends one record on the socket with descriptor fd attached (SCM_RIGHTS); true when it went out
 * whole. For the ring's hand-over only. */
bool lwi_channel_send_fd(const void *record, size_t size, int fd);

/* Moves the channel onto a shared-memory ring (ring.h): creates it, hands it to the driver, and
 * from then on lwi_channel_send writes every record into it, with no system call. Stays on the
 * socket when any step fails. Call once, at start-up, before any other thread runs. */
struct lwi_thread;
void lwi_channel_use_ring(const struct lwi_thread *self);

/* In a forked child: the reconnect and send flags may have been held by a thread that no longer
 * exists. */
void lwi_channel_after_fork(void);

#endif
