// SPDX-License-Identifier: MIT
/*
 * event-tables on real captures: for every fixture, the columns chosen for
 * each format, and every decoded value checked against libtraceevent's own
 * field readers (tep_read_number_field, tep_get_field_raw) on the same records.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <trace-cmd/trace-cmd.h>

#include "sql.h"
#include "event-tables.h"

static glob_t fixtures;

static int setup(void **state)
{
	const char *dir = getenv("FIXTURES");
	char *pattern;

	(void)state;
	if (!dir || asprintf(&pattern, "%s/*.dat", dir) < 0)
		return -1;
	if (glob(pattern, 0, NULL, &fixtures) != 0 || fixtures.gl_pathc == 0) {
		fprintf(stderr, "no fixtures in %s\n", dir);
		free(pattern);
		return -1;
	}
	free(pattern);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	globfree(&fixtures);
	return 0;
}

static struct event_table *table_of(struct tep_handle *tep, const char *system, const char *name)
{
	struct tep_event *ev = tep_find_event_by_name(tep, system, name);

	return ev ? event_table_alloc(ev) : NULL;
}

static const struct event_column *column(const struct event_table *t, const char *name)
{
	for (int i = 0; i < t->nr_columns; i++)
		if (!strcmp(t->columns[i].name, name))
			return &t->columns[i];
	return NULL;
}

/* The column layout of formats the fixtures have; each checked in at least one. */
static void test_columns(void **state)
{
	int seen_mprotect = 0, seen_exec = 0, seen_switch = 0;

	(void)state;
	for (size_t f = 0; f < fixtures.gl_pathc; f++) {
		struct tracecmd_input *h = tracecmd_open(fixtures.gl_pathv[f], TRACECMD_FL_LOAD_NO_PLUGINS);
		struct tep_handle *tep;
		struct event_table *t;

		assert_non_null(h);
		tep = tracecmd_get_tep(h);

		t = table_of(tep, "syscalls", "sys_enter_mprotect");
		if (t) {
			seen_mprotect++;
			assert_string_equal(t->name, "syscalls__sys_enter_mprotect");
			assert_non_null(t->pid_field);
			assert_null(column(t, "common_type"));
			assert_null(column(t, "common_pid"));
			assert_non_null(column(t, "common_flags"));
			assert_int_equal(column(t, "start")->kind, COLUMN_INT);
			assert_int_equal(column(t, "__syscall_nr")->kind, COLUMN_INT_SIGNED);
			assert_int_equal(t->nr_comm_pairs, 0);
			event_table_free(t);
		}

		/* sched_process_exec: a __data_loc string, and a field that clashes with "pid". */
		t = table_of(tep, "sched", "sched_process_exec");
		if (t) {
			seen_exec++;
			assert_int_equal(column(t, "filename")->kind, COLUMN_TEXT_DYNAMIC);
			assert_non_null(column(t, "field_pid"));
			assert_string_equal(column(t, "field_pid")->field->name, "pid");
			assert_null(column(t, "pid"));
			event_table_free(t);
		}

		/* sched_switch names two tasks: prev_pid/prev_comm and next_pid/next_comm. */
		t = table_of(tep, "sched", "sched_switch");
		if (t) {
			seen_switch++;
			assert_int_equal(column(t, "prev_comm")->kind, COLUMN_TEXT);
			assert_int_equal(t->nr_comm_pairs, 2);
			event_table_free(t);
		}
		tracecmd_close(h);
	}
	assert_true(seen_mprotect && seen_exec && seen_switch);
}

struct check {
	struct tep_handle *tep;
	struct trace_seq seq;
	struct event_table **tables;
	int nr_tables;
	unsigned long ints, texts, raws;
};

static int check_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *arg)
{
	struct check *c = arg;
	int type = tep_data_type(c->tep, rec);
	struct event_table *t;

	(void)h;
	(void)cpu;
	assert_true(type >= 0 && type < c->nr_tables);
	if (!c->tables[type])
		c->tables[type] = event_table_alloc(tep_find_event(c->tep, type));
	t = c->tables[type];
	assert_non_null(t);
	for (int i = 0; i < t->nr_columns; i++) {
		const struct event_column *col = &t->columns[i];
		struct tep_format_field *f = (struct tep_format_field *)col->field;
		unsigned long long want;
		const char *text;
		int64_t got;
		int len;

		switch (col->kind) {
		case COLUMN_INT:
		case COLUMN_INT_SIGNED:
			assert_true(event_field_int(c->tep, col, rec, &got));
			assert_int_equal(tep_read_number_field(f, rec->data, &want), 0);
			if (col->kind == COLUMN_INT_SIGNED && f->size < 8 && (want >> (8 * f->size - 1)) & 1)
				want |= ~0ULL << (8 * f->size);	/* sign-extended */
			assert_int_equal((uint64_t)got, want);
			c->ints++;
			break;
		case COLUMN_TEXT:
		case COLUMN_TEXT_DYNAMIC: {
			char *raw;
			int raw_len;

			assert_true(event_field_text(c->tep, col, rec, &text, &len));
			raw = tep_get_field_raw(&c->seq, t->event, f->name, rec, &raw_len, 0);
			assert_non_null(raw);
			assert_int_equal(len, strnlen(raw, raw_len));
			assert_memory_equal(text, raw, len);
			c->texts++;
			break;
		}
		default:
			c->raws++;
			break;
		}
	}
	return 0;
}

/* Every integer and string of every record decodes as libtraceevent decodes it. */
static void test_values(void **state)
{
	unsigned long ints = 0, texts = 0;

	(void)state;
	for (size_t f = 0; f < fixtures.gl_pathc; f++) {
		struct tracecmd_input *h = tracecmd_open(fixtures.gl_pathv[f], TRACECMD_FL_LOAD_NO_PLUGINS);
		struct tracecmd_input *handles[8] = { h };
		struct check c = { 0 };
		int n = 1, max_id = 0;
		struct tep_event **events;

		assert_non_null(h);
		c.tep = tracecmd_get_tep(h);
		trace_seq_init(&c.seq);
		events = tep_list_events(c.tep, TEP_EVENT_SORT_ID);
		for (int i = 0; events[i]; i++)
			if (events[i]->id > max_id)
				max_id = events[i]->id;
		c.nr_tables = max_id + 1;
		c.tables = calloc(c.nr_tables, sizeof(*c.tables));
		for (int i = 0; i < tracecmd_buffer_instances(h) && n < 8; i++)
			handles[n++] = tracecmd_buffer_instance_handle(h, i);
		assert_int_equal(tracecmd_iterate_events_multi(handles, n, check_record, &c), 0);
		printf("%s: %lu integers, %lu strings checked, %lu raw\n", fixtures.gl_pathv[f],
		       c.ints, c.texts, c.raws);
		ints += c.ints;
		texts += c.texts;
		for (int i = 0; i < c.nr_tables; i++)
			event_table_free(c.tables[i]);
		free(c.tables);
		trace_seq_destroy(&c.seq);
		while (n > 1)
			tracecmd_close(handles[--n]);
		tracecmd_close(h);
	}
	assert_true(ints > 10000);
	assert_true(texts > 0);	/* strings: sched_switch comms, exec file names */
}

/* The DDL: typed columns, and a second capture's new field added to the table. */
static void test_create(void **state)
{
	struct tracecmd_input *h = tracecmd_open(fixtures.gl_pathv[0], TRACECMD_FL_LOAD_NO_PLUGINS);
	struct cmn_db db;
	struct event_table *t;
	sqlite3_stmt *st;
	int n = 0;

	(void)state;
	assert_non_null(h);
	assert_int_equal(cmn_db_open(&db, ":memory:"), 0);
	t = table_of(tracecmd_get_tep(h), "sched", "sched_process_exec");
	assert_int_equal(event_table_create(&db, t), 0);
	st = cmn_db_prepare(&db, "SELECT name, type FROM pragma_table_info('sched__sched_process_exec')");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *type = (const char *)sqlite3_column_text(st, 1);

		if (!strcmp(name, "filename"))
			assert_string_equal(type, "TEXT");
		if (!strcmp(name, "field_pid") || !strcmp(name, "ts"))
			assert_string_equal(type, "INTEGER");
		n++;
	}
	sqlite3_finalize(st);
	assert_int_equal(n, 6 + t->nr_columns);
	event_table_free(t);

	/* A table made by a capture whose format lacked a field gets the column added. */
	assert_int_equal(cmn_db_exec(&db, "ALTER TABLE sched__sched_process_exec DROP COLUMN old_pid"), 0);
	t = table_of(tracecmd_get_tep(h), "sched", "sched_process_exec");
	assert_int_equal(event_table_create(&db, t), 0);
	assert_non_null(t->insert);
	st = cmn_db_prepare(&db, "SELECT count(*) FROM pragma_table_info('sched__sched_process_exec')"
			     " WHERE name = 'old_pid'");
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	event_table_free(t);
	cmn_db_close(&db);
	tracecmd_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_create),
	};

	tracecmd_set_loglevel(TEP_LOG_NONE);
	return cmocka_run_group_tests(tests, setup, teardown);
}
