/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_ANA_CAPTURE_UTC_H
#define MAPTRAIL_ANA_CAPTURE_UTC_H

/*
 * capture-utc: how a capture's ts becomes UTC, in its capture row (utc_*
 * columns of analyze/layout.sql):
 *
 *	UTC ns since 1970 = ts + utc_offset + CAST((ts - utc_offset_ts) * utc_drift AS INTEGER)
 *
 * From maptrail record's option (common/tdat-format.h,
 * TDAT_OPT_MAPTRAIL_WALLCLOCK): the offset sampled at the start, the drift
 * up to the end sample, the worse uncertainty of the two.  From trace-cmd
 * record --date's DATE option: the readers already added it to ts, so the
 * offset is 0 (its uncertainty is not in the file: NULL).  Otherwise the
 * columns stay NULL: a trace clock alone says nothing of the wall clock.
 */

#include <stdint.h>

#include "sql.h"
#include "trace-meta.h"

struct ana_capture_utc {
	const char *source;		/* "maptrail record", "trace-cmd --date", NULL: none */
	int64_t offset;			/* UTC ns - ts, at offset_ts */
	int64_t offset_ts;
	double drift;			/* change of offset per ns of ts */
	int64_t uncertainty;		/* ns, ±; -1: not known */
};

/*
 * ana_capture_utc_from_meta - what @m says of the wall clock into *@w.
 * Returns 0, or -1 when it says nothing usable (no option, another clock,
 * a malformed text).
 */
int ana_capture_utc_from_meta(const struct trace_meta *m, struct ana_capture_utc *w);

/*
 * ana_capture_utc_store - the utc_* columns of capture @capture_id from @m.
 * Returns 0, or -1 with db->err set.
 */
int ana_capture_utc_store(struct cmn_db *db, int64_t capture_id, const struct trace_meta *m);

#endif
