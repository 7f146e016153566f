/* spawn.c — fork and exec of the program (see spawn.h). The environment is built before fork so
 * the child does nothing but restore signals and exec, all async-signal-safe. The child stays
 * in lockwatch's process group so an interactive program keeps the terminal. */
#include "run/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lockwatch/wire.h"

extern char **environ;

static struct rlimit lwd_nofile_saved;
static int lwd_nofile_raised;

void lwd_spawn_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == rl.rlim_max) return;
    lwd_nofile_saved = rl;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) == 0) lwd_nofile_raised = 1;
}

static int starts_with_name(const char *entry, const char *name)
{
    size_t len = strlen(name);
    return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

static char *make_entry(const char *name, const char *value, const char *rest)
{
    size_t len = strlen(name) + 1 + strlen(value) + (rest ? 1 + strlen(rest) : 0) + 1;
    char *entry = malloc(len);
    if (entry) snprintf(entry, len, "%s=%s%s%s", name, value, rest ? ":" : "", rest ? rest : "");
    return entry;
}

/* environ without LD_PRELOAD and LOCKWATCH_SOCKET (and TSAN_OPTIONS when tsan_options is set),
 * plus those set for the run. The new entries are the first three elements, the third NULL when
 * tsan_options is (the caller frees them and the array). */
static char **make_environment(const char *runtime, const char *socket_name,
                               const char *tsan_options)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **envp = calloc(n + 4, sizeof *envp);
    if (!envp) return NULL;
    const char *old_preload = getenv("LD_PRELOAD");
    if (old_preload && old_preload[0] == '\0') old_preload = NULL;
    envp[0] = make_entry("LD_PRELOAD", runtime, old_preload);
    envp[1] = make_entry(LW_WIRE_ENV_SOCKET, socket_name, NULL);
    envp[2] = tsan_options ? make_entry("TSAN_OPTIONS", tsan_options, NULL) : NULL;
    if (!envp[0] || !envp[1] || (tsan_options && !envp[2])) {
        free(envp[0]);
        free(envp[1]);
        free(envp[2]);
        free(envp);
        return NULL;
    }
    /* A NULL third entry would end the environment: the copies start there instead. */
    size_t k = tsan_options ? 3 : 2;
    for (size_t i = 0; i < n; i++)
        if (!starts_with_name(environ[i], "LD_PRELOAD") &&
            !starts_with_name(environ[i], LW_WIRE_ENV_SOCKET) &&
            !(tsan_options && starts_with_name(environ[i], "TSAN_OPTIONS")))
            envp[k++] = environ[i];
    return envp;
}

/* Bytes a vector of strings takes from the kernel's room for arguments and environment: each
 * string with its NUL, and its pointer. */
static size_t vector_bytes(char *const *v)
{
    size_t n = 0;
    for (; v && *v; v++)
        n += strlen(*v) + 1 + sizeof *v;
    return n;
}

/* Whether one string of v is longer than the kernel takes in any case (MAX_ARG_STRLEN, 32
 * pages): then the program could not run natively either. */
static bool has_overlong_string(char *const *v)
{
    for (; v && *v; v++)
        if (strlen(*v) >= 32u * 4096u) return true;
    return false;
}

/* exec said E2BIG. When the arguments and the environment lockwatch was given would fit but for
 * what lockwatch adds, says how much room that takes (one line); else the plain error. */
static enum lwd_exit report_too_long(const struct lwd_options *opts, const char *program,
                                     char *const *envp)
{
    size_t ours = vector_bytes(envp), theirs = vector_bytes(environ);
    if (ours <= theirs || has_overlong_string(opts->argv) || has_overlong_string(environ)) {
        fprintf(stderr, "lockwatch: cannot run %s: %s\n", program, strerror(E2BIG));
        return LWD_EXIT_NOT_EXECUTABLE;
    }
    fprintf(stderr,
            "lockwatch: cannot run %s: its arguments and environment (%zu bytes) leave no room "
            "for the %zu bytes of environment lockwatch adds (LD_PRELOAD, " LW_WIRE_ENV_SOCKET
            "...); shorten them by %zu bytes\n",
            program, vector_bytes(opts->argv) + theirs, ours - theirs, ours - theirs);
    return LWD_EXIT_TOO_LONG;
}

static enum lwd_exit exec_failure_code(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        return LWD_EXIT_NOT_FOUND;
    case EACCES:
    case EPERM:
    case ENOEXEC:
    case EISDIR:
    case ETXTBSY:
    case ELIBBAD:
        return LWD_EXIT_NOT_EXECUTABLE;
    }
    return LWD_EXIT_TOOL;
}

enum lwd_exit lwd_spawn(const struct lwd_options *opts, const struct lwd_preflight *pf,
                        const char *socket_name, const char *tsan_options,
                        const struct lwd_signals *sig, pid_t *pid)
{
    enum lwd_exit rc = LWD_EXIT_TOOL;
    int status_pipe[2] = {-1, -1};
    char **envp = make_environment(pf->runtime, socket_name, tsan_options);
    if (!envp) {
        fputs("lockwatch: out of memory\n", stderr);
        goto out;
    }
    if (pipe2(status_pipe, O_CLOEXEC) != 0) {
        fprintf(stderr, "lockwatch: cannot create a pipe: %s\n", strerror(errno));
        goto out;
    }
    fflush(NULL); /* nothing buffered may be written twice */
    pid_t parent = getpid();
    *pid = fork();
    if (*pid < 0) {
        fprintf(stderr, "lockwatch: cannot fork: %s\n", strerror(errno));
        goto out;
    }
    if (*pid == 0) {
        lwd_signals_restore(sig);
        close(status_pipe[0]);
        if (lwd_nofile_raised) (void)setrlimit(RLIMIT_NOFILE, &lwd_nofile_saved);
        /* Dies with lockwatch; a lockwatch killed before this line leaves no program behind. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
        /* execvpe, not execve: a file without "#!" that the kernel refuses (ENOEXEC) is run
         * by /bin/sh, as shells and execvp do. */
        execvpe(pf->program, opts->argv, envp);
        int err = errno;
        ssize_t unused = write(status_pipe[1], &err, sizeof err);
        (void)unused;
        _exit(127);
    }
    close(status_pipe[1]);
    status_pipe[1] = -1;
    int err = 0;
    ssize_t got;
    do
        got = read(status_pipe[0], &err, sizeof err);
    while (got < 0 && errno == EINTR);
    if (got == (ssize_t)sizeof err) {
        while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
            ;
        if (err == E2BIG) {
            rc = report_too_long(opts, pf->program, envp);
            goto out;
        }
        fprintf(stderr, "lockwatch: cannot run %s: %s\n", pf->program, strerror(err));
        rc = exec_failure_code(err);
        goto out;
    }
    rc = LWD_EXIT_OK;
out:
    if (status_pipe[0] >= 0) close(status_pipe[0]);
    if (status_pipe[1] >= 0) close(status_pipe[1]);
    if (envp) {
        free(envp[0]);
        free(envp[1]);
        if (tsan_options) free(envp[2]);
        free(envp);
    }
    return rc;
}
