// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "catalog.h"
#include "query.h"
#include "utc.h"
#include "db-identity.h"
#include "error-line.h"
#include "sql.h"

static int fail(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmn_vfail(err, fmt, ap);
	va_end(ap);
	return -1;
}

int qry_open(const char *path, sqlite3 **out, char **err)
{
	sqlite3 *db = NULL;
	struct stat sb;
	int ret = -1;

	*err = NULL;
	/* sqlite3_open_v2 would only say "unable to open database file". */
	if (stat(path, &sb) < 0)
		return fail(err, "%s", strerror(errno));
	if (S_ISDIR(sb.st_mode))
		return fail(err, "%s", strerror(EISDIR));
	if (!S_ISREG(sb.st_mode))
		return fail(err, "not a regular file, so not a maptrail database");
	/*
	 * NOMUTEX: a reader's connection is used by the thread that opened it
	 * only (export's sender thread never touches it); in serialized mode
	 * every sqlite3_column_*() call took and gave back the connection's
	 * mutex, 7% of a 300,000-row query's time.
	 */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		fail(err, "%s", db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	/* Someone else's file, maybe made to hang or exhaust its reader: bounded, then checked. */
	if (cmn_db_distrust(db, err) < 0 || cmn_db_check_identity(db, err) < 0)
		goto out;
	*out = db;
	db = NULL;
	ret = 0;
out:
	sqlite3_close(db);
	return ret;
}

int qry_parse_integer(const char *s, long long *v)
{
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		unsigned long long u;
		size_t digits = strspn(s + 2, "0123456789abcdefABCDEF");

		if (!digits || digits > 16 || s[2 + digits])
			return 0;
		u = strtoull(s + 2, NULL, 16);
		*v = (long long)u;
		return 1;
	}
	if (!(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return 0;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return !errno && !*end;
}

int qry_is_sql(const char *arg)
{
	while (isspace((unsigned char)*arg))
		arg++;
	return strpbrk(arg, " \t\n\r") || !strncasecmp(arg, "select", 6) ||
	       !strncasecmp(arg, "with", 4);
}

/* Whether what follows the statement is more than blanks and comments. */
static bool more_statements(sqlite3 *db, const char *tail)
{
	sqlite3_stmt *next = NULL;
	bool more;

	if (!tail || !*tail)
		return false;
	more = sqlite3_prepare_v2(db, tail, -1, &next, NULL) != SQLITE_OK || next;
	sqlite3_finalize(next);
	return more;
}

/* ":a", "$a", "@a" and "a" all bind :a, $a and @a. */
static const char prefixes[] = ":$@";

const char *qry_param_name(const struct qry_param *p)
{
	return *p->name && strchr(prefixes, *p->name) ? p->name + 1 : p->name;
}

int qry_param_repeated(const struct qry_param *params, int i)
{
	for (int j = 0; j < i; j++)
		if (!strcmp(qry_param_name(&params[i]), qry_param_name(&params[j])))
			return j;
	return -1;
}

static int bind_param(sqlite3 *db, sqlite3_stmt *st, const struct qry_param *p, char **err)
{
	const char *name = qry_param_name(p);
	long long v;
	bool found = false;

	if (!*name)
		return fail(err, "--param needs a name: --param NAME=VALUE");
	for (const char *c = prefixes; *c; c++) {
		char *full;
		int i, rc;

		if (asprintf(&full, "%c%s", *c, name) < 0)
			return fail(err, "out of memory");
		i = sqlite3_bind_parameter_index(st, full);
		free(full);
		if (!i)
			continue;
		found = true;
		if (qry_parse_integer(p->value, &v))
			rc = sqlite3_bind_int64(st, i, v);
		else
			rc = sqlite3_bind_text(st, i, p->value, -1, SQLITE_TRANSIENT);
		if (rc != SQLITE_OK)
			return fail(err, "parameter %s: %s", name, sqlite3_errmsg(db));
	}
	if (found)
		return 0;
	if (!sqlite3_bind_parameter_count(st))
		return fail(err, "no parameter :%s (the query has no parameters)", name);
	/* Name what it has: the likely typo is then plain. */
	sqlite3_str *have = sqlite3_str_new(NULL);

	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
		const char *n = sqlite3_bind_parameter_name(st, i);

		if (n)
			sqlite3_str_appendf(have, "%s%s", sqlite3_str_length(have) ? ", " : "", n);
	}
	char *list = sqlite3_str_finish(have);

	fail(err, "no parameter :%s (the query has %s)", name, list ? list : "others");
	sqlite3_free(list);
	return -1;
}

int qry_prepare(sqlite3 *db, const char *sql, const struct qry_param *params, int nr_params,
		sqlite3_stmt **out, char **err)
{
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;

	*err = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK) {
		fail(err, "%s", sqlite3_errmsg(db));
		return -EIO;
	}
	if (!st) {
		fail(err, "no statement");
		return -EIO;
	}
	if (more_statements(db, tail)) {
		fail(err, "more than one statement (one is run)");
		goto fail;
	}
	if (!sqlite3_stmt_readonly(st)) {
		fail(err, "not a read-only statement (queries do not change the database)");
		goto fail;
	}
	for (int i = 0; i < nr_params; i++) {
		int j = qry_param_repeated(params, i);

		if (j >= 0) {
			fail(err, "parameter %s given twice", qry_param_name(&params[i]));
			goto bad_param;
		}
		if (bind_param(db, st, &params[i], err) < 0)
			goto bad_param;
	}
	*out = st;
	return 0;
bad_param:
	sqlite3_finalize(st);
	return -EINVAL;
fail:
	sqlite3_finalize(st);
	return -EIO;
}

/* fail() for a parameter at fault: -EINVAL. */
#define bad(err, ...) (fail(err, __VA_ARGS__), -EINVAL)

/* The next "NAME TYPE [required]" of a types header, from *@cursor on; false at the end. */
static bool next_spec(const char **cursor, char name[64], char type[256], bool *required)
{
	const char *s = *cursor, *end;
	char entry[400];
	int n;

	while (*s == ' ' || *s == ';')
		s++;
	if (!*s)
		return false;
	end = s + strcspn(s, ";");
	snprintf(entry, sizeof(entry), "%.*s", (int)(end - s), s);
	*cursor = end;
	type[0] = '\0';
	n = 0;
	*required = false;
	if (sscanf(entry, "%63s %255s %n", name, type, &n) < 2)
		return next_spec(cursor, name, type, required);
	*required = !strncmp(entry + n, "required", 8);
	return true;
}

static const struct qry_param *given(const struct qry_param *params, int nr, const char *name)
{
	for (int i = 0; i < nr; i++) {
		const char *p = params[i].name;

		if (*p == ':' || *p == '$' || *p == '@')
			p++;
		if (!strcmp(p, name))
			return &params[i];
	}
	return NULL;
}

/* A time parameter (README "Time"): its value, or one line saying what it could have been. */
static int check_time(const char *query, const char *name, const char *value, char **err)
{
	enum cmn_time_kind kind;
	int64_t ns;

	if (!cmn_time_parse(value, &kind, &ns))
		return 0;
	return bad(err, "%s: --param %s: '%s' is not a time: trace-cmd's seconds (658.582899),"
		   " nanoseconds (658582899000) or UTC in ISO 8601 (2026-12-07T16:03:52.1015Z)",
		   query, name, value);
}

int qry_check_params(const struct qry_info *q, const struct qry_param *params, int nr_params,
		     char **err, char ***allowed, const char **bad_value)
{
	char name[64], type[256];
	const char *cursor = q->types;
	bool required;

	*err = NULL;
	*allowed = NULL;
	*bad_value = NULL;
	while (cursor && next_spec(&cursor, name, type, &required)) {
		const struct qry_param *p = given(params, nr_params, name);
		long long v;

		if (!p) {
			if (required)
				return bad(err, "%s needs --param %s=...", q->name, name);
			continue;
		}
		if (!strcmp(type, "integer")) {
			if (!qry_parse_integer(p->value, &v))
				return bad(err, "%s: --param %s: '%s' is not an integer (decimal or 0x"
					    " hex)", q->name, name, p->value);
		} else if (!strcmp(type, "time")) {
			if (check_time(q->name, name, p->value, err))
				return -EINVAL;
		} else if (strchr(type, '|') || strcmp(type, "text")) {
			size_t nv = 1, size = strlen(type) + 1;
			char **list, *text;
			bool ok = false;

			for (const char *c = type; *c; c++)
				nv += *c == '|';
			list = malloc((nv + 1) * sizeof(*list) + size);
			if (!list)
				return bad(err, "out of memory");
			text = (char *)(list + nv + 1);
			memcpy(text, type, size);
			nv = 0;
			for (char *save = NULL, *t = strtok_r(text, "|", &save); t;
			     t = strtok_r(NULL, "|", &save)) {
				list[nv++] = t;
				ok |= !strcmp(t, p->value);
			}
			list[nv] = NULL;
			if (ok) {
				free(list);
				continue;
			}
			*allowed = list;
			*bad_value = p->value;
			{
				/* "high, medium, low or info": the list as a person reads it */
				char words[512] = "";

				for (size_t k = 0; list[k]; k++)
					snprintf(words + strlen(words), sizeof(words) - strlen(words),
						 "%s%s", k ? list[k + 1] ? ", " : " or " : "", list[k]);
				return bad(err, "%s: --param %s: '%s' is not %s", q->name, name,
					   p->value, words);
			}
		}
	}
	return 0;
}

int qry_findings_at_or_above(sqlite3 *db, int rank, int64_t *count, char **err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*count = 0;
	rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM findings WHERE severity_rank >= ?", -1,
				&st, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(st);
		/* an older database, or one with no findings table: nothing to gate on */
		if (!strncmp(sqlite3_errmsg(db), "no such table", 13))
			return 0;
		return asprintf(err, "%s", sqlite3_errmsg(db)) < 0 ? -1 : -1;
	}
	sqlite3_bind_int(st, 1, rank);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	else if (asprintf(err, "%s", sqlite3_errmsg(db)) < 0)
		*err = NULL;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Whether --param @name of @q (NULL: the user's SQL) is a time: its declared type, else its name. */
static bool param_is_time(const struct qry_info *q, const char *name)
{
	char spec[64], type[256];
	const char *cursor = q ? q->types : NULL;
	bool required;
	size_t n = strlen(name);

	if (*name == ':' || *name == '$' || *name == '@')
		name++, n--;
	if (q) {
		while (cursor && next_spec(&cursor, spec, type, &required))
			if (!strcmp(spec, name))
				return !strcmp(type, "time");
		return false;
	}
	/* the user's SQL declares nothing: ts, ts_exit, from_ts, as the columns are named */
	return !strcmp(name, "ts") || !strncmp(name, "ts_", 3) ||
	       (n > 3 && !strcmp(name + n - 3, "_ts"));
}

int qry_time_params(sqlite3 *db, const struct qry_info *q, const struct qry_param *params,
		    int nr_params, struct qry_param **out, char **err)
{
	struct qry_param *copy = calloc(nr_params ? nr_params : 1, sizeof(*copy) + 24);
	char (*values)[24] = (char (*)[24])(copy + (nr_params ? nr_params : 1));
	struct cmn_utc utc = { 0 };
	bool loaded = false;
	int ret = 0;

	*err = NULL;
	*out = NULL;
	if (!copy)
		return fail(err, "out of memory"), -ENOMEM;
	for (int i = 0; i < nr_params && !ret; i++) {
		const char *name = params[i].name, *label = q ? q->name : "SQL";
		const struct cmn_utc_clock *clock;
		enum cmn_time_kind kind;
		int64_t ns;

		copy[i] = params[i];
		if (!param_is_time(q, name))
			continue;
		if (check_time(label, name, params[i].value, err)) {
			ret = -EINVAL;
			break;
		}
		cmn_time_parse(params[i].value, &kind, &ns);
		if (kind == CMN_TIME_UTC) {
			if (!loaded && cmn_utc_load(db, &utc)) {
				fail(err, "out of memory");
				ret = -ENOMEM;
				break;
			}
			loaded = true;
			clock = cmn_utc_clock_of(&utc, -1);
			if (!clock) {
				ret = bad(err, "%s: --param %s: '%s' is a UTC time, but %s: give the"
					  " trace clock's seconds or nanoseconds", label, name,
					  params[i].value, utc.nr ? "the database's captures have"
					  " different clocks" : "the capture has no wall clock"
					  " (capture.utc_source)");
				break;
			}
			ns = cmn_utc_to_ts(clock, ns);
		}
		snprintf(values[i], sizeof(values[i]), "%lld", (long long)ns);
		copy[i].value = values[i];
	}
	cmn_utc_release(&utc);
	if (ret) {
		free(copy);
		return ret;
	}
	*out = copy;
	return 0;
}
