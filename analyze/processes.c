// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "pid-table.h"
#include "processes.h"
#include "saturating.h"

#define MAX_CALL_KINDS 16	/* call tables counted one by one; the schema has 8 */

struct proc_count {
	struct pid_key key;
	uint64_t calls, failures;
	int64_t mapped, executable;
	uint64_t first_ts, last_ts;
	uint64_t per_kind[MAX_CALL_KINDS];
};

struct proc_stats {
	struct pid_table procs;		/* of struct proc_count */
	const char *kinds[MAX_CALL_KINDS];
	int nr_kinds;
};

struct proc_stats *proc_stats_alloc(void)
{
	struct proc_stats *ps = calloc(1, sizeof(*ps));

	if (ps && pid_table_init(&ps->procs, sizeof(struct proc_count)) < 0) {
		free(ps);
		return NULL;
	}
	return ps;
}

struct proc_stats *proc_stats_free(struct proc_stats *ps)
{
	if (ps)
		pid_table_release(&ps->procs);
	free(ps);
	return NULL;
}

/* The counter of call table @call; -1 when there are more tables than counters. */
static int kind_index(struct proc_stats *ps, const char *call)
{
	for (int i = 0; i < ps->nr_kinds; i++)
		if (ps->kinds[i] == call)
			return i;
	if (ps->nr_kinds == MAX_CALL_KINDS)
		return -1;
	ps->kinds[ps->nr_kinds] = call;
	return ps->nr_kinds++;
}

int proc_stats_call(struct proc_stats *ps, int pid, const char *call, uint64_t ts, bool failed,
		    int64_t mapped, int64_t executable)
{
	bool made;
	struct proc_count *p = pid_table_get(&ps->procs, pid, &made);
	int k = kind_index(ps, call);

	if (!p)
		return -1;
	if (made)
		p->first_ts = UINT64_MAX;
	p->calls++;
	p->failures += failed;
	p->mapped = cmn_add_saturated(p->mapped, mapped);
	p->executable = cmn_add_saturated(p->executable, executable);
	if (ts < p->first_ts)
		p->first_ts = ts;
	if (ts > p->last_ts)
		p->last_ts = ts;
	if (k >= 0)
		p->per_kind[k]++;
	return 0;
}

int proc_stats_write(struct proc_stats *ps, struct cmn_db *db, int64_t capture_id,
		     struct task_map *tasks)
{
	sqlite3_stmt *st = cmn_db_prepare(db, "INSERT INTO process (capture_id, pid, comm, calls,"
					  " failures, bytes_mapped, exec_bytes, first_ts, last_ts,"
					  " calls_by_table) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	const struct proc_count *p;
	int ret = 0;

	if (!st)
		return -1;
	for (size_t i = 0; !ret && (p = pid_table_next(&ps->procs, &i));) {
		sqlite3_str *json;
		const char *comm;
		char *text;

		/* {"mmap": 12, "mprotect": 3}: the tables it used, in the order first seen. */
		json = sqlite3_str_new(db->sql);
		sqlite3_str_appendchar(json, 1, '{');
		for (int k = 0, n = 0; k < ps->nr_kinds; k++)
			if (p->per_kind[k])
				sqlite3_str_appendf(json, "%s\"%s\": %llu", n++ ? ", " : "", ps->kinds[k],
						    (unsigned long long)p->per_kind[k]);
		sqlite3_str_appendchar(json, 1, '}');
		text = sqlite3_str_finish(json);
		comm = task_map_comm(tasks, p->key.pid);
		sqlite3_bind_int64(st, 1, capture_id);
		sqlite3_bind_int(st, 2, p->key.pid);
		if (comm)
			sqlite3_bind_text(st, 3, comm, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 3);
		sqlite3_bind_int64(st, 4, (int64_t)p->calls);
		sqlite3_bind_int64(st, 5, (int64_t)p->failures);
		sqlite3_bind_int64(st, 6, p->mapped);
		sqlite3_bind_int64(st, 7, p->executable);
		sqlite3_bind_int64(st, 8, (int64_t)p->first_ts);
		sqlite3_bind_int64(st, 9, (int64_t)p->last_ts);
		if (text)
			sqlite3_bind_text(st, 10, text, -1, sqlite3_free);
		else
			sqlite3_bind_null(st, 10);
		ret = text ? cmn_db_step_done(db, st) : cmn_db_fail(db, "out of memory");
	}
	sqlite3_finalize(st);
	return ret;
}
