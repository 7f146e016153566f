/* proc_tasks.h — what the kernel says about the run's processes and threads (/proc), for the
 * stuck rule (wait_board.h): which processes descend from the program, which of their threads are
 * alive, and which system call a thread sleeps in. Nothing here changes the program. */
#ifndef LWD_PROC_TASKS_H
#define LWD_PROC_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The live (not zombie) processes descending from root, root included, into *pids (malloc'd).
 * Returns the count; 0 with *pids NULL when there are none or memory ran out. */
size_t lwd_proc_descendants(pid_t root, pid_t **pids);

/* The live (not zombie) threads of pid into *tids (malloc'd). Returns the count, or -1 when the
 * process is gone or memory ran out. */
long lwd_proc_threads(pid_t pid, pid_t **tids);

#define LWD_TASK_RUNNING (-1L) /* not in a system call */
#define LWD_TASK_UNKNOWN (-2L) /* /proc/PID/task/TID/syscall could not be read */

/* The system call thread tid of pid is in now (from /proc/PID/task/TID/syscall), or one of the
 * values above; args (may be NULL) gets its first four arguments (a futex wait's word, operation,
 * value and timeout). */
long lwd_proc_task_syscall(pid_t pid, pid_t tid, uint64_t args[4]);

/* The asynchronous signals pid catches with a handler (SigCgt of /proc/PID/status, less the
 * signals a fault raises, SIGCHLD and glibc's internal ones): a bit per signal, bit 0 for signal
 * 1. 0 when it catches none; all bits set when the status cannot be read. */
uint64_t lwd_proc_caught_signals(pid_t pid);

#endif
