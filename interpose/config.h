/* config.h — runtime knobs from LOCKWATCH_RUNTIME ("key=value:key=value"), read once by the
 * constructor. Unknown keys are ignored so an older runtime works with a newer driver.
 *   wait_ms=N   contended wait after which a blocked acquisition is published (default 100)
 *   profile=1   time every hold and send LW_REC_HOLDS batches (profile.h; default 0)
 *   ring=0      keep every record on the socket, as when no ring can be made (channel.h;
 *               default 1): for tests of that path, and for systems where shared memory fails
 *   python=0    do not look for a CPython interpreter: no PYTHON record, C frames only (python.h;
 *               default 1): measures what reading Python frames costs */
#ifndef LWI_CONFIG_H
#define LWI_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

struct lwi_config {
    uint64_t wait_ns;
    bool profile;
    bool ring;
    bool python;
};

extern struct lwi_config lwi_config;

void lwi_config_load(const char *text);

#endif
