/* text_fix.h — the text report's advice: the sentence after "Fix:" for each kind of finding,
 * and the folding of long cycles that the advice and the cycle's stacks share (render_text.c). */
#ifndef LWD_TEXT_FIX_H
#define LWD_TEXT_FIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lockwatch/report.h"

/* A cycle longer than this shows its first LWD_TEXT_FOLD_HEAD and last LWD_TEXT_FOLD_TAIL edges
 * and says how many it left out; JSON always has every edge. */
#define LWD_TEXT_FOLD_ABOVE 8u
#define LWD_TEXT_FOLD_HEAD 3u
#define LWD_TEXT_FOLD_TAIL 2u

/* How many edges of f's cycle the text leaves out, after its first LWD_TEXT_FOLD_HEAD. */
size_t lwd_text_folded_edges(const struct lw_finding *f);

/* Whether edge e of f's cycle is one the text leaves out. */
bool lwd_text_edge_folded(const struct lw_finding *f, size_t e);

/* Writes the advice for f, unwrapped (the caller wraps it), without the "Fix:" label. */
void lwd_text_write_fix(FILE *out, const struct lw_finding *f);

#endif
