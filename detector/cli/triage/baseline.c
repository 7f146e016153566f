/* baseline.c — see baseline.h. Only `tool` and each finding's `fingerprint` are read from a JSON
 * report, so any schema-1 report written by a lockwatch that emits fingerprints serves as a
 * baseline; from a SARIF log, each lockwatch run's results' partialFingerprints. */
#include "triage/baseline.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/input_file.h"
#include "common/json_read.h"
#include "triage/fingerprint.h"

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

/* Checks the shape of the report; returns NULL, or what is wrong with it ("is ...", "has ..."). */
static const char *check_report(json_object *root, json_object **findings)
{
    json_object *tool = NULL;
    if (!json_object_is_type(root, json_type_object)) return "is not a JSON object";
    if (!json_object_object_get_ex(root, "tool", &tool) ||
        !json_object_is_type(tool, json_type_string) ||
        strcmp(json_object_get_string(tool), "lockwatch") != 0)
        return "is not a lockwatch JSON report (no \"tool\": \"lockwatch\")";
    if (!json_object_object_get_ex(root, "findings", findings) ||
        !json_object_is_type(*findings, json_type_array))
        return "has no \"findings\" array";
    return NULL;
}

/* The JSON value that is the whole of text, or NULL after one line on stderr. */
static json_object *parse_json(const char *text, size_t len, const char *name, bool *out_of_memory)
{
    const char *problem = NULL;
    json_object *root = lwd_json_parse(text, len, &problem, out_of_memory);
    if (*out_of_memory)
        fputs("lockwatch: out of memory\n", stderr);
    else if (root == NULL)
        fprintf(stderr, "lockwatch: the baseline %s is not valid JSON: %s\n", name, problem);
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

/* The fingerprints of a lockwatch JSON report. 0, -1 after one line, -2 out of memory. */
static int read_json_report(struct lwd_baseline *b, json_object *findings, const char *path)
{
    size_t n = json_object_array_length(findings);
    for (size_t i = 0; i < n; i++) {
        json_object *fp = lwd_json_member(json_object_array_get_idx(findings, i), "fingerprint",
                                          json_type_string);
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
        json_object *driver = lwd_json_member(lwd_json_member(run, "tool", json_type_object),
                                              "driver", json_type_object);
        json_object *name = lwd_json_member(driver, "name", json_type_string);
        if (name == NULL || strcmp(json_object_get_string(name), "lockwatch") != 0) continue;
        ours++;
        json_object *results = lwd_json_member(run, "results", json_type_array);
        for (size_t i = 0; results != NULL && i < json_object_array_length(results); i++) {
            json_object *fps = lwd_json_member(json_object_array_get_idx(results, i),
                                               "partialFingerprints", json_type_object);
            json_object *fp = lwd_json_member(fps, LWD_SARIF_FINGERPRINT_KEY, json_type_string);
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
    json_object *runs = lwd_json_member(root, "runs", json_type_array);
    if (runs != NULL && lwd_json_member(root, "tool", json_type_string) == NULL) {
        rc = read_sarif_log(b, runs, path);
    } else {
        json_object *findings = NULL;
        const char *problem = check_report(root, &findings);
        if (problem != NULL) {
            fprintf(stderr, "lockwatch: the baseline %s %s\n", path,
                    runs == NULL ? problem : "is neither a lockwatch JSON report nor a SARIF log");
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
