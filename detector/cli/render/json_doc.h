/* json_doc.h — the last step of the JSON and SARIF renderers: a json-c document they built, written
 * pretty-printed in one way for both. Errors are returned, not printed: main reports a failed
 * render once ("cannot write the report: ..."). */
#ifndef LWD_JSON_DOC_H
#define LWD_JSON_DOC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

/* Writes root (pretty, spaced, "/" not escaped) and a newline to out, flushes, and releases
 * root. With built_ok false (json-c ran out of memory while the document was built) nothing is
 * written. Returns 0, or -1 with errno set (ENOMEM when the document is incomplete). */
int lwd_json_write_document(FILE *out, json_object *root, bool built_ok);

#endif
