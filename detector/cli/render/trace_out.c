/* trace_out.c — the --trace=FILE writer (see trace_out.h). Streams the JSON with stdio rather
 * than building it with json-c: a trace can hold millions of events. */
#include "render/trace_out.h"

#include <inttypes.h>
#include <stdlib.h>

#include "common/out_file.h"
#include "common/safe_text.h"
#include "lockwatch/wire.h"
#include "render/render_common.h"
#include "render/trace_layout.h"

/* Threads whose kernel tid never arrived get a made-up tid above any real one. */
#define LWD_TRACE_NO_TID_BASE 1000000000

enum lwd_exit lwd_trace_open(struct lwd_trace_out *t, const char *path)
{
    *t = (struct lwd_trace_out){.path = path};
    if (path == NULL) return LWD_EXIT_OK;
    if ((t->file = lwd_out_create(path, "trace file")) == NULL) return LWD_EXIT_USAGE;
    return LWD_EXIT_OK;
}

/* s as a JSON string (quotes included) into f. */
static void put_ascii_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* s as a JSON string. Names beyond ASCII also pass lwd_safe_json (safe_text.h), so the file
 * stays valid UTF-8 whatever bytes the program put in them. */
static void put_string(FILE *f, const char *s)
{
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && ascii; p++)
        ascii = *p < 0x7f;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = ascii ? NULL : open_memstream(&text, &len);
    if (mem == NULL) {
        put_ascii_string(f, s); /* ASCII, or out of memory: as json-c would write it */
        return;
    }
    put_ascii_string(mem, s);
    if (fclose(mem) == 0)
        lwd_safe_json(f, text);
    else
        put_ascii_string(f, s);
    free(text);
}

struct writer {
    FILE *f;
    const struct lw_report *r;
    bool multi_process;
    bool first; /* no event written yet: no comma before the next */
};

static void next_event(struct writer *w)
{
    fputs(w->first ? "\n" : ",\n", w->f);
    w->first = false;
}

/* Microseconds since the run's first record, with nanosecond digits. */
static void put_time(struct writer *w, const char *key, uint64_t ns)
{
    uint64_t rel = ns > w->r->first_time_ns ? ns - w->r->first_time_ns : 0;
    fprintf(w->f, "\"%s\":%" PRIu64 ".%03" PRIu64, key, rel / 1000, rel % 1000);
}

static int32_t tid_of(const struct lw_thread *t)
{
    return t->tid != 0 ? t->tid : (int32_t)(LWD_TRACE_NO_TID_BASE + t->index);
}

static void put_metadata(struct writer *w)
{
    const struct lw_report *r = w->r;
    for (size_t i = 0; i < r->nprocesses; i++) {
        const struct lw_process *p = &r->processes[i];
        const char *exe = p->image < r->nimages ? r->images[p->image].exe : NULL;
        char name[512];
        snprintf(name, sizeof name, "%s (pid %" PRId32 ")", exe ? lwd_basename(exe) : "process",
                 p->pid);
        next_event(w);
        fprintf(w->f,
                "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%" PRId32 ",\"args\":{\"name\":",
                p->pid);
        put_string(w->f, name);
        fputs("}}", w->f);
    }
    for (size_t i = 0; i < r->nthreads; i++) {
        const struct lw_thread *t = r->threads[i];
        char id[48], name[512];
        lw_thread_id(t, w->multi_process, id, sizeof id);
        if (t->label != NULL)
            snprintf(name, sizeof name, "%s (%s)", id, t->label);
        else
            snprintf(name, sizeof name, "%s", id);
        next_event(w);
        fprintf(w->f,
                "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%" PRId32 ",\"tid\":%" PRId32
                ",\"args\":{\"name\":",
                t->pid, tid_of(t));
        put_string(w->f, name);
        fputs("}}", w->f);
        /* Tracks in thread-number order, main first. */
        next_event(w);
        fprintf(w->f,
                "{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%" PRId32 ",\"tid\":%" PRId32
                ",\"args\":{\"sort_index\":%" PRIu32 "}}",
                t->pid, tid_of(t), t->number);
    }
}

/* Span item numbering: hold i has its wait as item 2i and its hold as item 2i + 1. */
static void put_span(struct writer *w, const struct lwd_span *s)
{
    const struct lw_trace_hold *h = &w->r->trace[s->item / 2];
    bool wait = s->item % 2 == 0;
    char id[32], name[600];
    lw_lock_id(h->lock, id, sizeof id);
    snprintf(name, sizeof name, "%s %s", wait ? "wait" : "hold",
             h->lock->name != NULL ? h->lock->name : id);
    /* args: what a viewer shows when the slice is selected. */
    char args[256];
    snprintf(args, sizeof args,
             "\"args\":{\"lock\":\"%s\",\"mode\":\"%s\",\"contended\":%s,\"held_at_exit\":%s}", id,
             lwd_mode_name(h->mode), (h->flags & LW_HOLDF_CONTENDED) ? "true" : "false",
             (h->flags & LW_HOLDF_HELD_AT_EXIT) ? "true" : "false");
    int32_t pid = h->thread->pid, tid = tid_of(h->thread);
    if (s->nested) {
        next_event(w);
        fputs("{\"ph\":\"X\",\"cat\":\"lock\",\"name\":", w->f);
        put_string(w->f, name);
        fprintf(w->f, ",\"pid\":%" PRId32 ",\"tid\":%" PRId32 ",", pid, tid);
        put_time(w, "ts", s->start);
        fputc(',', w->f);
        uint64_t dur = s->end - s->start;
        fprintf(w->f, "\"dur\":%" PRIu64 ".%03" PRIu64 ",%s}", dur / 1000, dur % 1000, args);
        return;
    }
    static const char phases[2] = {'b', 'e'};
    for (int k = 0; k < 2; k++) {
        next_event(w);
        fprintf(w->f, "{\"ph\":\"%c\",\"cat\":\"lock\",\"id\":%zu,\"name\":", phases[k], s->item);
        put_string(w->f, name);
        fprintf(w->f, ",\"pid\":%" PRId32 ",\"tid\":%" PRId32 ",", pid, tid);
        put_time(w, "ts", k == 0 ? s->start : s->end);
        fprintf(w->f, ",%s}", args);
    }
}

/* The holds kept by the detector as spans: a hold each, and a wait for the contended ones. */
static struct lwd_span *make_spans(const struct lw_report *r, size_t *n)
{
    *n = 0;
    struct lwd_span *spans = malloc((2 * r->ntrace + 1) * sizeof *spans);
    if (spans == NULL) return NULL;
    for (size_t i = 0; i < r->ntrace; i++) {
        const struct lw_trace_hold *h = &r->trace[i];
        uint32_t track = h->thread->index;
        if ((h->flags & LW_HOLDF_CONTENDED) && !(h->flags & LW_HOLDF_NO_WAIT))
            spans[(*n)++] =
                (struct lwd_span){track, h->wait_start_ns, h->acquired_ns, 2 * i, false};
        spans[(*n)++] = (struct lwd_span){track, h->acquired_ns, h->released_ns, 2 * i + 1, false};
    }
    return spans;
}

static int put_findings(struct writer *w, uint64_t end_ns)
{
    const struct lw_report *r = w->r;
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct lw_finding *f = r->findings[i];
        char *msg = lwd_finding_message(f, w->multi_process);
        if (msg == NULL) return -1;
        next_event(w);
        fputs("{\"ph\":\"i\",\"s\":\"p\",\"cat\":\"finding\",\"name\":", w->f);
        put_string(w->f, lw_kind_name(f->kind));
        int32_t tid = f->nthreads > 0 ? tid_of(f->threads[0]) : f->pid;
        fprintf(w->f, ",\"pid\":%" PRId32 ",\"tid\":%" PRId32 ",", f->pid, tid);
        put_time(w, "ts", f->time_ns != 0 ? f->time_ns : end_ns);
        fprintf(w->f, ",\"args\":{\"id\":%" PRIu32 ",\"time_recorded\":%s,\"message\":", f->id,
                f->time_ns != 0 ? "true" : "false");
        put_string(w->f, msg);
        fputs("}}", w->f);
        free(msg);
    }
    return 0;
}

/* The latest time of the run the report knows: where findings without a time go. */
static uint64_t end_of_run(const struct lw_report *r)
{
    uint64_t end = r->first_time_ns;
    for (size_t i = 0; i < r->ntrace; i++)
        if (r->trace[i].released_ns > end) end = r->trace[i].released_ns;
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i]->time_ns > end) end = r->findings[i]->time_ns;
    return end;
}

int lwd_trace_write(struct lwd_trace_out *t, const struct lw_report *r)
{
    if (t->path == NULL) return 0;
    size_t n = 0;
    struct lwd_span *spans = make_spans(r, &n);
    if (spans == NULL || lwd_trace_nest(spans, n) != 0) {
        free(spans);
        fputs("lockwatch: out of memory while writing the trace\n", stderr);
        return -1;
    }
    struct writer w = {.f = t->file, .r = r, .multi_process = lwd_multi_process(r), .first = true};
    fprintf(w.f,
            "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"tool\":\"lockwatch\",\"version\":\"%s\","
            "\"clock\":\"CLOCK_MONOTONIC, microseconds since the run's first record\","
            "\"holds\":%" PRIu64 ",\"holds_kept\":%zu,\"holds_dropped\":%" PRIu64
            ",\"holds_cap\":%u},\n\"traceEvents\":[",
            LOCKWATCH_VERSION, r->holds, r->ntrace, r->trace_dropped, LWD_TRACE_MAX_HOLDS);
    put_metadata(&w);
    for (size_t i = 0; i < n; i++)
        put_span(&w, &spans[i]);
    free(spans);
    int rc = put_findings(&w, end_of_run(r));
    fputs("\n]}\n", w.f);
    if (rc != 0) {
        fputs("lockwatch: out of memory while writing the trace\n", stderr);
        return -1;
    }
    if (fflush(w.f) != 0 || ferror(w.f)) {
        fprintf(stderr, "lockwatch: cannot write the trace file %s: %m\n", t->path);
        return -1;
    }
    return 0;
}

int lwd_trace_close(struct lwd_trace_out *t)
{
    int rc = 0;
    if (t->file != NULL && fclose(t->file) != 0) {
        fprintf(stderr, "lockwatch: cannot write the trace file %s: %m\n", t->path);
        rc = -1;
    }
    *t = (struct lwd_trace_out){NULL, NULL};
    return rc;
}
