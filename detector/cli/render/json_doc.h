/* json_doc.h — the json-c documents of the JSON and SARIF renderers (and merge-sarif): built
 * with one set of helpers, written pretty-printed in one way.
 *
 * Building: each helper notes an allocation failure in *failed instead of returning it, and
 * releases a value it cannot attach, so a renderer builds the whole tree, checks *failed once and
 * writes nothing when it is set. What a NULL value means is in the name: the _or_null helpers
 * write JSON null for it (the JSON report's optional fields); the others count it as a failure
 * (SARIF has no nulls, and a value the caller needs must exist).
 *
 * Writing: errors are returned, not printed: main reports a failed render once ("cannot write
 * the report: ..."). */
#ifndef LWD_JSON_DOC_H
#define LWD_JSON_DOC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

/* o, noting a failure when it is NULL (a json-c constructor ran out of memory). */
json_object *lwd_json_checked(bool *failed, json_object *o);

/* A JSON string of s; NULL (JSON null) when s is NULL. */
json_object *lwd_json_string_or_null(bool *failed, const char *s);

/* obj[key] = val. */
void lwd_json_set(bool *failed, json_object *obj, const char *key, json_object *val);
void lwd_json_set_or_null(bool *failed, json_object *obj, const char *key, json_object *val);

/* Appends val to array. */
void lwd_json_push(bool *failed, json_object *array, json_object *val);
void lwd_json_push_or_null(bool *failed, json_object *array, json_object *val);

/* Writes root (pretty, spaced, "/" not escaped) and a newline to out, flushes, and releases
 * root. With built_ok false (json-c ran out of memory while the document was built) nothing is
 * written. Returns 0, or -1 with errno set (ENOMEM when the document is incomplete). */
int lwd_json_write_document(FILE *out, json_object *root, bool built_ok);

#endif
