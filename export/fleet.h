/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_EXP_FLEET_H
#define MAPTRAIL_EXP_FLEET_H

/*
 * fleet: the questions asked of many hosts' captures in ClickHouse.
 *
 * The files of queries/fleet/ (compiled in; the same header format as
 * queries/, see catalog.h) are ClickHouse SQL over the tables export writes,
 * reading only complete attempts.  Parameters are written {name:Type}, as
 * ClickHouse 19.x and later bind them; the servers Debian ships (18.16) do
 * not, so exp_fleet_bind() puts each value in as a literal of its type made by
 * exp_ch_quote() (never the text as given): a string stays a string whatever
 * it holds.  A Nullable parameter not given is NULL, which the questions read
 * as "any".
 */

#include <sqlite3.h>

#include "buf.h"
#include "catalog.h"
#include "query.h"

/* exp_fleet_count / exp_fleet_get / exp_fleet_find: as qry_catalog_*, for queries/fleet/. */
int exp_fleet_count(void);
const struct qry_info *exp_fleet_get(int i);
const struct qry_info *exp_fleet_find(const char *name);

/*
 * exp_fleet_bind - @sql with its {name:Type} parameters replaced by @params'
 * values, into @out.  0; -EINVAL with *@err when @params are at fault (one
 * the statement lacks, a value not of its type, a required one missing);
 * -ENOMEM.
 */
int exp_fleet_bind(const char *sql, const struct qry_param *params, int nr_params,
		   struct exp_buf *out, char **err);

/*
 * exp_fleet_query - run @sql (one SELECT; parameters bound as above) on the
 * ClickHouse server at @url, database @database (NULL: "maptrail"), and
 * store its answer in a new table @table of @into, columns named and in the
 * order of the answer (integers INTEGER, floats REAL, the rest TEXT), so the
 * SQLite formatter writes it.  The query runs read-only.  Returns the number
 * of rows; -EINVAL for @params' fault, -EIO for the server's, or -ENOMEM,
 * each with *@err.
 */
long long exp_fleet_query(const char *url, const char *database, const char *sql,
			  const struct qry_param *params, int nr_params, sqlite3 *into,
			  const char *table, char **err);

#endif
