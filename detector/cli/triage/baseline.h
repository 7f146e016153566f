/* baseline.h — --baseline=REPORT: the fingerprints of an earlier lockwatch JSON report or SARIF
 * log. Findings whose fingerprint it holds are "known": they are still reported (marked so), but
 * only new findings make the run fail. */
#ifndef LWD_BASELINE_H
#define LWD_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

struct lwd_baseline;

/* Reads the report at path (a regular file of at most LWD_INPUT_LIMIT bytes, input_file.h). On an
 * unreadable file, a file that is not a lockwatch JSON report, or a report without fingerprints,
 * prints one line on stderr and returns NULL; *out_of_memory says whether that was the reason
 * instead. */
struct lwd_baseline *lwd_baseline_load(const char *path, bool *out_of_memory);

/* Checks text (len bytes, any content) as lwd_baseline_load does; path is the name its messages
 * give. */
struct lwd_baseline *lwd_baseline_parse(const char *text, size_t len, const char *path,
                                        bool *out_of_memory);

/* True when the baseline holds this fingerprint. */
bool lwd_baseline_has(const struct lwd_baseline *b, const char *fingerprint);

void lwd_baseline_free(struct lwd_baseline *b);

#endif
