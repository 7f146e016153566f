/* proc_tasks.h — what the kernel says about the run's processes and threads (/proc), for the
 * stuck rule (watch.h): which processes descend from the program, which of their threads are
 * alive, and whether a thread sleeps in a futex wait. Nothing here changes the program. */
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

enum lwd_task_sleep {
    LWD_TASK_IN_FUTEX,  /* blocked in the futex system call */
    LWD_TASK_ELSEWHERE, /* running, or in another system call */
    LWD_TASK_UNKNOWN,   /* /proc/PID/task/TID/syscall could not be read */
};

/* Where thread tid of pid is now, from /proc/PID/task/TID/syscall; *word (may be NULL) is the
 * futex word it sleeps on when in a futex wait. */
enum lwd_task_sleep lwd_proc_task_sleep(pid_t pid, pid_t tid, uint64_t *word);

#endif
