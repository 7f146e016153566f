/* python_layout.c — offsets of CPython's internal structures, from its own headers
 * (see python_layout.h). Only the 3.11 structures are described: another minor version's
 * headers build the "no layout" answer. */
#include "python_layout.h"

#ifdef LWI_PYTHON_HEADERS
#define Py_BUILD_CORE 1
#include <Python.h>
#endif

#include <stddef.h>
#include <string.h>

#if defined(LWI_PYTHON_HEADERS) && PY_MAJOR_VERSION == 3 && PY_MINOR_VERSION == 11
#include <internal/pycore_frame.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_runtime.h>

/* The bit positions of a str's state bit-field, as this compiler lays it out. */
static uint32_t state_bits(void (*set)(PyASCIIObject *))
{
    PyASCIIObject o;
    memset(&o, 0, sizeof o);
    set(&o);
    uint32_t word;
    memcpy(&word, (const char *)&o + offsetof(PyASCIIObject, state), sizeof word);
    return word;
}
static void set_kind(PyASCIIObject *o)
{
    o->state.kind = 7;
}
static void set_compact(PyASCIIObject *o)
{
    o->state.compact = 1;
}
static void set_ascii(PyASCIIObject *o)
{
    o->state.ascii = 1;
}

bool lwi_python_layout(struct lw_py_layout *L, uint32_t *version)
{
    _Static_assert(sizeof(_PyInterpreterFrame) <= 256, "a frame is read in one piece");
    _Static_assert(offsetof(PyCodeObject, co_code_adaptive) <= 256, "so is a code header");
    memset(L, 0, sizeof *L);
    *version = PY_VERSION_HEX;
    L->ob_type = offsetof(PyObject, ob_type);
    L->ob_size = offsetof(PyVarObject, ob_size);
    L->runtime_interp_head = offsetof(_PyRuntimeState, interpreters.head);
    L->interp_threads_head = offsetof(PyInterpreterState, threads.head);
    L->runtime_tstate_current = offsetof(_PyRuntimeState, gilstate.tstate_current);
    _Static_assert(offsetof(_PyRuntimeState, gilstate.tstate_current) < 65536, "fits the field");
    L->ts_next = offsetof(PyThreadState, next);
    L->ts_native_tid = offsetof(PyThreadState, native_thread_id);
    L->ts_cframe = offsetof(PyThreadState, cframe);
    L->ts_size = sizeof(PyThreadState);
    L->ts_datastack_chunk = offsetof(PyThreadState, datastack_chunk);
    L->chunk_previous = offsetof(_PyStackChunk, previous);
    L->chunk_size = offsetof(_PyStackChunk, size);
    L->cframe_current = offsetof(_PyCFrame, current_frame);
    L->fr_code = offsetof(_PyInterpreterFrame, f_code);
    L->fr_previous = offsetof(_PyInterpreterFrame, previous);
    L->fr_prev_instr = offsetof(_PyInterpreterFrame, prev_instr);
    L->fr_is_entry = offsetof(_PyInterpreterFrame, is_entry);
    L->fr_owner = offsetof(_PyInterpreterFrame, owner);
    L->fr_size = sizeof(_PyInterpreterFrame);
    L->co_filename = offsetof(PyCodeObject, co_filename);
    L->co_qualname = offsetof(PyCodeObject, co_qualname);
    L->co_firstlineno = offsetof(PyCodeObject, co_firstlineno);
    L->co_linetable = offsetof(PyCodeObject, co_linetable);
    L->co_firsttraceable = offsetof(PyCodeObject, _co_firsttraceable);
    L->co_code = offsetof(PyCodeObject, co_code_adaptive);
    L->bytes_data = offsetof(PyBytesObject, ob_sval);
    L->str_length = offsetof(PyASCIIObject, length);
    L->str_state = offsetof(PyASCIIObject, state);
    L->str_utf8_length = offsetof(PyCompactUnicodeObject, utf8_length);
    L->str_utf8 = offsetof(PyCompactUnicodeObject, utf8);
    L->str_ascii_data = sizeof(PyASCIIObject);
    L->str_compact_data = sizeof(PyCompactUnicodeObject);
    uint32_t kind = state_bits(set_kind);
    L->str_kind_shift = (uint32_t)__builtin_ctz(kind);
    L->str_kind_mask = kind >> L->str_kind_shift;
    L->str_compact_bit = state_bits(set_compact);
    L->str_ascii_bit = state_bits(set_ascii);
    return true;
}
#else
bool lwi_python_layout(struct lw_py_layout *L, uint32_t *version)
{
    memset(L, 0, sizeof *L);
    *version = 0;
    return false;
}
#endif
