/* init.c — the constructor: decides between passive and active, sets up the tables and the
 * channel, and announces the process (PROCESS, then a MODULE per loaded object).
 *
 * Without LOCKWATCH_SOCKET (the library preloaded without the driver) nothing is set up and every
 * wrapper stays a pure pass-through. Any failure here (no memory for the tables, no driver)
 * leaves the runtime passive too: the program runs as if we were absent. */
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "chain.h"
#include "channel.h"
#include "config.h"
#include "depot.h"
#include "emit.h"
#include "errsave.h"
#include "fork.h"
#include "gen.h"
#include "lockstate.h"
#include "lockwatch/wire.h"
#include "modules.h"
#include "profile.h"
#include "python.h"
#include "real.h"
#include "restrict.h"
#include "site.h"
#include "stack_room.h"
#include "steer.h"
#include "tls.h"
#include "watch.h"
#include "wrap_thread.h"

static void lwi_read_exe(char *exe, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", exe, cap - 1);
    exe[n > 0 ? n : 0] = '\0';
}

__attribute__((constructor)) static void lwi_init(void)
{
    LWI_ERRNO_SAVE();
    lwi_real_resolve_all();
    const char *name = getenv(LW_WIRE_ENV_SOCKET);
    if (!name || !*name) goto passive;
    struct lwi_thread *self = &lwi_tls;
    self->guard = LWI_GUARD_BUSY;
    lwi_config_load(getenv(LW_WIRE_ENV_OPTIONS));
    atomic_store(&lwi_pid, (int)getpid());
    if (lwi_chain_init() < 0 || lwi_site_init() < 0 || lwi_depot_init() < 0 ||
        lwi_lockstate_init() < 0)
        goto out;
    if (lwi_channel_open(name) < 0) goto out;
    lwi_thread_adopt(self);
    if (lwi_restrict_inherited()) lwi_restrict_process(self); /* started under seccomp */
    char exe[LW_WIRE_MAX_PATH];
    lwi_read_exe(exe, sizeof exe);
    lwi_emit_process(self, LW_ORIGIN_EXEC, (int32_t)getppid(), 0, 0, exe);
    lwi_watch_init_timers();
    lwi_watch_announce(self);
    lwi_modules_init(self, exe);
    lwi_python_init(self);
    lwi_steer_init(getenv(LW_WIRE_ENV_STEER), exe);
    if (lwi_config.ring) lwi_channel_use_ring(self); /* later records: shared memory (channel.h) */
    if (lwi_fork_init() < 0 || !lwi_channel_alive()) goto out;
    lwi_profile_init(); /* --profile / --trace: profile.h */
    lwi_stack_room_init(self);
    (void)lwi_thread_exit_init(); /* if it fails, see wrap_thread.h */
    atomic_store(&lwi_active, true);
    lwi_leave(self);
    goto passive;
out:
    self->guard = LWI_GUARD_UNKNOWN; /* stays passive: lwi_enter_slow sees lwi_active false */
passive:
    LWI_ERRNO_RESTORE();
}
