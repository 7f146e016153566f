/* wake.c — see wake.h. */
#include "stuck/wake.h"

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "run/stop.h"
#include "stuck/proc_tasks.h"
#include "stuck/remote.h"

/* Whether a timer of process p may still fire: one that has just expired counts for another
 * deadlock delay, the time its signal handler may take to run and post. */
bool lwd_timers_pending(unsigned margin_ms, const struct lw_process *p)
{
    struct lw_timer_board board;
    if (!p->timer_board || !lwd_read_remote(p->pid, p->timer_board, &board, sizeof board))
        return true; /* unknown: assume a timer may fire */
    uint64_t now = lwd_now_ns(), margin = (uint64_t)margin_ms * 1000000u;
    return (board.alarm_until_ns && board.alarm_until_ns + margin > now) ||
           (board.timer_until_ns && board.timer_until_ns + margin > now);
}

/* Whether the kernel agrees that the thread sleeps in the wait its slot names: in a futex wait
 * for a lock, join, condition, semaphore or barrier (glibc's), in wait4 or waitid for a child.
 * A spinning lock waiter runs. A thread whose call cannot be read is taken at its slot's word. */
bool lwd_asleep_in_wait(pid_t pid, pid_t tid, const struct lw_wait_slot *s)
{
    if (s->kind == LW_WAIT_LOCK && s->lock.type == LW_LOCK_SPIN) return true;
    uint64_t args[4];
    long nr = lwd_proc_task_syscall(pid, tid, args);
    if (nr == LWD_TASK_UNKNOWN) return true;
    if (s->kind == LW_WAIT_CHILD) return nr == SYS_wait4 || nr == SYS_waitid;
    return nr == SYS_futex && args[3] == 0; /* with no timeout: a timed wait ends by itself */
}

/* SIGINT in a SigCgt mask (bit n - 1 for signal n). */
#define LWD_SIGINT_BIT (1ull << (SIGINT - 1))

/* CPython catches SIGINT in every process, and its handler only notes the signal (a Python-level
 * handler runs later, in the main thread, when its wait returns): it posts no semaphore, and
 * counted it would keep every Python run whose threads all wait from being stuck. A C
 * program's SIGINT handler may post one ("wait for Ctrl-C"), like any other handler. */
uint64_t lwd_wake_signals(uint64_t caught, bool python)
{
    return python ? caught & ~LWD_SIGINT_BIT : caught;
}

/* Whether pid is one of the run's live processes. */
static bool in_run(const pid_t *run, size_t nrun, pid_t pid)
{
    for (size_t i = 0; i < nrun; i++)
        if (run[i] == pid) return true;
    return false;
}

/* Whether tid is a live thread of one of the run's processes. */
static bool run_thread(const pid_t *run, size_t nrun, int32_t tid)
{
    for (size_t i = 0; i < nrun; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/task/%d", (int)run[i], (int)tid);
        if (access(path, F_OK) == 0) return true;
    }
    return false;
}

/* Whether something outside the run may end thread t's wait (slot s, in process pid): a
 * process-shared object that any process may signal, post or unlock (a shared mutex is let go
 * only by its owner, who must then be in the run); a semaphore of a process that catches
 * signals (caught, after lwd_wake_signals), whose handler may post it (the one wake-up a handler
 * may make: sem_post is async-signal-safe, pthread_cond_signal is not), since a signal may come
 * from anywhere; docs/internals.md, "The stuck-run rule". */
bool lwd_wakeable_from_outside(pid_t pid, const struct lw_wait_slot *s, uint64_t caught,
                               const pid_t *run, size_t nrun)
{
    switch ((enum lw_wait_kind)s->kind) {
    case LW_WAIT_COND:
    case LW_WAIT_COND_DESTROY:
    case LW_WAIT_BARRIER:
        return s->object_flags & LW_LOCKF_PSHARED;
    case LW_WAIT_SEM:
        return (s->object_flags & LW_LOCKF_PSHARED) || caught != 0;
    case LW_WAIT_LOCK: {
        if (!(s->lock.flags & LW_LOCKF_PSHARED)) return false;
        if (s->lock.type != LW_LOCK_MUTEX && s->lock.type != LW_LOCK_MTX) return true;
        int32_t owner = 0;
        uint64_t at = s->lock.addr + offsetof(pthread_mutex_t, __data.__owner);
        return !lwd_read_remote(pid, at, &owner, sizeof owner) || !run_thread(run, nrun, owner);
    }
    case LW_WAIT_NONE:
    case LW_WAIT_JOIN:
    case LW_WAIT_CHILD:
        return false;
    }
    return true;
}

/* The run's live processes: the program's descendants, and processes of the report that carry
 * the run's socket (a daemon that left the tree). Deduplicated, into *run (malloc'd). */
size_t lwd_run_processes(const struct lw_report *r, pid_t child, const char *socket_name,
                         pid_t **run)
{
    pid_t *desc = NULL, *marked = NULL;
    size_t ndesc = child > 0 ? lwd_proc_descendants(child, &desc) : 0;
    size_t nmarked = lwd_run_pids(r, child, socket_name, &marked);
    pid_t *all = malloc((ndesc + nmarked + 1) * sizeof *all);
    size_t n = 0;
    for (size_t i = 0; all && i < ndesc + nmarked; i++) {
        pid_t pid = i < ndesc ? desc[i] : marked[i - ndesc];
        if (!in_run(all, n, pid)) all[n++] = pid;
    }
    free(desc);
    free(marked);
    *run = all;
    return all ? n : 0;
}
