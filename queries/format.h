/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_QRY_FORMAT_H
#define MAPTRAIL_QRY_FORMAT_H

/*
 * Writing a query's rows for a person (table) or a program (csv, json).
 *
 * table: aligned columns under a header line, numbers right-aligned, and the
 * columns maptrail knows by name shown as a person reads them: addresses in
 * hex (addr, *_addr, *_address, start, end, brk, new_address, old_address),
 * protections and flags by name from the database's schema_flag (prot and
 * *_prot, map_flags, mremap_flags), errno by name from schema_errno.  A cell
 * is cut at QRY_CELL_MAX characters unless wide.
 * csv (RFC 4180), json (an array of objects) and jsonl (one object a line)
 * keep the raw values, so they stay machine-readable: integers are integers,
 * nothing is cut (but csv written to a terminal escapes control bytes, as the
 * table does: a terminal would obey them; json escapes them always).  ecs: the rows of the findings query as Elastic Common
 * Schema alerts, one a line (queries/ecs.c).
 */

#include <stdbool.h>
#include <stdio.h>

#include <sqlite3.h>

#define QRY_CELL_MAX	60

enum qry_format {
	QRY_FORMAT_TABLE,
	QRY_FORMAT_CSV,
	QRY_FORMAT_JSON,
	QRY_FORMAT_JSONL,
	QRY_FORMAT_ECS,
};

struct qry_output {
	enum qry_format format;
	bool wide;		/* table: never cut a cell */
	bool terminal;		/* csv: @out is a terminal, control bytes are escaped as in a table */
};

/*
 * qry_format_from_name - "table", "csv", "json", "jsonl" or "ecs" into *@format:
 * 0, or -1 for anything else.
 */
int qry_format_from_name(const char *name, enum qry_format *format);

/*
 * qry_write - step @st (prepared on @db) to its end and write its rows to
 * @out.  Returns the number of rows; or -EIO when the statement failed, with
 * *@err its sqlite3_errmsg (free()); or -errno when writing failed (-EPIPE:
 * the reader went away, e.g. "| head"), with *@err set too.
 */
long long qry_write(sqlite3 *db, sqlite3_stmt *st, const struct qry_output *opts, FILE *out,
		    char **err);

/*
 * qry_write_ecs - step @st, a findings query (its rows have the findings
 * table's id; the other columns are taken by name), to its end and write one
 * ECS document a line to @out, with what @db adds to each finding (the
 * capture's host, the evidence).  Returns the number of rows; -EINVAL with
 * *@err when @st's rows are not findings; else as qry_write().
 */
long long qry_write_ecs(sqlite3 *db, sqlite3_stmt *st, FILE *out, char **err);

/* qry_json_string - @n bytes of @s as a JSON string: UTF-8 kept, other bytes as U+FFFD. */
void qry_json_string(FILE *out, const char *s, size_t n);

/* qry_json_column - column @i of @st's current row as a JSON value (a blob as hex). */
void qry_json_column(FILE *out, sqlite3_stmt *st, int i);

#endif
