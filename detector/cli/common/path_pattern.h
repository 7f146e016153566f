/* path_pattern.h — `%` escapes in the names of the files lockwatch writes (--output, --graph,
 * --trace), so that every lockwatch of a test suite writes its own: `%p` becomes lockwatch's
 * process id, `%%` a single `%`. Any other `%` is kept as it is. */
#ifndef LWD_PATH_PATTERN_H
#define LWD_PATH_PATTERN_H

/* The expanded name in a fresh string (the caller frees it), or NULL when out of memory. */
char *lwd_path_expand(const char *pattern);

#endif
