/* errsave.h — keeping the program's errno intact. The fast path makes no call that can change
 * errno, so wrappers do not save it; every slow path that can (system calls, libunwind, malloc)
 * brackets itself with these. */
#ifndef LWI_ERRSAVE_H
#define LWI_ERRSAVE_H

#include <errno.h>

#define LWI_ERRNO_SAVE() int lwi_saved_errno_ = errno
#define LWI_ERRNO_RESTORE() (errno = lwi_saved_errno_)

#endif
