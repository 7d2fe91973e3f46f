// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "error-line.h"
#include "stop.h"

int cmn_db_fail(struct cmn_db *db, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmn_vfail(&db->err, fmt, ap);
	va_end(ap);
	return -1;
}

int cmn_db_open(struct cmn_db *db, const char *path)
{
	db->sql = NULL;
	db->err = NULL;
	/*
	 * One thread at a time uses a connection: no per-call mutexes, and no
	 * global allocation statistics (together a tenth of analyze's time
	 * otherwise).  sqlite3_config() only works before SQLite initializes;
	 * later calls fail harmlessly.
	 */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		return cmn_db_fail(db, "cannot open database: %s",
				   db->sql ? sqlite3_errmsg(db->sql) : "out of memory");
	/* A SIGINT stops the statement in progress, however long (stop.h). */
	sqlite3_progress_handler(db->sql, CMN_STOP_EVERY, cmn_stop_progress, NULL);
	/*
	 * The file being written is a temporary that is renamed into place only
	 * when complete, so a crash loses nothing the user had: no journal and
	 * no fsync per transaction.  The page cache is bounded (8 MiB: appends
	 * touch only the right edge of each B-tree; 16 MiB was no faster on
	 * bench/'s captures, 1x and 2.7x flip.dat, and 8 MB more of analyze's
	 * peak) so memory does not grow with the capture; big sorts for indexes
	 * spill to temp files.
	 *
	 * The page size comes first (it is ignored for a file that has pages
	 * already): SQLite turns a cache size in KiB into a number of pages
	 * when told it, so a cache sized before a new file's page size was set
	 * held four times its bytes (64 MiB, most of analyze's peak memory).
	 */
	return cmn_db_exec(db, "PRAGMA page_size=%d; PRAGMA journal_mode=OFF;"
			   "PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
			   "PRAGMA cache_size=-8192; PRAGMA foreign_keys=OFF; PRAGMA threads=2;",
			   CMN_DB_PAGE_SIZE);
}

int cmn_db_distrust(sqlite3 *db, char **err)
{
	int on = -1;

	if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) != SQLITE_OK || on != 1 ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on) != SQLITE_OK || on != 0)
		return cmn_fail(err, "cannot guard the database: %s", sqlite3_errmsg(db));
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, CMN_DB_MAX_VALUE);
	sqlite3_hard_heap_limit64(CMN_DB_HEAP_LIMIT);
	sqlite3_progress_handler(db, CMN_STOP_EVERY, cmn_stop_progress, NULL);
	return 0;
}

int cmn_db_close(struct cmn_db *db)
{
	int ret = SQLITE_OK;

	if (db->sql)
		ret = sqlite3_close(db->sql);
	db->sql = NULL;
	free(db->err);
	db->err = NULL;
	return ret;
}

/* An SQL failure as the user should read it: a full disk is not a bug report. */
static int sql_fail(struct cmn_db *db, const char *errmsg, const char *sql)
{
	int code = sqlite3_extended_errcode(db->sql) & 0xff;

	if (code == SQLITE_FULL)
		return cmn_db_fail(db, "the disk is full (%s)", errmsg);
	if (code == SQLITE_IOERR)
		return cmn_db_fail(db, "cannot write: %s", errmsg);
	return cmn_db_fail(db, "SQL error: %s, in: %.300s", errmsg, sql);
}

static char *cmn_db_vformat(struct cmn_db *db, const char *fmt, va_list ap)
{
	char *sql = sqlite3_vmprintf(fmt, ap);

	if (!sql)
		cmn_db_fail(db, "out of memory building SQL");
	return sql;
}

sqlite3_stmt *cmn_db_prepare(struct cmn_db *db, const char *fmt, ...)
{
	sqlite3_stmt *stmt = NULL;
	va_list ap;
	char *sql;

	va_start(ap, fmt);
	sql = cmn_db_vformat(db, fmt, ap);
	va_end(ap);
	if (!sql)
		return NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &stmt, NULL) != SQLITE_OK) {
		sql_fail(db, sqlite3_errmsg(db->sql), sql);
		stmt = NULL;
	}
	sqlite3_free(sql);
	return stmt;
}

int cmn_db_exec(struct cmn_db *db, const char *fmt, ...)
{
	char *errmsg = NULL;
	va_list ap;
	char *sql;
	int ret = 0;

	va_start(ap, fmt);
	sql = cmn_db_vformat(db, fmt, ap);
	va_end(ap);
	if (!sql)
		return -1;
	if (sqlite3_exec(db->sql, sql, NULL, NULL, &errmsg) != SQLITE_OK)
		ret = sql_fail(db, errmsg ? errmsg : sqlite3_errmsg(db->sql), sql);
	sqlite3_free(errmsg);
	sqlite3_free(sql);
	return ret;
}

int cmn_db_step_done(struct cmn_db *db, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_fail(db, sqlite3_errmsg(db->sql), sqlite3_sql(stmt));
	return 0;
}

int cmn_db_step(struct cmn_db *db, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_fail(db, sqlite3_errmsg(db->sql), sqlite3_sql(stmt));
	return rc;
}

char *cmn_db_text_dup(sqlite3_stmt *stmt, int col)
{
	const char *s = (const char *)sqlite3_column_text(stmt, col);

	return s ? strdup(s) : NULL;
}

int cmn_db_has_table(struct cmn_db *db, const char *table, enum cmn_db_kind kind)
{
	sqlite3_stmt *stmt;
	int ret;

	stmt = cmn_db_prepare(db, "SELECT 1 FROM sqlite_schema WHERE name=%Q AND type %s", table,
			      kind == CMN_DB_TABLE ? "= 'table'" : "IN ('table', 'view')");
	if (!stmt)
		return -1;
	ret = cmn_db_step(db, stmt);
	sqlite3_finalize(stmt);
	return ret < 0 ? -1 : ret == SQLITE_ROW;
}

int64_t cmn_db_max_id(struct cmn_db *db, const char *table)
{
	sqlite3_stmt *stmt = cmn_db_prepare(db, "SELECT coalesce(max(id), 0) FROM \"%w\"", table);
	int64_t max = -1;

	if (!stmt)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		max = sqlite3_column_int64(stmt, 0);
	else
		cmn_db_fail(db, "SQL error: %s, in: %s", sqlite3_errmsg(db->sql), sqlite3_sql(stmt));
	sqlite3_finalize(stmt);
	return max;
}
