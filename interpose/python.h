/* python.h — the Python frames of the calling thread, when the program is CPython.
 *
 * lwi_python_init (constructor, after the MODULE records) finds the interpreter by its exported
 * symbols (Py_Version, _PyRuntime, PyGILState_GetThisThreadState, the code, str and bytes types)
 * and sends one PYTHON record: supported when its major.minor is the one whose headers the
 * runtime was built with, else a record saying which version it is, and nothing more.
 * lwi_python_frames walks the calling thread's frame chain (lockwatch/pyframe.h) with reads
 * that cannot fault (in place only in memory that stays mapped meanwhile, else process_vm_readv
 * of our own process), so a stack id can include where the Python code is; lwi_python_send names
 * them for a stack sent for the first time (PYCODE records for code objects not sent before, then
 * the PYSTACK record). Never takes the GIL, allocates or runs Python code. Under the re-entry
 * guard, on the rare paths that capture stacks. */
#ifndef LWI_PYTHON_H
#define LWI_PYTHON_H

#include <stdbool.h>
#include <stdint.h>

#include "lockwatch/pyframe.h"

struct lwi_thread;

/* The memory around the last frame read through the safe read: a thread's frames sit next to
 * each other on its data stack (older ones below), so one system call serves most of a walk. */
#define LWI_PY_WINDOW 4096u
/* Memory read in place (python.c lwi_python_ranges: the thread's C stack; with the GIL held,
 * its thread state and data stack chunks): nothing there can fault. */
#define LWI_PY_RANGES 16u
struct lwi_python_window {
    uint64_t lo, hi; /* [lo, hi) is held in bytes[0 .. hi - lo); lo == hi: nothing */
    uint32_t nranges;
    uint64_t range_lo[LWI_PY_RANGES], range_hi[LWI_PY_RANGES];
    unsigned char bytes[LWI_PY_WINDOW];
};

/* Scratch of one capture, in the thread's mapped memory (tls.h). */
struct lwi_python_scratch {
    struct lwi_python_window window;
    struct lw_py_raw_frame raw[LW_WIRE_MAX_FRAMES];
    uint32_t nraw, flags; /* flags: enum lw_py_stack_flag */
    /* the records being built (struct lw_rec_pystack, struct lw_rec_pycode) */
    _Alignas(8) unsigned char stack[sizeof(struct lw_rec_pystack) +
                                    LW_WIRE_MAX_FRAMES * sizeof(struct lw_py_frame)];
    _Alignas(8) unsigned char code[sizeof(struct lw_rec_pycode) + LW_WIRE_MAX_PYFILE +
                                   LW_WIRE_MAX_PYFUNC];
};

int lwi_python_init(const struct lwi_thread *self);

/* Whether the program is a CPython whose frames are read. */
bool lwi_python_on(void);

/* Walks the calling thread's Python frames into s->raw (0 frames when it runs no Python code). */
void lwi_python_frames(const struct lwi_thread *self, struct lwi_python_scratch *s);

/* Sends the frames of s as the Python part of stack `id` (after its STACK record). */
void lwi_python_send(const struct lwi_thread *self, struct lwi_python_scratch *s, uint64_t id);

#endif
