/* elf_probe.h — what kind of executable a file is, read from its first bytes and ELF program
 * headers (32- and 64-bit, host byte order; libelf): a dynamically linked ELF (has PT_INTERP, so
 * the loader will honour LD_PRELOAD), a statically linked one (no PT_INTERP, static-pie included),
 * a "#!" script (with its interpreter's path), or something else the kernel decides about. */
#ifndef LWD_ELF_PROBE_H
#define LWD_ELF_PROBE_H

#include <limits.h>
#include <stdint.h>

enum lwd_elf_kind {
    LWD_ELF_DYNAMIC,
    LWD_ELF_STATIC,
    LWD_ELF_SCRIPT,
    LWD_ELF_OTHER,      /* not ELF nor "#!", foreign byte order, or malformed: exec decides */
    LWD_ELF_UNREADABLE, /* cannot be opened or read (e.g. execute-only): exec decides */
};

struct lwd_elf_info {
    enum lwd_elf_kind kind;
    unsigned elf_class;    /* ELFCLASS32 / ELFCLASS64 for ELF kinds, else 0 */
    unsigned machine;      /* e_machine for ELF kinds, else 0 */
    char interp[PATH_MAX]; /* LWD_ELF_SCRIPT: the interpreter named after "#!" */
};

void lwd_elf_probe(const char *path, struct lwd_elf_info *info);

#endif
