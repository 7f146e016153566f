/* tsan_run.c — routes ThreadSanitizer's reports into lockwatch's (see tsan_run.h). */
#include "run/tsan_run.h"

#include "lockwatch/tsan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/input_file.h"

int lwd_tsan_detect(const char *path)
{
    if (elf_version(EV_CURRENT) == EV_NONE) return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int found = -1;
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    if (!elf || elf_kind(elf) != ELF_K_ELF) goto out;
    found = 0;
    for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn && !found; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || sh.sh_entsize == 0) continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        if (!data) continue;
        size_t n = sh.sh_size / sh.sh_entsize;
        for (size_t i = 0; i < n; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF) continue;
            const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
            if (name && strcmp(name, "__tsan_init") == 0) {
                found = 1;
                break;
            }
        }
    }
out:
    if (elf) elf_end(elf);
    close(fd);
    return found;
}

bool lwd_tsan_in_run(const struct lw_report *report, const char *program)
{
    if (program && lwd_tsan_detect(program) == 1) return true;
    for (size_t i = 0; i < report->nimages; i++) {
        const char *exe = report->images[i].exe;
        if (exe && (!program || strcmp(exe, program) != 0) && lwd_tsan_detect(exe) == 1)
            return true;
    }
    return false;
}

int lwd_tsan_prepare(struct lwd_tsan *t, const char *user_options)
{
    memset(t, 0, sizeof *t);
    t->dirfd = -1;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    /* mkdtemp makes the directory 0700; every later access goes through dirfd, so a directory
     * swapped for a link (or another directory) at the same path is never read or emptied. */
    int n = snprintf(t->dir, sizeof t->dir, "%s/lockwatch-tsan-XXXXXX", tmp);
    bool made = n >= 0 && (size_t)n < sizeof t->dir && mkdtemp(t->dir) != NULL;
    if (!made || (t->dirfd = open(t->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        fprintf(stderr, "lockwatch: cannot create a directory for ThreadSanitizer logs in %s: %s\n",
                tmp, strerror(errno));
        if (made) rmdir(t->dir);
        t->dir[0] = '\0';
        return -1;
    }
    /* Sanitizer flags: a later setting wins. Our defaults go first so the user's own choices
     * override them; log_path goes last because lockwatch must read the reports. TSan's deadlock
     * detector is off by default here: lockwatch reports lock-order cycles itself. exitcode=0:
     * the run keeps the program's own exit status (TSan's 66 after a report would hide it); the
     * races are findings, so lockwatch still exits 66. */
    const char *user = user_options ? user_options : "";
    if (asprintf(&t->options, "detect_deadlocks=0:exitcode=0%s%s:log_path=%s/tsan",
                 *user ? ":" : "", user, t->dir) < 0) {
        t->options = NULL;
        fprintf(stderr, "lockwatch: out of memory\n");
        lwd_tsan_cleanup(t);
        return -1;
    }
    return 0;
}

/* A fresh listing of the log directory (its own descriptor: closedir closes that one only). */
static DIR *list_dir(const struct lwd_tsan *t)
{
    int fd = openat(t->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (fd >= 0 && dir == NULL) close(fd);
    return dir;
}

/* The log `name` of the directory, read whole (up to LWD_INPUT_LIMIT bytes) into a fresh
 * buffer; NULL after one line on stderr. A link, FIFO, device or unreadable entry is skipped:
 * O_NOFOLLOW and O_NONBLOCK keep the open itself from following or waiting. */
static char *read_log(const struct lwd_tsan *t, const char *name, size_t *len)
{
    int fd = openat(t->dirfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "lockwatch: cannot read ThreadSanitizer log %s/%s: %s\n", t->dir, name,
                errno == ELOOP ? "it is a symbolic link" : strerror(errno));
        return NULL;
    }
    char *text = NULL;
    int cut = 0;
    const char *why = NULL;
    enum lwd_read_status st = lwd_read_fd(fd, LWD_INPUT_LIMIT, 1, &text, len, &cut, &why);
    close(fd);
    switch (st) {
    case LWD_READ_OK:
        if (cut)
            fprintf(stderr,
                    "lockwatch: ThreadSanitizer log %s/%s is larger than %zu bytes; only its "
                    "start was read, races reported after it are missing\n",
                    t->dir, name, LWD_INPUT_LIMIT);
        return text;
    case LWD_READ_BAD:
        fprintf(stderr, "lockwatch: cannot read ThreadSanitizer log %s/%s: %s\n", t->dir, name,
                why);
        return NULL;
    case LWD_READ_TOO_LARGE: /* not with truncation */
    case LWD_READ_NOMEM:
        break;
    }
    fprintf(stderr, "lockwatch: out of memory reading %s/%s; its races are missing\n", t->dir,
            name);
    return NULL;
}

int lwd_tsan_collect(struct lwd_tsan *t, struct lw_detector *d)
{
    if (!t->dir[0]) return 0;
    DIR *dir = list_dir(t);
    if (!dir) {
        fprintf(stderr, "lockwatch: cannot read the ThreadSanitizer logs in %s: %s\n", t->dir,
                strerror(errno));
        lwd_tsan_cleanup(t);
        return -1;
    }
    int added = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strncmp(e->d_name, "tsan.", 5) != 0) continue;
        size_t len = 0;
        char *text = read_log(t, e->d_name, &len);
        if (!text) continue;
        struct lw_tsan_log log = {0};
        if (lw_tsan_parse(text, len, &log) != 0)
            fprintf(stderr, "lockwatch: out of memory reading %s/%s; some races are missing\n",
                    t->dir, e->d_name);
        for (size_t i = 0; i < log.nreports; i++) {
            if (!lw_tsan_is_race(&log.reports[i])) continue;
            if (lw_detector_add_tsan(d, &log.reports[i]) == LW_OK) added++;
        }
        lw_tsan_log_free(&log);
        free(text);
    }
    closedir(dir);
    lwd_tsan_cleanup(t);
    return added;
}

/* Subdirectories (TSan makes none; the program could) are emptied this deep at most. */
#define LWD_TSAN_DIR_DEPTH 8

/* Empties the directory open on fd (shown as `shown` in messages): unlinkat removes an entry
 * that is a link, never what it points to, and a subdirectory is opened with O_NOFOLLOW, so
 * nothing outside the directory is ever named. Closes fd. */
static void empty_dir(int fd, const char *shown, int depth)
{
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (unlinkat(fd, e->d_name, 0) == 0) continue;
        if (errno == EISDIR && depth < LWD_TSAN_DIR_DEPTH) {
            int sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                char inner[PATH_MAX];
                snprintf(inner, sizeof inner, "%s/%s", shown, e->d_name);
                empty_dir(sub, inner, depth + 1);
            }
            if (unlinkat(fd, e->d_name, AT_REMOVEDIR) == 0) continue;
        }
        fprintf(stderr, "lockwatch: cannot remove %s/%s: %s\n", shown, e->d_name,
                errno == EISDIR ? "directories nested too deep" : strerror(errno));
    }
    closedir(dir);
}

void lwd_tsan_cleanup(struct lwd_tsan *t)
{
    if (t->dir[0] && t->dirfd >= 0) {
        int fd = openat(t->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) empty_dir(fd, t->dir, 0);
        /* The path is removed only while it still names the directory lockwatch made. */
        struct stat made, now;
        if (fstat(t->dirfd, &made) == 0 &&
            fstatat(AT_FDCWD, t->dir, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
            made.st_dev == now.st_dev && made.st_ino == now.st_ino && rmdir(t->dir) != 0)
            fprintf(stderr, "lockwatch: cannot remove %s: %s\n", t->dir, strerror(errno));
        close(t->dirfd);
    }
    t->dirfd = -1;
    t->dir[0] = '\0';
    free(t->options);
    t->options = NULL;
}
