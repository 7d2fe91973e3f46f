// SPDX-License-Identifier: MIT
/*
 * export's pieces that need no server: values made into ClickHouse SQL
 * (quoting, {name:Type} parameters), TabSeparated escaping, and the columns
 * read off a SQLite table.  The fleet suite (tests/fleet/) runs the rest
 * against real servers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ch.h"
#include "fleet.h"
#include "layout.h"

static void test_quote(void **state)
{
	struct exp_buf b = { 0 };

	assert_int_equal(exp_ch_quote(&b, "o'hara \\ x\n", 11), 0);
	assert_string_equal(b.data, "'o\\'hara \\\\ x\\x0a'");
	b.len = 0;
	assert_int_equal(exp_ch_ident(&b, "we`ird"), 0);
	assert_string_equal(b.data, "`we\\`ird`");
	exp_buf_free(&b);
}

static void test_tsv(void **state)
{
	const char raw[] = "a\tb\nc\\d\r\0e";
	struct exp_buf b = { 0 };
	size_t n;

	assert_int_equal(exp_tsv_escape(&b, raw, sizeof(raw) - 1), 0);
	assert_null(memchr(b.data, '\t', b.len));
	assert_null(memchr(b.data, '\n', b.len));
	n = exp_tsv_unescape(b.data, b.len);
	assert_int_equal(n, sizeof(raw) - 1);
	assert_memory_equal(b.data, raw, n);
	exp_buf_free(&b);
}

static void test_bind(void **state)
{
	const struct qry_param p[] = { { "host", "x' OR 1=1 --" }, { "pid", "0x10" } };
	const struct qry_param bad_int[] = { { "pid", "1 OR 1=1" } };
	const struct qry_param unknown[] = { { "nope", "1" } };
	const char *sql = "SELECT '{host:String}' -- {pid:Int64}\n"
			  "WHERE h = {host:String} AND p = {pid:Int64} AND c = {c:Nullable(String)}";
	struct exp_buf out = { 0 };
	char *err = NULL;

	assert_int_equal(exp_fleet_bind(sql, p, 2, &out, &err), 0);
	assert_string_equal(out.data, "SELECT '{host:String}' -- {pid:Int64}\n"
			    "WHERE h = 'x\\' OR 1=1 --' AND p = CAST(16 AS Int64) AND "
			    "c = CAST(NULL AS Nullable(String))");
	assert_int_equal(exp_fleet_bind("SELECT {pid:Int64}", bad_int, 1, &out, &err), -EINVAL);
	assert_non_null(strstr(err, "not an integer"));
	free(err);
	err = NULL;
	/* host is required: String, not Nullable */
	assert_int_equal(exp_fleet_bind("SELECT {host:String}", NULL, 0, &out, &err), -EINVAL);
	assert_non_null(strstr(err, "host"));
	free(err);
	err = NULL;
	assert_int_equal(exp_fleet_bind("SELECT 1", unknown, 1, &out, &err), -EINVAL);
	assert_non_null(strstr(err, "nope"));
	free(err);
	exp_buf_free(&out);
}

static void test_columns(void **state)
{
	struct exp_columns c;
	sqlite3 *db;
	char *err = NULL;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE process (capture_id INTEGER, pid INTEGER, host TEXT, w REAL, b BLOB, "
		"n NUMERIC, g INTEGER GENERATED ALWAYS AS (pid + 1));"
		"CREATE TABLE schema_event (name TEXT);"
		"INSERT INTO schema_event VALUES ('mmap'), ('brk'), ('gone');"
		"CREATE TABLE mmap (id INTEGER, capture_id INTEGER, addr INTEGER, len INTEGER);"
		"CREATE TABLE brk (id INTEGER, capture_id INTEGER, brk INTEGER);",
		NULL, NULL, NULL), SQLITE_OK);
	for (const struct exp_table *t = exp_tables; t->name; t++) {
		if (!strcmp(t->name, "processes")) {
			assert_int_equal(exp_layout_columns(db, t, &c, &err), 1);
			assert_int_equal(c.nr, 7);
			assert_string_equal(c.cols[2].name, "src_host");	/* ours is the fleet's */
			assert_int_equal(c.cols[3].kind, EXP_FLOAT);
			assert_int_equal(c.cols[4].kind, EXP_TEXT);
			assert_int_equal(c.cols[5].kind, EXP_TEXT);
			assert_string_equal(c.cols[6].name, "g");		/* generated: kept */
			assert_int_equal(c.cols[6].kind, EXP_INT);
			exp_columns_clear(&c);
		} else if (!strcmp(t->name, "calls")) {
			/* the union, in the call tables' name order: brk, then mmap's new ones */
			assert_int_equal(exp_layout_columns(db, t, &c, &err), 1);
			assert_int_equal(c.nr_sources, 2);
			assert_int_equal(c.nr, 5);
			assert_string_equal(c.cols[2].name, "brk");
			assert_string_equal(c.cols[4].name, "len");
			exp_columns_clear(&c);
		} else if (t->optional) {
			assert_int_equal(exp_layout_columns(db, t, &c, &err), 0);
		}
	}
	assert_int_equal(exp_kind_of_type("Nullable(UInt64)"), EXP_INT);
	assert_int_equal(exp_kind_of_type("Array(String)"), EXP_TEXT);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_tsv),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
