/* wrap_sem.h — semaphore events for the driver's hand-over notes (see wrap_sem.c): called after a
 * sem_init, sem_post or sem_wait succeeded, with the caller's pc; process-shared semaphores are
 * skipped. The real call's result and errno are the program's. */
#ifndef LWI_WRAP_SEM_H
#define LWI_WRAP_SEM_H

#include <semaphore.h>
#include <stdint.h>

void lwi_sem_event(sem_t *sem, uint32_t op, uint32_t value, uint64_t pc);

#endif
