/* wrap.h — word wrapping for the text lockwatch writes for people to read (the demo's narrative).
 *
 * Text is written word by word to a stream; a word that would pass the width starts a new line,
 * and words are never broken (a word longer than the line gets a line of its own). Widths count
 * characters, not bytes (UTF-8). lwd_terminal_width() says how wide the terminal is,
 * lwd_terminal_colour() whether it takes colour. */
#ifndef LWD_WRAP_H
#define LWD_WRAP_H

#include <stdbool.h>
#include <stdio.h>

struct lwd_wrap {
    FILE *out;
    int width;  /* columns per line */
    int col;    /* column the next character goes to */
    int indent; /* lwd_wrap_text: where continuation lines start */
};

/* The width to wrap to: COLUMNS when it holds a number, else the terminal's width on fd
 * (TIOCGWINSZ), else 80; never less than 20. */
int lwd_terminal_width(int fd);

/* The text report's prose width: LWD_REPORT_WIDTH, narrowed to the terminal's width when the
 * report goes to a terminal on fd, or through a pipe with COLUMNS set (a file keeps the default:
 * it is read later, anywhere). */
#define LWD_REPORT_WIDTH 90
int lwd_report_width(int fd);

/* Whether text for fd may be coloured: fd is a terminal, NO_COLOR (no-color.org) is unset and
 * TERM is not "dumb". */
bool lwd_terminal_colour(int fd);

/* Writes the words of text (split on spaces, tabs and newlines), wrapping as above. */
void lwd_wrap_text(struct lwd_wrap *w, const char *text);

/* Notes that text was written at the current column by other means (a styled label). */
void lwd_wrap_advance(struct lwd_wrap *w, const char *text);

/* Writes one line of finished text (no newline in it; one is added) so that it fits: a line wider
 * than the width is broken between words, its continuation lines indented like the line itself.
 * Colour sequences (ESC [ digits and semicolons m) take no width and are written raw
 * (lwd_safe_raw): call it only on text whose colours are lockwatch's own. */
void lwd_wrap_line(struct lwd_wrap *w, const char *line);

/* Ends the current line, if anything is on it. */
void lwd_wrap_end(struct lwd_wrap *w);

/* Display width of s in characters (UTF-8 continuation bytes do not count). */
int lwd_text_width(const char *s, size_t len);

#endif
