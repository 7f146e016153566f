/* baseline.c — see baseline.h. Only `tool` and each finding's `fingerprint` are read from a JSON
 * report, so any schema-1 report written by a lockwatch that emits fingerprints serves as a
 * baseline; from a SARIF log, each lockwatch run's results' partialFingerprints. */
#include "triage/baseline.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/input_file.h"

/* The partialFingerprints key render_sarif.c writes (the baseline test reads what it wrote). */
#define LWD_SARIF_FINGERPRINT_KEY "lockwatch/v1"

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
    if (!lwd_read_input(path, "baseline", LWD_INPUT_LIMIT, &text, &len, out_of_memory)) return NULL;
    struct lwd_baseline *b = lwd_baseline_parse(text, len, path, out_of_memory);
    free(text);
    return b;
}

/* Appends a copy of fp; false when out of memory. */
static bool add_fingerprint(struct lwd_baseline *b, const char *fp)
{
    char **grown = realloc(b->fingerprints, (b->n + 1) * sizeof *grown);
    if (grown == NULL) return false;
    b->fingerprints = grown;
    if ((b->fingerprints[b->n] = strdup(fp)) == NULL) return false;
    b->n++;
    return true;
}

static json_object *member(json_object *o, const char *key, json_type type)
{
    json_object *v = NULL;
    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, type))
        return NULL;
    return v;
}

/* The fingerprints of a lockwatch JSON report. 0, -1 after one line, -2 out of memory. */
static int read_json_report(struct lwd_baseline *b, json_object *findings, const char *path)
{
    size_t n = json_object_array_length(findings);
    for (size_t i = 0; i < n; i++) {
        json_object *fp =
            member(json_object_array_get_idx(findings, i), "fingerprint", json_type_string);
        if (fp == NULL) {
            fprintf(stderr,
                    "lockwatch: the baseline %s: finding %zu has no \"fingerprint\" (a report of "
                    "an older lockwatch? write the baseline again)\n",
                    path, i + 1);
            return -1;
        }
        if (!add_fingerprint(b, json_object_get_string(fp))) return -2;
    }
    return 0;
}

/* The fingerprints of the lockwatch runs of a SARIF log (one run per lockwatch, as
 * --format=sarif and merge-sarif write it); runs of other tools are skipped. 0, -1 after one
 * line, -2 out of memory. */
static int read_sarif_log(struct lwd_baseline *b, json_object *runs, const char *path)
{
    size_t ours = 0;
    for (size_t r = 0; r < json_object_array_length(runs); r++) {
        json_object *run = json_object_array_get_idx(runs, r);
        json_object *driver =
            member(member(run, "tool", json_type_object), "driver", json_type_object);
        json_object *name = member(driver, "name", json_type_string);
        if (name == NULL || strcmp(json_object_get_string(name), "lockwatch") != 0) continue;
        ours++;
        json_object *results = member(run, "results", json_type_array);
        for (size_t i = 0; results != NULL && i < json_object_array_length(results); i++) {
            json_object *fps = member(json_object_array_get_idx(results, i), "partialFingerprints",
                                      json_type_object);
            json_object *fp = member(fps, LWD_SARIF_FINGERPRINT_KEY, json_type_string);
            if (fp == NULL) {
                fprintf(stderr,
                        "lockwatch: the baseline %s: result %zu of run %zu has no "
                        "partialFingerprints \"%s\" (a log of an older lockwatch? write the "
                        "baseline again)\n",
                        path, i + 1, r + 1, LWD_SARIF_FINGERPRINT_KEY);
                return -1;
            }
            if (!add_fingerprint(b, json_object_get_string(fp))) return -2;
        }
    }
    if (ours == 0) {
        fprintf(stderr, "lockwatch: the baseline %s is a SARIF log without a lockwatch run\n",
                path);
        return -1;
    }
    return 0;
}

struct lwd_baseline *lwd_baseline_parse(const char *text, size_t len, const char *path,
                                        bool *out_of_memory)
{
    struct lwd_baseline *b = NULL;
    *out_of_memory = false;
    json_object *root = parse_json(text, len, path, out_of_memory);
    if (root == NULL) return NULL;
    if ((b = calloc(1, sizeof *b)) == NULL) goto oom;
    int rc;
    json_object *runs = member(root, "runs", json_type_array);
    if (runs != NULL && member(root, "tool", json_type_string) == NULL) {
        rc = read_sarif_log(b, runs, path);
    } else {
        json_object *findings = NULL;
        const char *problem = check_report(root, &findings);
        if (problem != NULL) {
            fprintf(stderr, "lockwatch: the baseline %s is %s\n", path,
                    runs == NULL ? problem : "neither a lockwatch JSON report nor a SARIF log");
            goto failed;
        }
        rc = read_json_report(b, findings, path);
    }
    if (rc == -2) goto oom;
    if (rc != 0) goto failed;
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
