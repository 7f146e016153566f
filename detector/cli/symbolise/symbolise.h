/* symbolise.h — the driver's symboliser, shared by symbolise.c (frames) and name.c (locks and
 * threads). One libdwfl session per process image answers "what is at this address"; every
 * string it hands out lives in a pool that outlives the report, and answers are cached per
 * (image, address) because the same return addresses recur in many stacks. */
#ifndef LWD_SYMBOLISE_H
#define LWD_SYMBOLISE_H

#include <stdbool.h>
#include <stdint.h>

#include "lockwatch/detector.h"
#include "lockwatch/report.h"

struct lwd_symboliser;

/* What is known about one address; NULL / 0 for what is not. */
struct lwd_symbol {
    const char *function; /* demangled */
    const char *file;
    int line;
};

/* The function containing code address pc of `image`, with its source line. For a return
 * address the caller passes pc - 1 (the call instruction, not the one after it). Returns NULL
 * when out of memory; an unknown address gives an all-NULL symbol. The result is valid until
 * the next lookup; the strings in it until the command exits. */
const struct lwd_symbol *lwd_sym_code(struct lwd_symboliser *s, uint32_t image, uint64_t pc);

/* The data object (STT_OBJECT symbol, demangled) containing addr in `image`, with the offset of
 * addr inside it and (size not NULL) its size; NULL when addr is in no such object. *failed is
 * set when out of memory. */
const char *lwd_sym_object(struct lwd_symboliser *s, uint32_t image, uint64_t addr,
                           uint64_t *offset, uint64_t *size, bool *failed);

/* The path from a static object starting at `start` in `image` to the lock of lock_size bytes
 * at start + offset, from the object's DWARF type (".ledger_mutex", "[3].m"); NULL when DWARF
 * cannot say. *failed is set when out of memory. */
const char *lwd_sym_member(struct lwd_symboliser *s, uint32_t image, uint64_t start,
                           uint64_t offset, uint64_t lock_size, bool *failed);

/* Fills function/file/line/module of every frame of stack (each frame is a return address),
 * and expands inlined calls into frames of their own (lw_frame.inlined; the frames array is
 * then replaced). Once per stack (lw_stack.symbolised). Returns 0, or -1 when out of memory. */
int lwd_sym_stack(struct lwd_symboliser *s, const struct lw_report *r, struct lw_stack *stack);

/* A copy of str in the symboliser's pool (alive until the process ends), or NULL when out of
 * memory. */
const char *lwd_sym_intern(struct lwd_symboliser *s, const char *str);

/* name.c: names every lock and thread the findings refer to (lw_lock.name, lw_thread.label),
 * symbolising the stacks it needs. Returns 0, or -1 when out of memory. */
int lwd_name_report(struct lwd_symboliser *s, struct lw_report *r);

/* name.c: names every lock and thread that edges[0..n) of the lock-order graph mention, the
 * same way as lwd_name_report (a lock already named keeps its name, so the graph and the report
 * agree). Returns 0, or -1 when out of memory. */
int lwd_name_edges(struct lwd_symboliser *s, struct lw_report *r, const struct lw_order_edge *edges,
                   size_t n);

/* name.c: names every lock with timed acquisitions (--profile, --trace) and labels every thread
 * of the run (the timeline has a track per thread). Returns 0, or -1 when out of memory. */
int lwd_name_profile(struct lwd_symboliser *s, struct lw_report *r);

/* lwd_name_profile in a session of its own (after lwd_symbolise_report). Returns 0, or -1 after
 * printing one line on stderr (the profile then shows what is known). */
int lwd_symbolise_profile(struct lw_report *report);

/* Symbolises the stacks of every instance of edges[0..n) and names their locks and threads, in
 * a session of its own (for --graph, after lwd_symbolise_report). Returns 0, or -1 after
 * printing one line on stderr (the graph then renders with what is known). */
int lwd_symbolise_graph(struct lw_report *report, const struct lw_order_edge *edges, size_t n);

#endif
