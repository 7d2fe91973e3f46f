/* SPDX-License-Identifier: MIT */
/*
 * Sums of lengths a capture claims.  A damaged or hostile capture can claim
 * lengths near 2^63: a count of bytes saturates there instead of overflowing
 * (undefined in C; found by tests/fuzz's history harness, twice).
 */
#ifndef MAPTRAIL_COMMON_SATURATING_H
#define MAPTRAIL_COMMON_SATURATING_H

#include <stdint.h>

static inline int64_t cmn_add_saturated(int64_t sum, int64_t n)
{
	int64_t r;

	if (__builtin_add_overflow(sum, n, &r))
		return n > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

#endif
