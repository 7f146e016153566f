/* lockwatch/detector.h — the detector: records in, findings out.
 *
 * lw_detector_feed() takes each record exactly as received from the program (wire.h), validates
 * it, and updates the run's state: processes and images, modules, the stack depot, threads,
 * locks, the lock-order graph (with its edge rules and cycle search) and the report model
 * (report.h). A record that closes a new lock-order cycle adds a finding at once. Pure logic: no
 * I/O, no processes, no clocks; records may arrive in any order the wire contract allows.
 * Not thread-safe: one caller feeds it. */
#ifndef LOCKWATCH_DETECTOR_H
#define LOCKWATCH_DETECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockwatch/report.h"

struct lw_detector;

enum lw_status {
    LW_OK = 0,
    LW_ERR_NOMEM = -1,
    LW_ERR_BADREC = -2, /* malformed record: rejected, counted in report->bad_records */
};

struct lw_detector_options {
    unsigned max_cycle_length; /* longest cycle searched for; 0 = default (16) */
    size_t max_trace_holds;    /* hold events kept in report->trace (--trace); 0 = none. Every
                                  hold event counts in its lock's profile either way */
};

/* opts may be NULL for defaults. Returns NULL when out of memory. */
struct lw_detector *lw_detector_new(const struct lw_detector_options *opts);
void lw_detector_free(struct lw_detector *d);

/* Feeds one record of len bytes. Returns LW_OK, LW_ERR_BADREC or LW_ERR_NOMEM. */
int lw_detector_feed(struct lw_detector *d, const void *rec, size_t len);

/* The run has ended (every record is in): adds the findings that could only be decided then —
 * a thread that ended holding a robust mutex that no later owner recovered with
 * pthread_mutex_consistent. Call once, before rendering. Returns LW_OK or LW_ERR_NOMEM. */
int lw_detector_finish(struct lw_detector *d);

/* The live report: findings so far, and every table the driver names before rendering. */
struct lw_report *lw_detector_report(struct lw_detector *d);

/* True once a finding means the program can never finish: a real deadlock (LW_KIND_DEADLOCK) or
 * a double lock whose call blocks forever (MISUSE record with will_block). The driver should
 * then end the run and report. */
bool lw_detector_must_stop(const struct lw_detector *d);

/* The whole lock-order graph, read-only (for --graph and other views of every edge; a finding
 * already carries the edges of its own cycle). One edge per (held lock, requested lock) pair the
 * run made, with the instances the graph kept: at most LW_ORDER_MAX_INSTANCES, distinct threads
 * first (graph.h). Each instance reads like a cycle edge: holding == from, acquiring == to, the
 * thread, both modes and both stacks. Pointers stay valid until lw_detector_free(). */
#define LW_ORDER_MAX_INSTANCES 4

struct lw_order_edge {
    struct lw_lock *from;
    struct lw_lock *to;
    size_t ninstances;
    struct lw_cycle_edge instances[LW_ORDER_MAX_INSTANCES];
};

/* Number of edges; they are numbered 0 .. count - 1 in the order they first appeared. */
size_t lw_detector_order_edge_count(const struct lw_detector *d);

/* Fills *edge with edge i. Returns false when i >= the count. */
bool lw_detector_order_edge(const struct lw_detector *d, size_t i, struct lw_order_edge *edge);

/* Findings from outside the record stream (external.c). */
struct lw_tsan_report;

/* A data race ThreadSanitizer reported (tsan.h): both accesses with the stacks TSan named, their
 * threads matched to lockwatch's by kernel tid where TSan gives it, and the variable when TSan
 * names it. A race already added (same kind of accesses at the same source lines) is not added
 * twice. Returns LW_OK, LW_ERR_BADREC when the report is not a race with an access, or
 * LW_ERR_NOMEM. */
int lw_detector_add_tsan(struct lw_detector *d, const struct lw_tsan_report *race);

/* One thread's stack at the moment a hung run was stopped (innermost first; raw addresses of
 * process pid, symbolised with its image like every other stack). */
struct lw_hung_thread {
    int32_t pid;
    int32_t tid;
    const char *comm; /* the kernel's thread name, may be NULL */
    size_t nframes;
    const uint64_t *pcs;
};

/* Adds one `hang` finding holding every given thread's stack. Returns LW_OK or LW_ERR_NOMEM. */
int lw_detector_add_hang(struct lw_detector *d, const struct lw_hung_thread *threads, size_t n);

#endif
