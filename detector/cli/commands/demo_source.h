/* demo_source.h — the few source lines of a scenario the demo shows (the bug, the fix).
 *
 * A scenario source marks what to show with a line `/ * @show * /` (without the spaces) before
 * and a line `/ * @show-end * /` after (`# @show` and `# @show-end` in Python); a file may have
 * several such regions. The lines are
 * returned without the test markers (`@lock:NAME` and any other `@WORD:NAME`; a comment left
 * empty, C or Python, goes too), without trailing blanks, dedented by their common indentation,
 * with a line "..." between two regions. */
#ifndef LWD_DEMO_SOURCE_H
#define LWD_DEMO_SOURCE_H

#include <stddef.h>

struct lwd_source_lines {
    char **lines;
    size_t n;
    int width; /* of the widest line, in characters */
};

/* Reads the marked lines of path into *out (n 0 when the file marks none). Returns 0, or -1
 * when the file cannot be read or memory runs out (errno says which). */
int lwd_source_lines_read(const char *path, struct lwd_source_lines *out);

/* Strips the test markers from line, in place (see above). */
void lwd_source_strip_markers(char *line);

void lwd_source_lines_free(struct lwd_source_lines *s);

#endif
