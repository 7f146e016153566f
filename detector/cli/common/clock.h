/* clock.h — the driver's one clock: CLOCK_MONOTONIC, the clock the runtime's records and timer
 * board use too. */
#ifndef LWD_CLOCK_H
#define LWD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t lwd_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline long long lwd_now_ms(void)
{
    return (long long)(lwd_now_ns() / 1000000u);
}

#endif
