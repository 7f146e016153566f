/* wrap_sem.h — SEM records for the driver's hand-over notes (see wrap_sem.c). Under the guard,
 * after a sem_init succeeded, after a sem_post that was a signal (not the release of a hold by its
 * taker) and after a wait that returned on a semaphore known to be a signal, with the caller's pc
 * and the flags read from the semaphore; process-shared semaphores are skipped. Ends the thread's
 * epoch first when it used an edge in it (post, wait). Keeps errno. */
#ifndef LWI_WRAP_SEM_H
#define LWI_WRAP_SEM_H

#include <semaphore.h>
#include <stdint.h>

#include "tls.h"

void lwi_sem_event(struct lwi_thread *self, const sem_t *sem, uint8_t flags, uint32_t op,
                   uint32_t value, uint64_t pc);

#endif
