// SPDX-License-Identifier: MIT
/*
 * row-queue: rows queued from one thread land, in full and in order per table,
 * through the writer thread's multi-row INSERTs; a writer error reaches the
 * loader and the finish; a bulk database keeps its page cache to the size
 * cmn_db_open() gives it, however much is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sql.h"
#include "row-queue.h"

static sqlite3_stmt *prepare(struct cmn_db *db, const char *sql)
{
	sqlite3_stmt *st = cmn_db_prepare(db, "%s", sql);

	assert_non_null(st);
	return st;
}

static int64_t scalar(struct cmn_db *db, const char *sql)
{
	sqlite3_stmt *st = prepare(db, sql);
	int64_t v;

	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* 100000 rows over three tables, interleaved as a capture's events are. */
static void test_rows_land(void **state)
{
	struct cmn_db db;
	sqlite3_stmt *ins[3];
	struct row_queue *q;
	char text[32];

	(void)state;
	assert_int_equal(cmn_db_open(&db, ":memory:"), 0);
	assert_int_equal(cmn_db_exec(&db, "CREATE TABLE a (id INTEGER PRIMARY KEY, v INTEGER, t TEXT);"
				     "CREATE TABLE b (id INTEGER PRIMARY KEY, v INTEGER, x BLOB);"
				     "CREATE TABLE c (id INTEGER PRIMARY KEY, v INTEGER)"), 0);
	ins[0] = prepare(&db, "INSERT INTO a (id, v, t) VALUES (?, ?, ?)");
	ins[1] = prepare(&db, "INSERT INTO b (id, v, x) VALUES (?, ?, ?)");
	ins[2] = prepare(&db, "INSERT INTO c (id, v) VALUES (?, ?)");
	q = row_queue_start(&db);
	assert_non_null(q);
	for (int i = 1; i <= 100000; i++) {
		int t = i % 7 == 0 ? 2 : i % 2;

		row_queue_begin(q, &ins[t]);
		row_queue_int(q, i);
		if (t == 0) {
			row_queue_int(q, i * 3);
			snprintf(text, sizeof(text), "row %d", i);
			row_queue_text(q, text, strlen(text));
		} else if (t == 1) {
			row_queue_null(q);
			row_queue_blob(q, &i, sizeof(i));
		} else {
			row_queue_int(q, -i);
		}
		assert_int_equal(row_queue_end(q), 0);
	}
	assert_int_equal(row_queue_finish(q), 0);
	assert_int_equal(scalar(&db, "SELECT count(*) FROM a") + scalar(&db, "SELECT count(*) FROM b") +
			 scalar(&db, "SELECT count(*) FROM c"), 100000);
	assert_int_equal(scalar(&db, "SELECT count(*) FROM a WHERE v != id * 3 OR t != 'row ' || id"), 0);
	assert_int_equal(scalar(&db, "SELECT count(*) FROM b WHERE v IS NOT NULL OR length(x) != 4"), 0);
	assert_int_equal(scalar(&db, "SELECT count(*) FROM c WHERE v != -id OR id % 7 != 0"), 0);
	for (int i = 0; i < 3; i++)
		sqlite3_finalize(ins[i]);
	cmn_db_close(&db);
}

/* A constraint violation in the writer fails the load, with SQLite's message. */
static void test_writer_error(void **state)
{
	struct cmn_db db;
	sqlite3_stmt *ins;
	struct row_queue *q;
	int failed = 0;

	(void)state;
	assert_int_equal(cmn_db_open(&db, ":memory:"), 0);
	assert_int_equal(cmn_db_exec(&db, "CREATE TABLE a (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)"), 0);
	ins = prepare(&db, "INSERT INTO a (id, v) VALUES (?, ?)");
	q = row_queue_start(&db);
	for (int i = 1; i <= 50000; i++) {
		row_queue_begin(q, &ins);
		row_queue_int(q, i);
		if (i == 10)
			row_queue_null(q);	/* NOT NULL violated */
		else
			row_queue_int(q, i);
		failed |= row_queue_end(q) < 0;
	}
	assert_int_equal(row_queue_finish(q), -1);
	assert_true(failed);	/* the loader learnt of it before the end */
	assert_non_null(db.err);
	assert_non_null(strstr(db.err, "NOT NULL"));
	sqlite3_finalize(ins);
	cmn_db_close(&db);
}

/*
 * 40 MB of rows in one transaction into a new file: SQLite's page cache stays
 * within the 8 MiB cmn_db_open() asks for, with CMN_DB_PAGE_SIZE pages.  A
 * cache sized before the page size was set held four times that.
 */
static void test_cache_bounded(void **state)
{
	char path[] = "/tmp/maptrail-test-row-queue-XXXXXX";
	int fd = mkstemp(path), used = 0, highest = 0;
	char blob[400] = { 0 };
	struct cmn_db db;
	sqlite3_stmt *ins;
	struct row_queue *q;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);	/* a new, empty file: cmn_db_open() makes it */
	assert_int_equal(cmn_db_open(&db, path), 0);
	assert_int_equal(scalar(&db, "PRAGMA page_count"), 0);	/* analyze's first question */
	assert_int_equal(scalar(&db, "PRAGMA page_size"), CMN_DB_PAGE_SIZE);
	assert_int_equal(cmn_db_exec(&db, "CREATE TABLE a (id INTEGER PRIMARY KEY, k INTEGER, x BLOB);"
				     "CREATE INDEX a_k ON a (k); BEGIN"), 0);
	ins = prepare(&db, "INSERT INTO a (id, k, x) VALUES (?, ?, ?)");
	q = row_queue_start(&db);
	assert_non_null(q);
	for (int i = 1; i <= 100000; i++) {
		row_queue_begin(q, &ins);
		row_queue_int(q, i);
		row_queue_int(q, (int64_t)i * 7919 % 100003);	/* index inserts all over */
		row_queue_blob(q, blob, sizeof(blob));
		assert_int_equal(row_queue_end(q), 0);
	}
	assert_int_equal(row_queue_finish(q), 0);
	assert_int_equal(sqlite3_db_status(db.sql, SQLITE_DBSTATUS_CACHE_USED, &used, &highest, 0),
			 SQLITE_OK);
	assert_true(used <= 9 << 20);
	assert_int_equal(cmn_db_exec(&db, "COMMIT"), 0);
	sqlite3_finalize(ins);
	cmn_db_close(&db);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_land),
		cmocka_unit_test(test_writer_error),
		cmocka_unit_test(test_cache_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
