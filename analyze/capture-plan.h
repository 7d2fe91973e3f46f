/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_ANA_CAPTURE_PLAN_H
#define MAPTRAIL_ANA_CAPTURE_PLAN_H

/*
 * capture-plan: maptrail record's plan, as rows, into the table capture_plan.
 *
 * The recorder stores its plan twice: as prose for a person (the option that
 * fills capture.recorder_plan) and as rows (common/plan-rows.h, the option
 * TDAT_OPT_MAPTRAIL_PLAN_ROWS); this loads the rows, whose columns are the
 * table's.  Captures of an older recorder have the prose only, and no rows.
 */

#include <stdint.h>

#include "sql.h"

/*
 * ana_capture_plan_insert - the rows of capture @capture_id from the option's
 * @text.  Returns 0, or -1 with db->err set (a malformed option included).
 */
int ana_capture_plan_insert(struct cmn_db *db, int64_t capture_id, const char *text);

#endif
