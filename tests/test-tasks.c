// SPDX-License-Identifier: MIT
/*
 * tasks: names and processes learned as events stream past, and what is
 * written: every pid of the events and of the saved cmdlines, the newest
 * name an event gave winning over a stale cmdline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sql.h"
#include "tasks.h"

/* More pids than the map's first size, so it grows under the test. */
#define NR_PIDS 5000

static void test_map(void **state)
{
	struct task_map *map = task_map_alloc();

	(void)state;
	assert_non_null(map);
	for (int pid = 1; pid <= NR_PIDS; pid++) {
		assert_int_equal(task_map_event(map, pid, 100 + pid), 0);
		assert_int_equal(task_map_event(map, pid, 50 + pid), 0);
	}
	assert_null(task_map_comm(map, 7));
	assert_int_equal(task_map_name(map, 7, "bash", 4, 10), 0);
	assert_int_equal(task_map_name(map, 7, "bash", 4, 11), 0);	/* unchanged: no new name */
	assert_int_equal(task_map_name(map, 7, "mapwork-and-more-than-a-comm-holds", 7, 12), 0);
	assert_string_equal(task_map_comm(map, 7), "mapwork");
	assert_int_equal(task_map_tgid(map, 8), 0);
	assert_int_equal(task_map_set_tgid(map, 8, 7), 0);
	assert_int_equal(task_map_tgid(map, 8), 7);
	assert_int_equal(task_map_tgid(map, NR_PIDS + 1), 0);
	task_map_free(map);
}

static int64_t scalar(struct cmn_db *db, const char *sql)
{
	sqlite3_stmt *st = cmn_db_prepare(db, "%s", sql);
	int64_t v;

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_write(void **state)
{
	struct meta_cmdline cmdlines[] = {
		{ 7, "sh" },		/* stale: an event named 7 since */
		{ 9, "kworker/0:1" },	/* no event named it: the cmdline does */
	};
	struct trace_meta meta = { .nr_cmdlines = 2, .cmdlines = cmdlines };
	struct task_map *map = task_map_alloc();
	struct cmn_db db;

	(void)state;
	assert_int_equal(cmn_db_open(&db, ":memory:"), 0);
	assert_int_equal(cmn_db_exec(&db, "CREATE TABLE task (capture_id, pid, comm, events, first_ts,"
				 " last_ts, tgid, PRIMARY KEY (capture_id, pid));"
				 "CREATE TABLE task_comm (capture_id, pid, comm, source, first_ts,"
				 " UNIQUE (capture_id, pid, comm, source))"), 0);
	for (int pid = 1; pid <= NR_PIDS; pid++)
		assert_int_equal(task_map_event(map, pid, pid), 0);
	assert_int_equal(task_map_name(map, 7, "bash", 4, 1), 0);
	assert_int_equal(task_map_name(map, 7, "mapwork", 7, 2), 0);
	assert_int_equal(task_map_set_tgid(map, 8, 7), 0);
	assert_int_equal(task_map_event(map, 9 + NR_PIDS, 3), 0);
	assert_int_equal(tasks_write(&db, 1, map, &meta), 0);

	assert_int_equal(scalar(&db, "SELECT count(*) FROM task"), NR_PIDS + 1);
	assert_int_equal(scalar(&db, "SELECT count(*) FROM task WHERE pid = 7 AND comm = 'mapwork'"
			 " AND events = 1 AND first_ts = 7"), 1);
	assert_int_equal(scalar(&db, "SELECT tgid FROM task WHERE pid = 8"), 7);
	assert_int_equal(scalar(&db, "SELECT count(*) FROM task WHERE pid = 9 AND comm = 'kworker/0:1'"), 1);
	/* every name 7 went by, and where it came from */
	assert_int_equal(scalar(&db, "SELECT count(*) FROM task_comm WHERE pid = 7"), 3);
	assert_int_equal(scalar(&db, "SELECT first_ts FROM task_comm WHERE pid = 7 AND comm = 'bash'"), 1);
	assert_int_equal(scalar(&db, "SELECT count(*) FROM task_comm WHERE pid = 7 AND comm = 'sh'"
			 " AND source = 'saved_cmdlines'"), 1);
	task_map_free(map);
	cmn_db_close(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
