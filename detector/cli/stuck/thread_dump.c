/* thread_dump.c — stacks of a wedged program's threads via ptrace + libunwind-ptrace
 * (see thread_dump.h). PTRACE_SEIZE + PTRACE_INTERRUPT stop a thread without sending it a signal,
 * so the program's own signal handling is never disturbed. */
#include "stuck/thread_dump.h"

#include <dirent.h>
#include <errno.h>
#include <libunwind-ptrace.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

static void read_comm(pid_t pid, pid_t tid, char comm[16])
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/comm", (int)pid, (int)tid);
    comm[0] = '\0';
    FILE *f = fopen(path, "re");
    if (!f) return;
    if (fgets(comm, 16, f)) comm[strcspn(comm, "\n")] = '\0';
    fclose(f);
}

/* Stops tid, unwinds it, lets it go. The innermost frame is the thread's current instruction,
 * not a return address; it is stored plus one so that the symboliser's "pc - 1" rule (right for
 * return addresses) lands on the instruction itself. */
static void unwind_thread(unw_addr_space_t as, struct lwd_thread_stack *st)
{
    if (ptrace(PTRACE_SEIZE, st->tid, NULL, NULL) != 0) return;
    int status;
    if (ptrace(PTRACE_INTERRUPT, st->tid, NULL, NULL) != 0 ||
        waitpid(st->tid, &status, __WALL) != st->tid || !WIFSTOPPED(status)) {
        ptrace(PTRACE_DETACH, st->tid, NULL, NULL);
        return;
    }
    void *upt = _UPT_create(st->tid);
    unw_cursor_t cursor;
    if (upt && unw_init_remote(&cursor, as, upt) == 0) {
        do {
            unw_word_t ip;
            if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0) break;
            uint64_t pc = st->nframes == 0 ? (uint64_t)ip + 1 : (uint64_t)ip;
            st->pcs[st->nframes++] = pc;
        } while (st->nframes < LW_WIRE_MAX_FRAMES && unw_step(&cursor) > 0);
    }
    if (upt) _UPT_destroy(upt);
    ptrace(PTRACE_DETACH, st->tid, NULL, NULL);
}

int lwd_unwind_one(pid_t pid, pid_t tid, struct lwd_thread_stack *st)
{
    memset(st, 0, sizeof *st);
    st->pid = pid;
    st->tid = tid;
    read_comm(pid, tid, st->comm);
    unw_addr_space_t as = unw_create_addr_space(&_UPT_accessors, 0);
    if (!as) return -1;
    unwind_thread(as, st);
    unw_destroy_addr_space(as);
    return st->nframes ? 0 : -1;
}

int lwd_dump_threads(pid_t pid, struct lwd_thread_stack **stacks, size_t *n)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *dir = opendir(path);
    if (!dir) return -1;
    unw_addr_space_t as = unw_create_addr_space(&_UPT_accessors, 0);
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        struct lwd_thread_stack *grown = realloc(*stacks, (*n + 1) * sizeof *grown);
        if (!grown) {
            rc = -1;
            break;
        }
        *stacks = grown;
        struct lwd_thread_stack *st = &grown[(*n)++];
        memset(st, 0, sizeof *st);
        st->pid = pid;
        st->tid = (pid_t)atoi(e->d_name);
        read_comm(pid, st->tid, st->comm);
        if (as) unwind_thread(as, st);
    }
    if (as) unw_destroy_addr_space(as);
    closedir(dir);
    return rc;
}
