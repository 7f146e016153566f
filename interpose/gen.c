/* gen.c — maps the generation table (see gen.h). */
#include "gen.h"

#include <stddef.h>
#include <sys/mman.h>

_Atomic uint32_t *lwi_gen_table;

int lwi_gen_init(void)
{
    void *mem = mmap(NULL, (sizeof(uint32_t)) << LWI_GEN_LOG2, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) return -1;
    lwi_gen_table = mem;
    return 0;
}
