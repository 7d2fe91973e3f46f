// SPDX-License-Identifier: MIT
#include <string.h>

#include "db-identity.h"
#include "findings.h"

/* The columns every detection returns, in this order (README "maptrail query"). */
static const char *const columns[] = {
	"capture_id", "severity", "ts", "pid", "tid", "comm", "addr", "len", "summary", "evidence",
};
#define NR_COLUMNS (sizeof(columns) / sizeof(columns[0]))

static int check_columns(struct cmn_db *db, const struct analyze_detection *q, sqlite3_stmt *st)
{
	if ((size_t)sqlite3_column_count(st) != NR_COLUMNS)
		return cmn_db_fail(db, "detection %s returns %d columns, not the %zu of a detection",
			       q->name, sqlite3_column_count(st), NR_COLUMNS);
	for (size_t i = 0; i < NR_COLUMNS; i++)
		if (strcmp(sqlite3_column_name(st, i), columns[i]))
			return cmn_db_fail(db, "detection %s: column %zu is %s, not %s", q->name, i + 1,
				       sqlite3_column_name(st, i), columns[i]);
	return 0;
}

/* One detection: each row it returns becomes a finding and its evidence rows. */
static int64_t run_detection(struct cmn_db *db, const struct analyze_detection *q, sqlite3_stmt *insert,
			     sqlite3_stmt *evidence, int64_t *high)
{
	sqlite3_stmt *st = NULL;
	int64_t found = 0;
	int rc;

	if (sqlite3_prepare_v2(db->sql, q->sql, -1, &st, NULL) != SQLITE_OK)
		return cmn_db_fail(db, "detection %s: %s", q->name, sqlite3_errmsg(db->sql));
	if (check_columns(db, q, st) < 0)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *severity = (const char *)sqlite3_column_text(st, 1);
		int rank = cmn_severity_rank(severity);

		if (rank < 0) {
			cmn_db_fail(db, "detection %s: severity '%s' is not high, medium, low or info",
				q->name, severity ? severity : "NULL");
			goto fail;
		}
		sqlite3_bind_value(insert, 1, sqlite3_column_value(st, 0));
		sqlite3_bind_text(insert, 2, q->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(insert, 3, q->title ? q->title : q->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(insert, 4, severity, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(insert, 5, rank);
		if (q->mitre)
			sqlite3_bind_text(insert, 6, q->mitre, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(insert, 6);
		for (int i = 2; i <= 8; i++)	/* ts .. summary */
			sqlite3_bind_value(insert, 5 + i, sqlite3_column_value(st, i));
		if (cmn_db_step_done(db, insert) < 0)
			goto fail;
		sqlite3_bind_int64(evidence, 1, sqlite3_last_insert_rowid(db->sql));
		sqlite3_bind_value(evidence, 2, sqlite3_column_value(st, 9));
		if (cmn_db_step_done(db, evidence) < 0)
			goto fail;
		found++;
		*high += rank == cmn_severity_rank("high");
	}
	if (rc != SQLITE_DONE) {
		cmn_db_fail(db, "detection %s: %s", q->name, sqlite3_errmsg(db->sql));
		goto fail;
	}
	sqlite3_finalize(st);
	return found;
fail:
	sqlite3_finalize(st);
	return -1;
}

int64_t findings_build(struct cmn_db *db, const struct analyze_detection *detections, int n,
		       int64_t *high)
{
	sqlite3_stmt *insert, *evidence;
	int64_t total = 0, highs = 0;

	if (cmn_db_exec(db, "DELETE FROM finding_evidence; DELETE FROM findings") < 0)
		return -1;
	insert = cmn_db_prepare(db, "INSERT INTO findings (capture_id, detection, title, severity,"
			    " severity_rank, mitre, ts, pid, tid, comm, addr, len, summary)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	/* evidence is a JSON array of [call table, row id] pairs. */
	evidence = cmn_db_prepare(db, "INSERT OR IGNORE INTO finding_evidence (finding_id, call, call_id)"
			      " SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]')"
			      " FROM json_each(?2) WHERE json_extract(value, '$[1]') IS NOT NULL");
	if (!insert || !evidence)
		goto fail;
	for (int i = 0; i < n; i++) {
		int64_t found = run_detection(db, &detections[i], insert, evidence, &highs);

		if (found < 0)
			goto fail;
		total += found;
	}
	sqlite3_finalize(insert);
	sqlite3_finalize(evidence);
	if (high)
		*high = highs;
	return total;
fail:
	sqlite3_finalize(insert);
	sqlite3_finalize(evidence);
	return -1;
}
