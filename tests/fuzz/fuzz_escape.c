/* fuzz_escape.c — the terminal filter (detector/cli/common/safe_text.c): any bytes, written in two
 * pieces split where the first byte says, must come out with no byte a terminal acts on: only
 * printable ASCII, newline, tab and well-formed UTF-8 without C1 or bidirectional controls; and
 * the JSON pass must leave valid UTF-8 without DEL, C1 or bidirectional controls. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/safe_text.h"

/* True when out holds nothing but what the filter may pass (and C0 controls when c0). */
static int clean(const unsigned char *s, size_t n, int c0)
{
    for (size_t i = 0; i < n;) {
        unsigned char b = s[i];
        if (b < 0x80) {
            if ((b < 0x20 && b != '\n' && b != '\t' && !c0) || b == 0x7f) return 0;
            i++;
            continue;
        }
        size_t len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        if (b < 0xc2 || b > 0xf4 || i + len > n) return 0;
        uint32_t cp = b & (len == 2 ? 0x1fu : len == 3 ? 0x0fu : 0x07u);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if (cp < 0xa0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return 0;
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return 0;
        if (cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
            (cp >= 0x2066 && cp <= 0x2069))
            return 0;
        i += len;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char *out = NULL;
    size_t outlen = 0;
    FILE *raw = open_memstream(&out, &outlen);
    if (raw == NULL) return 0;
    FILE *safe = lwd_safe_open(raw, true);
    if (safe == NULL) {
        fclose(raw);
        free(out);
        return 0;
    }
    size_t split = (size_t)data[0] % size;
    data++;
    size--;
    if (split > size) split = size;
    fwrite(data, 1, split, safe);
    fflush(safe);
    fwrite(data + split, 1, size - split, safe);
    fclose(safe);
    if (!clean((const unsigned char *)out, outlen, 0)) __builtin_trap();
    if (outlen < size) __builtin_trap(); /* nothing is dropped: escaping only lengthens */
    free(out);

    /* The JSON pass (lwd_safe_json) on the same bytes up to the first NUL: valid UTF-8 without
     * DEL, C1 or bidirectional controls (C0 controls are json-c's to escape). */
    char *text = strndup((const char *)data, size);
    if (text == NULL || (raw = open_memstream(&out, &outlen)) == NULL) {
        free(text);
        return 0;
    }
    lwd_safe_json(raw, text);
    fclose(raw);
    if (!clean((const unsigned char *)out, outlen, 1)) __builtin_trap();
    free(out);
    free(text);
    return 0;
}
