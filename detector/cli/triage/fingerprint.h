/* fingerprint.h — the stable identity of a finding, for baselines (--baseline) and for SARIF's
 * partialFingerprints: the same bug gives the same fingerprint in every run, whatever addresses
 * ASLR chose, and two different bugs give different ones.
 *
 * It hashes the kind and, of every stack of the finding, the user frames' function, source file
 * basename and line (stacks without a user frame contribute their named frames' function and
 * module basename). Addresses, pids, thread and lock ids never enter. A cycle is rotated to a
 * canonical start first, so the same cycle found from another thread hashes the same. Call after
 * the symboliser named the frames. */
#ifndef LWD_FINGERPRINT_H
#define LWD_FINGERPRINT_H

#include <stddef.h>

#include "lockwatch/report.h"

/* The key of the fingerprint in a SARIF result's partialFingerprints (render_sarif.c writes it,
 * baseline.c and merge_sarif.c read it); its version changes with the recipe. */
#define LWD_SARIF_FINGERPRINT_KEY "lockwatch/v1"

/* 16 lowercase hex digits and the NUL. */
#define LWD_FINGERPRINT_LEN 17

/* Writes the fingerprint of f into buf (LWD_FINGERPRINT_LEN bytes). Returns 0, or -1 when out
 * of memory (buf is then the empty string). */
int lwd_fingerprint(const struct lw_finding *f, char buf[LWD_FINGERPRINT_LEN]);

#endif
