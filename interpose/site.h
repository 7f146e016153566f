/* site.h — the stack of an acquisition, unwinding as rarely as possible.
 *
 * A site is (site context = the site chain of the held locks, caller pc). The plain design — one
 * stack per site — breaks when a program routes every lock through its own helper: all
 * acquisitions then share the helper's pc and would all get the first caller's stack. So stacks
 * are cached per site *and lock* (exact for a given lock), and each site learns whether it is
 * monomorphic: once LWI_SITE_STABLE unwinds at a site gave the same stack, new locks at that site
 * reuse it without unwinding (1,000,000 locks taken at one line cost a few unwinds); a site that
 * ever gave two different stacks keeps unwinding once per new lock. All tables are lossy caches:
 * a miss costs an unwind, never a wrong stack beyond "one stack per site and lock". */
#ifndef LWI_SITE_H
#define LWI_SITE_H

#include <stdint.h>

#include "lockwatch/wire.h"

struct lwi_thread;

int lwi_site_init(void);

/* Stack id for acquiring `lock` at site (site_key = lwi_chain_site_key(...)); 0 if unwinding
 * failed. */
uint64_t lwi_site_stack(const struct lwi_thread *self, uint64_t site_key,
                        const struct lw_lock_ref *lock);

#endif
