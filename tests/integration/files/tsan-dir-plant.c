/* tsan-dir-plant: plants what an attacker (or an unlucky program) could put in the private
 * directory lockwatch gives ThreadSanitizer for its logs, found through log_path in TSAN_OPTIONS.
 *   tsan-dir-plant fill OUTSIDE_FILE LOG  — a FIFO, a link to OUTSIDE_FILE, a directory with a
 *       file in it, an unreadable file, a sparse 1 GiB file, all named tsan.*, and a copy of the
 *       TSan log LOG with CRLF line ends that ends in a CR;
 *   tsan-dir-plant swap OUTSIDE_DIR       — moves the directory away and puts a link to
 *       OUTSIDE_DIR in its place.
 * Exits 0 when everything was planted, 1 (with a message) when not. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what)
{
    perror(what);
    return 1;
}

/* Copies log into dir/tsan.4242 with CRLF line ends and no final LF. */
static int copy_crlf(const char *dir, const char *log)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tsan.4242", dir);
    FILE *in = fopen(log, "r"), *out = fopen(path, "w");
    if (in == NULL || out == NULL) return fail("copy log");
    int c, lf = 0; /* an LF is written only once something follows it */
    while ((c = fgetc(in)) != EOF) {
        if (lf) fputc('\n', out);
        lf = c == '\n';
        fputc(lf ? '\r' : c, out);
    }
    fclose(in);
    return fclose(out) == 0 ? 0 : fail("write log");
}

int main(int argc, char **argv)
{
    const char *opts = getenv("TSAN_OPTIONS");
    const char *lp = opts != NULL ? strstr(opts, "log_path=") : NULL;
    if (lp == NULL || argc < 3) {
        fputs("tsan-dir-plant: no log_path in TSAN_OPTIONS, or missing arguments\n", stderr);
        return 1;
    }
    char dir[4096], path[4096 + 64];
    snprintf(dir, sizeof dir, "%s", lp + strlen("log_path="));
    char *cut = strrchr(dir, '/'); /* log_path is DIR/tsan */
    if (cut == NULL) return 1;
    *cut = '\0';
    if (strcmp(argv[1], "swap") == 0) {
        snprintf(path, sizeof path, "%s.moved", dir);
        if (rename(dir, path) != 0) return fail("rename");
        return symlink(argv[2], dir) == 0 ? 0 : fail("symlink");
    }
    if (argc < 4) return 1;
    snprintf(path, sizeof path, "%s/tsan.fifo", dir);
    if (mkfifo(path, 0600) != 0) return fail("mkfifo");
    snprintf(path, sizeof path, "%s/tsan.link", dir);
    if (symlink(argv[2], path) != 0) return fail("symlink");
    snprintf(path, sizeof path, "%s/tsan.sub", dir);
    if (mkdir(path, 0700) != 0) return fail("mkdir");
    snprintf(path, sizeof path, "%s/tsan.sub/tsan.inner", dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    if (fd < 0) return fail("inner");
    close(fd);
    snprintf(path, sizeof path, "%s/tsan.unreadable", dir);
    if ((fd = open(path, O_WRONLY | O_CREAT, 0)) < 0) return fail("unreadable");
    close(fd);
    snprintf(path, sizeof path, "%s/tsan.huge", dir);
    if ((fd = open(path, O_WRONLY | O_CREAT, 0600)) < 0 || ftruncate(fd, (off_t)1 << 30) != 0)
        return fail("huge");
    close(fd);
    return copy_crlf(dir, argv[3]);
}
