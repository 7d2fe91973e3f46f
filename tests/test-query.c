// SPDX-License-Identifier: MIT
/*
 * queries: the header of a query file (continuation lines, missing keys, no
 * header at all), the compiled-in catalog, and how a question is opened,
 * prepared and bound.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "db-identity.h"
#include "format.h"
#include "query.h"
#include "schema.h"
#include "sql.h"

#include "embedded.h"

/* analyze/layout.sql: what a maptrail database of this layout holds. */
extern const struct embedded_file analyze_layout_sql[];

static void test_header(void **state)
{
	struct qry_info q;

	(void)state;
	assert_int_equal(qry_info_parse("wx-mapping.sql",
		"-- title: Memory mapped writable and executable at once\n"
		"-- severity: high\n"
		"-- kind: detection\n"
		"-- mitre: T1055 Process Injection;\n"
		"--   T1620 Reflective Code Loading  \n"
		"-- params: pid: process id (optional)\n"
		"-- means: a row is a call that\n"
		"--\tasked for PROT_WRITE|PROT_EXEC.\n"
		"-- a free comment: not a key of ours, and the value above has ended\n"
		"--   so this is no continuation of anything\n"
		"-- why: shellcode\n"
		"--\n"
		"--   after an empty comment line: not a continuation\n"
		"\n"
		"SELECT 1\n  -- a comment inside the statement\n FROM t;\n\n", &q), 0);
	assert_string_equal(q.name, "wx-mapping");
	assert_string_equal(q.title, "Memory mapped writable and executable at once");
	assert_string_equal(q.severity, "high");
	assert_string_equal(q.kind, "detection");
	assert_string_equal(q.mitre, "T1055 Process Injection; T1620 Reflective Code Loading");
	assert_string_equal(q.params, "pid: process id (optional)");
	assert_string_equal(q.means, "a row is a call that asked for PROT_WRITE|PROT_EXEC.");
	assert_string_equal(q.why, "shellcode");
	assert_string_equal(q.sql, "SELECT 1\n  -- a comment inside the statement\n FROM t;");
	assert_non_null(strstr(q.text, "-- title:"));
	qry_info_clear(&q);
	assert_null(q.name);
	qry_info_clear(NULL);
}

static void test_missing_keys(void **state)
{
	struct qry_info q;

	(void)state;
	/* CRLF, a key twice (the last wins), an empty value, unknown keys with continuations. */
	assert_int_equal(qry_info_parse("x",
		"-- title: first\r\n"
		"-- SPDX-License-Identifier: MIT\r\n"
		"-- owner: someone\r\n"
		"--   continued, ignored with its key\r\n"
		"-- title: second\r\n"
		"--   line\r\n"
		"-- severity:\r\n"
		"-- kind:   \r\n"
		"SELECT 2", &q), 0);
	assert_string_equal(q.name, "x");
	assert_string_equal(q.title, "second line");
	assert_null(q.severity);
	assert_null(q.kind);
	assert_null(q.mitre);
	assert_null(q.params);
	assert_null(q.means);
	assert_null(q.why);
	assert_string_equal(q.sql, "SELECT 2");
	qry_info_clear(&q);

	/* The header only: no statement. */
	assert_int_equal(qry_info_parse("y.sql", "-- title: t\n-- means: m", &q), 0);
	assert_string_equal(q.title, "t");
	assert_string_equal(q.means, "m");
	assert_string_equal(q.sql, "");
	qry_info_clear(&q);

	/* A continuation line with nothing to continue. */
	assert_int_equal(qry_info_parse("z", "--   orphan\n-- why: w\nSELECT 3\n", &q), 0);
	assert_string_equal(q.why, "w");
	assert_null(q.title);
	qry_info_clear(&q);
}

static void test_no_header(void **state)
{
	struct qry_info q;

	(void)state;
	assert_int_equal(qry_info_parse("plain.sql", "\n  SELECT 1 -- title: not a header\n", &q), 0);
	assert_string_equal(q.name, "plain");
	for (const char **v = &q.title; v <= &q.why; v++)
		assert_null(*v);
	assert_string_equal(q.sql, "SELECT 1 -- title: not a header");
	qry_info_clear(&q);

	/* A header that begins after a blank line is no header. */
	assert_int_equal(qry_info_parse("late", "\n-- title: late\nSELECT 1", &q), 0);
	assert_null(q.title);
	assert_string_equal(q.sql, "-- title: late\nSELECT 1");
	qry_info_clear(&q);

	assert_int_equal(qry_info_parse("empty", "", &q), 0);
	assert_string_equal(q.sql, "");
	assert_null(q.title);
	qry_info_clear(&q);
}

static void test_catalog(void **state)
{
	int n = qry_catalog_count();

	(void)state;
	assert_true(n >= 1);
	for (int i = 0; i < n; i++) {
		const struct qry_info *q = qry_catalog_get(i);

		assert_non_null(q);
		if (i)
			assert_true(strcmp(qry_catalog_get(i - 1)->name, q->name) < 0);
		assert_ptr_equal(qry_catalog_find(q->name), q);
		assert_null(strstr(q->name, ".sql"));
		/* Every file has the header the catalog promises. */
		assert_non_null(q->title);
		assert_non_null(q->kind);
		assert_true(cmn_severity_rank(q->severity) >= 0);
		assert_true(q->sql[0]);
	}
	assert_null(qry_catalog_get(n));
	assert_null(qry_catalog_get(-1));
	assert_non_null(qry_catalog_find("process-summary"));
	assert_null(qry_catalog_find("process-summary.sql"));
	assert_null(qry_catalog_find("no-such-query"));
	assert_null(qry_catalog_find(NULL));
	assert_int_equal(cmn_severity_rank("high"), 3);
	assert_int_equal(cmn_severity_rank("medium"), 2);
	assert_int_equal(cmn_severity_rank("low"), 1);
	assert_int_equal(cmn_severity_rank("info"), 0);
	assert_int_equal(cmn_severity_rank("severe"), -1);
	assert_int_equal(cmn_severity_rank(NULL), -1);
}

static void test_integers(void **state)
{
	long long v;

	(void)state;
	assert_true(qry_parse_integer("42", &v) && v == 42);
	assert_true(qry_parse_integer("-7", &v) && v == -7);
	assert_true(qry_parse_integer("0x7f00dead000", &v) && v == 0x7f00dead000LL);
	assert_true(qry_parse_integer("0xffffffffff600000", &v) && v == (long long)0xffffffffff600000ULL);
	assert_false(qry_parse_integer("0x", &v));
	assert_false(qry_parse_integer("0x1ffffffffffffffff", &v));
	assert_false(qry_parse_integer("99999999999999999999", &v));
	assert_false(qry_parse_integer("12abc", &v));
	assert_false(qry_parse_integer("", &v));
	assert_false(qry_parse_integer("-", &v));
	assert_false(qry_parse_integer(" 1", &v));
	assert_false(qry_parse_integer("1.5", &v));
	assert_true(qry_is_sql("SELECT 1"));
	assert_true(qry_is_sql("select*from mmap"));
	assert_true(qry_is_sql("  WITH x AS (SELECT 1) SELECT * FROM x"));
	assert_true(qry_is_sql("pragma table_info(mmap)"));
	assert_false(qry_is_sql("wx-mapping"));
	assert_false(qry_is_sql("process-summary"));
}

/*
 * A temporary database file: application_id @app_id, one table; with the
 * layout (analyze/layout.sql) and its version when @layout.
 */
static char *make_db(int app_id, bool layout)
{
	char *path = strdup("/tmp/test-query-XXXXXX");
	sqlite3 *db;
	char sql[200];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA application_id=%d; PRAGMA user_version=%d;"
		 "CREATE TABLE t (a, b); INSERT INTO t VALUES (1, 'x'), (2, 'it''s');", app_id,
		 CMN_DB_LAYOUT_VERSION);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	if (layout)
		assert_int_equal(sqlite3_exec(db, analyze_layout_sql[0].text, NULL, NULL, NULL),
				 SQLITE_OK);
	sqlite3_close(db);
	return path;
}

/* The tables and views cmn_db_check_identity() requires are the ones layout.sql makes. */
static void test_identity_list(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	const char *name, *type;
	int n = 0;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, analyze_layout_sql[0].text, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT type FROM sqlite_schema WHERE name = ?", -1,
					    &st, NULL), SQLITE_OK);
	for (; (name = cmn_db_layout_object(n, &type)); n++) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), type);
		sqlite3_reset(st);
	}
	assert_true(n >= 20);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_open(void **state)
{
	char *ours = make_db(CMN_DB_APPLICATION_ID, true), *other = make_db(0, false);
	char *foreign = make_db(CMN_DB_APPLICATION_ID, false);
	char *err = NULL;
	sqlite3 *db = NULL;
	FILE *f;

	(void)state;
	assert_int_equal(qry_open(ours, &db, &err), 0);
	assert_null(err);
	/* Read-only: the file cannot change under a question. */
	assert_int_equal(sqlite3_exec(db, "INSERT INTO t VALUES (3, 'y')", NULL, NULL, NULL),
			 SQLITE_READONLY);
	/* bounded as a file from elsewhere: the memory ceiling, values of 64 MiB at most */
	assert_int_equal(sqlite3_hard_heap_limit64(-1), CMN_DB_HEAP_LIMIT);
	assert_int_equal(sqlite3_limit(db, SQLITE_LIMIT_LENGTH, -1), CMN_DB_MAX_VALUE);
	sqlite3_close(db);
	/* maptrail's id over a table of its own: not a maptrail layout */
	assert_int_equal(qry_open(foreign, &db, &err), -1);
	assert_non_null(strstr(err, "not a maptrail database of layout"));
	free(err);
	err = NULL;
	assert_int_equal(qry_open(other, &db, &err), -1);
	assert_string_equal(err, "not a maptrail database");
	free(err);
	assert_int_equal(qry_open("/nonexistent/x.db", &db, &err), -1);
	assert_string_equal(err, "No such file or directory");
	free(err);
	assert_int_equal(qry_open("/tmp", &db, &err), -1);
	assert_string_equal(err, "Is a directory");
	free(err);
	f = fopen(other, "w");
	fputs("this is not SQLite at all, just text long enough to be a header of one.....\n", f);
	fclose(f);
	assert_int_equal(qry_open(other, &db, &err), -1);
	assert_non_null(strstr(err, "not a maptrail database"));
	free(err);
	unlink(ours);
	unlink(other);
	unlink(foreign);
	free(ours);
	free(other);
	free(foreign);
}

static void test_prepare(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *err = NULL;
	struct qry_param quote[] = { { "b", "it's" } };
	struct qry_param hex[] = { { ":a", "0x2" }, { "c", "9" } };
	struct qry_param wrong[] = { { "nope", "1" } };
	struct qry_param twice[] = { { "a", "1" }, { "a", "2" } };
	struct qry_param prefixed_twice[] = { { "a", "1" }, { ":a", "2" } };

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (a, b); INSERT INTO t VALUES"
				      " (1, 'x'), (2, 'it''s');", NULL, NULL, NULL), SQLITE_OK);

	/* Text with a quote in it is bound, not pasted. */
	assert_int_equal(qry_prepare(db, "SELECT a FROM t WHERE b = :b", quote, 1, &st, &err), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);

	/* Hex binds as an integer; $c and @c are the same parameter as :c. */
	assert_int_equal(qry_prepare(db, "SELECT b, typeof($c), @c FROM t WHERE a = :a", hex, 2,
				     &st, &err), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "it's");
	assert_string_equal((const char *)sqlite3_column_text(st, 1), "integer");
	assert_int_equal(sqlite3_column_int(st, 2), 9);
	sqlite3_finalize(st);

	/* Not given: NULL, which the queries read as "any". */
	assert_int_equal(qry_prepare(db, "SELECT count(*) FROM t WHERE :a IS NULL OR a = :a", NULL, 0,
				     &st, &err), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 2);
	sqlite3_finalize(st);

	assert_int_equal(qry_prepare(db, "SELECT :a, :b", wrong, 1, &st, &err), -EINVAL);
	assert_string_equal(err, "no parameter :nope (the query has :a, :b)");
	free(err);
	assert_int_equal(qry_prepare(db, "SELECT 1", wrong, 1, &st, &err), -EINVAL);
	assert_string_equal(err, "no parameter :nope (the query has no parameters)");
	free(err);
	assert_int_equal(qry_prepare(db, "SELECT :a", twice, 2, &st, &err), -EINVAL);
	assert_string_equal(err, "parameter a given twice");
	free(err);
	err = NULL;
	assert_int_equal(qry_prepare(db, "SELECT :a", prefixed_twice, 2, &st, &err), -EINVAL);
	assert_string_equal(err, "parameter a given twice");
	free(err);
	assert_int_equal(qry_prepare(db, "SELEC 1", NULL, 0, &st, &err), -EIO);
	assert_string_equal(err, "near \"SELEC\": syntax error");
	free(err);
	assert_int_equal(qry_prepare(db, "SELECT 1; SELECT 2", NULL, 0, &st, &err), -EIO);
	assert_non_null(strstr(err, "more than one statement"));
	free(err);
	assert_int_equal(qry_prepare(db, "-- nothing", NULL, 0, &st, &err), -EIO);
	assert_string_equal(err, "no statement");
	free(err);
	assert_int_equal(qry_prepare(db, "DELETE FROM t", NULL, 0, &st, &err), -EIO);
	assert_non_null(strstr(err, "not a read-only statement"));
	free(err);
	/* A trailing semicolon and comment are one statement. */
	assert_int_equal(qry_prepare(db, "SELECT 1; -- done\n", NULL, 0, &st, &err), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* What qry_write makes of @sql on @db, as one string (free()). */
static char *output(sqlite3 *db, const char *sql, enum qry_format format, bool wide)
{
	struct qry_output opts = { .format = format, .wide = wide };
	sqlite3_stmt *st;
	char *text = NULL, *err = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	assert_int_equal(qry_prepare(db, sql, NULL, 0, &st, &err), 0);
	assert_true(qry_write(db, st, &opts, f, &err) >= 0);
	assert_null(err);
	sqlite3_finalize(st);
	fclose(f);
	return text;
}

static sqlite3 *schema_db(void)
{
	sqlite3 *db;
	char *err = NULL;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(schema_load(db, NULL, &err), 0);
	return db;
}

/* Flags and addresses as the <call>_decoded views show them: the same rule. */
static void test_table_decoding(void **state)
{
	sqlite3 *db = schema_db();
	char *out;

	(void)state;
	out = output(db, "SELECT 7 AS prot, 0 AS prior_prot, 5 AS new_prot, 0x40000007 AS x_prot,"
		     " 0x22 AS map_flags, 3 AS mremap_flags, 22 AS errno, 4096 AS len", QRY_FORMAT_TABLE,
		     false);
	assert_string_equal(out,
		"prot                            prior_prot  new_prot             x_prot                                     map_flags                  mremap_flags                 errno    len\n"
		"------------------------------  ----------  -------------------  -----------------------------------------  -------------------------  ---------------------------  ------  ----\n"
		"PROT_READ|PROT_WRITE|PROT_EXEC  PROT_NONE   PROT_READ|PROT_EXEC  PROT_READ|PROT_WRITE|PROT_EXEC|0x40000000  MAP_PRIVATE|MAP_ANONYMOUS  MREMAP_MAYMOVE|MREMAP_FIXED  EINVAL  4096\n");
	free(out);
	/* The views agree, on the same schema rows (mprotect's prot goes through the same rule). */
	out = output(db, "SELECT -4096 AS addr, -22 AS ret_addr, 4096 AS start, NULL AS end,"
		     " 'x' AS brk, 0 AS new_address, 9999 AS errno", QRY_FORMAT_TABLE, false);
	assert_string_equal(out,
		"              addr  ret_addr   start  end  brk  new_address  errno\n"
		"------------------  --------  ------  ---  ---  -----------  -----\n"
		"0xfffffffffffff000       -22  0x1000       x            0x0   9999\n");
	free(out);
	/* csv and json keep the raw values. */
	out = output(db, "SELECT 7 AS prot, 4096 AS addr, 22 AS errno", QRY_FORMAT_CSV, false);
	assert_string_equal(out, "prot,addr,errno\r\n7,4096,22\r\n");
	free(out);
	sqlite3_close(db);
}

/*
 * A column read straight from a call table is shown as the schema says; read
 * through a view, or out of a compound, its origin may lie: names only then.
 */
static void test_table_origins(void **state)
{
	sqlite3 *db = schema_db();
	char *out;

	(void)state;
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE mmap (flags, ret, errno);"
				      "INSERT INTO mmap VALUES (34, 0x7f00dead0000, NULL), (2, -12, 12);"
				      "CREATE VIEW v AS SELECT flags, ret FROM mmap;"
				      "CREATE VIEW u AS SELECT flags FROM mmap UNION ALL SELECT 3", NULL, NULL, NULL),
			 SQLITE_OK);
	out = output(db, "SELECT flags, ret, errno FROM mmap", QRY_FORMAT_TABLE, false);
	assert_string_equal(out,
		"flags                                 ret  errno\n"
		"-------------------------  --------------  ------\n"
		"MAP_PRIVATE|MAP_ANONYMOUS  0x7f00dead0000\n"
		"MAP_PRIVATE                           -12  ENOMEM\n");
	free(out);
	out = output(db, "WITH c AS (SELECT flags FROM mmap) SELECT flags AS f FROM c LIMIT 1",
		     QRY_FORMAT_TABLE, false);
	assert_string_equal(out, "f\n-------------------------\nMAP_PRIVATE|MAP_ANONYMOUS\n");
	free(out);
	/* Through a plain view the origin holds; through a compound one it does not. */
	out = output(db, "SELECT flags FROM v LIMIT 1", QRY_FORMAT_TABLE, false);
	assert_string_equal(out, "flags\n-------------------------\nMAP_PRIVATE|MAP_ANONYMOUS\n");
	free(out);
	out = output(db, "SELECT u.flags FROM mmap m JOIN u ON u.flags = m.flags LIMIT 1",
		     QRY_FORMAT_TABLE, false);
	assert_string_equal(out, "flags\n-----\n   34\n");
	free(out);
	out = output(db, "SELECT flags FROM mmap UNION ALL SELECT 1", QRY_FORMAT_TABLE, false);
	assert_string_equal(out, "flags\n-----\n   34\n    2\n    1\n");
	free(out);
	sqlite3_close(db);
}

static void test_table_cells(void **state)
{
	sqlite3 *db = schema_db();
	char *out, *expect;

	(void)state;
	/* Cut at 60 characters (UTF-8 counts as one), unless wide; control characters escaped. */
	out = output(db, "SELECT printf('%.70c', 'a') AS long, 'é\tx' AS s", QRY_FORMAT_TABLE, false);
	assert_true(asprintf(&expect, "%-60s  s\n%s  ----\n%.59s…  é\\tx\n", "long",
				  "------------------------------------------------------------",
				  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") > 0);
	assert_string_equal(out, expect);
	free(out);
	free(expect);
	out = output(db, "SELECT printf('%.70c', 'a') AS long", QRY_FORMAT_TABLE, true);
	assert_int_equal(strlen(out), strlen("long\n") + 70 + 1 + 70 + 1);
	free(out);
	/* Exactly 60 is not cut. */
	out = output(db, "SELECT printf('%.60c', 'b') AS c", QRY_FORMAT_TABLE, false);
	assert_null(strstr(out, "…"));
	free(out);
	/*
	 * 61 is; and so is 59 and a control character, whose escape (\x01) would
	 * pass 60: the cells that are printable ASCII and the others cut alike.
	 */
	out = output(db, "SELECT printf('%.61c', 'c') AS c, printf('%.59c', 'd') || char(1) AS d",
		     QRY_FORMAT_TABLE, false);
	assert_true(asprintf(&expect, "%-60s  d\n%s  %s\n%.59s…  %.59s…\n", "c",
			     "------------------------------------------------------------",
			     "------------------------------------------------------------",
			     "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
			     "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd") > 0);
	assert_string_equal(out, expect);
	free(out);
	free(expect);
	/* No rows: the header alone. */
	out = output(db, "SELECT 1 AS a, 'x' AS b WHERE 0", QRY_FORMAT_TABLE, false);
	assert_string_equal(out, "a  b\n-  -\n");
	free(out);
	sqlite3_close(db);
}

static void test_csv_json(void **state)
{
	sqlite3 *db = schema_db();
	char *out;

	(void)state;
	out = output(db, "SELECT 'a,b' AS \"x,y\", 'say \"hi\"' AS q, 'two' || char(10) || 'lines' AS n,"
		     " NULL AS z, 1.5 AS f, -3 AS i, x'00ff' AS b, '' AS e", QRY_FORMAT_CSV, false);
	assert_string_equal(out, "\"x,y\",q,n,z,f,i,b,e\r\n"
			    "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,1.5,-3,00ff,\r\n");
	free(out);
	out = output(db, "SELECT 'q\"\\' || char(1, 10, 9, 233, 8364) AS s, NULL AS z, 42 AS i,"
		     " 0.5 AS f, CAST(x'61ff62' AS TEXT) AS bad, 1e999 AS inf", QRY_FORMAT_JSON, false);
	assert_string_equal(out, "[\n  {\"s\": \"q\\\"\\\\\\u0001\\n\\té€\", \"z\": null, \"i\": 42,"
			    " \"f\": 0.5, \"bad\": \"a\\ufffdb\", \"inf\": null}\n]\n");
	free(out);
	out = output(db, "SELECT 1 AS a WHERE 0", QRY_FORMAT_JSON, false);
	assert_string_equal(out, "[]\n");
	free(out);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_no_header),
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_identity_list),
		cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_table_decoding),
		cmocka_unit_test(test_table_origins),
		cmocka_unit_test(test_table_cells),
		cmocka_unit_test(test_csv_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
