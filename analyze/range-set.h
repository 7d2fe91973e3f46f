/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_RANGE_SET_H
#define MAPTRAIL_RANGE_SET_H

/*
 * range-set: the distinct (addr, len) ranges of a finding's calls and their
 * bytes, each counted once however many calls named it (findings.ranges and
 * .bytes).  Open addressing, never more than half full: O(1) an add.
 *
 *	struct range_set s = { 0 };
 *	range_set_add(&s, addr, len);	// for each call
 *	s.nr, s.bytes			// the finding's ranges and bytes
 *	range_set_release(&s);
 */

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct range_set {
	struct range_slot { int64_t addr, len; bool used; } *v;
	size_t cap;		/* a power of two, or 0 */
	size_t nr;		/* distinct ranges */
	int64_t bytes;		/* their lengths, summed (saturating) */
};

/* range_set_add - 1: added, 0: there already, -1: ENOMEM. */
int range_set_add(struct range_set *s, int64_t addr, int64_t len);

/* range_set_merge - every range of @from into @into.  0, or -1 on ENOMEM. */
int range_set_merge(struct range_set *into, const struct range_set *from);

/* range_set_release - frees what @s holds; it is empty again. */
void range_set_release(struct range_set *s);

#endif
