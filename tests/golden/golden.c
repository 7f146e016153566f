/* golden.c — the command line and file comparison of the golden tests (see golden.h). */
#include "golden.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *expected_root, *actual_root;
static bool update;

int golden_init(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s GOLDEN_DIR ACTUAL_DIR\n", argv[0]);
        return 2;
    }
    expected_root = argv[1];
    actual_root = argv[2];
    update = getenv("LOCKWATCH_GOLDEN_UPDATE") != NULL;
    if (mkdir(actual_root, 0777) != 0 && errno != EEXIST) {
        perror(actual_root);
        return 1;
    }
    return 0;
}

const char *golden_dir(void)
{
    return expected_root;
}

/* The whole file as a heap string (the caller frees it), or NULL. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return NULL;
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    int c;
    while (mem != NULL && (c = fgetc(f)) != EOF)
        fputc(c, mem);
    fclose(f);
    if (mem == NULL || fclose(mem) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) return false;
    bool ok = fputs(text, f) != EOF;
    return fclose(f) == 0 && ok;
}

bool golden_compare(const char *name, const char *actual)
{
    char expected_path[PATH_MAX], actual_path[PATH_MAX];
    snprintf(expected_path, sizeof expected_path, "%s/expected/%s", expected_root, name);
    snprintf(actual_path, sizeof actual_path, "%s/%s", actual_root, name);
    if (update) {
        if (!write_file(expected_path, actual)) {
            perror(expected_path);
            return false;
        }
        printf("updated %s\n", expected_path);
        return true;
    }
    char *expected = read_file(expected_path);
    bool same = expected != NULL && strcmp(expected, actual) == 0;
    free(expected);
    if (same) {
        printf("ok %s\n", name);
        return true;
    }
    if (!write_file(actual_path, actual)) {
        perror(actual_path);
        return false;
    }
    printf("FAIL %s (expected %s, got %s)\n", name, expected_path, actual_path);
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "diff -u '%s' '%s'", expected_path, actual_path);
    fflush(stdout);
    if (system(cmd) == -1) perror("diff");
    return false;
}
