/* stop.c — see stop.h. The report's processes are the run's forked and exec'd processes; any of
 * them may have exited already, so each pid other than the unreaped child is checked against
 * /proc/<pid>/environ before it is dumped or killed. */
#include "run/stop.h"

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lockwatch/wire.h"

bool lwd_environ_holds(pid_t pid, const char *entry)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/environ", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    size_t cap = 64 * 1024, len = 0;
    char *env = malloc(cap + 1);
    bool found = false;
    while (env) {
        if (len == cap) {
            char *grown = realloc(env, 2 * cap + 1);
            if (!grown) break;
            env = grown;
            cap *= 2;
        }
        ssize_t got = read(fd, env + len, cap - len);
        if (got <= 0) break;
        len += (size_t)got;
    }
    close(fd);
    if (!env) return false;
    env[len] = '\0';
    for (size_t at = 0; at < len && !found; at += strlen(env + at) + 1)
        found = strcmp(env + at, entry) == 0;
    free(env);
    return found;
}

size_t lwd_run_pids(const struct lw_report *report, pid_t child, const char *socket_name,
                    pid_t **pids)
{
    char entry[256];
    snprintf(entry, sizeof entry, "%s=%s", LW_WIRE_ENV_SOCKET, socket_name);
    *pids = malloc((report->nprocesses + 1) * sizeof **pids);
    if (!*pids) return 0;
    size_t n = 0;
    if (child > 0) (*pids)[n++] = child;
    for (size_t i = 0; i < report->nprocesses; i++) {
        pid_t pid = report->processes[i].pid;
        if (pid > 0 && pid != child && lwd_environ_holds(pid, entry)) (*pids)[n++] = pid;
    }
    if (n == 0) {
        free(*pids);
        *pids = NULL;
    }
    return n;
}

void lwd_stop_run(const struct lw_report *report, pid_t child, const char *socket_name)
{
    if (child > 0) kill(child, SIGKILL);
    pid_t *pids = NULL;
    size_t n = lwd_run_pids(report, child, socket_name, &pids);
    for (size_t i = 0; i < n; i++)
        if (pids[i] != child) kill(pids[i], SIGKILL);
    free(pids);
}
