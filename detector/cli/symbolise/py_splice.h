/* py_splice.h — puts a stack's Python frames in place of the interpreter's evaluation loop.
 *
 * A CPython stack (lw_stack.py) lists the Python frames its C frames of
 * _PyEval_EvalFrameDefault ran, innermost first: each such C frame ran the Python frames up to
 * and including the next one flagged LW_PYF_ENTRY. After symbolising, each evaluation-loop frame
 * (with the calls inlined into it) is replaced by its Python frames (lw_frame.python), named
 * from the image's code objects; frames still being set up are left out. Python frames left over
 * (the C stack was cut before their loop frames) go at the end, where they belong: outermost.
 * The interpreter image's other frames (the C machinery of Python calls, such as the body of
 * `lock.acquire()`) are left out, as a Python traceback leaves them out; frames of other images
 * (libc, a C library called through ctypes) stay. */
#ifndef LWD_PY_SPLICE_H
#define LWD_PY_SPLICE_H

#include "lockwatch/report.h"
#include "symbolise/symbolise.h"

/* Splices a symbolised stack in place (its frames array replaced). Returns 0, or -1 when out of
 * memory (the stack is left as it was). */
int lwd_py_splice(struct lwd_symboliser *s, const struct lw_report *r, struct lw_stack *stack);

#endif
