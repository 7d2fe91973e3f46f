/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REPLAYED_DETECTIONS_H
#define MAPTRAIL_REPLAYED_DETECTIONS_H

/*
 * replayed-detections: the detections that judge one protection change --
 * exec-after-write, made-executable and code-patching -- computed while the
 * history replays the calls, instead of by their queries over vma_history
 * once it is written.
 *
 * Why: on a capture of 300,000 W^X flips exec-after-write's query returns
 * 300,000 rows, each joined, formatted and grouped in SQL (issue 12: 0.5 s of
 * a 0.8 s detection phase).  The replay knows each range's prior protection
 * at the moment of the call (hist_watch_protect()), so the rows are grouped
 * as they happen and findings_build() only writes the groups.
 *
 * queries/<name>.sql stays what each of them means, and what `maptrail
 * query NAME` runs: the groups here are those findings.c makes of that
 * query's rows (same key, first row, counts and evidence).  test-findings.c
 * checks the two agree on hand-made histories, tests/e2e/replayed.py on real
 * captures.  One known difference: of two calls entering at the very same
 * nanosecond, the one that describes the group may differ.
 *
 *	struct replayed_detections *rd = rdet_alloc(capture_id);
 *	hist_watch_protect(history, rdet_protect, rd);	// as the history replays
 *	...	// the history written, vma_file resolved
 *	findings_build(db, detections, n, rd, &high);	// rdet_findings() per detection
 *	rdet_free(rd);
 */

#include <stdbool.h>
#include <stdint.h>

#include "history.h"
#include "sql.h"

struct replayed_detections;

/* rdet_alloc - nothing seen yet, for capture @capture_id.  NULL on ENOMEM. */
struct replayed_detections *rdet_alloc(int64_t capture_id);

/* rdet_free - accepts NULL, returns NULL. */
struct replayed_detections *rdet_free(struct replayed_detections *rd);

/* rdet_capture - the capture whose calls these are. */
int64_t rdet_capture(const struct replayed_detections *rd);

/* rdet_protect - a hist_protect_fn: judges one protection change.  0, or -1 on ENOMEM. */
int rdet_protect(void *rd, const struct hist_call *call, const struct hist_row *row);

/* rdet_computes - whether @detection is one of these (its query need not run). */
bool rdet_computes(const char *detection);

/* A call of a finding's evidence. */
struct rdet_call {
	int64_t id;		/* its row */
	enum hist_op op;	/* its call table: hist_op_name() */
};

/* One finding, as findings.c writes it: the columns a detection's row gives, and the group's. */
struct rdet_finding {
	int64_t capture_id;
	int pid;
	const char *severity;		/* high, medium, low */
	uint64_t ts, last_ts;		/* the first and the last call's entries */
	int64_t tid;			/* the first call's; -1: unknown */
	const char *comm;		/* NULL: unknown */
	int64_t addr, len;		/* the first call's range */
	const char *kind, *summary;
	int64_t ranges, bytes;		/* distinct (addr, len) of the calls, and their bytes */
	const struct rdet_call *calls;	/* every row's call: repeats are the writer's to skip */
	size_t nr_calls;
};

/* Receives each finding; returns 0, or -1 to stop. */
typedef int (*rdet_finding_fn)(void *arg, const struct rdet_finding *f);

/*
 * rdet_findings - the findings of @detection, in the order of their first
 * calls, to @fn.  Reads the files' paths (vma_file) and the first calls'
 * threads from @db, so runs after both are written.  Returns 0, or -1 with
 * db->err set.
 */
int rdet_findings(struct replayed_detections *rd, struct cmn_db *db, const char *detection,
		  rdet_finding_fn fn, void *arg);

#endif
