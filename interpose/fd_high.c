/* fd_high.c — moving a runtime descriptor above the program's (see fd_high.h). */
#include "fd_high.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/resource.h>
#include <unistd.h>

#include "errsave.h"

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
