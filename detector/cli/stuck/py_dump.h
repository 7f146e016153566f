/* py_dump.h — the Python frames of a thread of another process (thread dumps).
 *
 * For an image whose PYTHON record gave a layout, finds thread tid's PyThreadState in the main
 * interpreter's thread list (by its native thread id) and walks its frames with the same reader
 * as the runtime (lockwatch/pyframe.h), reading the program's memory with process_vm_readv
 * (the permission ptrace needs, which the driver has). Code objects are named in the detector
 * as PYCODE records would name them, so a dumped stack splices like a recorded one. Called right
 * after the thread's C stack was taken: a thread still running may have moved on meanwhile, and
 * its Python frames are then those of a moment later (never a fault: reads are checked). */
#ifndef LWD_PY_DUMP_H
#define LWD_PY_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lockwatch/detector.h"

/* Thread tid of pid (of image `image`) into out[0..LW_WIRE_MAX_FRAMES): returns the frame count
 * and sets *flags (enum lw_py_stack_flag); 0 frames and flags 0 when the image is no CPython
 * lockwatch reads or the thread runs no Python code. */
size_t lwd_py_dump(struct lw_detector *d, uint32_t image, pid_t pid, pid_t tid,
                   struct lw_py_frame *out, uint32_t *flags);

#endif
