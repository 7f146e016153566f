/* tsan_parse.c — reads ThreadSanitizer's text reports (see lockwatch/tsan.h).
 *
 * TSan's report text is meant for people, so the parser is line-oriented and forgiving: a line
 * is recognised by its leading words, frames go to whatever stack the last header line opened,
 * and anything unrecognised is skipped. */
#include "lockwatch/tsan.h"

#include <stdlib.h>
#include <string.h>

#define SEPARATOR "=================="
#define WARNING_PREFIX "WARNING: ThreadSanitizer: "
#define SUMMARY_PREFIX "SUMMARY: ThreadSanitizer: "

struct parser {
    struct lw_tsan_log *log;
    struct lw_tsan_report *report; /* open report, NULL between reports */
    struct lw_tsan_stack *stack;   /* where frame lines go, NULL when ignored */
    bool nomem;
};

static char *dup_range(struct parser *p, const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) {
        p->nomem = true;
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "main thread" is TSan's name for T0; "thread T5" is T5. Returns a new string or NULL. */
static char *thread_name(struct parser *p, const char *s)
{
    if (starts_with(s, "main thread")) return dup_range(p, "T0", 2);
    if (starts_with(s, "thread ")) s += strlen("thread ");
    size_t n = 0;
    if (s[0] != 'T') return NULL;
    while (s[n] && s[n] != ' ' && s[n] != ':' && s[n] != ',' && s[n] != ')')
        n++;
    return dup_range(p, s, n);
}

static void free_stack(struct lw_tsan_stack *st)
{
    for (size_t i = 0; i < st->nframes; i++) {
        free(st->frames[i].function);
        free(st->frames[i].file);
        free(st->frames[i].module);
    }
    free(st->frames);
    st->frames = NULL;
    st->nframes = 0;
}

/* "file:line:col" or "file:line"; the file itself may contain ':' so numbers are taken from the
 * right. "<null>" means unknown. */
static void parse_source(struct parser *p, const char *s, size_t n, struct lw_tsan_frame *f)
{
    if (n == 6 && memcmp(s, "<null>", 6) == 0) return;
    long nums[2] = {0, 0};
    int found = 0;
    size_t end = n;
    while (found < 2) {
        size_t colon = end;
        while (colon > 0 && s[colon - 1] >= '0' && s[colon - 1] <= '9')
            colon--;
        if (colon == end || colon == 0 || s[colon - 1] != ':') break;
        nums[found++] = strtol(s + colon, NULL, 10);
        end = colon - 1;
    }
    f->file = dup_range(p, s, end);
    if (found == 2) {
        f->line = (int)nums[1];
        f->column = (int)nums[0];
    } else if (found == 1) {
        f->line = (int)nums[0];
    }
}

/* "(module+0x1234)" → module and offset. */
static void parse_module(struct parser *p, const char *s, size_t n, struct lw_tsan_frame *f)
{
    if (n < 2 || s[0] != '(' || s[n - 1] != ')') return;
    const char *plus = NULL;
    for (size_t i = n - 1; i > 0; i--)
        if (s[i] == '+') {
            plus = s + i;
            break;
        }
    if (!plus) return;
    f->module = dup_range(p, s + 1, (size_t)(plus - s - 1));
    f->module_offset = strtoull(plus + 1, NULL, 16);
}

/* "#3 fn name with spaces file.c:4:68 (mod+0x12) (BuildId: ab12)". Splits from the right: the
 * build id, the module, the source location; what is left is the function. */
static void parse_frame(struct parser *p, const char *line)
{
    struct lw_tsan_stack *st = p->stack;
    const char *s = line;
    while (*s == ' ')
        s++;
    s++; /* '#' */
    while (*s >= '0' && *s <= '9')
        s++;
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    const char *bid = strstr(s, " (BuildId: ");
    if (bid) n = (size_t)(bid - s);

    struct lw_tsan_frame f = {0};
    size_t mod = n;
    if (n > 0 && s[n - 1] == ')') {
        while (mod > 0 && !(s[mod - 1] == ' ' && s[mod] == '('))
            mod--;
        if (mod > 0) {
            parse_module(p, s + mod, n - mod, &f);
            n = mod - 1;
        }
    }
    size_t src = n;
    while (src > 0 && s[src - 1] != ' ')
        src--;
    if (src > 0) {
        parse_source(p, s + src, n - src, &f);
        size_t fn = src - 1;
        if (!(fn == 6 && memcmp(s, "<null>", 6) == 0)) f.function = dup_range(p, s, fn);
    } else if (!(n == 6 && memcmp(s, "<null>", 6) == 0)) {
        f.function = dup_range(p, s, n);
    }

    struct lw_tsan_frame *grown = realloc(st->frames, (st->nframes + 1) * sizeof *grown);
    if (!grown) {
        p->nomem = true;
        free(f.function);
        free(f.file);
        free(f.module);
        return;
    }
    st->frames = grown;
    st->frames[st->nframes++] = f;
}

static void open_report(struct parser *p, const char *line)
{
    struct lw_tsan_log *log = p->log;
    struct lw_tsan_report *grown = realloc(log->reports, (log->nreports + 1) * sizeof *grown);
    if (!grown) {
        p->nomem = true;
        return;
    }
    log->reports = grown;
    struct lw_tsan_report *r = &log->reports[log->nreports++];
    memset(r, 0, sizeof *r);
    const char *kind = line + strlen(WARNING_PREFIX);
    const char *pid = strstr(kind, " (pid=");
    size_t n = pid ? (size_t)(pid - kind) : strlen(kind);
    r->kind = dup_range(p, kind, n);
    if (pid) r->pid = atoi(pid + strlen(" (pid="));
    p->report = r;
    p->stack = NULL;
}

/* "[Previous ][Atomic ]Write|Read of size N at 0xADDR by <thread>[ (mutexes: ...)]:" */
static bool parse_access(struct parser *p, const char *s)
{
    struct lw_tsan_report *r = p->report;
    bool previous = false, atomic = false, write;
    if (starts_with(s, "Previous ")) {
        previous = true;
        s += strlen("Previous ");
    }
    if (starts_with(s, "Atomic ") || starts_with(s, "atomic ")) {
        atomic = true;
        s += strlen("Atomic ");
    }
    if (starts_with(s, "Write of size ") || starts_with(s, "write of size "))
        write = true;
    else if (starts_with(s, "Read of size ") || starts_with(s, "read of size "))
        write = false;
    else
        return false;
    if (r->naccesses == 2) return true;
    struct lw_tsan_access *a = &r->accesses[r->naccesses++];
    a->write = write;
    a->atomic = atomic;
    a->previous = previous;
    s = strstr(s, "of size ") + strlen("of size ");
    a->size = (unsigned)strtoul(s, NULL, 10);
    const char *at = strstr(s, " at ");
    if (at) a->addr = strtoull(at + 4, NULL, 16);
    const char *by = strstr(s, " by ");
    if (by) a->thread = thread_name(p, by + 4);
    const char *mx = strstr(s, "(mutexes: ");
    if (mx) {
        mx += strlen("(mutexes: ");
        const char *close = strchr(mx, ')');
        a->mutexes = dup_range(p, mx, close ? (size_t)(close - mx) : strlen(mx));
    }
    p->stack = &a->stack;
    return true;
}

/* "Location is global 'counter' of size 4 at 0x... (race+0x...)" or "...heap block of size 8 at
 * 0x... allocated by main thread:" (an allocation stack follows). */
static void parse_location(struct parser *p, const char *s)
{
    struct lw_tsan_report *r = p->report;
    p->stack = NULL;
    if (r->location)
        return; /* TSan may add a vaguer second guess ("global '??'"): keep the first */
    s += strlen("Location is ");
    const char *at = strstr(s, " at 0x");
    size_t n = at ? (size_t)(at - s) : strcspn(s, ".:");
    r->location = dup_range(p, s, n);
    const char *q1 = memchr(s, '\'', n);
    if (q1) {
        const char *q2 = memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - s));
        /* TSan prints '??' when it has no name for the object. */
        if (q2 && !(q2 - q1 == 3 && q1[1] == '?' && q1[2] == '?'))
            r->variable = dup_range(p, q1 + 1, (size_t)(q2 - q1 - 1));
    }
    size_t len = strlen(s);
    p->stack = (len > 0 && s[len - 1] == ':') ? &r->location_stack : NULL;
}

/* "Thread T2 (tid=4966, running) created by main thread at:" */
static void parse_thread(struct parser *p, const char *s)
{
    struct lw_tsan_report *r = p->report;
    struct lw_tsan_thread *grown = realloc(r->threads, (r->nthreads + 1) * sizeof *grown);
    if (!grown) {
        p->nomem = true;
        return;
    }
    r->threads = grown;
    struct lw_tsan_thread *t = &r->threads[r->nthreads++];
    memset(t, 0, sizeof *t);
    t->thread = thread_name(p, s + strlen("Thread "));
    const char *tid = strstr(s, "(tid=");
    if (tid) t->tid = atoi(tid + strlen("(tid="));
    const char *by = strstr(s, " created by ");
    if (by) t->creator = thread_name(p, by + strlen(" created by "));
    p->stack = &t->created;
}

static void parse_line(struct parser *p, const char *line)
{
    if (starts_with(line, SEPARATOR)) {
        p->report = NULL;
        p->stack = NULL;
        return;
    }
    if (starts_with(line, WARNING_PREFIX)) {
        open_report(p, line);
        return;
    }
    if (!p->report) return;
    const char *s = line;
    while (*s == ' ')
        s++;
    if (*s == '\0') {
        p->stack = NULL;
    } else if (*s == '#') {
        if (p->stack) parse_frame(p, line);
    } else if (starts_with(s, SUMMARY_PREFIX)) {
        free(p->report->summary);
        p->report->summary =
            dup_range(p, s + strlen(SUMMARY_PREFIX), strlen(s + strlen(SUMMARY_PREFIX)));
        p->stack = NULL;
    } else if (starts_with(s, "Location is ")) {
        parse_location(p, s);
    } else if (starts_with(s, "Thread T") && strstr(s, "created by")) {
        parse_thread(p, s);
    } else if (!parse_access(p, s)) {
        p->stack = NULL; /* "Mutex M0 created at:", hints, ...: their frames are not kept */
    }
}

int lw_tsan_parse(const char *text, size_t len, struct lw_tsan_log *log)
{
    struct parser p = {.log = log};
    char *line = NULL;
    size_t cap = 0;
    size_t pos = 0;
    while (pos < len && !p.nomem) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
        /* Taken before a CR is cut off: a log ending in "\r" must still move on. */
        size_t advance = n + (nl ? 1 : 0);
        if (n > 0 && text[pos + n - 1] == '\r') n--;
        if (n + 1 > cap) {
            char *grown = realloc(line, n + 1);
            if (!grown) {
                p.nomem = true;
                break;
            }
            line = grown;
            cap = n + 1;
        }
        memcpy(line, text + pos, n);
        line[n] = '\0';
        parse_line(&p, line);
        pos += advance;
    }
    free(line);
    return p.nomem ? -1 : 0;
}

bool lw_tsan_is_race(const struct lw_tsan_report *r)
{
    return r->kind &&
           (starts_with(r->kind, "data race") || starts_with(r->kind, "heap-use-after-free"));
}

void lw_tsan_log_free(struct lw_tsan_log *log)
{
    if (!log) return;
    for (size_t i = 0; i < log->nreports; i++) {
        struct lw_tsan_report *r = &log->reports[i];
        for (size_t a = 0; a < r->naccesses; a++) {
            free(r->accesses[a].thread);
            free(r->accesses[a].mutexes);
            free_stack(&r->accesses[a].stack);
        }
        for (size_t t = 0; t < r->nthreads; t++) {
            free(r->threads[t].thread);
            free(r->threads[t].creator);
            free_stack(&r->threads[t].created);
        }
        free(r->threads);
        free_stack(&r->location_stack);
        free(r->kind);
        free(r->location);
        free(r->variable);
        free(r->summary);
    }
    free(log->reports);
    log->reports = NULL;
    log->nreports = 0;
}
