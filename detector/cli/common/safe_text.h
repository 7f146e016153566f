/* safe_text.h — nothing the program controls reaches a terminal raw. Every text lockwatch writes
 * for people (the text report, the profile, messages on stderr, the demo on stdout) passes
 * through one filter stream that shows each byte a terminal could act on as `\xNN`:
 *   - passed as they are: printable ASCII, newline, tab, and well-formed UTF-8 characters;
 *   - escaped: the other C0 controls (ESC, CR, BEL, backspace, ...), DEL, every byte of a C1
 *     control (U+0080-U+009F) or bidirectional control (U+200E, U+200F, U+202A-U+202E,
 *     U+2066-U+2069) written as UTF-8, and each byte that is not part of well-formed UTF-8.
 * The only raw control sequences are the ones lockwatch itself writes with lwd_safe_raw (the
 * colours). JSON and SARIF documents escape in their own syntax (lwd_safe_json); DOT and trace
 * files are not filtered. */
#ifndef LWD_SAFE_TEXT_H
#define LWD_SAFE_TEXT_H

#include <stdbool.h>
#include <stdio.h>

/* A write-only stream that escapes what it is given (rules above) and writes it to raw. Closing
 * it flushes, and closes raw only when owns_raw. NULL when out of memory. */
FILE *lwd_safe_open(FILE *raw, bool owns_raw);

/* Writes bytes unescaped (a colour sequence of lockwatch's own) at the current place of f:
 * everything written to f before is flushed first. When f is not a filter stream, bytes are
 * simply written to f. */
void lwd_safe_raw(FILE *f, const char *bytes);

/* Writes JSON text (json-c's output: anything but ASCII is inside a string) to out with DEL, C1
 * and bidirectional controls as JSON escapes of their code points, and each byte of ill-formed
 * UTF-8 as the escape of U+FFFD (the replacement character), so the document is valid UTF-8 JSON
 * and safe on a terminal. Returns 0, or -1 on a write error. */
int lwd_safe_json(FILE *out, const char *text);

/* Replaces stdout and stderr by filter streams over the originals (stderr unbuffered, stdout
 * line-buffered; the originals become unbuffered so nothing waits behind the filter). Call first
 * thing in main, before any output. Returns the original stderr, for reports that escape in
 * their own syntax (JSON, SARIF); it is stderr itself when a filter could not be made. */
FILE *lwd_safe_stdio(void);

#endif
