/* config.c — parses LOCKWATCH_RUNTIME (see config.h) without allocating. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "lockwatch/wire.h"

#define LWI_DEFAULT_WAIT_MS LW_WIRE_DEFAULT_WAIT_MS

struct lwi_config lwi_config = {
    .wait_ns = LWI_DEFAULT_WAIT_MS * 1000000ull, .ring = true, .python = true};

/* Parses a decimal number ending at `end`; false on anything else. */
static bool lwi_parse_u64(const char *s, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    if (s == end) return false;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9' || v > UINT64_MAX / 10 - 9) return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

void lwi_config_load(const char *text)
{
    if (!text) return;
    while (*text) {
        const char *end = strchr(text, ':');
        if (!end) end = text + strlen(text);
        const char *eq = memchr(text, '=', (size_t)(end - text));
        uint64_t v;
        if (eq && (size_t)(eq - text) == strlen("wait_ms") && !strncmp(text, "wait_ms", 7) &&
            lwi_parse_u64(eq + 1, end, &v) && v < UINT64_MAX / 1000000ull)
            lwi_config.wait_ns = v * 1000000ull;
        else if (eq && (size_t)(eq - text) == strlen("profile") && !strncmp(text, "profile", 7) &&
                 lwi_parse_u64(eq + 1, end, &v))
            lwi_config.profile = v != 0;
        else if (eq && (size_t)(eq - text) == strlen("ring") && !strncmp(text, "ring", 4) &&
                 lwi_parse_u64(eq + 1, end, &v))
            lwi_config.ring = v != 0;
        else if (eq && (size_t)(eq - text) == strlen("python") && !strncmp(text, "python", 6) &&
                 lwi_parse_u64(eq + 1, end, &v))
            lwi_config.python = v != 0;
        text = *end ? end + 1 : end;
    }
}
