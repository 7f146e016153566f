/* python_layout.h — the CPython layout the runtime was built against (python_layout.c, compiled
 * with the interpreter's internal headers when the build found them). */
#ifndef LWI_PYTHON_LAYOUT_H
#define LWI_PYTHON_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "lockwatch/wire.h"

/* Fills the offsets of *L (not the addresses) and *version with the headers' PY_VERSION_HEX;
 * false when the runtime was built without them. */
bool lwi_python_layout(struct lw_py_layout *L, uint32_t *version);

#endif
