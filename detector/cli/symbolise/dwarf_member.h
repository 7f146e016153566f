/* dwarf_member.h — which member of a static object holds a lock, from the object's DWARF
 * type: "the lock at byte 48 of `accounts`" becomes "[1].lock". Pure libdw, no state. */
#ifndef LWD_DWARF_MEMBER_H
#define LWD_DWARF_MEMBER_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes to buf (len bytes) the path from the static variable at link-time address addr to the
 * part at `offset` that holds a lock of lock_size bytes (".ledger_mutex", "[3].m"): descends
 * through members, base classes and array elements while the offset is inside one, or the part
 * found is still larger than the lock. False when the variable, its type or a member offset
 * cannot be read, when the path is empty (the variable is the lock), or when it does not fit. */
bool lwd_dwarf_member_path(Dwarf *dwarf, Dwarf_Addr addr, uint64_t offset, uint64_t lock_size,
                           char *buf, size_t len);

#endif
