/* lockref.h — builds a lock's identity and kind from the lock object itself, at use.
 *
 * Statically initialised locks never pass through *_init, so the kind (recursive, errorcheck,
 * writer-preferring, process-shared) is read from glibc's layout of the object every time
 * (PITFALLS.md). The same layout gives the owner's kernel tid, used to confirm misuse and to name
 * the owner of a busy lock. C11 mtx_t has the pthread_mutex_t layout in glibc. */
#ifndef LWI_LOCKREF_H
#define LWI_LOCKREF_H

#include <pthread.h>
#include <stdint.h>

#include "lockwatch/wire.h"

struct lw_lock_ref lwi_ref_mutex(const void *mutex, uint8_t type, uint8_t mode, uint8_t acq);
struct lw_lock_ref lwi_ref_rwlock(const pthread_rwlock_t *rw, uint8_t mode, uint8_t acq);
struct lw_lock_ref lwi_ref_spin(const pthread_spinlock_t *spin, uint8_t acq);

/* Kernel tid the lock object names as its (exclusive) owner, 0 if none or unknown. */
int32_t lwi_lock_owner_tid(const struct lw_lock_ref *ref);

#endif
