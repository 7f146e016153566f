/* json_read.h — reading the JSON documents lockwatch is given (a --baseline report or SARIF log,
 * the inputs of merge-sarif): the whole text as one value, and a typed member lookup that
 * accepts anything, so a reader can chain lookups through a document of any shape and test once
 * for NULL at the end. */
#ifndef LWD_JSON_READ_H
#define LWD_JSON_READ_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* The JSON value that is the whole of text (whitespace may follow it). Returns it, or NULL with
 * *problem saying why in a few words ("it is empty", "it ends in the middle of a value", "more
 * follows the value", json-c's description), or NULL with *out_of_memory set. */
json_object *lwd_json_parse(const char *text, size_t len, const char **problem,
                            bool *out_of_memory);

/* o's member key when o is an object holding one of type type; NULL otherwise (o may be NULL). */
json_object *lwd_json_member(json_object *o, const char *key, json_type type);

#endif
