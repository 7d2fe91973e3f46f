/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_EXP_LAYOUT_H
#define MAPTRAIL_EXP_LAYOUT_H

/*
 * layout: which tables of a maptrail database go to ClickHouse, and their
 * columns there.  The list of tables is explicit (exp_tables[]); their
 * columns are not: they are read from the SQLite file itself (PRAGMA
 * table_xinfo, generated columns included) and mapped by type affinity, so a
 * new column in analyze's layout becomes a new column in ClickHouse (added
 * with ALTER TABLE ... ADD COLUMN) without a change here.
 *
 * Every ClickHouse table starts with three columns of the exporter's own:
 * host (the fleet's name for the machine), capture (the capture's sha256)
 * and attempt (one export of it: rows of an attempt that never wrote its
 * captures row are never read).  The call tables (one per schema event in
 * schema_event) go into one table, calls, with the call's name in a column
 * and the union of their columns.
 */

#include <stdbool.h>
#include <sqlite3.h>

/* The layout of the ClickHouse tables; a newer exporter may add, never reinterpret. */
#define EXP_LAYOUT_VERSION	1

enum exp_kind {
	EXP_INT,		/* Int64 */
	EXP_FLOAT,		/* Float64 */
	EXP_TEXT,		/* String (TEXT and BLOB alike) */
};

struct exp_column {
	char *name;		/* in ClickHouse (a SQLite name that clashes gets "src_") */
	char *source;		/* in SQLite */
	enum exp_kind kind;
};

struct exp_table {
	const char *name;	/* ClickHouse table */
	const char *source;	/* SQLite table; NULL: the call tables (calls) */
	const char *filter;	/* SQLite condition for one capture: ?1 is its capture id */
	const char *order;	/* sort key after (host, capture), comma-separated */
	bool optional;		/* exported when the database has it (newer layouts) */
	bool last;		/* the captures row: written after everything else */
};

/* The exported tables, in export order (captures last); ends with a NULL name. */
extern const struct exp_table exp_tables[];

/* One table's columns as a database has them. */
struct exp_columns {
	struct exp_column *cols;
	int nr;
	char **sources;		/* calls: the SQLite call tables; else the one source */
	int nr_sources;
};

/*
 * exp_layout_columns - the columns of @t in @db (without the three key
 * columns).  Returns 1 and fills @out (exp_columns_clear()), 0 when @db has
 * no such table (optional ones), or -1 with *@err.
 */
int exp_layout_columns(sqlite3 *db, const struct exp_table *t, struct exp_columns *out,
		       char **err);

/* exp_columns_clear - free what exp_layout_columns() filled; NULL is fine. */
void exp_columns_clear(struct exp_columns *c);

/* exp_kind_type - the ClickHouse type of a column of @kind: "Nullable(Int64)", ... */
const char *exp_kind_type(enum exp_kind kind);

/* exp_kind_of_type - the kind a ClickHouse type is read and written as. */
enum exp_kind exp_kind_of_type(const char *type);

#endif
