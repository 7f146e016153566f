/* depot.h — stack capture and interning.
 *
 * lwi_depot_capture unwinds the calling thread with libunwind's unw_backtrace, drops the frames
 * that lie inside liblockwatch.so (the wrapper on top, the thread trampoline below), keeps at most
 * LW_WIRE_MAX_FRAMES return addresses and names them by a 56-bit hash (never 0, never all ones:
 * the chain cache keeps a lock's flags above it and all ones for "no stack"). A lossy "already
 * sent" set remembers which ids left the process; on a miss the STACK record is sent first, so
 * every id a record names has been sent by this process image (an evicted id is merely sent again).
 * Called only on rare paths (a new site, a contended wait, misuse, thread creation), under the
 * re-entry guard: libunwind may take locks and allocate. */
#ifndef LWI_DEPOT_H
#define LWI_DEPOT_H

#include <stdbool.h>
#include <stdint.h>

#define LWI_STACK_ID_MASK ((1ull << 56) - 1)

struct lwi_thread;

int lwi_depot_init(void);
uint64_t lwi_depot_capture(const struct lwi_thread *self);

/* Whether pc lies in the unwinder's code (libunwind's object); false before lwi_depot_init. */
bool lwi_depot_is_unwinder(uint64_t pc);

#endif
