/* proc_tasks.c — see proc_tasks.h. */
#include "stuck/proc_tasks.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads a small /proc file whole into buf (NUL-terminated); false when it cannot. */
static bool read_small(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t n = read(fd, buf, len - 1);
    close(fd);
    if (n <= 0) return false;
    buf[n] = '\0';
    return true;
}

/* State letter and parent of a /proc/<...>/stat file; false when unreadable. The command name
 * is in parentheses and may hold anything, so parsing starts after the last ')'. */
static bool read_stat(const char *path, char *state, pid_t *ppid)
{
    char buf[1024];
    if (!read_small(path, buf, sizeof buf)) return false;
    const char *end = strrchr(buf, ')');
    int parent = 0;
    if (!end || sscanf(end + 1, " %c %d", state, &parent) != 2) return false;
    *ppid = (pid_t)parent;
    return true;
}

static bool is_dead(char state)
{
    return state == 'Z' || state == 'X' || state == 'x';
}

static bool numeric(const char *name)
{
    if (!*name) return false;
    for (; *name; name++)
        if (*name < '0' || *name > '9') return false;
    return true;
}

size_t lwd_proc_descendants(pid_t root, pid_t **pids)
{
    *pids = NULL;
    struct entry {
        pid_t pid, ppid;
    } *all = NULL;
    size_t n = 0, cap = 0, count = 0;
    DIR *dir = opendir("/proc");
    if (!dir) return 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (!numeric(e->d_name)) continue;
        char path[300], state;
        pid_t ppid;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        if (!read_stat(path, &state, &ppid) || is_dead(state)) continue;
        if (n == cap) {
            size_t grown_cap = cap ? 2 * cap : 256;
            struct entry *grown = realloc(all, grown_cap * sizeof *grown);
            if (!grown) goto out;
            all = grown;
            cap = grown_cap;
        }
        all[n++] = (struct entry){(pid_t)atoi(e->d_name), ppid};
    }
    /* Breadth-first from root over the parent links: out[0..count) are found, out[done..count)
     * still to expand. */
    pid_t *out = malloc((n + 1) * sizeof *out);
    if (!out) goto out;
    for (size_t i = 0; i < n; i++)
        if (all[i].pid == root) out[count++] = root;
    for (size_t done = 0; done < count; done++)
        for (size_t i = 0; i < n; i++)
            if (all[i].ppid == out[done] && all[i].pid != root) out[count++] = all[i].pid;
    if (count == 0) {
        free(out);
        out = NULL;
    }
    *pids = out;
out:
    closedir(dir);
    free(all);
    return count;
}

long lwd_proc_threads(pid_t pid, pid_t **tids)
{
    *tids = NULL;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *dir = opendir(path);
    if (!dir) return -1;
    size_t n = 0, cap = 0;
    long rc = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (!numeric(e->d_name)) continue;
        char stat_path[320], state;
        pid_t ppid;
        snprintf(stat_path, sizeof stat_path, "/proc/%d/task/%s/stat", (int)pid, e->d_name);
        if (!read_stat(stat_path, &state, &ppid) || is_dead(state)) continue;
        if (n == cap) {
            size_t grown_cap = cap ? 2 * cap : 16;
            pid_t *grown = realloc(*tids, grown_cap * sizeof *grown);
            if (!grown) {
                rc = -1;
                break;
            }
            *tids = grown;
            cap = grown_cap;
        }
        (*tids)[n++] = (pid_t)atoi(e->d_name);
    }
    closedir(dir);
    if (rc < 0) {
        free(*tids);
        *tids = NULL;
        return -1;
    }
    return (long)n;
}

long lwd_proc_task_syscall(pid_t pid, pid_t tid, uint64_t args[4])
{
    char path[96], buf[256];
    snprintf(path, sizeof path, "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
    if (!read_small(path, buf, sizeof buf)) return LWD_TASK_UNKNOWN;
    long nr;
    unsigned long long a[4] = {0, 0, 0, 0};
    int got = sscanf(buf, "%ld %llx %llx %llx %llx", &nr, &a[0], &a[1], &a[2], &a[3]);
    if (got < 1 || nr < 0) return LWD_TASK_RUNNING; /* "running", or "-1 ..." (no call) */
    for (int i = 0; args && i < 4; i++)
        args[i] = a[i];
    return nr;
}

uint64_t lwd_proc_caught_signals(pid_t pid)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    if (!read_small(path, buf, sizeof buf)) return UINT64_MAX;
    const char *line = strstr(buf, "\nSigCgt:");
    unsigned long long caught;
    if (!line || sscanf(line + strlen("\nSigCgt:"), "%llx", &caught) != 1) return UINT64_MAX;
    static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGCHLD};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        caught &= ~(1ull << (faults[i] - 1));
    /* glibc's own signals below SIGRTMIN (thread cancellation, setxid) are caught in every
     * threaded process and never sent from outside. */
    for (int sig = 32; sig < SIGRTMIN; sig++)
        caught &= ~(1ull << (sig - 1));
    return caught;
}
