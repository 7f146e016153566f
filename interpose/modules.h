/* modules.h — MODULE records: which ELF objects are mapped where, so the driver can turn raw
 * return addresses into module + offset.
 *
 * All objects are announced by the constructor; objects loaded later (dlopen, by the program or
 * inside glibc) are noticed through dl_iterate_phdr's load counter (dlpi_adds) just before a
 * STACK record leaves, so every address a stack names lies in an announced module. An object
 * unloaded (dlpi_subs) is forgotten, so loading it again announces it again. This replaces
 * a dlopen wrapper on purpose: glibc's dlopen resolves relative names against the RUNPATH of its
 * *caller* (found from the return address), and a wrapper would make that caller us. */
#ifndef LWI_MODULES_H
#define LWI_MODULES_H

#include <stdint.h>

struct lwi_thread;

/* Remembers the executable path (for the main program, whose dlpi_name is empty) and sends a
 * MODULE record for every loaded object. */
void lwi_modules_init(const struct lwi_thread *self, const char *exe);
/* Sends MODULE records for objects loaded since the last scan. Cheap when nothing changed. */
void lwi_modules_refresh(const struct lwi_thread *self);
void lwi_modules_after_fork(void);
/* How many objects have been unloaded so far (dl_iterate_phdr's dlpi_subs): stack ids mix it in,
 * so the same return addresses after a dlclose + dlopen (possibly another object at the same
 * address) make a new stack, sent again and named with the objects loaded then. */
uint64_t lwi_modules_unloads(void);

/* The executable's path as read at start (/proc/self/exe). */
const char *lwi_modules_exe(void);

#endif
