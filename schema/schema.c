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
