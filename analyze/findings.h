/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_FINDINGS_H
#define MAPTRAIL_FINDINGS_H

/*
 * findings: run the detections it is given (queries/<name>.sql with kind:
 * detection, passed in by cli: analyze/ does not link queries/) over the
 * database and gather what they return into `findings`, with the call rows
 * each rests on in `finding_evidence`.
 * Rebuilt whole each time, so that an --append database judges all its
 * captures with the detections of the maptrail that wrote it last.
 */

#include <stdint.h>

#include "analyze.h"
#include "sql.h"

/*
 * findings_build - empty and refill findings and finding_evidence.  Needs the
 * call tables, vma_history and the memory_call view.  Returns the number of
 * findings, and in *@high (may be NULL) how many are high severity, or -1
 * with db->err set (naming the detection that failed).
 */
int64_t findings_build(struct cmn_db *db, const struct analyze_detection *detections, int n,
		       int64_t *high);

#endif
