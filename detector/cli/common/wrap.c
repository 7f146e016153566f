/* wrap.c — word wrapping to a terminal's width (see wrap.h). */
#include "common/wrap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/safe_text.h"

#define WRAP_MIN_WIDTH 20
#define WRAP_DEFAULT_WIDTH 80

int lwd_terminal_width(int fd)
{
    const char *columns = getenv("COLUMNS");
    if (columns != NULL && columns[0] != '\0') {
        char *end = NULL;
        long n = strtol(columns, &end, 10);
        if (*end == '\0' && n > 0 && n < 10000) return n < WRAP_MIN_WIDTH ? WRAP_MIN_WIDTH : (int)n;
    }
    struct winsize ws;
    if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col < WRAP_MIN_WIDTH ? WRAP_MIN_WIDTH : ws.ws_col;
    return WRAP_DEFAULT_WIDTH;
}

int lwd_report_width(int fd)
{
    struct stat st;
    if (fd < 0 || (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))) return LWD_REPORT_WIDTH;
    const char *columns = getenv("COLUMNS");
    bool told = (columns != NULL && columns[0] != '\0') || isatty(fd);
    int width = told ? lwd_terminal_width(fd) : LWD_REPORT_WIDTH;
    return width < LWD_REPORT_WIDTH ? width : LWD_REPORT_WIDTH;
}

int lwd_text_width(const char *s, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) n++;
    return n;
}

void lwd_wrap_advance(struct lwd_wrap *w, const char *text)
{
    const char *nl = strrchr(text, '\n');
    if (nl != NULL) {
        w->col = lwd_text_width(nl + 1, strlen(nl + 1));
        return;
    }
    w->col += lwd_text_width(text, strlen(text));
}

void lwd_wrap_text(struct lwd_wrap *w, const char *text)
{
    const char *p = text;
    for (;;) {
        p += strspn(p, " \t\n");
        if (*p == '\0') return;
        size_t len = strcspn(p, " \t\n");
        int width = lwd_text_width(p, len);
        /* A space before the word unless it starts the line; a new line when it would not fit
         * (a word wider than the line stays whole on a line of its own). */
        if (w->col > w->indent && w->col + 1 + width > w->width) {
            fprintf(w->out, "\n%*s", w->indent, "");
            w->col = w->indent;
        } else if (w->col > w->indent) {
            fputc(' ', w->out);
            w->col++;
        }
        fwrite(p, 1, len, w->out);
        w->col += width;
        p += len;
    }
}

void lwd_wrap_end(struct lwd_wrap *w)
{
    if (w->col > 0) fputc('\n', w->out);
    w->col = 0;
}

/* Length of a colour sequence (ESC [ digits/semicolons m) at p, or 0. */
static size_t sgr_len(const char *p)
{
    if (p[0] != '\033' || p[1] != '[') return 0;
    size_t i = 2;
    while ((p[i] >= '0' && p[i] <= '9') || p[i] == ';')
        i++;
    return p[i] == 'm' ? i + 1 : 0;
}

/* Display width of len bytes at p, colour sequences not counted. */
static int visible_width(const char *p, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < len;) {
        size_t k = sgr_len(p + i);
        if (k > 0 && i + k <= len) {
            i += k;
            continue;
        }
        if (((unsigned char)p[i] & 0xC0) != 0x80) n++;
        i++;
    }
    return n;
}

/* Writes len bytes at p, colour sequences raw. */
static void put_visible(FILE *out, const char *p, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len;) {
        size_t k = sgr_len(p + i);
        if (k == 0 || i + k > len) {
            i++;
            continue;
        }
        fwrite(p + start, 1, i - start, out);
        char seq[32];
        if (k < sizeof seq) {
            memcpy(seq, p + i, k);
            seq[k] = '\0';
            lwd_safe_raw(out, seq);
        }
        i += k;
        start = i;
    }
    fwrite(p + start, 1, len - start, out);
}

void lwd_wrap_line(struct lwd_wrap *w, const char *line)
{
    size_t total = strlen(line);
    if (visible_width(line, total) <= w->width) {
        put_visible(w->out, line, total);
        fputc('\n', w->out);
        return;
    }
    size_t indent = strspn(line, " ");
    if ((int)indent > w->width / 2) indent = 0;
    fwrite(line, 1, indent, w->out);
    int col = (int)indent;
    bool first = true;
    for (const char *p = line + indent; *p;) {
        size_t spaces = strspn(p, " ");
        p += spaces;
        if (*p == '\0') break;
        size_t len = strcspn(p, " ");
        int width = visible_width(p, len);
        if (!first && col + (int)spaces + width > w->width) {
            fputc('\n', w->out);
            fwrite(line, 1, indent, w->out);
            col = (int)indent;
        } else if (!first) {
            fwrite(p - spaces, 1, spaces, w->out); /* keeps the line's own spacing */
            col += (int)spaces;
        }
        put_visible(w->out, p, len);
        col += width;
        first = false;
        p += len;
    }
    fputc('\n', w->out);
}

bool lwd_terminal_colour(int fd)
{
    const char *term = getenv("TERM");
    return isatty(fd) && !getenv("NO_COLOR") && !(term && strcmp(term, "dumb") == 0);
}
