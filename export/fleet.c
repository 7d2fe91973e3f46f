// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch.h"
#include "embedded.h"
#include "error-line.h"
#include "fleet.h"
#include "layout.h"

/* The files of queries/fleet/ (fleet_query_files in export/meson.build), compiled in. */
extern const struct embedded_file exp_fleet_sql_files[];

static struct qry_info *catalog;
static int catalog_count;
static pthread_once_t catalog_once = PTHREAD_ONCE_INIT;

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct qry_info *)a)->name, ((const struct qry_info *)b)->name);
}

static void load(void)
{
	int n = 0;

	while (exp_fleet_sql_files[n].name)
		n++;
	catalog = calloc(n ? n : 1, sizeof(*catalog));
	if (!catalog)
		return;
	for (int i = 0; i < n; i++) {
		const char *base = strrchr(exp_fleet_sql_files[i].name, '/');

		if (qry_info_parse(base ? base + 1 : exp_fleet_sql_files[i].name,
				   exp_fleet_sql_files[i].text, &catalog[catalog_count]) == 0)
			catalog_count++;
	}
	qsort(catalog, catalog_count, sizeof(*catalog), by_name);
}

int exp_fleet_count(void)
{
	pthread_once(&catalog_once, load);
	return catalog_count;
}

const struct qry_info *exp_fleet_get(int i)
{
	pthread_once(&catalog_once, load);
	return i >= 0 && i < catalog_count ? &catalog[i] : NULL;
}

const struct qry_info *exp_fleet_find(const char *name)
{
	pthread_once(&catalog_once, load);
	for (int i = 0; i < catalog_count; i++)
		if (!strcmp(catalog[i].name, name))
			return &catalog[i];
	return NULL;
}

static int bad(char **err, const char *fmt, const char *a, const char *b, const char *c)
{
	cmn_fail(err, fmt, a, b, c);
	return -EINVAL;
}

/* Where the SQL text at @p stops being code: past a literal, identifier or comment. */
static const char *skip_quoted(const char *p)
{
	char q = *p;

	if (q == '-' && p[1] == '-')
		return p + strcspn(p, "\n");
	if (q == '/' && p[1] == '*') {
		const char *e = strstr(p + 2, "*/");

		return e ? e + 2 : p + strlen(p);
	}
	for (p++; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == q && p[1] == q)
			p++;
		else if (*p == q)
			return p + 1;
	}
	return p;
}

/* The literal @value makes as a @type ("Nullable(Int64)", "String", ...). */
static int literal(struct exp_buf *out, const char *name, const char *type, const char *value,
		   char **err)
{
	const char *inner = type;
	char base[64];
	size_t n;
	long long v;

	if (!strncmp(inner, "Nullable(", 9))
		inner += 9;
	n = strcspn(inner, ")");
	if (n >= sizeof(base))
		return bad(err, "parameter %s: type %s is not one maptrail binds%s", name, type, "");
	memcpy(base, inner, n);
	base[n] = '\0';
	if (!value) {
		/* Typed: 18.16 cannot compare a String column with a bare NULL. */
		if (inner != type)
			return exp_buf_printf(out, "CAST(NULL AS %s)", type);
		return bad(err, "needs --param %s=VALUE (%s)", name, type, "");
	}
	if (!strcmp(base, "String"))
		return exp_ch_quote(out, value, strlen(value));
	if (!strncmp(base, "Int", 3) || !strncmp(base, "UInt", 4)) {
		if (!qry_parse_integer(value, &v))
			return bad(err, "--param %s: '%s' is not an integer (%s)", name, value, base);
		if (base[0] == 'U')
			return exp_buf_printf(out, "CAST(%llu AS %s)", (unsigned long long)v, base);
		return exp_buf_printf(out, "CAST(%lld AS %s)", v, base);
	}
	if (!strncmp(base, "Float", 5)) {
		char *end;

		(void)strtod(value, &end);
		if (!*value || *end)
			return bad(err, "--param %s: '%s' is not a number (%s)", name, value, base);
		return exp_buf_printf(out, "CAST(%s AS %s)", value, base);
	}
	/* DateTime, Date, ...: ClickHouse parses the quoted text as the type. */
	if (exp_buf_str(out, "CAST(") || exp_ch_quote(out, value, strlen(value)))
		return -ENOMEM;
	return exp_buf_printf(out, " AS %s)", base);
}

int exp_fleet_bind(const char *sql, const struct qry_param *params, int nr_params,
		   struct exp_buf *out, char **err)
{
	bool *used = calloc(nr_params + 1, sizeof(*used));
	const char *p = sql;
	int rc = 0;

	if (!used)
		return -ENOMEM;
	out->len = 0;
	while (!rc && *p) {
		const char *from = p, *name, *colon, *close;
		char pname[64], type[128];

		if (*p == '\'' || *p == '"' || *p == '`' || (p[0] == '-' && p[1] == '-') ||
		    (p[0] == '/' && p[1] == '*')) {
			p = skip_quoted(p);
			rc = exp_buf_add(out, from, p - from);
			continue;
		}
		if (*p != '{') {
			rc = exp_buf_add(out, p++, 1);
			continue;
		}
		name = p + 1;
		colon = name;
		while (isalnum((unsigned char)*colon) || *colon == '_')
			colon++;
		close = strchr(colon, '}');
		if (colon == name || *colon != ':' || !close || colon - name >= (int)sizeof(pname) ||
		    close - colon - 1 >= (int)sizeof(type)) {
			rc = exp_buf_add(out, p++, 1);
			continue;
		}
		memcpy(pname, name, colon - name);
		pname[colon - name] = '\0';
		memcpy(type, colon + 1, close - colon - 1);
		type[close - colon - 1] = '\0';
		{
			const char *value = NULL;

			for (int i = 0; i < nr_params; i++) {
				const char *n = params[i].name;

				if (*n == ':' || *n == '$' || *n == '@' || *n == '{')
					n++;
				if (!strcmp(n, pname)) {
					value = params[i].value;
					used[i] = true;
				}
			}
			rc = literal(out, pname, type, value, err);
		}
		p = close + 1;
	}
	for (int i = 0; !rc && i < nr_params; i++)
		if (!used[i])
			rc = bad(err, "the query has no parameter %s%s%s", params[i].name, "", "");
	free(used);
	return rc;
}

/* One line of the answer, split at tabs and unescaped in place; NULL cells are "\N". */
static int split(char *line, char **cells, int max)
{
	int n = 0;

	for (char *p = line; n < max;) {
		char *tab = strchr(p, '\t');

		cells[n++] = p;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	return n;
}

long long exp_fleet_query(const char *url, const char *database, const char *sql,
			  const struct qry_param *params, int nr_params, sqlite3 *into,
			  const char *table, char **err)
{
	struct exp_buf q = { 0 }, answer = { 0 }, ddl = { 0 };
	struct exp_ch *ch = NULL;
	char **names = NULL, **types = NULL, **cells = NULL;
	sqlite3_stmt *ins = NULL;
	long long ret = -ENOMEM, rows = 0;
	int nr_cols = 0, rc;
	size_t len;
	char *p, *nl;

	rc = exp_fleet_bind(sql, params, nr_params, &q, err);
	if (rc < 0) {
		ret = rc;
		goto out;
	}
	/* One statement: its own ';' at the end would end it before FORMAT. */
	len = q.len;
	while (len && (isspace((unsigned char)q.data[len - 1]) || q.data[len - 1] == ';'))
		len--;
	q.len = len;
	q.data[len] = '\0';
	if (exp_buf_str(&q, "\nFORMAT TabSeparatedWithNamesAndTypes"))
		goto out;
	if (exp_ch_open(url, &ch, err) < 0) {
		ret = -EIO;
		goto out;
	}
	/*
	 * readonly=2: no writes, settings still allowed.  A capture's rows and its
	 * captures row share a shard, so IN (SELECT ... FROM captures) is answered
	 * by each shard locally: distributed_product_mode=local.
	 */
	if (exp_ch_set(ch, "database", database ? database : "maptrail") ||
	    exp_ch_set(ch, "readonly", "2") ||
	    exp_ch_set(ch, "distributed_product_mode", "local"))
		goto out;
	if (exp_ch_query(ch, q.data, &answer, err) < 0) {
		ret = -EIO;
		goto out;
	}
	/* Names, types, then rows. */
	p = answer.data ? answer.data : "";
	for (int pass = 0; pass < 2; pass++) {
		char ***into_cells = pass ? &types : &names;
		int n = 1;

		nl = strchr(p, '\n');
		if (!nl) {
			*err = strdup("ClickHouse's answer has no header");
			ret = -EIO;
			goto out;
		}
		*nl = '\0';
		for (char *c = p; *c; c++)
			n += *c == '\t';
		*into_cells = calloc(n, sizeof(char *));
		if (!*into_cells)
			goto out;
		n = split(p, *into_cells, n);
		for (int i = 0; i < n; i++)
			exp_tsv_unescape((*into_cells)[i], strlen((*into_cells)[i]) + 1);
		nr_cols = n;
		p = nl + 1;
	}
	cells = calloc(nr_cols, sizeof(*cells));
	if (!cells)
		goto out;
	{
		char *s = sqlite3_mprintf("CREATE TABLE \"%w\" (", table);

		rc = s ? exp_buf_str(&ddl, s) : -ENOMEM;
		sqlite3_free(s);
		for (int i = 0; !rc && i < nr_cols; i++) {
			enum exp_kind k = exp_kind_of_type(types[i]);

			s = sqlite3_mprintf("%s\"c%d\" %s", i ? ", " : "", i,
					    k == EXP_INT ? "INTEGER" : k == EXP_FLOAT ? "REAL" : "TEXT");
			rc = s ? exp_buf_str(&ddl, s) : -ENOMEM;
			sqlite3_free(s);
		}
		rc = rc ?: exp_buf_str(&ddl, ")");
		if (rc)
			goto out;
		if (sqlite3_exec(into, ddl.data, NULL, NULL, NULL) != SQLITE_OK) {
			*err = strdup(sqlite3_errmsg(into));
			ret = -EIO;
			goto out;
		}
		ddl.len = 0;
		s = sqlite3_mprintf("INSERT INTO \"%w\" VALUES (", table);
		rc = s ? exp_buf_str(&ddl, s) : -ENOMEM;
		sqlite3_free(s);
		for (int i = 0; !rc && i < nr_cols; i++)
			rc = exp_buf_str(&ddl, i ? ", ?" : "?");
		rc = rc ?: exp_buf_str(&ddl, ")");
		if (rc || sqlite3_prepare_v2(into, ddl.data, -1, &ins, NULL) != SQLITE_OK)
			goto out;
	}
	sqlite3_exec(into, "BEGIN", NULL, NULL, NULL);
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p) - 1;
		else
			*nl = '\0';
		if (split(p, cells, nr_cols) != nr_cols) {
			*err = strdup("ClickHouse's answer has a row of the wrong width");
			ret = -EIO;
			goto out;
		}
		for (int i = 0; i < nr_cols; i++) {
			enum exp_kind k = exp_kind_of_type(types[i]);
			size_t n;

			if (!strcmp(cells[i], "\\N")) {
				sqlite3_bind_null(ins, i + 1);
				continue;
			}
			n = exp_tsv_unescape(cells[i], strlen(cells[i]));
			/* UInt64 above 2^63 keeps its bits, as analyze stores addresses. */
			if (k == EXP_INT && strstr(types[i], "UInt"))
				sqlite3_bind_int64(ins, i + 1, (long long)strtoull(cells[i], NULL, 10));
			else if (k == EXP_INT)
				sqlite3_bind_int64(ins, i + 1, strtoll(cells[i], NULL, 10));
			else if (k == EXP_FLOAT)
				sqlite3_bind_double(ins, i + 1, strtod(cells[i], NULL));
			else
				sqlite3_bind_text(ins, i + 1, cells[i], n, SQLITE_TRANSIENT);
		}
		if (sqlite3_step(ins) != SQLITE_DONE) {
			*err = strdup(sqlite3_errmsg(into));
			ret = -EIO;
			goto out;
		}
		sqlite3_reset(ins);
		rows++;
	}
	sqlite3_exec(into, "COMMIT", NULL, NULL, NULL);
	/* The column names as the answer has them, for the formatter. */
	ddl.len = 0;
	{
		char *s = sqlite3_mprintf("CREATE VIEW \"%w_named\" AS SELECT ", table);

		rc = s ? exp_buf_str(&ddl, s) : -ENOMEM;
		sqlite3_free(s);
		for (int i = 0; !rc && i < nr_cols; i++) {
			s = sqlite3_mprintf("%s\"c%d\" AS \"%w\"", i ? ", " : "", i, names[i]);
			rc = s ? exp_buf_str(&ddl, s) : -ENOMEM;
			sqlite3_free(s);
		}
		if (!rc) {
			s = sqlite3_mprintf(" FROM \"%w\"", table);
			rc = s ? exp_buf_str(&ddl, s) : -ENOMEM;
			sqlite3_free(s);
		}
		if (rc)
			goto out;
		if (sqlite3_exec(into, ddl.data, NULL, NULL, NULL) != SQLITE_OK) {
			*err = strdup(sqlite3_errmsg(into));
			ret = -EIO;
			goto out;
		}
	}
	ret = rows;
out:
	if (ret == -ENOMEM && !*err)
		*err = strdup("out of memory");
	sqlite3_finalize(ins);
	free(names);
	free(types);
	free(cells);
	exp_buf_free(&q);
	exp_buf_free(&answer);
	exp_buf_free(&ddl);
	exp_ch_free(ch);
	return ret;
}
