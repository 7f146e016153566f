/* json_doc.c — see json_doc.h. */
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

json_object *lwd_json_checked(bool *failed, json_object *o)
{
    if (o == NULL) *failed = true;
    return o;
}

json_object *lwd_json_string_or_null(bool *failed, const char *s)
{
    return s != NULL ? lwd_json_checked(failed, json_object_new_string(s)) : NULL;
}

void lwd_json_set_or_null(bool *failed, json_object *obj, const char *key, json_object *val)
{
    if (obj == NULL || json_object_object_add(obj, key, val) != 0) {
        *failed = true;
        json_object_put(val);
    }
}

void lwd_json_set(bool *failed, json_object *obj, const char *key, json_object *val)
{
    if (val == NULL) {
        *failed = true;
        return;
    }
    lwd_json_set_or_null(failed, obj, key, val);
}

void lwd_json_push_or_null(bool *failed, json_object *array, json_object *val)
{
    if (array == NULL || json_object_array_add(array, val) != 0) {
        *failed = true;
        json_object_put(val);
    }
}

void lwd_json_push(bool *failed, json_object *array, json_object *val)
{
    if (val == NULL) {
        *failed = true;
        return;
    }
    lwd_json_push_or_null(failed, array, val);
}
