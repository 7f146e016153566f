/* storage.h — is an address in static storage (a writable segment of a loaded ELF object)?
 *
 * lockwatch does not see free(): a heap or stack lock that was initialised, never destroyed, and
 * whose memory was then reused for another lock looks exactly like a lock initialised twice. Only
 * static storage is never reused while its object stays loaded, so only there does "an earlier
 * init and no destroy" prove a second init wrong (reinit-live). The writable PT_LOAD ranges of
 * the loaded objects are cached and rebuilt when dl_iterate_phdr's load or unload counter moved,
 * so a call costs one dl_iterate_phdr step and a scan of the cached ranges. Under the guard. */
#ifndef LWI_STORAGE_H
#define LWI_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

/* *unloads: how many objects have been unloaded so far (dl_iterate_phdr's dlpi_subs): an object
 * loaded again after a dlclose may sit where the old one was, so an init recorded before an
 * unload proves nothing about the storage now there. */
bool lwi_storage_static(uint64_t addr, uint64_t *unloads);

#endif
