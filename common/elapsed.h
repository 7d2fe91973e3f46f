/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CMN_ELAPSED_H
#define MAPTRAIL_CMN_ELAPSED_H

#include <time.h>

/*
 * cmn_seconds_since - wall seconds from @from (CLOCK_MONOTONIC, taken with
 * clock_gettime) to now: how long a phase, a step or a detection took.
 */
static inline double cmn_seconds_since(const struct timespec *from)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - from->tv_sec) + (now.tv_nsec - from->tv_nsec) / 1e9;
}

#endif
