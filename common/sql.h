/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CMN_SQL_H
#define MAPTRAIL_CMN_SQL_H

/*
 * sql: the one way maptrail prepares and runs its own SQL, in every folder.
 * Statements built from event or field names go through cmn_db_prepare() /
 * cmn_db_exec() so identifiers are quoted with %w and literals with %Q, never
 * pasted; a failure records sqlite3_errmsg() together with the SQL text, which
 * is what a user needs to report a bug (a full disk is told as such).
 *
 * A connection opened elsewhere (read-only by queries/, in memory by record/)
 * is used by wrapping it, without cmn_db_close():
 *
 *	struct cmn_db d = { .sql = conn };
 *	sqlite3_stmt *st = cmn_db_prepare(&d, "SELECT x FROM \"%w\"", table);
 *	if (!st)
 *		return cmn_fail(err, "%s", d.err), free(d.err), -1;
 *
 * (The statement a user types for maptrail query is not maptrail's SQL:
 * qry_prepare() checks and binds it, and its errors do not repeat it.)
 */

#include <stdarg.h>
#include <stdint.h>
#include <sqlite3.h>

/*
 * struct cmn_db - a database connection and its first error message (owned,
 * free()d by cmn_db_close()), so callers can unwind with goto and report once.
 */
struct cmn_db {
	sqlite3 *sql;
	char *err;
};

/*
 * The page size of the databases maptrail writes: large pages make fewer,
 * shallower B-trees for millions of appended rows.
 */
#define CMN_DB_PAGE_SIZE	16384

/*
 * cmn_db_open - open or create @path for bulk writing: a new file gets
 * CMN_DB_PAGE_SIZE pages, and the page cache 8 MiB.  Its statements fail
 * with SQLITE_INTERRUPT once a stop is asked for (stop.h).  Returns 0 or -1
 * with db->err set.
 */
int cmn_db_open(struct cmn_db *db, const char *path);

/*
 * A database maptrail did not just make (maptrail query, report, export,
 * analyze --append) may hold views written to hang or exhaust whoever reads
 * it.  cmn_db_distrust() puts these bounds on its connection: SQLite's
 * defensive mode (no writable schema, no shadow-table writes), untrusted
 * schema (no functions with side effects, no virtual tables in views or
 * triggers), values of at most CMN_DB_MAX_VALUE bytes, all of SQLite's memory
 * at most CMN_DB_HEAP_LIMIT (process-wide: sqlite3_hard_heap_limit64; SQLite
 * enforces it only while it keeps memory statistics, which cmn_db_open()
 * turns off for analyze's speed: analyze --append renews the views it reads
 * instead), and the stop and time budget of stop.h checked as its statements
 * run.
 * Check its identity next (db-identity.h).  Returns 0 or -1 with *@err set.
 */
#define CMN_DB_HEAP_LIMIT	(512LL << 20)
#define CMN_DB_MAX_VALUE	(64 << 20)
int cmn_db_distrust(sqlite3 *db, char **err);

/* cmn_db_close - close and free; tolerates a half-opened db.  Returns the last sqlite status. */
int cmn_db_close(struct cmn_db *db);

/* cmn_db_fail - record a printf-style error unless one is already recorded; returns -1. */
int cmn_db_fail(struct cmn_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * cmn_db_prepare - build SQL with sqlite3_mprintf formats (%w, %Q, %lld ...) and
 * prepare it.  Returns the statement (finalize with sqlite3_finalize()) or NULL
 * with db->err set.
 */
sqlite3_stmt *cmn_db_prepare(struct cmn_db *db, const char *fmt, ...);

/* cmn_db_exec - build SQL like cmn_db_prepare() and run it to completion.  Returns 0 or -1. */
int cmn_db_exec(struct cmn_db *db, const char *fmt, ...);

/*
 * cmn_db_step - step a statement that returns rows: SQLITE_ROW or SQLITE_DONE,
 * or -1 with db->err set (with the statement's SQL) on anything else.
 */
int cmn_db_step(struct cmn_db *db, sqlite3_stmt *stmt);

/* cmn_db_step_done - step a statement that returns no rows, then reset it.  Returns 0 or -1. */
int cmn_db_step_done(struct cmn_db *db, sqlite3_stmt *stmt);

/* cmn_db_text_dup - column @col as a string of the caller's (free()); NULL when NULL. */
char *cmn_db_text_dup(sqlite3_stmt *stmt, int col);

/* cmn_db_max_id - the largest id of @table, 0 when empty, -1 on error (db->err set). */
int64_t cmn_db_max_id(struct cmn_db *db, const char *table);

enum cmn_db_kind {
	CMN_DB_TABLE,		/* tables only */
	CMN_DB_TABLE_OR_VIEW,	/* what a SELECT can read */
};

/* cmn_db_has_table - 1 if @table exists as @kind says, 0 if not, -1 on error (db->err set). */
int cmn_db_has_table(struct cmn_db *db, const char *table, enum cmn_db_kind kind);

#endif
