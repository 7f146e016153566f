/* elf_probe.c — classifies an executable file by reading its ELF header and program headers
 * with <elf.h> (no libelf: this runs before anything else and needs only PT_INTERP). */
#include "elf_probe.h"

#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool read_at(int fd, void *buf, size_t len, uint64_t offset)
{
    if (offset > (uint64_t)INT64_MAX) return false;
    return pread(fd, buf, len, (off_t)offset) == (ssize_t)len;
}

static unsigned host_data_encoding(void)
{
    const uint16_t probe = 1;
    return *(const unsigned char *)&probe == 1 ? ELFDATA2LSB : ELFDATA2MSB;
}

/* probe_elf64 / probe_elf32: whether the program header table holds PT_INTERP. The two differ
 * only in their <elf.h> types. e_phnum == PN_XNUM means the real count is in section header 0's
 * sh_info. */
static enum lwd_elf_kind probe_elf64(int fd, struct lwd_elf_info *info)
{
    Elf64_Ehdr eh;
    if (!read_at(fd, &eh, sizeof eh, 0)) return LWD_ELF_OTHER;
    info->machine = eh.e_machine;
    if (eh.e_phentsize != sizeof(Elf64_Phdr)) return LWD_ELF_OTHER;
    uint64_t phnum = eh.e_phnum;
    if (phnum == PN_XNUM) {
        Elf64_Shdr sh0;
        if (eh.e_shoff == 0 || !read_at(fd, &sh0, sizeof sh0, eh.e_shoff)) return LWD_ELF_OTHER;
        phnum = sh0.sh_info;
    }
    for (uint64_t i = 0; i < phnum; i++) {
        Elf64_Phdr ph;
        if (!read_at(fd, &ph, sizeof ph, eh.e_phoff + i * sizeof ph)) return LWD_ELF_OTHER;
        if (ph.p_type == PT_INTERP) return LWD_ELF_DYNAMIC;
    }
    return LWD_ELF_STATIC;
}

static enum lwd_elf_kind probe_elf32(int fd, struct lwd_elf_info *info)
{
    Elf32_Ehdr eh;
    if (!read_at(fd, &eh, sizeof eh, 0)) return LWD_ELF_OTHER;
    info->machine = eh.e_machine;
    if (eh.e_phentsize != sizeof(Elf32_Phdr)) return LWD_ELF_OTHER;
    uint64_t phnum = eh.e_phnum;
    if (phnum == PN_XNUM) {
        Elf32_Shdr sh0;
        if (eh.e_shoff == 0 || !read_at(fd, &sh0, sizeof sh0, eh.e_shoff)) return LWD_ELF_OTHER;
        phnum = sh0.sh_info;
    }
    for (uint64_t i = 0; i < phnum; i++) {
        Elf32_Phdr ph;
        if (!read_at(fd, &ph, sizeof ph, (uint64_t)eh.e_phoff + i * sizeof ph))
            return LWD_ELF_OTHER;
        if (ph.p_type == PT_INTERP) return LWD_ELF_DYNAMIC;
    }
    return LWD_ELF_STATIC;
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
    } else if (ident[EI_CLASS] == ELFCLASS64) {
        info->elf_class = ELFCLASS64;
        info->kind = probe_elf64(fd, info);
    } else if (ident[EI_CLASS] == ELFCLASS32) {
        info->elf_class = ELFCLASS32;
        info->kind = probe_elf32(fd, info);
    } else {
        info->kind = LWD_ELF_OTHER;
    }
    close(fd);
}
