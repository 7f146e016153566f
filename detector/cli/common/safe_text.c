/* safe_text.c — see safe_text.h. The filter is a glibc cookie stream (fopencookie); a UTF-8
 * character split between two writes is held back until its end arrives. */
#include "common/safe_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

struct filter {
    FILE *raw;
    bool owns_raw;
    size_t npending;
    unsigned char pending[4]; /* the start of a UTF-8 character not yet complete */
};

/* The streams made, so that lwd_safe_raw can find a stream's filter; a stream without a slot
 * here still escapes, only its raw writes lose their exact place. */
#define LWD_SAFE_SLOTS 8
struct slot {
    FILE *stream;
    struct filter *filter;
};
static struct slot slots[LWD_SAFE_SLOTS];

/* Length of the well-formed UTF-8 character at s (n bytes available): 1-4; 0 when the bytes
 * seen so far are a valid start but n ends first; -1 when s[0] starts no well-formed
 * character. *cp gets the code point. */
static int utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char b = s[0];
    int len;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
        len = 2;
        *cp = b & 0x1fu;
    } else if (b >= 0xe0 && b <= 0xef) {
        len = 3;
        *cp = b & 0x0fu;
        if (b == 0xe0) lo = 0xa0; /* no overlong form */
        if (b == 0xed) hi = 0x9f; /* no surrogate */
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4;
        *cp = b & 0x07u;
        if (b == 0xf0) lo = 0x90; /* no overlong form */
        if (b == 0xf4) hi = 0x8f; /* nothing above U+10FFFF */
    } else {
        return -1;
    }
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n) return 0;
        unsigned char c = s[i];
        if (i == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xbf)) return -1;
        *cp = (*cp << 6) | (c & 0x3fu);
    }
    return len;
}

static bool shown_raw(uint32_t cp)
{
    if (cp < 0x80) return (cp >= 0x20 && cp < 0x7f) || cp == '\n' || cp == '\t';
    if (cp < 0xa0) return false; /* C1 */
    if (cp == 0x200e || cp == 0x200f) return false;
    if (cp >= 0x202a && cp <= 0x202e) return false;
    if (cp >= 0x2066 && cp <= 0x2069) return false;
    return true;
}

/* Writes s escaped to raw. Unless final, an incomplete character at the end is left unwritten.
 * Returns the number of bytes consumed. */
static size_t escape(FILE *raw, const unsigned char *s, size_t n, bool final)
{
    size_t i = 0, run = 0; /* s[run..i) is raw text not yet written */
    while (i < n) {
        uint32_t cp = 0;
        int len = utf8_char(s + i, n - i, &cp);
        if (len == 0 && !final) break;
        if (len > 0 && shown_raw(cp)) {
            i += (size_t)len;
            continue;
        }
        fwrite(s + run, 1, i - run, raw);
        int bad = len > 0 ? len : 1; /* a control character whole, else one stray byte */
        for (int k = 0; k < bad; k++)
            fprintf(raw, "\\x%02x", s[i + (size_t)k]);
        i += (size_t)bad;
        run = i;
    }
    fwrite(s + run, 1, i - run, raw);
    return i;
}

static ssize_t filter_write(void *cookie, const char *buf, size_t size)
{
    struct filter *f = cookie;
    unsigned char chunk[sizeof f->pending + 4096];
    for (size_t done = 0; done < size;) {
        size_t take = size - done < 4096 ? size - done : 4096;
        memcpy(chunk, f->pending, f->npending);
        memcpy(chunk + f->npending, buf + done, take);
        size_t total = f->npending + take;
        size_t used = escape(f->raw, chunk, total, false);
        f->npending = total - used;
        memcpy(f->pending, chunk + used, f->npending);
        done += take;
    }
    return ferror(f->raw) ? -1 : (ssize_t)size;
}

/* What is held back is written escaped: nothing will complete it before a raw write or the end. */
static void flush_pending(struct filter *f)
{
    escape(f->raw, f->pending, f->npending, true);
    f->npending = 0;
}

static int filter_close(void *cookie)
{
    struct filter *f = cookie;
    flush_pending(f);
    for (size_t i = 0; i < LWD_SAFE_SLOTS; i++)
        if (slots[i].filter == f) slots[i] = (struct slot){NULL, NULL};
    int rc = fflush(f->raw) == 0 && !ferror(f->raw) ? 0 : -1;
    if (f->owns_raw && fclose(f->raw) != 0) rc = -1;
    free(f);
    return rc;
}

FILE *lwd_safe_open(FILE *raw, bool owns_raw)
{
    struct filter *f = calloc(1, sizeof *f);
    if (f == NULL) return NULL;
    *f = (struct filter){.raw = raw, .owns_raw = owns_raw};
    FILE *stream =
        fopencookie(f, "w", (cookie_io_functions_t){.write = filter_write, .close = filter_close});
    if (stream == NULL) {
        free(f);
        return NULL;
    }
    for (size_t i = 0; i < LWD_SAFE_SLOTS; i++)
        if (slots[i].stream == NULL) {
            slots[i].stream = stream;
            slots[i].filter = f;
            break;
        }
    return stream;
}

void lwd_safe_raw(FILE *f, const char *bytes)
{
    for (size_t i = 0; i < LWD_SAFE_SLOTS; i++)
        if (slots[i].stream == f) {
            flockfile(f);
            fflush_unlocked(f);
            flush_pending(slots[i].filter);
            fputs(bytes, slots[i].filter->raw);
            funlockfile(f);
            return;
        }
    fputs(bytes, f);
}

/* At exit stdio flushes streams but never closes stdout and stderr: what they hold back (the
 * start of a character that never ended) is written here. */
static void flush_stdio(void)
{
    for (size_t i = 0; i < LWD_SAFE_SLOTS; i++)
        if (slots[i].stream != NULL && (slots[i].stream == stdout || slots[i].stream == stderr)) {
            fflush(slots[i].stream);
            flush_pending(slots[i].filter);
            fflush(slots[i].filter->raw);
        }
}

FILE *lwd_safe_stdio(void)
{
    FILE *raw_err = stderr, *raw_out = stdout;
    FILE *err = lwd_safe_open(raw_err, false), *out = lwd_safe_open(raw_out, false);
    if (err != NULL) {
        setvbuf(err, NULL, _IONBF, 0);
        stderr = err;
    }
    if (out != NULL) {
        setvbuf(raw_out, NULL, _IONBF, 0);
        setvbuf(out, NULL, _IOLBF, 0);
        stdout = out;
    }
    atexit(flush_stdio);
    return raw_err;
}

int lwd_safe_json(FILE *out, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), run = 0, i = 0;
    while (i < n) {
        uint32_t cp = 0;
        int len = utf8_char(s + i, n - i, &cp);
        if (len > 0 && (cp < 0x7f || shown_raw(cp))) {
            i += (size_t)len;
            continue;
        }
        fwrite(s + run, 1, i - run, out);
        if (len > 0)
            fprintf(out, "\\u%04x", (unsigned)cp); /* DEL, C1, bidi: below U+10000 */
        else
            fputs("\\ufffd", out); /* the replacement character: the byte cannot be kept */
        i += len > 0 ? (size_t)len : 1;
        run = i;
    }
    fwrite(s + run, 1, i - run, out);
    return ferror(out) ? -1 : 0;
}
