/* path_pattern.c — expands `%p` and `%%` in output file names (see path_pattern.h). */
#include "common/path_pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *lwd_path_expand(const char *pattern)
{
    char pid[24];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    size_t size = 1;
    for (const char *p = pattern; *p; p++)
        size += p[0] == '%' && p[1] == 'p' ? strlen(pid) : 1;
    char *out = malloc(size), *w = out;
    if (out == NULL) return NULL;
    for (const char *p = pattern; *p; p++) {
        if (p[0] == '%' && p[1] == 'p') {
            w = stpcpy(w, pid);
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            *w++ = '%';
            p++;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return out;
}
