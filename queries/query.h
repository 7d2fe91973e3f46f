/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_QRY_QUERY_H
#define MAPTRAIL_QRY_QUERY_H

/*
 * Running a question on a maptrail database: open it read-only, prepare one
 * statement and bind its parameters (bound, never pasted into the SQL).
 * Errors come back as one line in *err (free()); nothing here prints.
 */

#include <sqlite3.h>
#include <stdint.h>

/* A --param k=v: binds :k, $k and @k. */
struct qry_param {
	const char *name;	/* without ':' (a leading ':', '$' or '@' is ignored) */
	const char *value;	/* decimal or 0x-hex integers bind as integers, the rest as text */
};

/* qry_param_name - @p's name without its ':', '$' or '@' (a pointer into it). */
const char *qry_param_name(const struct qry_param *p);

/*
 * qry_param_repeated - the index of an earlier one of @params[0..@i) with
 * the name of @params[@i] (prefix aside: "a" and ":a" are one), or -1.
 */
int qry_param_repeated(const struct qry_param *params, int i);

/*
 * qry_open - open @path read-only, bounded as a database maptrail did not
 * just make must be (cmn_db_distrust(): time budget of cmn_stop_after(),
 * memory ceiling, no side effects), and check that it is a maptrail database
 * this maptrail reads (cmn_db_check_identity()).  On success *@db is set
 * (close it with sqlite3_close()) and 0 returned; else -1 and *@err is the
 * reason, without the path ("not a maptrail database", "No such file or
 * directory"; free()).
 */
int qry_open(const char *path, sqlite3 **db, char **err);

/*
 * qry_prepare - prepare @sql, which must be exactly one read-only statement,
 * and bind @params (@nr_params of them): a parameter the statement does not
 * have is an error; one it has but was not given stays NULL.  On success
 * *@st is set (sqlite3_finalize() it) and 0 returned; else *@err is set
 * (free()) and -EINVAL returned when @params are at fault (a name the
 * statement lacks, one given twice), -EIO when @sql is (sqlite3_errmsg, more
 * than one statement, a statement that writes).
 */
int qry_prepare(sqlite3 *db, const char *sql, const struct qry_param *params, int nr_params,
		sqlite3_stmt **st, char **err);

/*
 * qry_findings_at_or_above - the --fail-on gate: how many findings of the
 * database (every capture) have a severity_rank of @rank or more (the final
 * severity, after known runtimes and baselines lowered theirs).  0 and
 * *@count, or -1 and *@err (free()); a database without findings counts 0.
 */
int qry_findings_at_or_above(sqlite3 *db, int rank, int64_t *count, char **err);

/*
 * qry_parse_integer - what a --param value binds as: 1 and *@v when @s is a
 * decimal integer that fits int64, or "0x" and 1 to 16 hex digits (the 64
 * bits, as addresses are stored); else 0 (text).
 */
int qry_parse_integer(const char *s, long long *v);

struct qry_info;
/*
 * qry_check_params - @params against the types header of canned query @q
 * (catalog.h): each given one of its declared type or one of its allowed
 * values, each required one given.  Names @q does not declare are left to
 * qry_prepare().  Returns 0, or -EINVAL with *@err the reason (free()); for a
 * value not among the allowed ones also *@allowed, a NULL-terminated list of
 * them (one free()), and *@bad_value the value given.
 */
int qry_check_params(const struct qry_info *q, const struct qry_param *params, int nr_params,
		     char **err, char ***allowed, const char **bad_value);

/*
 * qry_time_params - @params with every time among them (declared "time" in
 * @q's types header; for the user's SQL, @q NULL: named ts, ts_* or *_ts) as
 * the trace clock's nanoseconds it means: trace-cmd's seconds ("658.582899")
 * and nanoseconds as they are, a UTC time in ISO 8601 through the database's
 * clock (common/utc.h).  Returns 0 and *@out (one free(); valid while
 * @params is), or -EINVAL with *@err (free()) when a value is none of these,
 * or a UTC time the database cannot place.
 */
int qry_time_params(sqlite3 *db, const struct qry_info *q, const struct qry_param *params,
		    int nr_params, struct qry_param **out, char **err);

/* qry_is_sql - whether @arg of "maptrail query DB ARG" is SQL rather than a query name. */
int qry_is_sql(const char *arg);

#endif
