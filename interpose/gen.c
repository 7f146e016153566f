/* gen.c — the generation table (see gen.h). */
#include "gen.h"

_Atomic uint32_t lwi_gen_table[1u << LWI_GEN_LOG2];
