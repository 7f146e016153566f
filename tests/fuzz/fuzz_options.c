/* fuzz_options.c — option parsing (detector/cli/options.c): the input is LOCKWATCH_OPTIONS and
 * the command line, words separated by NUL bytes; the words up to the first empty one (two NULs
 * in a row) are the environment variable's, joined by spaces, the rest the command line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (copy == NULL) return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *env = NULL, *rest = copy;
    char *empty = NULL;
    for (size_t i = 0; i + 1 < size; i++)
        if (copy[i] == '\0' && copy[i + 1] == '\0') {
            empty = copy + i;
            break;
        }
    if (empty != NULL) {
        for (char *p = copy; p < empty; p++)
            if (*p == '\0') *p = ' ';
        env = copy;
        rest = empty + 2;
    }
    char *argv[MAX_WORDS + 2] = {"lockwatch"};
    int argc = 1;
    const char *end = copy + size;
    for (char *w = rest; w < end && argc <= MAX_WORDS; w += strlen(w) + 1)
        argv[argc++] = w;
    argv[argc] = NULL;
    struct lwd_options opts;
    (void)lwd_options_parse(&opts, env, argc, argv);
    free(copy);
    return 0;
}
