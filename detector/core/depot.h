/* depot.h — the run's stack depot: (image, stack id) -> struct lw_stack with its return
 * addresses.
 *
 * Records name stacks by id and a STACK record may come after the first record naming it, so a
 * lookup creates an empty stack (frames NULL) that the STACK record fills later; pointers handed
 * out stay valid until lw_depot_free. */
#ifndef LW_CORE_DEPOT_H
#define LW_CORE_DEPOT_H

#include <stddef.h>
#include <stdint.h>

#include "lockwatch/report.h"
#include "map.h"

struct lw_depot {
    struct lw_map stacks;    /* (id, image) -> struct lw_stack * */
    struct lw_map_memo memo; /* in front of stacks */
    size_t nstacks;
};

/* A zeroed struct is an empty depot. */
void lw_depot_free(struct lw_depot *depot);

/* The stack (image, id), created empty when unknown. id 0 means "no stack": returns NULL.
 * Sets *nomem and returns NULL when out of memory. */
struct lw_stack *lw_depot_get(struct lw_depot *depot, uint32_t image, uint64_t id, int *nomem);

/* Gives (image, id) its return addresses unless it already has some (a stack is interned: a
 * second STACK record for it is a re-send of the same addresses). Returns 0 or -1 (no memory). */
int lw_depot_fill(struct lw_depot *depot, uint32_t image, uint64_t id, const uint64_t *pcs,
                  size_t npcs);

#endif
