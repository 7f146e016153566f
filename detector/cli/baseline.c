/* baseline.c — see baseline.h. Only `tool` and each finding's `fingerprint` are read, so any
 * schema-1 report written by a lockwatch that emits fingerprints serves as a baseline. */
#include "baseline.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input_file.h"

struct lwd_baseline {
    size_t n;
    char **fingerprints;
};

void lwd_baseline_free(struct lwd_baseline *b)
{
    if (b == NULL) return;
    for (size_t i = 0; i < b->n; i++)
        free(b->fingerprints[i]);
    free(b->fingerprints);
    free(b);
}

/* Checks the shape of the report; returns NULL, or what is wrong. */
static const char *check_report(json_object *root, json_object **findings)
{
    json_object *tool = NULL;
    if (!json_object_is_type(root, json_type_object)) return "not a JSON object";
    if (!json_object_object_get_ex(root, "tool", &tool) ||
        !json_object_is_type(tool, json_type_string) ||
        strcmp(json_object_get_string(tool), "lockwatch") != 0)
        return "not a lockwatch JSON report (no \"tool\": \"lockwatch\")";
    if (!json_object_object_get_ex(root, "findings", findings) ||
        !json_object_is_type(*findings, json_type_array))
        return "no \"findings\" array";
    return NULL;
}

/* The JSON value that is the whole of text, or NULL after one line on stderr. */
static json_object *parse_json(const char *text, size_t len, const char *name, bool *out_of_memory)
{
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        fputs("lockwatch: out of memory\n", stderr);
        *out_of_memory = true;
        return NULL;
    }
    const char *problem = NULL;
    json_object *root = NULL;
    if (len > (size_t)INT_MAX) {
        problem = "too large";
    } else {
        root = json_tokener_parse_ex(tok, text, (int)len);
        enum json_tokener_error err = json_tokener_get_error(tok);
        size_t end = json_tokener_get_parse_end(tok);
        if (root == NULL && err == json_tokener_continue) {
            problem = "it ends in the middle of a value";
        } else if (root == NULL) {
            problem = json_tokener_error_desc(err);
        } else {
            while (end < len && strchr(" \t\r\n", text[end]) != NULL && text[end] != '\0')
                end++;
            if (end < len) problem = "more follows the report";
        }
    }
    json_tokener_free(tok);
    if (problem != NULL) {
        fprintf(stderr, "lockwatch: the baseline %s is not valid JSON: %s\n", name, problem);
        json_object_put(root);
        return NULL;
    }
    return root;
}

struct lwd_baseline *lwd_baseline_load(const char *path, bool *out_of_memory)
{
    char *text = NULL;
    size_t len = 0;
    *out_of_memory = false;
    switch (lwd_read_input(path, "baseline", LWD_INPUT_LIMIT, &text, &len)) {
    case LWD_READ_OK:
        break;
    case LWD_READ_NOMEM:
        *out_of_memory = true;
        return NULL;
    case LWD_READ_BAD:
    case LWD_READ_TOO_LARGE:
        return NULL;
    }
    struct lwd_baseline *b = lwd_baseline_parse(text, len, path, out_of_memory);
    free(text);
    return b;
}

struct lwd_baseline *lwd_baseline_parse(const char *text, size_t len, const char *path,
                                        bool *out_of_memory)
{
    struct lwd_baseline *b = NULL;
    *out_of_memory = false;
    json_object *root = parse_json(text, len, path, out_of_memory);
    if (root == NULL) return NULL;
    json_object *findings = NULL;
    const char *problem = check_report(root, &findings);
    if (problem != NULL) {
        fprintf(stderr, "lockwatch: the baseline %s is %s\n", path, problem);
        goto failed;
    }
    b = calloc(1, sizeof *b);
    size_t n = json_object_array_length(findings);
    if (b == NULL || !(b->fingerprints = calloc(n > 0 ? n : 1, sizeof *b->fingerprints))) goto oom;
    for (size_t i = 0; i < n; i++) {
        json_object *fp = NULL;
        json_object *finding = json_object_array_get_idx(findings, i);
        if (!json_object_object_get_ex(finding, "fingerprint", &fp) ||
            !json_object_is_type(fp, json_type_string)) {
            fprintf(stderr,
                    "lockwatch: the baseline %s: finding %zu has no \"fingerprint\" (a report of "
                    "an older lockwatch? write the baseline again)\n",
                    path, i + 1);
            goto failed;
        }
        if (!(b->fingerprints[b->n] = strdup(json_object_get_string(fp)))) goto oom;
        b->n++;
    }
    json_object_put(root);
    return b;
oom:
    fputs("lockwatch: out of memory\n", stderr);
    *out_of_memory = true;
failed:
    json_object_put(root);
    lwd_baseline_free(b);
    return NULL;
}

bool lwd_baseline_has(const struct lwd_baseline *b, const char *fingerprint)
{
    for (size_t i = 0; b != NULL && i < b->n; i++)
        if (strcmp(b->fingerprints[i], fingerprint) == 0) return true;
    return false;
}
