// SPDX-License-Identifier: MIT
/*
 * capture-plan: the plan option's rows into capture_plan, column by name.
 */
#include <stdlib.h>

#include "capture-plan.h"
#include "plan-rows.h"

int ana_capture_plan_insert(struct cmn_db *db, int64_t capture_id, const char *text)
{
	sqlite3_str *sql = sqlite3_str_new(db->sql);
	struct cmn_plan *plan = NULL;
	sqlite3_stmt *st = NULL;
	char *err = NULL, *insert;
	int ret = -1;

	if (cmn_plan_decode(text, &plan, &err) < 0) {
		cmn_db_fail(db, "the recorder's plan: %s", err ? err : "out of memory");
		free(err);
		sqlite3_free(sqlite3_str_finish(sql));
		return -1;
	}
	sqlite3_str_appendall(sql, "INSERT INTO capture_plan (capture_id, seq");
	for (int c = 0; c < CMN_PLAN_NR_COLS; c++)
		sqlite3_str_appendf(sql, ", \"%w\"", cmn_plan_col_names[c]);
	sqlite3_str_appendall(sql, ") VALUES (?, ?");
	for (int c = 0; c < CMN_PLAN_NR_COLS; c++)
		sqlite3_str_appendall(sql, ", ?");
	sqlite3_str_appendall(sql, ")");
	insert = sqlite3_str_finish(sql);
	st = insert ? cmn_db_prepare(db, "%s", insert) : NULL;
	sqlite3_free(insert);
	if (!st) {
		cmn_db_fail(db, "out of memory");
		goto out;
	}
	for (int i = 0; i < plan->nr; i++) {
		sqlite3_bind_int64(st, 1, capture_id);
		sqlite3_bind_int(st, 2, i + 1);
		for (int c = 0; c < CMN_PLAN_NR_COLS; c++)
			sqlite3_bind_text(st, c + 3, plan->rows[i].col[c], -1, SQLITE_STATIC);
		if (cmn_db_step_done(db, st) < 0)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	cmn_plan_free(plan);
	return ret;
}
