/* render_common.c — shared vocabulary of the symboliser and the renderers (see
 * render_common.h): the "user frame" rule, names of lock types, modes and overflow tables. */
#include "render/render_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockwatch/wire.h"

const char *lwd_lock_type_name(uint8_t type)
{
    switch ((enum lw_lock_type)type) {
    case LW_LOCK_MUTEX:
        return "mutex";
    case LW_LOCK_RWLOCK:
        return "rwlock";
    case LW_LOCK_SPIN:
        return "spinlock";
    case LW_LOCK_MTX:
        return "mtx";
    case LW_LOCK_SEM:
        return "semaphore";
    }
    return "lock";
}

const char *lwd_mode_name(uint8_t mode)
{
    return mode == LW_MODE_SHARED ? "read" : "write";
}

const char *lwd_python_version(uint32_t version, char *buf, size_t len)
{
    if (version == 0) return NULL;
    snprintf(buf, len, "%u.%u.%u", version >> 24, (version >> 16) & 0xffu, (version >> 8) & 0xffu);
    return buf;
}

const char *lwd_overflow_table_name(uint32_t table)
{
    switch ((enum lw_overflow_table)table) {
    case LW_OVERFLOW_CHAINS:
        return "chains";
    case LW_OVERFLOW_STACKS:
        return "stacks";
    case LW_OVERFLOW_HELD:
        return "held";
    case LW_OVERFLOW_THREADS:
        return "threads";
    case LW_OVERFLOW_CHANNEL:
        return "channel";
    case LW_OVERFLOW_LOCKS:
        return "lock-state";
    case LW_OVERFLOW_HELD_EDGES:
        return "held-edges";
    case LW_OVERFLOW_GENERATIONS:
        return "generations";
    case LW_OVERFLOW_STACKS_SHORT:
        return "stacks-short";
    case LW_OVERFLOW_STACKS_RESTRICTED:
        return "stacks-restricted";
    }
    return "unknown";
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool lwd_is_system_module(const char *path)
{
    static const char *const system_dirs[] = {
        "/lib/", "/lib32/", "/lib64/", "/usr/lib/", "/usr/lib32/", "/usr/lib64/", "/usr/libexec/"};
    /* Found by name as well, for copies outside the system directories (a private glibc, the
     * build tree's liblockwatch.so). */
    static const char *const system_names[] = {"libc.so",    "libc-",        "libpthread",
                                               "libstdc++",  "ld-linux",     "ld-musl",
                                               "linux-vdso", "liblockwatch", "libgcc_s"};
    if (path == NULL || path[0] == '\0') return true;
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
        if (has_prefix(path, system_dirs[i])) return true;
    const char *base = lwd_basename(path);
    for (size_t i = 0; i < sizeof system_names / sizeof system_names[0]; i++)
        if (has_prefix(base, system_names[i])) return true;
    return false;
}

bool lwd_is_system_source(const char *file)
{
    /* Compiler and system headers: libstdc++'s <mutex> and <thread>, gthr-default.h, glibc's. */
    static const char *const system_dirs[] = {"/usr/include/", "/usr/lib/gcc/", "/usr/lib/llvm",
                                              "/usr/lib64/gcc/", "/usr/lib/clang/"};
    if (file == NULL) return true;
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0]; i++)
        if (has_prefix(file, system_dirs[i])) return true;
    return false;
}

bool lwd_is_library_function(const char *function)
{
    static const char *const internals[] = {
        "std::", "__gnu_cxx::", "__cxxabiv1::", "__gthread", "__gthrw", "__cxa_"};
    if (function == NULL) return false;
    /* A function template's name starts with its return type ("void std::lock<...>(...)"):
     * the qualified name is the last word before the first '<' or '('. */
    size_t end = strcspn(function, "<(");
    const char *name = function;
    for (size_t i = 0; i < end; i++)
        if (function[i] == ' ') name = function + i + 1;
    for (size_t i = 0; i < sizeof internals / sizeof internals[0]; i++)
        if (has_prefix(name, internals[i])) return true;
    return false;
}

/* Python's own library: the standard library and installed packages ("/usr/lib/python3.11/",
 * "site-packages/"), and frozen modules ("<frozen importlib._bootstrap>"). */
static bool is_python_library(const char *file)
{
    return file[0] == '<' || strstr(file, "/lib/python3") != NULL ||
           strstr(file, "/lib64/python3") != NULL || strstr(file, "site-packages/") != NULL ||
           strstr(file, "dist-packages/") != NULL;
}

bool lwd_frame_is_user(const struct lw_frame *f)
{
    if (f->python) return f->file != NULL && !f->wrapper && !is_python_library(f->file);
    return f->file != NULL && f->module != NULL && !f->wrapper &&
           !lwd_is_system_module(f->module) && !lwd_is_system_source(f->file) &&
           !lwd_is_library_function(f->function);
}

bool lwd_frame_is_user_code(const struct lw_frame *f)
{
    struct lw_frame plain = *f;
    plain.wrapper = false;
    return lwd_frame_is_user(&plain);
}

size_t lwd_first_user_frame(const struct lw_stack *s)
{
    if (s == NULL || s->frames == NULL) return 0;
    for (size_t i = 0; i < s->nframes; i++)
        if (lwd_frame_is_user(&s->frames[i])) return i;
    return s->nframes;
}

const struct lw_module *lwd_find_module_at(const struct lw_report *r, uint32_t image,
                                           uint32_t epoch, uint64_t pc)
{
    for (size_t i = 0; i < r->nimages; i++) {
        const struct lw_image *img = &r->images[i];
        if (img->index != image) continue;
        for (size_t m = img->nmodules; m-- > 0;) {
            const struct lw_module *mod = &img->modules[m];
            if (mod->epoch <= epoch && pc >= mod->start && pc < mod->end) return mod;
        }
    }
    return NULL;
}

const struct lw_module *lwd_find_module(const struct lw_report *r, uint32_t image, uint64_t pc)
{
    return lwd_find_module_at(r, image, UINT32_MAX, pc);
}

const char *lwd_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

bool lwd_multi_process(const struct lw_report *r)
{
    return lw_report_multi_process(r);
}

const struct lw_thread *lwd_find_thread(const struct lw_report *r, int32_t pid, uint32_t number)
{
    for (size_t i = 0; i < r->nthreads; i++)
        if (r->threads[i]->pid == pid && r->threads[i]->number == number) return r->threads[i];
    return NULL;
}

char *lwd_finding_message(const struct lw_finding *f, bool multi_process)
{
    char first[256];
    size_t need = lw_finding_message(f, multi_process, first, sizeof first);
    char *msg = malloc(need + 1);
    if (msg == NULL) return NULL;
    if (need < sizeof first)
        memcpy(msg, first, need + 1);
    else
        lw_finding_message(f, multi_process, msg, need + 1);
    return msg;
}

size_t lwd_locks_seen(const struct lw_report *r)
{
    return r->nlocks + r->nlone_locks;
}

size_t lwd_forked_processes(const struct lw_report *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nprocesses; i++)
        n += r->processes[i].forked;
    return n;
}

const char *lwd_lock_word(const struct lw_lock *l, char *buf, size_t len)
{
    if (l == NULL) return "an unknown lock";
    return l->name != NULL ? l->name : lw_lock_id(l, buf, len);
}
