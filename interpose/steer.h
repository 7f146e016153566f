/* steer.h — schedule steering for `lockwatch --confirm`: pause a thread that holds a lock at the
 * acquisition sites of one reported cycle until its partners are there too, so that a cycle
 * that can really happen deadlocks (and the watchdog reports it).
 *
 * LOCKWATCH_STEER, read once by the constructor: "N;OFFSET@PATH;OFFSET@PATH...", N the cycle's
 * edges, each site a hexadecimal offset from the load bias of the object at PATH (the path the
 * MODULE record gives it), so ASLR does not matter. A thread that holds a lock and requests
 * another from a site (on the slow path, where it reports a new chain) waits there, up to
 * LWI_STEER_PAUSE_MS, until N threads are at sites at once; the last one to arrive lets them
 * all go. Each pause ends with a STEER record saying whether the partners came (the driver's
 * reason when no re-run deadlocked). Absent or malformed: no steering, nothing changes. */
#ifndef LWI_STEER_H
#define LWI_STEER_H

#include <stdbool.h>
#include <stdint.h>

#define LWI_STEER_MAX_SITES 16u
#define LWI_STEER_PAUSE_MS 1000u
/* Naps at one site that ended without their partners, after which that site no longer waits. */
#define LWI_STEER_MAX_TIMEOUTS 3u

struct lwi_thread;

extern bool lwi_steer_on;

/* Parses the variable and resolves its sites against the loaded objects (`exe`: the main
 * program's path). Constructor only. */
void lwi_steer_init(const char *spec, const char *exe);

/* At a new chain's attempt of `self` (holding locks) from call site pc. Under the guard. */
void lwi_steer_at_slow(struct lwi_thread *self, uint64_t pc);

static inline void lwi_steer_at(struct lwi_thread *self, uint64_t pc)
{
    if (__builtin_expect(lwi_steer_on, 0)) lwi_steer_at_slow(self, pc);
}

#endif
