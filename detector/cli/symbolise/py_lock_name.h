/* py_lock_name.h — the Python expression that names a lock at the line that took it.
 *
 * A Python lock has no symbol: its name is what the student's source calls it where it was
 * first taken, `with lock1:` or `lock1.acquire()` giving "lock1", `with self.lock:` giving
 * "self.lock". Only a plain dotted name (with simple subscripts) is taken; a line that takes
 * several locks, or anything else, names nothing. The file is read as it is now. */
#ifndef LWD_PY_LOCK_NAME_H
#define LWD_PY_LOCK_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* The expression of `line` in source text `text` (out, NUL-terminated, at most size bytes);
 * false when the line names no single lock. */
bool lwd_py_lock_expr_in(const char *text, int line, char *out, size_t size);

/* lwd_py_lock_expr_in on the file at path (a regular file, read without blocking); false when
 * it cannot be read. */
bool lwd_py_lock_expr(const char *path, int line, char *out, size_t size);

#endif
