/* out_file.h — creates a file lockwatch writes (--output, --graph, --trace) without ever writing
 * through a link planted where it goes (docs/user-guide.md, "Output files"):
 *   - the last path component is opened with O_NOFOLLOW: a symbolic link there is refused, unless
 *     it leads to lockwatch's own standard output or error (/dev/stdout, /dev/stderr,
 *     /proc/self/fd/2), which is then written through a duplicate of that descriptor;
 *   - a regular file is emptied only after the open proved it is not a link, and refused when it
 *     has other hard links;
 *   - a FIFO, terminal or other device is written in place (/dev/null, a named pipe with a
 *     reader: O_NONBLOCK makes one without a reader fail at once instead of waiting).
 * The file is close-on-exec: the program never inherits it. */
#ifndef LWD_OUT_FILE_H
#define LWD_OUT_FILE_H

#include <stdio.h>

/* The stream for path, or NULL after one line on stderr naming `what` ("report file"). */
FILE *lwd_out_create(const char *path, const char *what);

#endif
