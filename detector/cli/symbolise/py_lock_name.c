/* py_lock_name.c — see py_lock_name.h. */
#include "symbolise/py_lock_name.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/input_file.h"

/* Source files larger than this are not read for names. */
#define LWD_PY_SOURCE_LIMIT ((size_t)4 << 20)

static bool name_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

/* Whether [s, s + n) is a dotted name with simple subscripts: lock1, self.lock, locks[0].m. */
static bool plain_expr(const char *s, size_t n)
{
    if (n == 0 || !name_start(s[0])) return false;
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '[') {
            depth++;
        } else if (c == ']') {
            if (--depth < 0) return false;
        } else if (c == '.') {
            if (depth == 0 && (i + 1 == n || !name_start(s[i + 1]))) return false;
        } else if (!(isalnum((unsigned char)c) || c == '_' || (depth > 0 && c == '"') ||
                     (depth > 0 && c == '\''))) {
            return false;
        }
    }
    return depth == 0;
}

static bool put(const char *s, size_t n, char *out, size_t size)
{
    if (!plain_expr(s, n) || n >= size) return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* The statement of one line: leading blanks and a trailing comment dropped. */
static void statement(const char *line, size_t len, const char **s, size_t *n)
{
    while (len > 0 && (*line == ' ' || *line == '\t'))
        line++, len--;
    const char *hash = memchr(line, '#', len);
    if (hash != NULL) len = (size_t)(hash - line);
    while (len > 0 && isspace((unsigned char)line[len - 1]))
        len--;
    *s = line;
    *n = len;
}

bool lwd_py_lock_expr_in(const char *text, int line, char *out, size_t size)
{
    if (text == NULL || line < 1) return false;
    const char *p = text;
    for (int i = 1; i < line; i++) {
        p = strchr(p, '\n');
        if (p == NULL) return false;
        p++;
    }
    const char *s;
    size_t n;
    statement(p, strcspn(p, "\n"), &s, &n);
    static const char with[] = "with ", async_with[] = "async with ", acquire[] = ".acquire(";
    if (n > sizeof async_with && strncmp(s, async_with, sizeof async_with - 1) == 0)
        s += sizeof async_with - 1 - (sizeof with - 1), n -= sizeof async_with - sizeof with;
    if (n > sizeof with && strncmp(s, with, sizeof with - 1) == 0 && s[n - 1] == ':') {
        const char *e = s + sizeof with - 1;
        size_t m = n - (sizeof with - 1) - 1;
        const char *as = NULL;
        for (size_t i = 0; i + 4 <= m; i++)
            if (memcmp(e + i, " as ", 4) == 0) as = e + i;
        if (as != NULL) m = (size_t)(as - e);
        while (m > 0 && e[m - 1] == ' ')
            m--;
        return put(e, m, out, size);
    }
    /* `x.acquire(...)` as the statement, or as its value (`ok = x.acquire(timeout=1)`). */
    const char *call = NULL;
    for (const char *q = s; q + sizeof acquire - 1 <= s + n; q++)
        if (memcmp(q, acquire, sizeof acquire - 1) == 0) {
            if (call != NULL) return false; /* two acquisitions on one line */
            call = q;
        }
    if (call == NULL) return false;
    const char *start = call;
    while (start > s && (isalnum((unsigned char)start[-1]) || start[-1] == '_' ||
                         start[-1] == '.' || start[-1] == '[' || start[-1] == ']'))
        start--;
    return put(start, (size_t)(call - start), out, size);
}

bool lwd_py_lock_expr(const char *path, int line, char *out, size_t size)
{
    if (path == NULL) return false;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return false;
    char *text = NULL;
    size_t len = 0;
    int cut = 0;
    const char *why = NULL;
    enum lwd_read_status st = lwd_read_fd(fd, LWD_PY_SOURCE_LIMIT, 0, &text, &len, &cut, &why);
    close(fd);
    bool found = st == LWD_READ_OK && lwd_py_lock_expr_in(text, line, out, size);
    free(text);
    return found;
}
