/* ring.h — the writing end of the record ring (lockwatch/ring.h has the layout and protocol).
 *
 * lwi_ring_create maps a fresh ring; channel.c hands its descriptor to the driver and then sends
 * every record through lwi_ring_put: a compare-and-swap, two copies and two stores, no system
 * call unless the ring is full. No allocation, no locks; safe from any thread, from signal
 * handlers that return, and across fork (the child writes into the same ring). */
#ifndef LWI_RING_H
#define LWI_RING_H

#include <stdbool.h>
#include <stddef.h>

#include "lockwatch/ring.h"

/* Creates and maps a ring. Returns the mapping and stores its memfd in *fd, or returns NULL. */
struct lw_ring_header *lwi_ring_create(int *fd);

/* Unmaps a ring that was never handed over. */
void lwi_ring_destroy(struct lw_ring_header *r);

/* Writes one record (header.size == size <= LW_WIRE_MAX_RECORD) into r, waiting while the ring is
 * full. False when the driver will not read it: it closed the ring, or has not looked at it for
 * ten seconds (gone, stopped, or never took the ring over). May change errno and, only while
 * waiting, make system calls. A signal handler that never returns into a write (longjmp) leaves
 * its slot unpublished: the driver gives the ring up (lockwatch/ring.h). */
bool lwi_ring_put(struct lw_ring_header *r, const void *record, size_t size);
/* lwi_ring_put that, when !may_sleep, waits for room by spinning instead of nanosleep (a thread
 * under seccomp may not make that system call). */
bool lwi_ring_put_ex(struct lw_ring_header *r, const void *record, size_t size, bool may_sleep);

#endif
