/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_HASH_H
#define MAPTRAIL_HASH_H

/*
 * hash: the two hashes analyze's in-memory tables use (findings' groups,
 * the replay's groups, range sets, the format sets trace-meta checked).
 * Nothing stored depends on their values.
 */

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_OFFSET	0xcbf29ce484222325ull

/* hash_mix - @h with the 64-bit value @v mixed in. */
static inline uint64_t hash_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

/* hash_bytes - FNV-1a of @n bytes at @p, from @h (HASH_FNV_OFFSET to start). */
static inline uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

#endif
