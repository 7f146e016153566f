/* wrap_pipe.c — pipe2, as the unwinder calls it. libunwind makes a pipe the first time it
 * unwinds (to test whether an address it is about to read is mapped) and keeps it for the life
 * of the process. Left where pipe2 puts it, it would take the program's two lowest free
 * descriptors, and a program that closed those numbers and opened its own files there would get
 * libunwind's probe bytes written into them. A pipe made for the unwinder is moved to high
 * numbers (fd_high.h); every other caller gets the real call untouched. */
#include <stdint.h>

#include "depot.h"
#include "fd_high.h"
#include "real.h"

LWI_EXPORT int pipe2(int fds[2], int flags)
{
    int rc = REAL(pipe2)(fds, flags);
    if (rc == 0 && lwi_depot_is_unwinder((uint64_t)(uintptr_t)__builtin_return_address(0))) {
        fds[0] = lwi_fd_raise(fds[0]);
        fds[1] = lwi_fd_raise(fds[1]);
    }
    return rc;
}
