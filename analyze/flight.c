// SPDX-License-Identifier: MIT
/*
 * flight: the flight option's lines into the flight table.
 */
#include <stdlib.h>
#include <string.h>

#include "flight.h"

/* The flight table's columns, as the recorder names its keys; "armed" repeats. */
static const struct {
	const char *key;
	char type;		/* 'i' integer, 'r' real, 't' text */
} columns[] = {
	{ "dump", 'i' }, { "keep", 'i' }, { "reason", 't' }, { "dumped_at", 't' },
	{ "trigger", 't' }, { "trigger_spec", 't' }, { "trigger_event", 't' },
	{ "trigger_filter", 't' }, { "trigger_ts", 'i' }, { "trigger_cpu", 'i' },
	{ "trigger_tid", 'i' }, { "trigger_comm", 't' }, { "window_start", 'i' },
	{ "window_complete", 'i' }, { "window_end", 'i' }, { "window_events", 'i' },
	{ "overwritten", 'i' }, { "after_seconds", 'r' }, { "buffer_kb", 'i' },
	{ "armed_seconds", 'r' }, { "armed_cpu_seconds", 'r' }, { "armed", 't' },
};
#define NR_COLUMNS (int)(sizeof(columns) / sizeof(columns[0]))

int ana_flight_insert(struct cmn_db *db, int64_t capture_id, const char *text)
{
	char *copy = strdup(text), *line, *save = NULL;
	sqlite3_str *armed = sqlite3_str_new(NULL);
	const char *value[NR_COLUMNS] = { 0 };
	sqlite3_stmt *st = NULL;
	char *list = NULL;
	int ret = -1;

	if (!copy || !armed) {
		ret = cmn_db_fail(db, "out of memory");
		goto out;
	}
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		for (int i = 0; i < NR_COLUMNS; i++) {
			if (strcmp(columns[i].key, line))
				continue;
			if (!strcmp(line, "armed"))
				sqlite3_str_appendf(armed, "%s%s", sqlite3_str_length(armed) ? "\n" : "",
						    eq + 1);
			else
				value[i] = eq + 1;
		}
	}
	list = sqlite3_str_finish(armed);
	armed = NULL;
	st = cmn_db_prepare(db, "INSERT OR REPLACE INTO flight (capture_id, dump, keep, reason,"
			" dumped_at, trigger, trigger_spec, trigger_event, trigger_filter, trigger_ts,"
			" trigger_cpu, trigger_tid, trigger_comm, window_start, window_complete,"
			" window_end, window_events, overwritten, after_seconds, buffer_kb,"
			" armed_seconds, armed_cpu_seconds, armed) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
			" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		goto out;
	sqlite3_bind_int64(st, 1, capture_id);
	for (int i = 0; i < NR_COLUMNS; i++) {
		const char *v = !strcmp(columns[i].key, "armed") ? list : value[i];

		if (!v || (!*v && columns[i].type != 't'))
			sqlite3_bind_null(st, i + 2);
		else if (columns[i].type == 'i')
			sqlite3_bind_int64(st, i + 2, strtoll(v, NULL, 10));
		else if (columns[i].type == 'r')
			sqlite3_bind_double(st, i + 2, strtod(v, NULL));
		else
			sqlite3_bind_text(st, i + 2, v, -1, SQLITE_STATIC);
	}
	/* a dump without a reason is no flight capture we wrote */
	if (!value[2]) {
		ret = cmn_db_fail(db, "the flight option has no reason");
		goto out;
	}
	ret = cmn_db_step_done(db, st);
out:
	sqlite3_finalize(st);
	if (armed)
		sqlite3_free(sqlite3_str_finish(armed));
	sqlite3_free(list);
	free(copy);
	return ret;
}
