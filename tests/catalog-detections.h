/* SPDX-License-Identifier: MIT */
/*
 * The catalog's detections (the queries/ files of kind detection) as maptrail
 * analyze is given them (cli/cmd-analyze.c), for the unit tests and fuzz
 * harnesses that run analyze's modules without the command layer.
 *
 *	struct analyze_detection d[64];
 *	int n = catalog_detections(d, 64);
 */
#ifndef MAPTRAIL_TESTS_CATALOG_DETECTIONS_H
#define MAPTRAIL_TESTS_CATALOG_DETECTIONS_H

#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "catalog.h"

/*
 * catalog_detections - the detections, in catalog order, into @d (room for
 * @max); returns how many.  The strings are the catalog's own (not to be
 * freed).  More than @max aborts: a test must not run a part of the catalog
 * without saying so.
 */
static inline int catalog_detections(struct analyze_detection *d, int max)
{
	int n = 0;

	for (int i = 0; i < qry_catalog_count(); i++) {
		const struct qry_info *q = qry_catalog_get(i);

		if (!q->kind || strcmp(q->kind, "detection"))
			continue;
		if (n == max)
			abort();
		d[n++] = (struct analyze_detection){ q->name, q->title, q->mitre, q->sql };
	}
	return n;
}

#endif
