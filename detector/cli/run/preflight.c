/* preflight.c — finds the program like execvp, refuses what LD_PRELOAD cannot watch (static,
 * setuid/setgid) and finds the runtime library, each failure with one line and its exit code.
 * The runtime is looked up relative to the command's own path (/proc/self/exe) both in the
 * installed layout and in the build tree; the paths come from the build (CMakeLists.txt). */
#include "run/preflight.h"

#include <elf.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/elf_probe.h"

static char *join_path(const char *dir, size_t dir_len, const char *name)
{
    size_t name_len = strlen(name);
    char *path = malloc(dir_len + 1 + name_len + 1);
    if (!path) return NULL;
    memcpy(path, dir, dir_len);
    path[dir_len] = '/';
    memcpy(path + dir_len + 1, name, name_len + 1);
    return path;
}

static bool is_executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The PATH search of execvp: the first regular, executable file wins; an empty element is the
 * current directory; without PATH, the system default. Sets *path (malloc'd) to the found file,
 * or to the first candidate that exists (so the caller reports why it cannot run), or NULL. */
static enum lwd_exit search_path(const char *name, char **path)
{
    *path = NULL;
    char default_path[256] = "/bin:/usr/bin";
    const char *search = getenv("PATH");
    if (!search) {
        size_t n = confstr(_CS_PATH, default_path, sizeof default_path);
        if (n == 0 || n > sizeof default_path) strcpy(default_path, "/bin:/usr/bin");
        search = default_path;
    }
    char *existing = NULL;
    for (const char *dir = search;; dir++) {
        size_t dir_len = strcspn(dir, ":");
        char *candidate = dir_len ? join_path(dir, dir_len, name) : join_path(".", 1, name);
        if (!candidate) {
            free(existing);
            fputs("lockwatch: out of memory\n", stderr);
            return LWD_EXIT_TOOL;
        }
        if (is_executable_file(candidate)) {
            free(existing);
            *path = candidate;
            return LWD_EXIT_OK;
        }
        if (!existing && access(candidate, F_OK) == 0)
            existing = candidate;
        else
            free(candidate);
        dir += dir_len;
        if (*dir == '\0') break;
    }
    *path = existing;
    return LWD_EXIT_OK;
}

/* The checks on the program file itself, in the order exec would fail. */
static enum lwd_exit check_program_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR) {
            fprintf(stderr, "lockwatch: %s: program not found\n", path);
            return LWD_EXIT_NOT_FOUND;
        }
        fprintf(stderr, "lockwatch: %s: cannot run it: %s\n", path, strerror(err));
        return LWD_EXIT_NOT_EXECUTABLE;
    }
    if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, "lockwatch: %s is a directory, not a program\n", path);
        return LWD_EXIT_NOT_EXECUTABLE;
    }
    if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "lockwatch: %s is not a regular file\n", path);
        return LWD_EXIT_NOT_EXECUTABLE;
    }
    if (access(path, X_OK) != 0) {
        fprintf(stderr, "lockwatch: %s is not executable (no execute permission)\n", path);
        return LWD_EXIT_NOT_EXECUTABLE;
    }
    if (st.st_mode & (S_ISUID | S_ISGID)) {
        fprintf(stderr,
                "lockwatch: %s is %s; the loader ignores LD_PRELOAD for it (run a copy without "
                "that bit)\n",
                path, (st.st_mode & S_ISUID) ? "setuid" : "setgid");
        return LWD_EXIT_SETUID;
    }
    return LWD_EXIT_OK;
}

static const char *class_name(unsigned elf_class)
{
    return elf_class == ELFCLASS32 ? "32-bit" : "64-bit";
}

/* Static programs (or scripts whose interpreter is static) never load the runtime; a program of
 * another ELF class or machine than the runtime makes the loader skip it with a warning. */
static enum lwd_exit check_loadable(const char *program, const char *runtime)
{
    struct lwd_elf_info prog;
    lwd_elf_probe(program, &prog);
    const char *elf_path = program;
    struct lwd_elf_info interp;
    if (prog.kind == LWD_ELF_SCRIPT) {
        lwd_elf_probe(prog.interp, &interp);
        if (access(prog.interp, F_OK) != 0) {
            fprintf(stderr, "lockwatch: %s: its interpreter %s was not found\n", program,
                    prog.interp);
            return LWD_EXIT_NOT_FOUND;
        }
        if (interp.kind == LWD_ELF_STATIC) {
            fprintf(stderr,
                    "lockwatch: %s runs %s, which is statically linked; LD_PRELOAD cannot reach "
                    "it\n",
                    program, prog.interp);
            return LWD_EXIT_STATIC;
        }
        elf_path = prog.interp;
        prog = interp;
    }
    switch (prog.kind) {
    case LWD_ELF_STATIC:
        fprintf(stderr,
                "lockwatch: %s is statically linked; LD_PRELOAD cannot reach it (rebuild without "
                "-static)\n",
                elf_path);
        return LWD_EXIT_STATIC;
    case LWD_ELF_DYNAMIC:
        break;
    case LWD_ELF_SCRIPT:
    case LWD_ELF_OTHER:
    case LWD_ELF_UNREADABLE:
        return LWD_EXIT_OK; /* the kernel decides; nothing known to check against */
    }
    struct lwd_elf_info rt;
    lwd_elf_probe(runtime, &rt);
    /* A shared library has no PT_INTERP: it probes as "static", which only means ELF here. */
    bool rt_is_elf = rt.kind == LWD_ELF_DYNAMIC || rt.kind == LWD_ELF_STATIC;
    if (rt_is_elf && (rt.elf_class != prog.elf_class || rt.machine != prog.machine)) {
        fprintf(stderr,
                "lockwatch: %s (%s, ELF machine %u) cannot load the runtime %s (%s, ELF machine "
                "%u); pass --runtime=PATH to a matching build\n",
                elf_path, class_name(prog.elf_class), prog.machine, runtime,
                class_name(rt.elf_class), rt.machine);
        return LWD_EXIT_NO_RUNTIME;
    }
    return LWD_EXIT_OK;
}

/* realpath() of a regular file, or NULL. */
static char *existing_file(const char *path)
{
    char *real = realpath(path, NULL);
    struct stat st;
    if (real && (stat(real, &st) != 0 || !S_ISREG(st.st_mode))) {
        free(real);
        real = NULL;
    }
    return real;
}

static enum lwd_exit find_runtime(const char *option, char **runtime)
{
    *runtime = NULL;
    if (option) {
        *runtime = existing_file(option);
        if (!*runtime) {
            fprintf(stderr, "lockwatch: runtime library %s not found\n", option);
            return LWD_EXIT_NO_RUNTIME;
        }
    } else {
        char self[PATH_MAX];
        ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
        if (len < 0) {
            fprintf(stderr, "lockwatch: cannot find its own path (/proc/self/exe): %s\n",
                    strerror(errno));
            return LWD_EXIT_NO_RUNTIME;
        }
        self[len] = '\0';
        const char *dir = dirname(self);
        const char *relative[] = {LWD_RUNTIME_INSTALL_RELPATH, LWD_RUNTIME_BUILD_RELPATH};
        char *tried[2] = {NULL, NULL};
        for (size_t i = 0; i < 2 && !*runtime; i++) {
            tried[i] = join_path(dir, strlen(dir), relative[i]);
            if (tried[i]) *runtime = existing_file(tried[i]);
        }
        if (!*runtime)
            fprintf(stderr,
                    "lockwatch: runtime library liblockwatch.so not found (looked for %s and %s); "
                    "pass --runtime=PATH\n",
                    tried[0] ? tried[0] : "?", tried[1] ? tried[1] : "?");
        free(tried[0]);
        free(tried[1]);
        if (!*runtime) return LWD_EXIT_NO_RUNTIME;
    }
    /* LD_PRELOAD separates its entries with colons and blanks. */
    if (strpbrk(*runtime, ": \t\n")) {
        fprintf(stderr,
                "lockwatch: the runtime path %s contains ':' or a blank, which LD_PRELOAD cannot "
                "carry; move it\n",
                *runtime);
        return LWD_EXIT_NO_RUNTIME;
    }
    return LWD_EXIT_OK;
}

enum lwd_exit lwd_preflight(const struct lwd_options *opts, struct lwd_preflight *pf)
{
    pf->program = NULL;
    pf->runtime = NULL;
    const char *name = opts->argv[0];
    if (name[0] == '\0') {
        fputs("lockwatch: the program name is empty\n", stderr);
        return LWD_EXIT_NOT_FOUND;
    }
    if (strchr(name, '/')) {
        pf->program = strdup(name);
        if (!pf->program) {
            fputs("lockwatch: out of memory\n", stderr);
            return LWD_EXIT_TOOL;
        }
    } else {
        enum lwd_exit rc = search_path(name, &pf->program);
        if (rc != LWD_EXIT_OK) return rc;
        if (!pf->program) {
            fprintf(stderr, "lockwatch: %s: program not found on PATH\n", name);
            return LWD_EXIT_NOT_FOUND;
        }
    }
    enum lwd_exit rc = check_program_file(pf->program);
    if (rc == LWD_EXIT_OK) rc = find_runtime(opts->runtime, &pf->runtime);
    if (rc == LWD_EXIT_OK) rc = check_loadable(pf->program, pf->runtime);
    return rc;
}

void lwd_preflight_free(struct lwd_preflight *pf)
{
    if (!pf) return;
    free(pf->program);
    free(pf->runtime);
    pf->program = NULL;
    pf->runtime = NULL;
}
