/* runtime_settings.c — see runtime_settings.h. */
#include "run/runtime_settings.h"

#include <stdio.h>
#include <stdlib.h>

#include "lockwatch/wire.h"

int lwd_set_runtime_settings(const struct lwd_options *opts)
{
    const char *user = getenv(LW_WIRE_ENV_OPTIONS);
    char *value = NULL;
    int rc = -1;
    /* profile=1: the runtime times every hold (interpose/profile.h), only when asked for. */
    bool timed = opts->profile || opts->trace != NULL;
    /* The runtime's defaults need no entry: every byte of environment is taken from the room the
     * kernel leaves the program's arguments. */
    if (!user && !timed && opts->deadlock_delay_ms == LW_WIRE_DEFAULT_WAIT_MS) return 0;
    if (asprintf(&value, "%s%swait_ms=%u%s", user ? user : "", user && user[0] ? ":" : "",
                 opts->deadlock_delay_ms, timed ? ":profile=1" : "") < 0) {
        value = NULL;
        fputs("lockwatch: out of memory\n", stderr);
        goto out;
    }
    if (setenv(LW_WIRE_ENV_OPTIONS, value, 1) != 0) {
        perror("lockwatch: cannot set " LW_WIRE_ENV_OPTIONS);
        goto out;
    }
    rc = 0;
out:
    free(value);
    return rc;
}
