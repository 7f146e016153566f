/* render_common.h — what symbolising, naming and the renderers agree on: which frame is the
 * user's, the words for lock types, modes and overflow tables, and how a frame's module and a
 * finding's message are found. Kept in one place so text and JSON can never disagree. */
#ifndef LWD_RENDER_COMMON_H
#define LWD_RENDER_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockwatch/report.h"

/* Frames shown per stack in the text report before "(N more frames)". */
#define LWD_TEXT_MAX_FRAMES 8u

/* The lock as prose calls it: its name, else its id (buf holds the id). */
const char *lwd_lock_word(const struct lw_lock *l, char *buf, size_t len);

/* "mutex", "rwlock", "spinlock", "mtx", "semaphore"; "lock" for a type this build does not know. */
const char *lwd_lock_type_name(uint8_t type);

/* "write" (exclusive) or "read" (shared), as in the JSON report. */
const char *lwd_mode_name(uint8_t mode);

/* "chains", "stacks", "held", "threads", "channel"; "unknown" otherwise. */
const char *lwd_overflow_table_name(uint32_t table);

/* "3.11.2" for a CPython Py_Version (PY_VERSION_HEX layout) into buf; NULL for 0 (older than
 * 3.11, whose version the runtime cannot read). */
const char *lwd_python_version(uint32_t version, char *buf, size_t len);

/* True when path belongs to the system (libc, libstdc++, the loader, anything under /lib or
 * /usr/lib) or to lockwatch's own runtime: frames there are never the user's. */
bool lwd_is_system_module(const char *path);

/* True when file is a compiler or system header (/usr/include, GCC's and clang's own): code
 * inlined from there (std::mutex::lock, gthr-default.h) is never the user's. */
bool lwd_is_system_source(const char *file);

/* True when function belongs to the C++ runtime: std::, __gnu_cxx::, __cxxabiv1::, libgcc's
 * __gthread wrappers (also as the qualified name after a template's return type). */
bool lwd_is_library_function(const char *function);

/* A user frame has source information in a module that is not a system library, from a file
 * that is not a system header, in a function that is not the C++ runtime's, and is not the
 * frame of a lock wrapper (lw_frame.wrapper: the user frame is then the wrapper's caller). */
bool lwd_frame_is_user(const struct lw_frame *f);

/* lwd_frame_is_user, counting a lock wrapper's frame as user code (the wrapper rule's own
 * question: which frame calls into the lock functions). */
bool lwd_frame_is_user_code(const struct lw_frame *f);

/* Index of the first user frame of s; s->nframes when it has none, 0 when s or its frames are
 * missing. */
size_t lwd_first_user_frame(const struct lw_stack *s);

/* The module of `image` that maps pc, or NULL: among those announced by module epoch `epoch`
 * (lw_image.remaps; a stack's own, or UINT32_MAX for the latest), the latest. */
const struct lw_module *lwd_find_module_at(const struct lw_report *r, uint32_t image,
                                           uint32_t epoch, uint64_t pc);
const struct lw_module *lwd_find_module(const struct lw_report *r, uint32_t image, uint64_t pc);

/* The last path component of path ("libc.so.6"). */
const char *lwd_basename(const char *path);

/* Distinct locks the program used (summary.locks): those of the lock table plus those only ever
 * taken alone. */
size_t lwd_locks_seen(const struct lw_report *r);

/* Processes of the run that a fork made (summary.forked). */
size_t lwd_forked_processes(const struct lw_report *r);

/* True when the run had more than one process (thread ids then carry the pid). */
bool lwd_multi_process(const struct lw_report *r);

/* The thread of process pid with thread number `number`, or NULL. */
const struct lw_thread *lwd_find_thread(const struct lw_report *r, int32_t pid, uint32_t number);

/* lw_finding_message() into a fresh heap string (the caller frees it), or NULL when out of
 * memory. */
char *lwd_finding_message(const struct lw_finding *f, bool multi_process);

#endif
