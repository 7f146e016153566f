/* lockwatch/tsan.h — ThreadSanitizer's text reports, parsed into data.
 *
 * A program built with -fsanitize=thread writes its reports (to the file named by TSan's
 * log_path option when lockwatch runs it). lw_tsan_parse() reads such a log — any number of
 * reports, each between "==================" lines — into lw_tsan_report values the driver turns
 * into findings. Pure text processing: no files, no processes. Lines it does not understand are
 * skipped, so a newer TSan's extra lines never fail a run; a report missing its header line is
 * dropped. All strings are owned by the log and freed by lw_tsan_log_free(). */
#ifndef LOCKWATCH_TSAN_H
#define LOCKWATCH_TSAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lw_tsan_frame {
    char *function; /* NULL when TSan printed <null> */
    char *file;     /* NULL when unknown */
    int line;       /* 0 when unknown */
    int column;
    char *module; /* "race" in "(race+0xd01e8)", NULL when absent */
    uint64_t module_offset;
};

struct lw_tsan_stack {
    size_t nframes;
    struct lw_tsan_frame *frames;
};

/* One memory access of a race ("Write of size 4 at 0x... by thread T2 (mutexes: write M0):"). */
struct lw_tsan_access {
    bool write;
    bool atomic;
    bool previous; /* the earlier of the two accesses */
    unsigned size;
    uint64_t addr;
    char *thread;  /* "T2"; the main thread is "T0" */
    char *mutexes; /* what TSan lists after "mutexes:", e.g. "write M0", or NULL */
    struct lw_tsan_stack stack;
};

/* A thread TSan describes ("Thread T2 (tid=4966, running) created by main thread at:"). */
struct lw_tsan_thread {
    char *thread; /* "T2" */
    int tid;
    char *creator; /* "T0" for the main thread, NULL when unknown */
    struct lw_tsan_stack created;
};

struct lw_tsan_report {
    char *kind; /* "data race", "lock-order-inversion (potential deadlock)", "thread leak", ... */
    int pid;
    size_t naccesses; /* 0..2 */
    struct lw_tsan_access accesses[2];
    char *location; /* "global 'counter' of size 4", "heap block of size 8", or NULL */
    char *variable; /* "counter" when TSan names it, else NULL */
    struct lw_tsan_stack location_stack; /* heap block allocation, when given */
    size_t nthreads;
    struct lw_tsan_thread *threads;
    char *summary; /* the SUMMARY line without its "SUMMARY: ThreadSanitizer: " prefix */
};

struct lw_tsan_log {
    size_t nreports;
    struct lw_tsan_report *reports;
};

/* Parses len bytes of TSan output, appending its reports to log (zero-initialise it first).
 * Returns 0, or -1 when out of memory (log keeps what was parsed). */
int lw_tsan_parse(const char *text, size_t len, struct lw_tsan_log *log);
void lw_tsan_log_free(struct lw_tsan_log *log);

/* True for the reports that become data-race findings: "data race" (also "data race on vptr")
 * and "heap-use-after-free" (a free racing with an access). The others are lock misuse and
 * lock-order reports, which lockwatch makes itself (one finding per problem), and reports
 * about signals and thread leaks, which are not races. */
bool lw_tsan_is_race(const struct lw_tsan_report *r);

#endif
