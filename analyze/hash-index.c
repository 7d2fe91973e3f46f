// SPDX-License-Identifier: MIT
#include <stdlib.h>

#include "hash-index.h"

int hash_index_grow(struct hash_index *ix, size_t nr, hash_index_hash_of hash_of, const void *vec)
{
	struct hash_index n = { .cap = ix->cap ? ix->cap * 2 : 64 };

	n.slot = calloc(n.cap, sizeof(*n.slot));
	if (!n.slot)
		return -1;
	for (size_t i = 0; i < nr; i++) {
		uint64_t hash;
		size_t slot;

		if (!hash_of(vec, i, &hash))
			continue;
		for (slot = hash_index_start(&n, hash); n.slot[slot]; slot = hash_index_next(&n, slot))
			;
		n.slot[slot] = (uint32_t)i + 1;
	}
	free(ix->slot);
	*ix = n;
	return 0;
}

void hash_index_release(struct hash_index *ix)
{
	free(ix->slot);
	*ix = (struct hash_index){ 0 };
}
