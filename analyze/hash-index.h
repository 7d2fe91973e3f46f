/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_HASH_INDEX_H
#define MAPTRAIL_HASH_INDEX_H

/*
 * hash-index: an index by hash of the elements of a vector its user keeps
 * (findings' groups, the replayed detections' groups).  Open addressing,
 * never more than half full, each slot the element's position + 1 (0: empty):
 * O(1) a lookup however many elements.
 *
 *	hash_index_reserve(&ix, nr, hash_of, vec);	// before adding element nr
 *	for (slot = hash_index_start(&ix, h); ix.slot[slot]; slot = hash_index_next(&ix, slot))
 *		if (vec[ix.slot[slot] - 1] is the one) ...
 *	ix.slot[slot] = nr + 1;				// not found: it goes there
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hash_index {
	uint32_t *slot;		/* element position + 1; 0: empty */
	size_t cap;		/* a power of two, or 0 */
};

/*
 * The hash of element @i of @vec, into *@hash; false: the element is not
 * indexed (a finding's row of its own).
 */
typedef bool (*hash_index_hash_of)(const void *vec, size_t i, uint64_t *hash);

/* hash_index_grow - hash_index_reserve()'s slow path: twice the slots, elements 0 .. @nr - 1 in them. */
int hash_index_grow(struct hash_index *ix, size_t nr, hash_index_hash_of hash_of, const void *vec);

/* hash_index_reserve - room for element @nr (the vector holds 0 .. @nr - 1).  0, or -1 on ENOMEM. */
static inline int hash_index_reserve(struct hash_index *ix, size_t nr, hash_index_hash_of hash_of,
				     const void *vec)
{
	return (nr + 1) * 2 <= ix->cap ? 0 : hash_index_grow(ix, nr, hash_of, vec);
}

/* Where the probe for @hash starts, and the slot after @slot. */
static inline size_t hash_index_start(const struct hash_index *ix, uint64_t hash)
{
	return hash & (ix->cap - 1);
}

static inline size_t hash_index_next(const struct hash_index *ix, size_t slot)
{
	return (slot + 1) & (ix->cap - 1);
}

/* hash_index_release - frees the slots; the index is empty again. */
void hash_index_release(struct hash_index *ix);

#endif
