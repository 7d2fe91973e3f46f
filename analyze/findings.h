/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_FINDINGS_H
#define MAPTRAIL_FINDINGS_H

/*
 * findings: run the detections it is given (queries/<name>.sql with kind:
 * detection, passed in by cli: analyze/ does not link queries/) over the
 * database and gather what they return into `findings`, with the call rows
 * each rests on in `finding_evidence`.
 *
 * A detection returns one row per call (or per thing it found) with a kind:
 * what the call did, e.g. 'rw- -> r-x anonymous'.  The rows of one
 * detection with the same capture, process, kind and severity are one
 * finding, described by its first row (ts, tid, addr, len, summary), with
 * the number of calls, of distinct (addr, len) ranges and their bytes, and
 * the last row's ts; every call of every row is in finding_evidence.  A row
 * whose kind is NULL is a finding of its own (e.g. a burst, already a group).
 * Grouping is one pass over the rows with hash tables: linear in the rows,
 * whatever the addresses.
 *
 * Rebuilt whole each time, so that an --append database judges all its
 * captures with the detections of the maptrail that wrote it last.
 */

#include <stdint.h>

#include "analyze.h"
#include "sql.h"

struct replayed_detections;

/*
 * findings_build - empty and refill findings and finding_evidence.  Needs the
 * call tables, vma_history and the memory_call view.  The detections
 * @replayed (may be NULL) judged while its capture's history was replayed
 * are written from it rather than run (replayed-detections.h); their
 * queries still run for the database's other captures.  Returns the number
 * of findings (groups), and in *@high (may be NULL) how many of them are
 * high severity, or -1 with db->err set (naming the detection that failed).
 * @seconds (may be NULL): @n wall times, each detection's (its query or its
 * replayed groups, and the rows written), in the order of @detections.
 */
int64_t findings_build(struct cmn_db *db, const struct analyze_detection *detections, int n,
		       struct replayed_detections *replayed, int64_t *high, double *seconds);

#endif
