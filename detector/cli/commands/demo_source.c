/* demo_source.c — reads the marked source lines a demo shows (see demo_source.h). */
#include "commands/demo_source.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/wrap.h"

#define SHOW_BEGIN "/* @show */"
#define SHOW_END "/* @show-end */"
/* The same in Python sources. */
#define SHOW_BEGIN_PY "# @show"
#define SHOW_END_PY "# @show-end"

static bool is_marker_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* Length of a test marker `@word:name` at p, or 0. */
static size_t marker_len(const char *p)
{
    if (*p != '@') return 0;
    size_t i = 1;
    while (p[i] >= 'a' && p[i] <= 'z')
        i++;
    if (i == 1 || p[i] != ':' || !is_marker_char(p[i + 1])) return 0;
    i++;
    while (is_marker_char(p[i]))
        i++;
    return i;
}

static void trim_right(char *line)
{
    size_t len = strlen(line);
    while (len > 0 && isspace((unsigned char)line[len - 1]))
        line[--len] = '\0';
}

void lwd_source_strip_markers(char *line)
{
    /* The markers and the blanks before each. */
    char *w = line;
    for (const char *r = line; *r;) {
        size_t n = marker_len(r);
        if (n == 0) {
            *w++ = *r++;
            continue;
        }
        while (w > line && (w[-1] == ' ' || w[-1] == '\t'))
            w--;
        r += n;
    }
    *w = '\0';
    /* A comment left empty ("/ *  * /" or "//"), with the blanks before it. */
    char *open;
    for (char *from = line; (open = strstr(from, "/*")) != NULL;) {
        char *close = strstr(open + 2, "*/");
        if (close == NULL) break;
        char *p = open + 2;
        while (p < close && isspace((unsigned char)*p))
            p++;
        if (p != close) {
            from = close + 2;
            continue;
        }
        char *start = open;
        while (start > line && isspace((unsigned char)start[-1]))
            start--;
        memmove(start, close + 2, strlen(close + 2) + 1);
        from = start;
    }
    char *slashes = strstr(line, "//");
    if (slashes != NULL && slashes[strspn(slashes + 2, " \t") + 2] == '\0') *slashes = '\0';
    /* A Python comment left empty ("#"). */
    trim_right(line);
    size_t len = strlen(line);
    if (len > 0 && line[len - 1] == '#' && (len == 1 || isspace((unsigned char)line[len - 2])))
        line[len - 1] = '\0';
    trim_right(line);
}

static int add_line(struct lwd_source_lines *s, const char *text)
{
    char **grown = realloc(s->lines, (s->n + 1) * sizeof *grown);
    if (grown == NULL) return -1;
    s->lines = grown;
    if ((s->lines[s->n] = strdup(text)) == NULL) return -1;
    s->n++;
    return 0;
}

static const char *skip_blanks(const char *p)
{
    return p + strspn(p, " \t");
}

/* Removes the indentation every non-empty line shares, then measures the widest. */
static void dedent(struct lwd_source_lines *s)
{
    size_t common = (size_t)-1;
    for (size_t i = 0; i < s->n; i++) {
        if (s->lines[i][0] == '\0' || strcmp(s->lines[i], "...") == 0) continue;
        size_t lead = strspn(s->lines[i], " ");
        if (lead < common) common = lead;
    }
    s->width = 0;
    for (size_t i = 0; i < s->n; i++) {
        char *line = s->lines[i];
        if (common != (size_t)-1 && strlen(line) >= common && strcmp(line, "...") != 0)
            memmove(line, line + common, strlen(line + common) + 1);
        int width = lwd_text_width(line, strlen(line));
        if (width > s->width) s->width = width;
    }
}

int lwd_source_lines_read(const char *path, struct lwd_source_lines *out)
{
    *out = (struct lwd_source_lines){NULL, 0, 0};
    FILE *f = fopen(path, "re");
    if (f == NULL) return -1;
    char *line = NULL;
    size_t cap = 0;
    bool inside = false, seen_region = false;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, f) >= 0) {
        trim_right(line);
        const char *content = skip_blanks(line);
        if (strcmp(content, SHOW_BEGIN) == 0 || strcmp(content, SHOW_BEGIN_PY) == 0) {
            if (seen_region) rc = add_line(out, "...");
            inside = seen_region = true;
        } else if (strcmp(content, SHOW_END) == 0 || strcmp(content, SHOW_END_PY) == 0) {
            inside = false;
        } else if (inside) {
            lwd_source_strip_markers(line);
            rc = add_line(out, line);
        }
    }
    int saved = errno;
    bool failed = rc != 0 || ferror(f);
    free(line);
    fclose(f);
    if (failed) {
        lwd_source_lines_free(out);
        errno = rc != 0 ? ENOMEM : saved;
        return -1;
    }
    dedent(out);
    return 0;
}

void lwd_source_lines_free(struct lwd_source_lines *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->lines[i]);
    free(s->lines);
    *s = (struct lwd_source_lines){NULL, 0, 0};
}
