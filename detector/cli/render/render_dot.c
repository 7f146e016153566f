/* render_dot.c — writes the lock-order graph chosen by dot_select.c as Graphviz DOT (see
 * render_dot.h). Output is deterministic: locks in index order, edges in the graph's order, then
 * the deadlock edges only a finding knows. Every string goes through put_escaped(), so names
 * with quotes, backslashes, newlines or bytes that are not UTF-8 keep the file parseable. */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lockwatch/wire.h"
#include "render/render_common.h"
#include "render/render_dot.h"

#define HIGHLIGHT "color=red, fontcolor=red, penwidth=2, style=bold"

/* One edge of one finding's cycle, sorted by (from, to, finding) to be found by binary search. */
struct cycle_mark {
    uint32_t from, to; /* lock indices */
    const struct lw_finding *finding;
    const struct lw_cycle_edge *edge;
    bool on_graph; /* the lock-order graph has this edge */
};

struct dot_writer {
    FILE *out;
    const struct lw_report *report;
    bool multi_process;
    struct cycle_mark *marks;
    size_t nmarks;
};

static int compare_marks(const void *x, const void *y)
{
    const struct cycle_mark *a = x, *b = y;
    if (a->from != b->from) return a->from < b->from ? -1 : 1;
    if (a->to != b->to) return a->to < b->to ? -1 : 1;
    if (a->finding->id != b->finding->id) return a->finding->id < b->finding->id ? -1 : 1;
    return 0;
}

/* The marks of edge from -> to: [*first, *first + return value). */
static size_t find_marks(const struct dot_writer *w, uint32_t from, uint32_t to, size_t *first)
{
    size_t lo = 0, hi = w->nmarks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct cycle_mark *m = &w->marks[mid];
        if (m->from < from || (m->from == from && m->to < to))
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < w->nmarks && w->marks[end].from == from && w->marks[end].to == to)
        end++;
    *first = lo;
    return end - lo;
}

static int collect_marks(struct dot_writer *w)
{
    const struct lw_report *r = w->report;
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        if (lwd_dot_has_cycle(r->findings[i])) n += r->findings[i]->ncycle;
    w->marks = calloc(n ? n : 1, sizeof *w->marks);
    if (w->marks == NULL) return -1;
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct lw_finding *f = r->findings[i];
        if (!lwd_dot_has_cycle(f)) continue;
        for (size_t e = 0; e < f->ncycle; e++)
            w->marks[w->nmarks++] = (struct cycle_mark){.from = f->cycle[e].holding->index,
                                                        .to = f->cycle[e].acquiring->index,
                                                        .finding = f,
                                                        .edge = &f->cycle[e]};
    }
    qsort(w->marks, w->nmarks, sizeof *w->marks, compare_marks);
    return 0;
}

/* Whether the bytes at s start a well-formed UTF-8 sequence; its length, or 0. */
static size_t utf8_length(const unsigned char *s)
{
    size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (len == 0 || s[0] >= 0xf5) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    return len;
}

/* Text inside a DOT double-quoted string: quote and backslash escaped, a newline becomes the
 * "\n" line break, other control bytes and bytes that are not UTF-8 (dot rejects those) '?'. */
static void put_escaped(FILE *out, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s != '\0') {
        size_t len = *s >= 0x80 ? utf8_length(s) : 1;
        if (*s == '"' || *s == '\\') {
            fputc('\\', out);
            fputc(*s, out);
        } else if (*s == '\n') {
            fputs("\\n", out);
        } else if (len == 0 || *s < 0x20 || *s == 0x7f) {
            fputc('?', out);
            len = 1;
        } else {
            fwrite(s, 1, len, out);
        }
        s += len ? len : 1;
    }
}

static void put_lock_label(FILE *out, const struct lw_lock *l)
{
    char id[32];
    put_escaped(out, lw_lock_id(l, id, sizeof id));
    if (l->name != NULL) {
        fputc(' ', out);
        put_escaped(out, l->name);
    }
}

/* Where an instance requested its lock: the first user frame's file:line, else the first frame
 * with a function, else the raw address. */
static void put_site(FILE *out, const struct lw_stack *s)
{
    if (s == NULL || s->frames == NULL || s->nframes == 0) {
        fputs("(stack unknown)", out);
        return;
    }
    size_t u = lwd_first_user_frame(s);
    if (u < s->nframes) {
        put_escaped(out, lwd_basename(s->frames[u].file));
        fprintf(out, ":%d", s->frames[u].line);
        return;
    }
    for (size_t i = 0; i < s->nframes; i++)
        if (s->frames[i].function != NULL) {
            fputs("in ", out);
            put_escaped(out, s->frames[i].function);
            return;
        }
    fprintf(out, "0x%" PRIx64, s->frames[0].pc);
}

/* "T1 (transfer) broken.c:23", with the modes when a read lock is involved. */
static void put_instance(const struct dot_writer *w, const struct lw_cycle_edge *inst)
{
    char id[48];
    if (inst->thread != NULL) {
        put_escaped(w->out, lw_thread_id(inst->thread, w->multi_process, id, sizeof id));
        if (inst->thread->label != NULL) {
            fputs(" (", w->out);
            put_escaped(w->out, inst->thread->label);
            fputc(')', w->out);
        }
        fputc(' ', w->out);
    }
    put_site(w->out, inst->acquiring_stack);
    if (inst->holding_mode == LW_MODE_SHARED || inst->acquiring_mode == LW_MODE_SHARED)
        fprintf(w->out, " [%s->%s]", lwd_mode_name(inst->holding_mode),
                lwd_mode_name(inst->acquiring_mode));
}

static bool same_instance(const struct lw_cycle_edge *a, const struct lw_cycle_edge *b)
{
    return a->thread == b->thread && a->acquiring_stack == b->acquiring_stack &&
           a->holding_mode == b->holding_mode && a->acquiring_mode == b->acquiring_mode;
}

/* One edge: the findings whose cycles use it, then its instances — the findings' own first, so a
 * red edge names what the text report names — at most LWD_DOT_EDGE_SHOWN and "+N more". */
static void put_edge(const struct dot_writer *w, const struct lw_lock *from,
                     const struct lw_lock *to, const struct lw_order_edge *edge,
                     const struct cycle_mark *marks, size_t nmarks)
{
    char from_id[32], to_id[32];
    fputs("  \"", w->out);
    put_escaped(w->out, lw_lock_id(from, from_id, sizeof from_id));
    fputs("\" -> \"", w->out);
    put_escaped(w->out, lw_lock_id(to, to_id, sizeof to_id));
    fputs("\" [label=\"", w->out);
    for (size_t m = 0; m < nmarks; m++)
        fprintf(w->out, "%s#%" PRIu32 " %s", m ? ", " : "", marks[m].finding->id,
                lw_kind_name(marks[m].finding->kind));
    if (nmarks > 0) fputs("\\n", w->out);

    const struct lw_cycle_edge *list[LW_ORDER_MAX_INSTANCES + 16];
    size_t nlist = 0, more = 0;
    size_t ninst = edge != NULL ? edge->ninstances : 0;
    for (size_t k = 0; k < nmarks + ninst; k++) {
        const struct lw_cycle_edge *inst =
            k < nmarks ? marks[k].edge : &edge->instances[k - nmarks];
        size_t j = 0;
        while (j < nlist && !same_instance(list[j], inst))
            j++;
        if (j < nlist) continue;
        if (nlist < sizeof list / sizeof *list)
            list[nlist++] = inst;
        else
            more++;
    }
    for (size_t k = 0; k < nlist && k < LWD_DOT_EDGE_SHOWN; k++) {
        if (k > 0) fputs("\\n", w->out);
        put_instance(w, list[k]);
    }
    if (nlist > LWD_DOT_EDGE_SHOWN)
        fprintf(w->out, "\\n+%zu more", nlist - LWD_DOT_EDGE_SHOWN + more);
    fputc('"', w->out);
    if (nmarks > 0) fputs(", " HIGHLIGHT, w->out);
    fputs("];\n", w->out);
}

static void put_graph_label(const struct dot_writer *w, const struct lwd_dot_input *in,
                            size_t nlocks, size_t ncycles)
{
    fprintf(w->out,
            "  graph [labelloc=t, fontname=\"Helvetica\", label=\"lockwatch lock-order graph: "
            "%zu lock%s, %zu edge%s",
            in->totals.locks, in->totals.locks == 1 ? "" : "s", in->totals.edges,
            in->totals.edges == 1 ? "" : "s");
    if (ncycles > 0)
        fprintf(w->out, "; %zu finding%s with a cycle, in red", ncycles, ncycles == 1 ? "" : "s");
    if (nlocks < in->totals.locks || in->nedges < in->totals.edges)
        fprintf(w->out,
                "\\nleft out: %zu lock%s and %zu edge%s (at most %zu locks are drawn: the locks "
                "of cycles, then the first seen)",
                in->totals.locks - nlocks, in->totals.locks - nlocks == 1 ? "" : "s",
                in->totals.edges - in->nedges, in->totals.edges - in->nedges == 1 ? "" : "s",
                in->totals.max_nodes);
    fputs("\"];\n", w->out);
}

/* The locks drawn, by index - 1: those of the edges kept and of the cycles. */
struct node_table {
    size_t nslots, count;
    const struct lw_lock **locks; /* NULL where no lock is drawn */
    bool *red;
};

static int build_nodes(const struct dot_writer *w, const struct lwd_dot_input *in,
                       struct node_table *t)
{
    *t = (struct node_table){0, 0, NULL, NULL};
    for (size_t i = 0; i < in->nedges; i++) {
        if (in->edges[i].from->index > t->nslots) t->nslots = in->edges[i].from->index;
        if (in->edges[i].to->index > t->nslots) t->nslots = in->edges[i].to->index;
    }
    for (size_t i = 0; i < w->nmarks; i++) {
        if (w->marks[i].from > t->nslots) t->nslots = w->marks[i].from;
        if (w->marks[i].to > t->nslots) t->nslots = w->marks[i].to;
    }
    t->locks = calloc(t->nslots ? t->nslots : 1, sizeof *t->locks);
    t->red = calloc(t->nslots ? t->nslots : 1, sizeof *t->red);
    if (t->locks == NULL || t->red == NULL) return -1;
    for (size_t i = 0; i < in->nedges; i++) {
        t->locks[in->edges[i].from->index - 1] = in->edges[i].from;
        t->locks[in->edges[i].to->index - 1] = in->edges[i].to;
    }
    for (size_t i = 0; i < w->nmarks; i++) {
        t->locks[w->marks[i].from - 1] = w->marks[i].edge->holding;
        t->locks[w->marks[i].to - 1] = w->marks[i].edge->acquiring;
        t->red[w->marks[i].from - 1] = t->red[w->marks[i].to - 1] = true;
    }
    for (size_t i = 0; i < t->nslots; i++)
        t->count += t->locks[i] != NULL;
    return 0;
}

static void put_nodes(const struct dot_writer *w, const struct node_table *t)
{
    char id[32];
    for (size_t i = 0; i < t->nslots; i++) {
        if (t->locks[i] == NULL) continue;
        fputs("  \"", w->out);
        put_escaped(w->out, lw_lock_id(t->locks[i], id, sizeof id));
        fputs("\" [label=\"", w->out);
        put_lock_label(w->out, t->locks[i]);
        fprintf(w->out, "\"%s];\n", t->red[i] ? ", " HIGHLIGHT : "");
    }
}

int lwd_render_dot(FILE *out, const struct lwd_dot_input *in)
{
    struct dot_writer w = {
        .out = out, .report = in->report, .multi_process = lwd_multi_process(in->report)};
    struct node_table nodes = {0, 0, NULL, NULL};
    int rc = collect_marks(&w) == 0 && build_nodes(&w, in, &nodes) == 0 ? 0 : -1;
    if (rc == 0) {
        size_t ncycles = 0;
        for (size_t i = 0; i < in->report->nfindings; i++)
            ncycles += lwd_dot_has_cycle(in->report->findings[i]);
        fputs("digraph lockwatch {\n", out);
        put_graph_label(&w, in, nodes.count, ncycles);
        fputs("  node [shape=box, fontname=\"Helvetica\"];\n"
              "  edge [fontname=\"Helvetica\", fontsize=10];\n",
              out);
        put_nodes(&w, &nodes);
        for (size_t i = 0; i < in->nedges; i++) {
            const struct lw_order_edge *e = &in->edges[i];
            size_t first, n = find_marks(&w, e->from->index, e->to->index, &first);
            for (size_t m = first; m < first + n; m++)
                w.marks[m].on_graph = true;
            put_edge(&w, e->from, e->to, e, w.marks + first, n);
        }
        /* Cycle edges the lock-order graph lacks (a deadlock seen only in WAIT records). */
        for (size_t m = 0; m < w.nmarks;) {
            size_t first, n = find_marks(&w, w.marks[m].from, w.marks[m].to, &first);
            if (!w.marks[m].on_graph)
                put_edge(&w, w.marks[m].edge->holding, w.marks[m].edge->acquiring, NULL,
                         w.marks + first, n);
            m = first + n;
        }
        fputs("}\n", out);
    }
    free(nodes.locks);
    free(nodes.red);
    free(w.marks);
    return rc == 0 && !ferror(out) ? 0 : -1;
}
