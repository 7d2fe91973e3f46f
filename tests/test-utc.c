// SPDX-License-Identifier: MIT
/*
 * common/utc: the forms of a time a person types (trace-cmd's seconds,
 * nanoseconds, ISO 8601), the UTC text maptrail prints, and a capture's clock
 * -- each checked against SQLite's own date functions and against the SQL the
 * database's views use (analyze/layout.sql), so the C and SQL forms of the
 * one contract cannot drift apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "utc.h"

static sqlite3 *db;

/* One integer from SQL with text parameters ?1, ?2. */
static int64_t sql_int(const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *st;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(st, 0), SQLITE_INTEGER);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_seconds_and_ns(void **state)
{
	enum cmn_time_kind kind;
	int64_t ns;

	(void)state;
	/* trace-cmd report's form: seconds, then up to 9 digits of fraction */
	assert_int_equal(cmn_time_parse("658.582899", &kind, &ns), 0);
	assert_int_equal(kind, CMN_TIME_SECONDS);
	assert_int_equal(ns, 658582899000LL);
	assert_int_equal(cmn_time_parse("658.5", &kind, &ns), 0);
	assert_int_equal(ns, 658500000000LL);
	assert_int_equal(cmn_time_parse("0.000000001", &kind, &ns), 0);
	assert_int_equal(ns, 1);
	/* a whole number is nanoseconds: the ts the database holds */
	assert_int_equal(cmn_time_parse("658582899000", &kind, &ns), 0);
	assert_int_equal(kind, CMN_TIME_NS);
	assert_int_equal(ns, 658582899000LL);
	/* none of the forms */
	static const char *const bad[] = {
		"", "658.5829x", "658.", ".5", "-5", "0x10", "1.1234567891", "abc", "658,5",
		"99999999999999999999", "12345678901.5", " 658.5", "658.5 ",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cmn_time_parse(bad[i], &kind, &ns), -1);
}

static void test_iso(void **state)
{
	/* each against SQLite's reading of the same instant (its own parser, no zone = UTC) */
	static const struct {
		const char *text, *sqlite;	/* ours, and the same time as SQLite writes it */
		int64_t frac;
	} good[] = {
		{ "2026-12-07T16:03:52Z", "2026-12-07 16:03:52", 0 },
		{ "2026-12-07T16:03:52.101512244Z", "2026-12-07 16:03:52", 101512244 },
		{ "2026-12-07 16:03:52.1z", "2026-12-07 16:03:52", 100000000 },
		{ "2026-12-07T17:03:52.5+01:00", "2026-12-07 16:03:52", 500000000 },
		{ "2026-12-07T11:33:52-0430", "2026-12-07 16:03:52", 0 },
		{ "2026-12-07T16:03:52", "2026-12-07 16:03:52", 0 },
		{ "2026-12-07T16:03", "2026-12-07 16:03:00", 0 },
		{ "2024-02-29T00:00:00Z", "2024-02-29 00:00:00", 0 },
		{ "1970-01-01T00:00:00Z", "1970-01-01 00:00:00", 0 },
	};
	static const char *const bad[] = {
		"2026-02-30T00:00:00Z", "2026-13-01T00:00Z", "2026-12-07", "2026-12-07T25:00Z",
		"2026-12-07T16:03:52.1234567891Z", "2026-12-07T16:03:52ZZ", "2026-12-07T16:3:52Z",
		"2026-12-07X16:03:52Z", "2026-12-07T16:03:52+1", "26-12-07T16:03:52Z",
	};
	enum cmn_time_kind kind;
	int64_t ns;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t want = sql_int("SELECT CAST(strftime('%s', ?1) AS INTEGER)", good[i].sqlite,
				       NULL) * 1000000000LL + good[i].frac;

		assert_int_equal(cmn_time_parse(good[i].text, &kind, &ns), 0);
		assert_int_equal(kind, CMN_TIME_UTC);
		assert_int_equal(ns, want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cmn_time_parse(bad[i], &kind, &ns), -1);
}

/* cmn_utc_text is the C twin of the views' strftime || printf: they must agree. */
static void test_text(void **state)
{
	static const int64_t samples[] = {
		0, 1, 999999999, 1000000000, 1796659437346765821LL, 1709164800000000000LL,
		4102444799999999999LL,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		char text[CMN_UTC_TEXT_SIZE], n[32];
		sqlite3_stmt *st;
		enum cmn_time_kind kind;
		int64_t back;

		cmn_utc_text(samples[i], text);
		snprintf(n, sizeof(n), "%lld", (long long)samples[i]);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT strftime('%Y-%m-%dT%H:%M:%S',"
			" CAST(?1 AS INTEGER) / 1000000000, 'unixepoch') ||"
			" printf('.%09dZ', CAST(?1 AS INTEGER) % 1000000000)", -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_text(st, 1, n, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal(text, (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		/* and what it prints reads back as the same instant */
		assert_int_equal(cmn_time_parse(text, &kind, &back), 0);
		assert_int_equal(back, samples[i]);
	}
}

static void exec(const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
}

/* A capture's clock: the views' formula, its inverse, which capture a row is of. */
static void test_clock(void **state)
{
	static const double drifts[] = { 0, 1.03e-7, -3e-6, 5e-5 };
	static const int64_t ts[] = { 886534074093LL, 886534074094LL, 900000000000LL,
				      4000000000000LL, 1000 };
	struct cmn_utc u;

	(void)state;
	exec("CREATE TABLE capture (id INTEGER PRIMARY KEY, utc_offset INTEGER,"
	     " utc_offset_ts INTEGER, utc_drift REAL);"
	     "INSERT INTO capture VALUES (1, 1796658545566461999, 886534074093, 1.03e-7);");
	assert_int_equal(cmn_utc_load(db, &u), 0);
	assert_int_equal(u.nr, 1);
	/* one capture: a row without capture_id is of it */
	assert_non_null(cmn_utc_clock_of(&u, -1));
	assert_non_null(cmn_utc_clock_of(&u, 1));
	assert_null(cmn_utc_clock_of(&u, 2));
	for (size_t d = 0; d < sizeof(drifts) / sizeof(drifts[0]); d++) {
		struct cmn_utc_clock c = u.clocks[0];

		c.drift = drifts[d];
		for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
			int64_t utc = cmn_utc_of_ts(&c, ts[i]);
			char q[300];
			sqlite3_stmt *st;

			/* the views' SQL, on the same numbers */
			snprintf(q, sizeof(q), "SELECT %lld + %lld + CAST((%lld - %lld) * %.17g"
				 " AS INTEGER)", (long long)ts[i], (long long)c.offset,
				 (long long)ts[i], (long long)c.offset_ts, c.drift);
			assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int64(st, 0), utc);
			sqlite3_finalize(st);
			/* a UTC time given back is the first ts at or after it */
			assert_int_equal(cmn_utc_to_ts(&c, utc), ts[i]);
		}
	}
	cmn_utc_release(&u);
	/* two captures with different clocks: a row must say which */
	exec("INSERT INTO capture VALUES (2, 5, 0, 0);");
	assert_int_equal(cmn_utc_load(db, &u), 0);
	assert_null(cmn_utc_clock_of(&u, -1));
	assert_int_equal(cmn_utc_clock_of(&u, 2)->offset, 5);
	cmn_utc_release(&u);
	/* a capture without a clock beside one with: a row without capture_id is unknown */
	exec("DELETE FROM capture WHERE id = 2; INSERT INTO capture VALUES (3, NULL, NULL, NULL);");
	assert_int_equal(cmn_utc_load(db, &u), 0);
	assert_int_equal(u.nr, 1);
	assert_null(cmn_utc_clock_of(&u, -1));
	assert_null(cmn_utc_clock_of(&u, 3));
	cmn_utc_release(&u);
	/* an older database, without the columns: no clock, no error */
	exec("DROP TABLE capture; CREATE TABLE capture (id INTEGER PRIMARY KEY);"
	     "INSERT INTO capture VALUES (1);");
	assert_int_equal(cmn_utc_load(db, &u), 0);
	assert_int_equal(u.nr, 0);
	assert_null(cmn_utc_clock_of(&u, -1));
	cmn_utc_release(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seconds_and_ns),
		cmocka_unit_test(test_iso),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_clock),
	};
	int ret;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	sqlite3_close(db);
	return ret;
}
