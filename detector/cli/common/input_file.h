/* input_file.h — reads a small file lockwatch is given (suppressions, baseline) or collects
 * (ThreadSanitizer logs) whole into memory without ever blocking or reading without end: the
 * file is opened with O_NONBLOCK, must be a regular file (not a FIFO, a device such as /dev/zero
 * or a directory), and may hold at most a stated number of bytes (limits in docs/user-guide.md,
 * "Input files"). */
#ifndef LWD_INPUT_FILE_H
#define LWD_INPUT_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Largest suppressions file or baseline report lockwatch reads. */
#define LWD_INPUT_LIMIT ((size_t)64 << 20)

enum lwd_read_status {
    LWD_READ_OK,
    LWD_READ_BAD,       /* not a regular file, or a read error: *why says which */
    LWD_READ_TOO_LARGE, /* over the limit (and not truncated) */
    LWD_READ_NOMEM,     /* out of memory */
};

/* Reads the file open on fd into a fresh NUL-terminated buffer (*text, *len bytes before the
 * NUL; the caller frees it). With truncate, a file over limit bytes yields its first limit bytes
 * and *cut = 1; without, it is LWD_READ_TOO_LARGE. *why (static text or strerror) is set on
 * LWD_READ_BAD. fd stays open. */
enum lwd_read_status lwd_read_fd(int fd, size_t limit, int truncate, char **text, size_t *len,
                                 int *cut, const char **why);

/* Opens path (a link is followed: reading through one changes nothing) and reads it as
 * lwd_read_fd does, refusing a file over limit bytes. On failure prints one line
 * ("lockwatch: cannot read the WHAT PATH: why"), sets *out_of_memory when that was why, and
 * returns false. */
bool lwd_read_input(const char *path, const char *what, size_t limit, char **text, size_t *len,
                    bool *out_of_memory);

#endif
