/* sort_u64.c — see sort_u64.h. */
#include "sort_u64.h"

#define LW_SORT_SHORT 16u

static void insertion(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

static void sift_down(uint64_t *a, size_t root, size_t n)
{
    uint64_t v = a[root];
    for (size_t child; (child = 2 * root + 1) < n; root = child) {
        if (child + 1 < n && a[child + 1] > a[child]) child++;
        if (a[child] <= v) break;
        a[root] = a[child];
    }
    a[root] = v;
}

static void heapsort_u64(uint64_t *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (size_t end = n; end-- > 1;) {
        uint64_t top = a[0];
        a[0] = a[end];
        a[end] = top;
        sift_down(a, 0, end);
    }
}

static void swap(uint64_t *x, uint64_t *y)
{
    uint64_t t = *x;
    *x = *y;
    *y = t;
}

/* Quicksort of a[0..n) with `depth` bad splits left before heapsort takes over; recurses into
 * the smaller side only, so the stack stays O(log n). */
static void quick(uint64_t *a, size_t n, unsigned depth)
{
    while (n > LW_SORT_SHORT) {
        if (depth-- == 0) {
            heapsort_u64(a, n);
            return;
        }
        size_t mid = n / 2;
        /* median of three into a[mid], with a[0] <= a[mid] <= a[n - 1] */
        if (a[mid] < a[0]) swap(&a[mid], &a[0]);
        if (a[n - 1] < a[mid]) swap(&a[n - 1], &a[mid]);
        if (a[mid] < a[0]) swap(&a[mid], &a[0]);
        uint64_t pivot = a[mid];
        size_t i = 0, j = n - 1;
        for (;;) { /* Hoare partition: a[0..j] <= pivot <= a[j + 1..n) */
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j) break;
            swap(&a[i++], &a[j--]);
        }
        size_t left = j + 1;
        if (left < n - left) {
            quick(a, left, depth);
            a += left;
            n -= left;
        } else {
            quick(a + left, n - left, depth);
            n = left;
        }
    }
    insertion(a, n);
}

void lw_sort_u64(uint64_t *a, size_t n)
{
    unsigned depth = 0;
    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    quick(a, n, depth);
}
