/* remote.h — reading the watched program's memory from the driver (process_vm_readv: the
 * program makes no call for it, and needs the same permission as ptrace). */
#ifndef LWD_REMOTE_H
#define LWD_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads len bytes at `remote` in process pid; false (errno set) when any is missing. */
bool lwd_read_remote(pid_t pid, uint64_t remote, void *local, size_t len);

#endif
