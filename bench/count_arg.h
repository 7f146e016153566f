/* count_arg.h — the benchmark programs' numeric options: a decimal count from 1 to max. */
#ifndef LW_BENCH_COUNT_ARG_H
#define LW_BENCH_COUNT_ARG_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* 0 with *out set, or -1 when text is not a whole number in 1..max. */
static inline int parse_count(const char *text, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || parsed == 0 || parsed > max) return -1;
    *out = parsed;
    return 0;
}

#endif
