/* replay.c — replay files (see replay.h). */
#include "run/replay.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/input_file.h"
#include "common/out_file.h"

#define LWD_REPLAY_VERSION 1

/* The document written for one confirmed finding, or NULL when out of memory. */
static json_object *replay_doc(uint32_t id, const char *steer, const struct lwd_options *opts,
                               const char *program)
{
    json_object *doc = json_object_new_object();
    json_object *args = json_object_new_array();
    bool ok = doc != NULL && args != NULL;
    for (int i = 0; ok && i < opts->argc; i++)
        ok = json_object_array_add(args, json_object_new_string(opts->argv[i])) == 0;
    ok = ok &&
         json_object_object_add(doc, "lockwatch_replay", json_object_new_int(LWD_REPLAY_VERSION)) ==
             0 &&
         json_object_object_add(doc, "finding", json_object_new_int64(id)) == 0 &&
         json_object_object_add(doc, "program", json_object_new_string(program)) == 0 &&
         json_object_object_add(doc, "arguments", args) == 0;
    if (!ok) json_object_put(args);
    ok = ok && json_object_object_add(doc, "steer", json_object_new_string(steer)) == 0;
    if (!ok) {
        json_object_put(doc);
        return NULL;
    }
    return doc;
}

/* *name = where the replay file of finding id goes: in --replay-dir, else in the directory of the
 * --output file when that is a regular file (not a terminal or /dev/stdout), else in the current
 * directory. -1 when out of memory. */
static int replay_name(uint32_t id, const struct lwd_options *opts, char **name)
{
    const char *dir = opts->replay_dir;
    size_t dir_len = dir != NULL ? strlen(dir) : 0;
    struct stat st;
    if (dir == NULL && opts->output != NULL && stat(opts->output, &st) == 0 &&
        S_ISREG(st.st_mode)) {
        const char *slash = strrchr(opts->output, '/');
        if (slash != NULL) {
            dir = opts->output;
            dir_len = slash == opts->output ? 1 : (size_t)(slash - opts->output);
        }
    }
    int n = dir != NULL ? asprintf(name, "%.*s%slockwatch-replay-%u.json", (int)dir_len, dir,
                                   dir[dir_len - 1] == '/' ? "" : "/", id)
                        : asprintf(name, "lockwatch-replay-%u.json", id);
    if (n < 0) *name = NULL;
    return n < 0 ? -1 : 0;
}

char *lwd_replay_write(uint32_t id, const char *steer, const struct lwd_options *opts,
                       const char *program, bool *out_of_memory)
{
    *out_of_memory = false;
    char *name = NULL;
    json_object *doc = replay_doc(id, steer, opts, program);
    const char *text = doc != NULL
                           ? json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                                     JSON_C_TO_STRING_SPACED |
                                                                     JSON_C_TO_STRING_NOSLASHESCAPE)
                           : NULL;
    if (text == NULL || replay_name(id, opts, &name) != 0) {
        fputs("lockwatch: out of memory\n", stderr);
        json_object_put(doc);
        *out_of_memory = true;
        return NULL;
    }
    FILE *out = lwd_out_create(name, "replay file");
    bool written = out != NULL && fputs(text, out) >= 0 && fputc('\n', out) != EOF;
    if (out != NULL && fclose(out) != 0) written = false;
    if (out != NULL && !written)
        fprintf(stderr, "lockwatch: cannot write the replay file %s: %m\n", name);
    json_object_put(doc);
    if (!written) {
        free(name);
        return NULL;
    }
    return name;
}

/* Whether steer has the shape interpose/steer.h reads: "N;OFFSET@PATH;..." with N sites. */
static bool steer_well_formed(const char *steer)
{
    char *end = NULL;
    unsigned long n = strtoul(steer, &end, 10);
    if (end == steer || n < 2 || n > 16) return false;
    unsigned long sites = 0;
    for (const char *p = end; *p != '\0'; sites++) {
        if (*p != ';') return false;
        p++;
        const char *at = p;
        while ((*at >= '0' && *at <= '9') || (*at >= 'a' && *at <= 'f'))
            at++;
        if (at == p || *at != '@' || at[1] == '\0' || at[1] == ';') return false;
        p = strchr(at, ';');
        if (p == NULL) p = at + strlen(at);
    }
    return sites == n;
}

enum lwd_exit lwd_replay_load(const char *path, const char *program, char **steer)
{
    char *text = NULL;
    size_t len = 0;
    *steer = NULL;
    bool out_of_memory = false;
    if (!lwd_read_input(path, "replay file", LWD_REPLAY_LIMIT, &text, &len, &out_of_memory))
        return out_of_memory ? LWD_EXIT_TOOL : LWD_EXIT_BAD_REPLAY;
    enum json_tokener_error err = json_tokener_success;
    json_object *doc = len <= (size_t)INT_MAX ? json_tokener_parse_verbose(text, &err) : NULL;
    free(text);
    json_object *version, *value, *recorded;
    const char *problem = NULL;
    if (doc == NULL)
        problem = err != json_tokener_success ? json_tokener_error_desc(err) : "too large";
    else if (!json_object_object_get_ex(doc, "lockwatch_replay", &version) ||
             !json_object_is_type(version, json_type_int))
        problem = "not a lockwatch replay file (no \"lockwatch_replay\" version)";
    else if (json_object_get_int(version) != LWD_REPLAY_VERSION)
        problem = "a replay file of another lockwatch version";
    else if (!json_object_object_get_ex(doc, "steer", &value) ||
             !json_object_is_type(value, json_type_string) ||
             !steer_well_formed(json_object_get_string(value)))
        problem = "no valid \"steer\" schedule";
    if (problem != NULL) {
        fprintf(stderr, "lockwatch: cannot use the replay file %s: %s\n", path, problem);
        json_object_put(doc);
        return LWD_EXIT_BAD_REPLAY;
    }
    if (json_object_object_get_ex(doc, "program", &recorded) &&
        json_object_is_type(recorded, json_type_string) &&
        strcmp(json_object_get_string(recorded), program) != 0)
        fprintf(stderr,
                "lockwatch: note: the replay file %s was recorded for %s, not %s: its lock call "
                "sites may not match\n",
                path, json_object_get_string(recorded), program);
    *steer = strdup(json_object_get_string(value));
    json_object_put(doc);
    if (*steer == NULL) {
        fputs("lockwatch: out of memory\n", stderr);
        return LWD_EXIT_TOOL;
    }
    return LWD_EXIT_OK;
}
