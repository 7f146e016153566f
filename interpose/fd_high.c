/* fd_high.c — moving a runtime descriptor above the program's (see fd_high.h), and the pipe2
 * wrapper that does it for the unwinder's pipe. */
#include "fd_high.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/resource.h>
#include <unistd.h>

#include "depot.h"
#include "errsave.h"
#include "real.h"

#define LWI_FD_HIGH 1000
#define LWI_FD_HIGH_TRIES 64 /* numbers tried below the target before giving up */

int lwi_fd_raise(int fd)
{
    LWI_ERRNO_SAVE();
    struct rlimit rl;
    long limit = 1024;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        limit =
            rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT32_MAX ? INT32_MAX : (long)rl.rlim_cur;
    long target = limit > LWI_FD_HIGH + 1 ? LWI_FD_HIGH : limit - 1;
    int moved = fd;
    for (long t = target; t > fd && t > target - LWI_FD_HIGH_TRIES; t--) {
        int high = fcntl(fd, F_DUPFD_CLOEXEC, (int)t);
        if (high >= 0) {
            close(fd);
            moved = high;
            break;
        }
    }
    LWI_ERRNO_RESTORE();
    return moved;
}

/* pipe2, as the unwinder calls it. libunwind makes a pipe the first time it
 * unwinds (to test whether an address it is about to read is mapped) and keeps it for the life
 * of the process. Left where pipe2 puts it, it would take the program's two lowest free
 * descriptors, and a program that closed those numbers and opened its own files there would get
 * libunwind's probe bytes written into them. A pipe made for the unwinder is moved to high
 * numbers (lwi_fd_raise, above); every other caller gets the real call untouched. */
LWI_EXPORT int pipe2(int fds[2], int flags)
{
    int rc = REAL(pipe2)(fds, flags);
    if (rc == 0 && lwi_depot_is_unwinder((uint64_t)(uintptr_t)__builtin_return_address(0))) {
        fds[0] = lwi_fd_raise(fds[0]);
        fds[1] = lwi_fd_raise(fds[1]);
    }
    return rc;
}
