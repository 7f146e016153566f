/* suppress.h — --suppressions=FILE: rules that leave findings out of the report and the exit
 * status. Format (docs/suppressions.md): one rule a line, `KIND:TYPE:GLOB`, where KIND is a
 * finding kind or `*`, TYPE is function, file, module or lock, and GLOB an fnmatch(3) pattern
 * (everything after the second colon, so C++ names with "::" work); blank lines and lines
 * starting with `#` are ignored, and so is the rest of a line from a `#` that follows a blank
 * (a trailing comment). A finding is suppressed when any rule of its kind matches any
 * frame of any of its stacks (function, file, module) or the name of one of its locks (lock). */
#ifndef LWD_SUPPRESS_H
#define LWD_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lockwatch/report.h"

struct lwd_suppressions;

/* Reads and checks the whole file (a regular file of at most LWD_INPUT_LIMIT bytes,
 * input_file.h). On an unreadable, unsuitable or malformed file, prints one line on stderr
 * ("lockwatch: FILE:LINE: what is wrong") and returns NULL; *out_of_memory says whether that was
 * the reason instead. */
struct lwd_suppressions *lwd_suppressions_load(const char *path, bool *out_of_memory);

/* Checks the rules in text (len bytes, any content) as lwd_suppressions_load does; name is the
 * file name its messages give. */
struct lwd_suppressions *lwd_suppressions_parse(const char *text, size_t len, const char *name,
                                                bool *out_of_memory);

/* True when a rule matches f (call after the symboliser named frames and locks); counts, for
 * each rule, the findings it matched. */
bool lwd_suppressed(struct lwd_suppressions *s, const struct lw_finding *f);

/* One line on out per rule that matched no finding ("FILE:LINE: suppression RULE matched no
 * finding"); returns how many. */
size_t lwd_suppressions_print_unused(const struct lwd_suppressions *s, FILE *out);

void lwd_suppressions_free(struct lwd_suppressions *s);

#endif
