/* json_doc.c — writes the document of render_json.c and render_sarif.c (see json_doc.h). */
#include "render/json_doc.h"

#include <errno.h>

#include "common/safe_text.h"

int lwd_json_write_document(FILE *out, json_object *root, bool built_ok)
{
    int rc = -1;
    if (!built_ok) {
        errno = ENOMEM;
        goto out;
    }
    const char *text = json_object_to_json_string_ext(
        root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (text == NULL) {
        errno = ENOMEM;
        goto out;
    }
    if (lwd_safe_json(out, text) != 0 || fputc('\n', out) == EOF || fflush(out) != 0) goto out;
    rc = 0;
out:
    json_object_put(root);
    return rc;
}
