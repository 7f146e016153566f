/* remote.c — see remote.h. */
#include "stuck/remote.h"

#include <sys/uio.h>

bool lwd_read_remote(pid_t pid, uint64_t remote, void *local, size_t len)
{
    struct iovec l = {local, len}, r = {(void *)(uintptr_t)remote, len};
    return process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len;
}
