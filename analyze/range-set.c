// SPDX-License-Identifier: MIT
#include <stdlib.h>

#include "hash.h"
#include "range-set.h"
#include "saturating.h"

static size_t slot_of(const struct range_set *s, int64_t addr, int64_t len)
{
	return hash_mix(hash_mix(0, (uint64_t)addr), (uint64_t)len) & (s->cap - 1);
}

static int grow(struct range_set *s)
{
	size_t cap = s->cap ? s->cap * 2 : 8;
	struct range_slot *v = calloc(cap, sizeof(*v));
	struct range_set n = { .v = v, .cap = cap, .nr = s->nr, .bytes = s->bytes };

	if (!v)
		return -1;
	for (size_t i = 0; i < s->cap; i++) {
		size_t slot;

		if (!s->v[i].used)
			continue;
		for (slot = slot_of(&n, s->v[i].addr, s->v[i].len); v[slot].used;
		     slot = (slot + 1) & (cap - 1))
			;
		v[slot] = s->v[i];
	}
	free(s->v);
	*s = n;
	return 0;
}

int range_set_add(struct range_set *s, int64_t addr, int64_t len)
{
	size_t slot;

	if ((s->nr + 1) * 2 > s->cap && grow(s) < 0)
		return -1;
	for (slot = slot_of(s, addr, len); s->v[slot].used; slot = (slot + 1) & (s->cap - 1))
		if (s->v[slot].addr == addr && s->v[slot].len == len)
			return 0;
	s->v[slot] = (struct range_slot){ .addr = addr, .len = len, .used = true };
	s->nr++;
	s->bytes = cmn_add_saturated(s->bytes, len);
	return 1;
}

int range_set_merge(struct range_set *into, const struct range_set *from)
{
	for (size_t i = 0; i < from->cap; i++)
		if (from->v[i].used && range_set_add(into, from->v[i].addr, from->v[i].len) < 0)
			return -1;
	return 0;
}

void range_set_release(struct range_set *s)
{
	free(s->v);
	*s = (struct range_set){ 0 };
}
