// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "db-identity.h"
#include "error-line.h"

/*
 * The tables and views of layout CMN_DB_LAYOUT_VERSION (analyze/layout.sql;
 * test-query checks that layout.sql makes each of them as said).  Those of
 * the first layout are in every maptrail database; the others a database of
 * an older maptrail may lack (its readers say what is missing), but where
 * one is there it must be of its kind: a view in place of a table is not
 * maptrail's.
 */
static const struct {
	const char *name;
	const char *type;	/* "table" or "view", as sqlite_schema says */
	bool always;		/* since the first layout */
} layout_objects[] = {
	{ "capture", "table", true }, { "buffer", "table", true },
	{ "capture_cpu", "table", true }, { "event_type", "table", true },
	{ "event_field", "table", true }, { "task", "table", true },
	{ "task_comm", "table", true }, { "unknown_event", "table", true },
	{ "event_count", "view", true },
	{ "call_source", "table", false }, { "vma_history", "table", false },
	{ "findings", "table", false }, { "finding_evidence", "table", false },
	{ "process", "table", false }, { "flight", "table", false },
	{ "process_snapshot", "table", false }, { "snapshot_thread", "table", false },
	{ "snapshot_map", "table", false }, { "snapshot_fd", "table", false },
	{ "mmap_file", "table", false }, { "fd_history", "table", false },
	{ "vma_file", "table", false }, { "prot_rwx", "view", false },
	{ "flight_call", "view", false }, { "flight_finding", "view", false },
	{ "vma_history_file", "view", false }, { "exec_file_change", "view", false },
	{ NULL, NULL, false }
};

/* Views that later layouts made tables (prot_rwx: the detections look it up per call). */
static const struct {
	const char *name;
	int64_t since;		/* the layout that made it a table */
} made_tables[] = {
	{ "prot_rwx", 5 },
};

/* What the @i-th object is in a database of layout @version. */
static const char *layout_type(int i, int64_t version)
{
	for (size_t k = 0; k < sizeof(made_tables) / sizeof(made_tables[0]); k++)
		if (!strcmp(layout_objects[i].name, made_tables[k].name) &&
		    version >= made_tables[k].since)
			return "table";
	return layout_objects[i].type;
}

const char *cmn_db_layout_object(int i, const char **type)
{
	if (i < 0 || i >= (int)(sizeof(layout_objects) / sizeof(layout_objects[0])) - 1)
		return NULL;
	*type = layout_type(i, CMN_DB_LAYOUT_VERSION);
	return layout_objects[i].name;
}

/* One integer of a PRAGMA; false (with *@err) when the file cannot say. */
static bool pragma_int(sqlite3 *db, const char *pragma, int64_t *v, char **err)
{
	sqlite3_stmt *st = NULL;
	bool ok = false;

	if (sqlite3_prepare_v2(db, pragma, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		ok = true;
	} else {
		cmn_fail(err, "not a maptrail database (%s)", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	return ok;
}

int cmn_db_check_identity(sqlite3 *db, char **err)
{
	sqlite3_stmt *st = NULL;
	int64_t app_id, version;
	int ret = -1;

	if (!pragma_int(db, "PRAGMA application_id", &app_id, err))
		return -1;
	if (app_id != CMN_DB_APPLICATION_ID)
		return app_id ? cmn_fail(err, "not a maptrail database (application id 0x%llx)",
					 (unsigned long long)(uint32_t)app_id)
			      : cmn_fail(err, "not a maptrail database");
	if (!pragma_int(db, "PRAGMA user_version", &version, err))
		return -1;
	if (version > CMN_DB_LAYOUT_VERSION)
		return cmn_fail(err, "made by a newer maptrail (database layout %lld; this one reads"
				" layout %d)", (long long)version, CMN_DB_LAYOUT_VERSION);
	if (version < 1)
		return cmn_fail(err, "not a maptrail database (no layout version)");
	if (sqlite3_prepare_v2(db, "SELECT type FROM sqlite_schema WHERE name = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return cmn_fail(err, "not a maptrail database (%s)", sqlite3_errmsg(db));
	for (int i = 0; layout_objects[i].name; i++) {
		const char *type, *want = layout_type(i, version);

		sqlite3_bind_text(st, 1, layout_objects[i].name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			if (!layout_objects[i].always)
				continue;
			cmn_fail(err, "not a maptrail database of layout %lld: no %s %s",
				 (long long)version, want, layout_objects[i].name);
			goto out;
		}
		type = (const char *)sqlite3_column_text(st, 0);
		if (!type || strcmp(type, want)) {
			cmn_fail(err, "not a maptrail database of layout %lld: %s is a %s, not a %s",
				 (long long)version, layout_objects[i].name, type ? type : "?", want);
			goto out;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'trigger' LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK) {
		cmn_fail(err, "not a maptrail database (%s)", sqlite3_errmsg(db));
		goto out;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		cmn_fail(err, "not a maptrail database as maptrail made it: it has a trigger (%s)",
			 sqlite3_column_text(st, 0));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

int cmn_severity_rank(const char *severity)
{
	static const char *const ranks[] = { "info", "low", "medium", "high" };

	for (int i = 0; severity && i < 4; i++)
		if (!strcasecmp(severity, ranks[i]))
			return i;
	return -1;
}
