/* json_read.c — see json_read.h. */
#include "common/json_read.h"

#include <limits.h>
#include <string.h>

/* Whether text[0..len) is blanks only (text need not end in a NUL). */
static bool only_blanks(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n') return false;
    return true;
}

json_object *lwd_json_parse(const char *text, size_t len, const char **problem, bool *out_of_memory)
{
    *problem = NULL;
    if (len > (size_t)INT_MAX) {
        *problem = "too large";
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        *out_of_memory = true;
        return NULL;
    }
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (root == NULL && err == json_tokener_continue && only_blanks(text, len)) {
        *problem = "it is empty";
    } else if (root == NULL && err == json_tokener_continue) {
        *problem = "it ends in the middle of a value";
    } else if (root == NULL) {
        *problem = json_tokener_error_desc(err);
    } else {
        while (end < len && text[end] != '\0' && strchr(" \t\r\n", text[end]) != NULL)
            end++;
        if (end < len) *problem = "more follows the value";
    }
    json_tokener_free(tok);
    if (*problem != NULL) {
        json_object_put(root);
        return NULL;
    }
    return root;
}

json_object *lwd_json_member(json_object *o, const char *key, json_type type)
{
    json_object *v = NULL;
    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, type))
        return NULL;
    return v;
}
