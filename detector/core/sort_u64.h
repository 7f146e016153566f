/* sort_u64.h — sorts an array of 64-bit keys in place, ascending.
 *
 * The reordering of the lock-order graph (graph_order.c) sorts a few places per new edge that
 * goes against the order; the C library's qsort pays a call per comparison and, in glibc, a
 * buffer for its merge sort. This one compares inline: insertion sort for short runs, quicksort
 * (median of three) above them, and heapsort for any run the quicksort splits badly too often,
 * so no input costs more than O(n log n). */
#ifndef LW_CORE_SORT_U64_H
#define LW_CORE_SORT_U64_H

#include <stddef.h>
#include <stdint.h>

void lw_sort_u64(uint64_t *a, size_t n);

#endif
