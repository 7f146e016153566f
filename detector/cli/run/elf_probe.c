/* elf_probe.c — classifies an executable file: "#!" scripts by their first line, ELF files with
 * libelf (gelf: one code path for 32- and 64-bit; the same library tsan_run.c reads symbols
 * with). Only the ELF header and the program headers are read. */
#include "run/elf_probe.h"

#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned host_data_encoding(void)
{
    const uint16_t probe = 1;
    return *(const unsigned char *)&probe == 1 ? ELFDATA2LSB : ELFDATA2MSB;
}

/* The number of program headers the ELF header declares (PN_XNUM: the real count is in section
 * 0's sh_info). elf_getphdrnum would cut a truncated table short; reading past what the file
 * holds must fail instead, so the file is not taken for a static executable. */
static bool declared_phnum(Elf *elf, const GElf_Ehdr *eh, size_t *phnum)
{
    GElf_Shdr sh0;
    if (eh->e_phnum != PN_XNUM) {
        *phnum = eh->e_phnum;
    } else {
        Elf_Scn *scn0 = elf_getscn(elf, 0);
        if (scn0 == NULL || gelf_getshdr(scn0, &sh0) == NULL) return false;
        *phnum = sh0.sh_info;
    }
    return true;
}

/* Whether the program header table holds PT_INTERP; sets info->machine. A header whose program
 * header entries are not of its class's size (an object file has none) is not an executable. */
static enum lwd_elf_kind probe_elf(int fd, struct lwd_elf_info *info)
{
    if (elf_version(EV_CURRENT) == EV_NONE) return LWD_ELF_OTHER;
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    enum lwd_elf_kind kind = LWD_ELF_OTHER;
    GElf_Ehdr eh;
    size_t phnum;
    if (elf == NULL || elf_kind(elf) != ELF_K_ELF || gelf_getehdr(elf, &eh) == NULL) goto out;
    info->machine = eh.e_machine;
    if (eh.e_phentsize != gelf_fsize(elf, ELF_T_PHDR, 1, EV_CURRENT)) goto out;
    if (!declared_phnum(elf, &eh, &phnum)) goto out;
    kind = LWD_ELF_STATIC;
    for (size_t i = 0; i < phnum && kind == LWD_ELF_STATIC; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, (int)i, &ph) == NULL)
            kind = LWD_ELF_OTHER;
        else if (ph.p_type == PT_INTERP)
            kind = LWD_ELF_DYNAMIC;
    }
out:
    elf_end(elf);
    return kind;
}

/* "#!" followed by optional blanks and the interpreter path up to a blank or the line's end,
 * as the kernel's binfmt_script reads it. */
static enum lwd_elf_kind probe_script(int fd, struct lwd_elf_info *info)
{
    char line[256];
    ssize_t got = pread(fd, line, sizeof line - 1, 0);
    if (got < 2) return LWD_ELF_OTHER;
    line[got] = '\0';
    const char *p = line + 2;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = strcspn(p, " \t\n");
    if (len == 0 || len >= sizeof info->interp) return LWD_ELF_OTHER;
    memcpy(info->interp, p, len);
    info->interp[len] = '\0';
    return LWD_ELF_SCRIPT;
}

void lwd_elf_probe(const char *path, struct lwd_elf_info *info)
{
    memset(info, 0, sizeof *info);
    info->kind = LWD_ELF_UNREADABLE;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    unsigned char ident[EI_NIDENT];
    ssize_t got = pread(fd, ident, sizeof ident, 0);
    if (got >= 2 && ident[0] == '#' && ident[1] == '!') {
        info->kind = probe_script(fd, info);
    } else if (got != (ssize_t)sizeof ident) {
        info->kind = got < 0 ? LWD_ELF_UNREADABLE : LWD_ELF_OTHER;
    } else if (memcmp(ident, ELFMAG, SELFMAG) != 0 || ident[EI_DATA] != host_data_encoding()) {
        info->kind = LWD_ELF_OTHER;
    } else if (ident[EI_CLASS] == ELFCLASS64 || ident[EI_CLASS] == ELFCLASS32) {
        info->elf_class = ident[EI_CLASS];
        info->kind = probe_elf(fd, info);
    } else {
        info->kind = LWD_ELF_OTHER;
    }
    close(fd);
}
