/* site.h — the stack of a call that is not an acquisition: a condition wait, a signal or post, an
 * init or destroy, kept for a report that may come later (a lost wake-up, a use after destroy).
 *
 * Cached per (site, object): a site key (lwi_chain_site_key of a salt and the caller pc) and the
 * object's address and generation, so one object called again at one line (a wait in a predicate
 * loop) is unwound once. An object reached at one pc from two callers (a helper function) keeps
 * its first caller's stack. Never shared between objects, and never used for acquisitions, whose
 * stacks are unwound for each new chain (chain.h). Lossy: a miss costs an unwind. */
#ifndef LWI_SITE_H
#define LWI_SITE_H

#include <stdint.h>

#include "lockwatch/wire.h"

struct lwi_thread;

int lwi_site_init(void);

/* Stack id of the call on `lock` at site `site_key` (lwi_chain_site_key(...)); 0 if unwinding
 * failed. */
uint64_t lwi_site_stack(const struct lwi_thread *self, uint64_t site_key,
                        const struct lw_lock_ref *lock);

#endif
