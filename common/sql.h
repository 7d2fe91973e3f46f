/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_DB_H
#define MAPTRAIL_DB_H

/*
 * db: the few SQLite helpers every analyze module shares.  Statements built
 * from event or field names go through db_prepare()/db_exec() so identifiers
 * are quoted with %w and literals with %Q, never pasted; a failure records
 * sqlite3_errmsg() together with the SQL text, which is what a user needs to
 * report a bug.
 */

#include <stdarg.h>
#include <stdint.h>
#include <sqlite3.h>

/*
 * struct db - a database being written.  @err holds the first error message
 * (owned, free()d by db_close()), so callers can unwind with goto and report once.
 */
struct db {
	sqlite3 *sql;
	char *err;
};

/* db_open - open or create @path for bulk writing.  Returns 0 or -1 with db->err set. */
int db_open(struct db *db, const char *path);

/* db_close - close and free; tolerates a half-opened db.  Returns the last sqlite status. */
int db_close(struct db *db);

/* db_fail - record a printf-style error unless one is already recorded; returns -1. */
int db_fail(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * db_prepare - build SQL with sqlite3_mprintf formats (%w, %Q, %lld ...) and prepare it.
 * Returns the statement (finalize with sqlite3_finalize()) or NULL with db->err set.
 */
sqlite3_stmt *db_prepare(struct db *db, const char *fmt, ...);

/* db_exec - build SQL like db_prepare() and run it to completion.  Returns 0 or -1. */
int db_exec(struct db *db, const char *fmt, ...);

/* db_step_done - step a statement that returns no rows, then reset it.  Returns 0 or -1. */
int db_step_done(struct db *db, sqlite3_stmt *stmt);

/* db_max_id - the largest id of @table, 0 when empty, -1 on error (db->err set). */
int64_t db_max_id(struct db *db, const char *table);

/* db_has_table - 1 if the table exists, 0 if not, -1 on error. */
int db_has_table(struct db *db, const char *table);

#endif
