// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"

int db_fail(struct db *db, const char *fmt, ...)
{
	va_list ap;

	if (db->err)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&db->err, fmt, ap) < 0)
		db->err = NULL;
	va_end(ap);
	return -1;
}

int db_open(struct db *db, const char *path)
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
		return db_fail(db, "cannot open database: %s",
			       db->sql ? sqlite3_errmsg(db->sql) : "out of memory");
	/*
	 * The file being written is a temporary that is renamed into place only
	 * when complete, so a crash loses nothing the user had: no journal and
	 * no fsync per transaction.  The page cache is bounded (16 MiB: appends
	 * touch only the right edge of each B-tree) so memory does not grow with
	 * the capture; big sorts for indexes spill to temp files.
	 */
	return db_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
			   "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-16384;"
			   "PRAGMA foreign_keys=OFF; PRAGMA threads=2;");
}

int db_close(struct db *db)
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
static int sql_fail(struct db *db, const char *errmsg, const char *sql)
{
	int code = sqlite3_extended_errcode(db->sql) & 0xff;

	if (code == SQLITE_FULL)
		return db_fail(db, "the disk is full (%s)", errmsg);
	if (code == SQLITE_IOERR)
		return db_fail(db, "cannot write: %s", errmsg);
	return db_fail(db, "SQL error: %s, in: %.300s", errmsg, sql);
}

static char *db_vformat(struct db *db, const char *fmt, va_list ap)
{
	char *sql = sqlite3_vmprintf(fmt, ap);

	if (!sql)
		db_fail(db, "out of memory building SQL");
	return sql;
}

sqlite3_stmt *db_prepare(struct db *db, const char *fmt, ...)
{
	sqlite3_stmt *stmt = NULL;
	va_list ap;
	char *sql;

	va_start(ap, fmt);
	sql = db_vformat(db, fmt, ap);
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

int db_exec(struct db *db, const char *fmt, ...)
{
	char *errmsg = NULL;
	va_list ap;
	char *sql;
	int ret = 0;

	va_start(ap, fmt);
	sql = db_vformat(db, fmt, ap);
	va_end(ap);
	if (!sql)
		return -1;
	if (sqlite3_exec(db->sql, sql, NULL, NULL, &errmsg) != SQLITE_OK)
		ret = sql_fail(db, errmsg ? errmsg : sqlite3_errmsg(db->sql), sql);
	sqlite3_free(errmsg);
	sqlite3_free(sql);
	return ret;
}

int db_step_done(struct db *db, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_fail(db, sqlite3_errmsg(db->sql), sqlite3_sql(stmt));
	return 0;
}

int db_has_table(struct db *db, const char *table)
{
	sqlite3_stmt *stmt;
	int ret;

	stmt = db_prepare(db, "SELECT 1 FROM sqlite_schema WHERE type='table' AND name=%Q", table);
	if (!stmt)
		return -1;
	ret = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_finalize(stmt);
	return ret;
}

int64_t db_max_id(struct db *db, const char *table)
{
	sqlite3_stmt *stmt = db_prepare(db, "SELECT coalesce(max(id), 0) FROM \"%w\"", table);
	int64_t max = -1;

	if (!stmt)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		max = sqlite3_column_int64(stmt, 0);
	else
		db_fail(db, "SQL error: %s, in: %s", sqlite3_errmsg(db->sql), sqlite3_sql(stmt));
	sqlite3_finalize(stmt);
	return max;
}
