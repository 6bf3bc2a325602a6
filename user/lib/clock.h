/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The clocks ecmpd and its BFD thread count time with: CLOCK_MONOTONIC for
 * every deadline and timer (the data path's bucket epoch too), the wall
 * clock only for stamps shown to people.
 */
#ifndef ECMP_CLOCK_H
#define ECMP_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline uint64_t clock_mono_us(void)
{
	return clock_mono_ns() / 1000;
}

static inline uint64_t clock_mono_ms(void)
{
	return clock_mono_ns() / 1000000;
}

static inline uint64_t clock_unix_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif /* ECMP_CLOCK_H */
