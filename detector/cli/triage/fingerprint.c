/* fingerprint.c — see fingerprint.h. The finding is first written as canonical text (one line per
 * frame, one block per stack), then hashed with 64-bit FNV-1a: a baseline compares a handful of
 * findings, so a non-cryptographic hash of this width is enough, and it needs no library. */
#include "triage/fingerprint.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_common.h"

/* "function\tfile-basename\tline" per user frame; a stack without a user frame (all in system
 * libraries) gives "function\tmodule-basename" for its named frames instead, so that two such
 * stacks still differ. Unnamed frames are only addresses and never enter. */
static void write_stack(FILE *out, const struct lw_stack *s)
{
    fputs("stack\n", out);
    if (s == NULL || s->frames == NULL) return;
    bool any_user = false;
    for (size_t i = 0; i < s->nframes; i++) {
        const struct lw_frame *fr = &s->frames[i];
        if (!lwd_frame_is_user(fr)) continue;
        any_user = true;
        fprintf(out, "%s\t%s\t%d\n", fr->function != NULL ? fr->function : "?",
                lwd_basename(fr->file), fr->line);
    }
    if (any_user) return;
    for (size_t i = 0; i < s->nframes; i++) {
        const struct lw_frame *fr = &s->frames[i];
        if (fr->function == NULL) continue;
        fprintf(out, "%s\t%s\n", fr->function, fr->module != NULL ? lwd_basename(fr->module) : "");
    }
}

/* Text pieces of one finding: one per cycle edge, one per labelled stack or access. */
struct pieces {
    size_t n;
    char **text;
};

static void pieces_free(struct pieces *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->text[i]);
    free(p->text);
}

/* Opens a memstream for piece i; the caller writes it and closes it with piece_close. */
static FILE *piece_open(struct pieces *p, size_t i, size_t *len)
{
    return open_memstream(&p->text[i], len);
}

static int piece_close(FILE *f)
{
    return fclose(f) == 0 ? 0 : -1;
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* True when the rotation of edges starting at a sorts before the one starting at b. */
static bool rotation_less(const struct pieces *edges, size_t a, size_t b)
{
    for (size_t k = 0; k < edges->n; k++) {
        int c = strcmp(edges->text[(a + k) % edges->n], edges->text[(b + k) % edges->n]);
        if (c != 0) return c < 0;
    }
    return false;
}

static int build_edges(const struct lw_finding *f, struct pieces *edges)
{
    edges->text = calloc(f->ncycle > 0 ? f->ncycle : 1, sizeof *edges->text);
    if (edges->text == NULL) return -1;
    edges->n = f->ncycle;
    for (size_t e = 0; e < f->ncycle; e++) {
        size_t len = 0;
        FILE *out = piece_open(edges, e, &len);
        if (out == NULL) return -1;
        fputs("holding ", out);
        write_stack(out, f->cycle[e].holding_stack);
        fputs("acquiring ", out);
        write_stack(out, f->cycle[e].acquiring_stack);
        if (piece_close(out) != 0) return -1;
    }
    return 0;
}

/* Labelled stacks and data-race accesses, sorted: their order carries no meaning of its own. */
static int build_others(const struct lw_finding *f, struct pieces *others)
{
    size_t n = f->nstacks + f->naccesses;
    others->text = calloc(n > 0 ? n : 1, sizeof *others->text);
    if (others->text == NULL) return -1;
    others->n = n;
    for (size_t k = 0; k < n; k++) {
        size_t len = 0;
        FILE *out = piece_open(others, k, &len);
        if (out == NULL) return -1;
        if (k < f->nstacks) {
            fprintf(out, "label %s\n", f->stacks[k].label != NULL ? f->stacks[k].label : "");
            write_stack(out, f->stacks[k].stack);
        } else {
            const struct lw_access *a = &f->accesses[k - f->nstacks];
            fprintf(out, "access %s%s%s\n", a->write ? "write" : "read", a->atomic ? " atomic" : "",
                    a->previous ? " previous" : "");
            write_stack(out, a->stack);
        }
        if (piece_close(out) != 0) return -1;
    }
    qsort(others->text, n, sizeof *others->text, cmp_text);
    return 0;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

int lwd_fingerprint(const struct lw_finding *f, char buf[LWD_FINGERPRINT_LEN])
{
    struct pieces edges = {0, NULL}, others = {0, NULL};
    int rc = -1;
    buf[0] = '\0';
    if (build_edges(f, &edges) != 0 || build_others(f, &others) != 0) goto out;
    size_t start = 0;
    for (size_t r = 1; r < edges.n; r++)
        if (rotation_less(&edges, r, start)) start = r;
    uint64_t h = fnv1a(UINT64_C(0xcbf29ce484222325), lw_kind_name(f->kind));
    h = fnv1a(h, "\n");
    for (size_t k = 0; k < edges.n; k++)
        h = fnv1a(h, edges.text[(start + k) % edges.n]);
    for (size_t k = 0; k < others.n; k++)
        h = fnv1a(h, others.text[k]);
    snprintf(buf, LWD_FINGERPRINT_LEN, "%016" PRIx64, h);
    rc = 0;
out:
    pieces_free(&edges);
    pieces_free(&others);
    return rc;
}
