/* suppress.c — see suppress.h. The whole file is checked when it is loaded, before the program
 * runs, so a typo in a rule fails at once (with its line number) instead of silently
 * suppressing nothing after a long run. */
#include "triage/suppress.h"

#include "common/input_file.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum rule_type { RULE_FUNCTION, RULE_FILE, RULE_MODULE, RULE_LOCK };

struct rule {
    bool any_kind;
    enum lw_finding_kind kind;
    enum rule_type type;
    char *glob;
    unsigned line;  /* in the file, for the list of unused rules */
    size_t matched; /* findings it matched */
};

struct lwd_suppressions {
    size_t nrules;
    struct rule *rules;
    char *name; /* the file, as given */
};

void lwd_suppressions_free(struct lwd_suppressions *s)
{
    if (s == NULL) return;
    for (size_t i = 0; i < s->nrules; i++)
        free(s->rules[i].glob);
    free(s->rules);
    free(s->name);
    free(s);
}

static bool parse_kind(const char *word, struct rule *r)
{
    if (strcmp(word, "*") == 0) {
        r->any_kind = true;
        return true;
    }
    for (int k = 0; k < LW_KIND_COUNT; k++) {
        if (strcmp(word, lw_kind_name((enum lw_finding_kind)k)) == 0) {
            r->kind = (enum lw_finding_kind)k;
            return true;
        }
    }
    return false;
}

static bool parse_type(const char *word, struct rule *r)
{
    static const struct {
        const char *name;
        enum rule_type type;
    } types[] = {{"function", RULE_FUNCTION},
                 {"file", RULE_FILE},
                 {"module", RULE_MODULE},
                 {"lock", RULE_LOCK}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(word, types[i].name) == 0) {
            r->type = types[i].type;
            return true;
        }
    }
    return false;
}

/* Parses the kind and type of one rule from line (trimmed, not a comment; cut in place) into r,
 * and points *pattern at the text after the second colon. Returns true, or false with what is
 * wrong in why. */
static bool parse_rule(char *line, struct rule *r, const char **pattern, char *why, size_t len)
{
    char *colon1 = strchr(line, ':');
    char *colon2 = colon1 != NULL ? strchr(colon1 + 1, ':') : NULL;
    if (colon2 == NULL) {
        snprintf(why, len,
                 "expected KIND:TYPE:PATTERN, e.g. lock-order-inversion:function:legacy_*");
        return false;
    }
    *colon1 = '\0';
    *colon2 = '\0';
    if (!parse_kind(line, r)) {
        snprintf(why, len, "unknown finding kind '%s' (expected a kind such as deadlock, or *)",
                 line);
        return false;
    }
    if (!parse_type(colon1 + 1, r)) {
        snprintf(why, len, "unknown pattern type '%s' (expected function, file, module or lock)",
                 colon1 + 1);
        return false;
    }
    if (colon2[1] == '\0') {
        snprintf(why, len, "empty pattern after '%s:%s:'", line, colon1 + 1);
        return false;
    }
    *pattern = colon2 + 1;
    return true;
}

/* Cuts a trailing comment: a `#` after a blank (a pattern may hold `#` elsewhere). */
static void cut_comment(char *s)
{
    for (char *p = s; (p = strchr(p, '#')) != NULL; p++)
        if (p > s && isspace((unsigned char)p[-1])) {
            *p = '\0';
            return;
        }
}

/* Strips leading and trailing white space (and the newline) in place. */
static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

struct lwd_suppressions *lwd_suppressions_parse(const char *text, size_t len, const char *name,
                                                bool *out_of_memory)
{
    struct lwd_suppressions *s = NULL;
    char *line = NULL;
    unsigned lineno = 0;
    *out_of_memory = false;
    s = calloc(1, sizeof *s);
    if (s == NULL || (s->name = strdup(name)) == NULL) goto oom;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
        lineno++;
        if (memchr(text + pos, '\0', n) != NULL) {
            fprintf(stderr, "lockwatch: %s:%u: a NUL byte (not a text file?)\n", name, lineno);
            goto failed;
        }
        free(line);
        if ((line = malloc(n + 1)) == NULL) goto oom;
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos += n + (nl != NULL ? 1 : 0);
        cut_comment(line);
        char *rule_text = trim(line);
        if (rule_text[0] == '\0' || rule_text[0] == '#') continue;
        struct rule *grown = realloc(s->rules, (s->nrules + 1) * sizeof *grown);
        if (grown == NULL) goto oom;
        s->rules = grown;
        struct rule r = {false, LW_KIND_LOCK_ORDER_INVERSION, RULE_FUNCTION, NULL, lineno, 0};
        const char *pattern = NULL;
        char why[512];
        if (!parse_rule(rule_text, &r, &pattern, why, sizeof why)) {
            fprintf(stderr, "lockwatch: %s:%u: %s\n", name, lineno, why);
            goto failed;
        }
        r.glob = strdup(pattern);
        if (r.glob == NULL) goto oom;
        s->rules[s->nrules++] = r;
    }
    free(line);
    return s;
oom:
    fputs("lockwatch: out of memory\n", stderr);
    *out_of_memory = true;
failed:
    free(line);
    lwd_suppressions_free(s);
    return NULL;
}

struct lwd_suppressions *lwd_suppressions_load(const char *path, bool *out_of_memory)
{
    char *text = NULL;
    size_t len = 0;
    *out_of_memory = false;
    if (!lwd_read_input(path, "suppressions file", LWD_INPUT_LIMIT, &text, &len, out_of_memory))
        return NULL;
    struct lwd_suppressions *s = lwd_suppressions_parse(text, len, path, out_of_memory);
    free(text);
    return s;
}

/* A path matches when the pattern matches all of it or any tail of it that starts at a path
 * component: `third_party/x*` matches /src/app/third_party/x.c, `util.c` matches /src/util.c. */
static bool path_matches(const char *glob, const char *path)
{
    if (path == NULL) return false;
    for (const char *p = path; p != NULL; p = strchr(p, '/')) {
        if (*p == '/') p++;
        if (fnmatch(glob, p, 0) == 0) return true;
    }
    return fnmatch(glob, path, 0) == 0;
}

static bool frame_matches(const struct rule *r, const struct lw_frame *fr)
{
    switch (r->type) {
    case RULE_FUNCTION:
        return fr->function != NULL && fnmatch(r->glob, fr->function, 0) == 0;
    case RULE_FILE:
        return path_matches(r->glob, fr->file);
    case RULE_MODULE:
        return path_matches(r->glob, fr->module);
    case RULE_LOCK:
        return false;
    }
    return false;
}

static bool stack_matches(const struct rule *r, const struct lw_stack *s)
{
    if (s == NULL || s->frames == NULL) return false;
    for (size_t i = 0; i < s->nframes; i++)
        if (frame_matches(r, &s->frames[i])) return true;
    return false;
}

static bool rule_matches(const struct rule *r, const struct lw_finding *f)
{
    if (!r->any_kind && r->kind != f->kind) return false;
    if (r->type == RULE_LOCK) {
        for (size_t k = 0; k < f->nlocks; k++)
            if (f->locks[k]->name != NULL && fnmatch(r->glob, f->locks[k]->name, 0) == 0)
                return true;
        for (size_t x = 0; x < f->nexamples; x++)
            for (size_t k = 0; k < f->examples[x].nlocks; k++) {
                const char *name = f->examples[x].locks[k]->name;
                if (name != NULL && fnmatch(r->glob, name, 0) == 0) return true;
            }
        return false;
    }
    for (size_t e = 0; e < f->ncycle; e++)
        if (stack_matches(r, f->cycle[e].holding_stack) ||
            stack_matches(r, f->cycle[e].acquiring_stack))
            return true;
    for (size_t k = 0; k < f->nstacks; k++)
        if (stack_matches(r, f->stacks[k].stack)) return true;
    for (size_t k = 0; k < f->ndistinct_stacks; k++)
        if (stack_matches(r, f->distinct_stacks[k])) return true;
    for (size_t k = 0; k < f->naccesses; k++)
        if (stack_matches(r, f->accesses[k].stack)) return true;
    return false;
}

bool lwd_suppressed(struct lwd_suppressions *s, const struct lw_finding *f)
{
    /* Every rule is tried, not only up to the first match, so a rule that matches only what an
     * earlier one already did still counts as used. */
    bool suppressed = false;
    for (size_t i = 0; s != NULL && i < s->nrules; i++)
        if (rule_matches(&s->rules[i], f)) {
            s->rules[i].matched++;
            suppressed = true;
        }
    return suppressed;
}

static const char *type_name(enum rule_type type)
{
    switch (type) {
    case RULE_FUNCTION:
        return "function";
    case RULE_FILE:
        return "file";
    case RULE_MODULE:
        return "module";
    case RULE_LOCK:
        return "lock";
    }
    return "?";
}

size_t lwd_suppressions_print_unused(const struct lwd_suppressions *s, FILE *out)
{
    size_t unused = 0;
    for (size_t i = 0; s != NULL && i < s->nrules; i++) {
        const struct rule *r = &s->rules[i];
        if (r->matched > 0) continue;
        fprintf(out, "lockwatch: %s:%u: suppression %s:%s:%s matched no finding\n", s->name,
                r->line, r->any_kind ? "*" : lw_kind_name(r->kind), type_name(r->type), r->glob);
        unused++;
    }
    return unused;
}
