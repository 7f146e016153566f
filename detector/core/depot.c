/* depot.c — the stack depot (see depot.h). */
#include "depot.h"

#include <stdlib.h>

void lw_depot_free(struct lw_depot *depot)
{
    for (size_t i = 0; i < depot->stacks.capacity; i++) {
        if (!depot->stacks.used[i]) continue;
        struct lw_stack *stack = (struct lw_stack *)(uintptr_t)depot->stacks.slots[i].value;
        for (size_t f = 0; stack->named && f < stack->nframes; f++) {
            /* named frames own their strings; other frames' names belong to the driver */
            free((char *)stack->frames[f].function);
            free((char *)stack->frames[f].file);
            free((char *)stack->frames[f].module);
        }
        free(stack->frames);
        free(stack->py);
        free(stack);
    }
    lw_map_free(&depot->stacks);
    depot->nstacks = 0;
}

struct lw_stack *lw_depot_get(struct lw_depot *depot, uint32_t image, uint64_t id, int *nomem)
{
    if (id == 0) return NULL;
    uint64_t found;
    if (lw_map_get_memo(&depot->stacks, &depot->memo, id, image, &found))
        return (struct lw_stack *)(uintptr_t)found;
    struct lw_stack *stack = calloc(1, sizeof *stack);
    if (!stack || lw_map_put(&depot->stacks, id, image, (uint64_t)(uintptr_t)stack) != 0) {
        free(stack);
        *nomem = 1;
        return NULL;
    }
    stack->image = image;
    stack->id = id;
    depot->nstacks++;
    return stack;
}

int lw_depot_fill(struct lw_depot *depot, uint32_t image, uint64_t id, const uint64_t *pcs,
                  size_t npcs)
{
    int nomem = 0;
    struct lw_stack *stack = lw_depot_get(depot, image, id, &nomem);
    if (!stack) return nomem ? -1 : 0;
    if (stack->frames || npcs == 0) return 0;
    struct lw_frame *frames = calloc(npcs, sizeof *frames);
    if (!frames) return -1;
    for (size_t i = 0; i < npcs; i++)
        frames[i].pc = pcs[i];
    stack->frames = frames;
    stack->nframes = npcs;
    return 0;
}
