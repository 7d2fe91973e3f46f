// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error-line.h"
#include "schema.h"

static int run_sql(sqlite3 *db, const char *name, const char *sql, char **err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	cmn_fail_path(err, name, "%s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

static char *read_text(const char *path, char **err)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t size = 0;

	if (!f) {
		cmn_fail_path(err, path, "%s", strerror(errno));
		return NULL;
	}
	FILE *mem = open_memstream(&text, &size);
	char buf[8192];
	size_t n;

	while (mem && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	if (ferror(f) || !mem) {
		cmn_fail_path(err, path, "cannot read");
		if (mem)
			fclose(mem);
		free(text);
		fclose(f);
		return NULL;
	}
	fclose(mem);
	fclose(f);
	return text;
}

int schema_load(sqlite3 *db, const char *const *extra, char **err)
{
	*err = NULL;
	for (const struct embedded_file *f = schema_sql_files; f->name; f++)
		if (run_sql(db, f->name, f->text, err) < 0)
			return -1;
	for (; extra && *extra; extra++) {
		char *text = read_text(*extra, err);
		int ret;

		if (!text)
			return -1;
		ret = run_sql(db, *extra, text, err);
		free(text);
		if (ret < 0)
			return -1;
	}
	/*
	 * Derived, for decoding: per flag kind, every bit some name covers.  SQL
	 * has no bitwise-OR aggregate, hence the walk over the 63 bits.
	 */
	return run_sql(db, "schema_flag_mask",
		       "DROP TABLE IF EXISTS schema_flag_mask;"
		       "CREATE TABLE schema_flag_mask AS WITH RECURSIVE bit(n) AS"
		       " (SELECT 0 UNION ALL SELECT n + 1 FROM bit WHERE n < 62)"
		       " SELECT kind, sum(1 << n) AS known FROM (SELECT DISTINCT f.kind, bit.n"
		       " FROM schema_flag f, bit WHERE f.mask & (1 << bit.n)) GROUP BY kind;", err);
}

int schema_event_names(sqlite3 *db, char ***names, char **err)
{
	sqlite3_stmt *st = NULL;
	char **list = NULL;
	int n = 0, rc;

	*err = NULL;
	if (sqlite3_prepare_v2(db, "SELECT name FROM schema_event ORDER BY name", -1, &st,
			       NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char **tmp = realloc(list, (n + 2) * sizeof(*list));

		if (!tmp)
			goto nomem;
		list = tmp;
		list[n] = strdup((const char *)sqlite3_column_text(st, 0));
		if (!list[n])
			goto nomem;
		list[++n] = NULL;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	if (!list)
		list = calloc(1, sizeof(*list));
	if (!list)
		goto nomem;
	*names = list;
	return n;
fail:
	if (asprintf(err, "schema_event: %s", sqlite3_errmsg(db)) < 0)
		*err = NULL;
	goto out;
nomem:
	if (asprintf(err, "out of memory") < 0)
		*err = NULL;
out:
	sqlite3_finalize(st);
	schema_names_free(list);
	return -1;
}

char **schema_names_free(char **names)
{
	for (char **p = names; p && *p; p++)
		free(*p);
	free(names);
	return NULL;
}
