/* merge_sarif.c — merges lockwatch's SARIF logs into one run (see merge_sarif.h). */
#include "commands/merge_sarif.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/input_file.h"
#include "common/json_read.h"
#include "common/out_file.h"
#include "driver.h"
#include "render/json_doc.h"
#include "triage/fingerprint.h"

struct merge {
    json_object *root;        /* the merged log: the first input's, its first run kept */
    json_object *run;         /* that run */
    json_object *invocations; /* its arrays, grown with every other run's */
    json_object *results;
    json_object *seen; /* fingerprints already in results (a set: key -> null) */
};

static json_object *rules_of(json_object *run)
{
    json_object *driver =
        lwd_json_member(lwd_json_member(run, "tool", json_type_object), "driver", json_type_object);
    return lwd_json_member(driver, "rules", json_type_array);
}

/* The input's JSON, or NULL after one line (none when out of memory: the caller says so). */
static json_object *read_log(const char *path, bool *nomem)
{
    char *text = NULL;
    size_t len = 0;
    if (!lwd_read_input(path, "SARIF log", LWD_INPUT_LIMIT, &text, &len, nomem)) return NULL;
    const char *problem = NULL;
    json_object *root = lwd_json_parse(text, len, &problem, nomem);
    if (root == NULL && !*nomem)
        fprintf(stderr, "lockwatch merge-sarif: %s is not valid JSON: %s\n", path, problem);
    free(text);
    return root;
}

/* What makes run unmergeable with the merged one, or NULL. */
static const char *check_run(const struct merge *m, json_object *run)
{
    json_object *driver =
        lwd_json_member(lwd_json_member(run, "tool", json_type_object), "driver", json_type_object);
    json_object *name = lwd_json_member(driver, "name", json_type_string);
    if (name == NULL || strcmp(json_object_get_string(name), "lockwatch") != 0)
        return "has a run of another tool than lockwatch";
    if (lwd_json_member(run, "results", json_type_array) == NULL)
        return "has a run without results";
    if (m->run == NULL) return NULL;
    if (!json_object_equal(rules_of(run), rules_of(m->run)))
        return "was written by another lockwatch version (its rules differ)";
    json_object *a = NULL, *b = NULL;
    json_object_object_get_ex(run, "originalUriBaseIds", &a);
    json_object_object_get_ex(m->run, "originalUriBaseIds", &b);
    if (!json_object_equal(a, b)) return "has another --source-root (originalUriBaseIds differ)";
    return NULL;
}

/* Adds run's invocations and new results to the merged run. 0, or -1 out of memory. */
static int add_run(struct merge *m, json_object *run)
{
    json_object *inv = lwd_json_member(run, "invocations", json_type_array);
    for (size_t i = 0; inv != NULL && i < json_object_array_length(inv); i++)
        if (json_object_array_add(m->invocations,
                                  json_object_get(json_object_array_get_idx(inv, i))) != 0)
            return -1;
    json_object *results = lwd_json_member(run, "results", json_type_array);
    for (size_t i = 0; i < json_object_array_length(results); i++) {
        json_object *result = json_object_array_get_idx(results, i);
        json_object *fp =
            lwd_json_member(lwd_json_member(result, "partialFingerprints", json_type_object),
                            LWD_SARIF_FINGERPRINT_KEY, json_type_string);
        if (fp != NULL) {
            const char *key = json_object_get_string(fp);
            if (json_object_object_get_ex(m->seen, key, NULL)) continue;
            if (json_object_object_add(m->seen, key, NULL) != 0) return -1;
        }
        if (json_object_array_add(m->results, json_object_get(result)) != 0) return -1;
    }
    return 0;
}

/* Merges one input. LWD_EXIT_OK, LWD_EXIT_BAD_SARIF after one line, or LWD_EXIT_TOOL out of memory.
 */
static enum lwd_exit merge_file(struct merge *m, const char *path)
{
    bool nomem = false;
    json_object *root = read_log(path, &nomem);
    if (root == NULL) return nomem ? LWD_EXIT_TOOL : LWD_EXIT_BAD_SARIF;
    enum lwd_exit rc = LWD_EXIT_OK;
    json_object *version = lwd_json_member(root, "version", json_type_string);
    json_object *runs = lwd_json_member(root, "runs", json_type_array);
    const char *problem = NULL;
    if (version == NULL || strcmp(json_object_get_string(version), "2.1.0") != 0 || runs == NULL)
        problem = "is not a SARIF 2.1.0 log";
    else if (json_object_array_length(runs) == 0)
        problem = "has no run";
    for (size_t r = 0; problem == NULL && r < json_object_array_length(runs); r++) {
        json_object *run = json_object_array_get_idx(runs, r);
        if ((problem = check_run(m, run)) != NULL) break;
        if (m->run == NULL) {
            /* The first run becomes the merged one: its arrays are replaced by fresh ones that
             * collect every run's entries, its own included. */
            json_object *rest = json_object_get(run);
            m->run = rest;
            m->invocations = json_object_new_array();
            m->results = json_object_new_array();
            json_object *copy = json_object_new_object();
            if (m->invocations == NULL || m->results == NULL || copy == NULL) {
                json_object_put(copy);
                rc = LWD_EXIT_TOOL;
                break;
            }
            json_object_object_foreach(run, key, value)
            {
                if (strcmp(key, "invocations") != 0 && strcmp(key, "results") != 0)
                    json_object_object_add(copy, key, json_object_get(value));
            }
            m->run = copy;
            json_object_put(rest);
            if (add_run(m, run) != 0) rc = LWD_EXIT_TOOL;
            json_object_object_add(m->run, "invocations", json_object_get(m->invocations));
            json_object_object_add(m->run, "results", json_object_get(m->results));
            m->root = json_object_new_object();
            if (m->root == NULL) {
                rc = LWD_EXIT_TOOL;
                break;
            }
            json_object *schema = lwd_json_member(root, "$schema", json_type_string);
            if (schema != NULL) json_object_object_add(m->root, "$schema", json_object_get(schema));
            json_object_object_add(m->root, "version", json_object_get(version));
            json_object *merged_runs = json_object_new_array();
            if (merged_runs == NULL ||
                json_object_array_add(merged_runs, json_object_get(m->run)) != 0) {
                json_object_put(merged_runs);
                rc = LWD_EXIT_TOOL;
                break;
            }
            json_object_object_add(m->root, "runs", merged_runs);
        } else if (add_run(m, run) != 0) {
            rc = LWD_EXIT_TOOL;
        }
        if (rc != LWD_EXIT_OK) break;
    }
    if (problem != NULL) {
        fprintf(stderr, "lockwatch merge-sarif: %s %s\n", path, problem);
        rc = LWD_EXIT_BAD_SARIF;
    }
    json_object_put(root);
    return rc;
}

enum lwd_exit lwd_merge_sarif(int argc, char **argv)
{
    if (argc < 3) {
        fputs("Usage: lockwatch merge-sarif OUT IN... (the SARIF logs of several lockwatch runs "
              "into one)\n",
              stderr);
        return LWD_EXIT_USAGE;
    }
    struct merge m = {.seen = json_object_new_object()};
    enum lwd_exit rc = m.seen == NULL ? LWD_EXIT_TOOL : LWD_EXIT_OK;
    for (int i = 2; rc == LWD_EXIT_OK && i < argc; i++)
        rc = merge_file(&m, argv[i]);
    if (rc == LWD_EXIT_TOOL) fputs("lockwatch merge-sarif: out of memory\n", stderr);
    if (rc == LWD_EXIT_OK) {
        FILE *out = lwd_out_create(argv[1], "merged SARIF log");
        if (out == NULL) {
            rc = LWD_EXIT_USAGE;
        } else {
            json_object *root = m.root;
            m.root = NULL;
            if (lwd_json_write_document(out, root, true) != 0 || fclose(out) != 0) {
                fprintf(stderr, "lockwatch merge-sarif: cannot write %s: %m\n", argv[1]);
                rc = LWD_EXIT_TOOL;
            }
        }
    }
    json_object_put(m.root);
    json_object_put(m.run);
    json_object_put(m.invocations);
    json_object_put(m.results);
    json_object_put(m.seen);
    return rc;
}
