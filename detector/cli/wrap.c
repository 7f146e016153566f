/* wrap.c — word wrapping to a terminal's width (see wrap.h). */
#include "wrap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

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
        if (w->col > 0 && w->col + 1 + width > w->width) {
            fputc('\n', w->out);
            w->col = 0;
        } else if (w->col > 0) {
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
