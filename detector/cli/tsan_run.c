/* tsan_run.c — routes ThreadSanitizer's reports into lockwatch's (see tsan_run.h). */
#include "tsan_run.h"

#include "lockwatch/tsan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    int n = snprintf(t->dir, sizeof t->dir, "%s/lockwatch-tsan-XXXXXX", tmp);
    if (n < 0 || (size_t)n >= sizeof t->dir || !mkdtemp(t->dir)) {
        fprintf(stderr, "lockwatch: cannot create a directory for ThreadSanitizer logs in %s: %s\n",
                tmp, strerror(errno));
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

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, used = 0;
    for (;;) {
        if (cap - used < 4096) {
            char *grown = realloc(buf, cap ? cap * 2 : 65536);
            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
            cap = cap ? cap * 2 : 65536;
        }
        size_t got = fread(buf + used, 1, cap - used, f);
        used += got;
        if (got == 0) break;
    }
    fclose(f);
    *len = used;
    return buf;
}

int lwd_tsan_collect(struct lwd_tsan *t, struct lw_detector *d)
{
    if (!t->dir[0]) return 0;
    DIR *dir = opendir(t->dir);
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
        char path[512];
        snprintf(path, sizeof path, "%s/%s", t->dir, e->d_name);
        size_t len = 0;
        char *text = read_file(path, &len);
        if (!text) {
            fprintf(stderr, "lockwatch: cannot read ThreadSanitizer log %s: %s\n", path,
                    strerror(errno));
            continue;
        }
        struct lw_tsan_log log = {0};
        if (lw_tsan_parse(text, len, &log) != 0)
            fprintf(stderr, "lockwatch: out of memory reading %s; some races are missing\n", path);
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

void lwd_tsan_cleanup(struct lwd_tsan *t)
{
    if (t->dir[0]) {
        DIR *dir = opendir(t->dir);
        if (dir) {
            struct dirent *e;
            while ((e = readdir(dir)) != NULL) {
                if (e->d_name[0] == '.') continue;
                char path[512];
                snprintf(path, sizeof path, "%s/%s", t->dir, e->d_name);
                unlink(path);
            }
            closedir(dir);
        }
        rmdir(t->dir);
        t->dir[0] = '\0';
    }
    free(t->options);
    t->options = NULL;
}
