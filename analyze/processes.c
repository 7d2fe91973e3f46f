// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "processes.h"

#define MAX_CALL_KINDS 16	/* call tables counted one by one; the schema has 8 */

struct proc_count {
	int pid;			/* 0: free slot */
	uint64_t calls, failures;
	int64_t mapped, executable;
	uint64_t first_ts, last_ts;
	uint64_t per_kind[MAX_CALL_KINDS];
};

struct proc_stats {
	struct proc_count *slots;	/* open addressing by pid */
	size_t size, used;
	const char *kinds[MAX_CALL_KINDS];
	int nr_kinds;
};

struct proc_stats *proc_stats_alloc(void)
{
	return calloc(1, sizeof(struct proc_stats));
}

struct proc_stats *proc_stats_free(struct proc_stats *ps)
{
	if (ps)
		free(ps->slots);
	free(ps);
	return NULL;
}

static size_t slot_of(size_t size, int pid)
{
	return (size_t)(((uint64_t)(uint32_t)pid * 0x9e3779b97f4a7c15ull) >> 32) & (size - 1);
}

static struct proc_count *find_or_add(struct proc_stats *ps, int pid)
{
	size_t s;

	if ((ps->used + 1) * 2 > ps->size) {
		size_t size = ps->size ? ps->size * 2 : 64;
		struct proc_count *slots = calloc(size, sizeof(*slots));

		if (!slots)
			return NULL;
		for (size_t i = 0; i < ps->size; i++) {
			if (!ps->slots[i].pid)
				continue;
			for (s = slot_of(size, ps->slots[i].pid); slots[s].pid; s = (s + 1) & (size - 1))
				;
			slots[s] = ps->slots[i];
		}
		free(ps->slots);
		ps->slots = slots;
		ps->size = size;
	}
	for (s = slot_of(ps->size, pid); ps->slots[s].pid; s = (s + 1) & (ps->size - 1))
		if (ps->slots[s].pid == pid)
			return &ps->slots[s];
	ps->slots[s] = (struct proc_count){ .pid = pid, .first_ts = UINT64_MAX };
	ps->used++;
	return &ps->slots[s];
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
	struct proc_count *p = find_or_add(ps, pid);
	int k = kind_index(ps, call);

	if (!p)
		return -1;
	p->calls++;
	p->failures += failed;
	p->mapped += mapped;
	p->executable += executable;
	if (ts < p->first_ts)
		p->first_ts = ts;
	if (ts > p->last_ts)
		p->last_ts = ts;
	if (k >= 0)
		p->per_kind[k]++;
	return 0;
}

int proc_stats_write(struct proc_stats *ps, struct db *db, int64_t capture_id,
		     struct task_map *tasks)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO process (capture_id, pid, comm, calls,"
				      " failures, bytes_mapped, exec_bytes, first_ts, last_ts,"
				      " calls_by_table) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	int ret = 0;

	if (!st)
		return -1;
	for (size_t i = 0; i < ps->size && !ret; i++) {
		const struct proc_count *p = &ps->slots[i];
		sqlite3_str *json;
		const char *comm;
		char *text;

		if (!p->pid)
			continue;
		/* {"mmap": 12, "mprotect": 3}: the tables it used, in the order first seen. */
		json = sqlite3_str_new(db->sql);
		sqlite3_str_appendchar(json, 1, '{');
		for (int k = 0, n = 0; k < ps->nr_kinds; k++)
			if (p->per_kind[k])
				sqlite3_str_appendf(json, "%s\"%s\": %llu", n++ ? ", " : "", ps->kinds[k],
						    (unsigned long long)p->per_kind[k]);
		sqlite3_str_appendchar(json, 1, '}');
		text = sqlite3_str_finish(json);
		comm = task_map_comm(tasks, p->pid);
		sqlite3_bind_int64(st, 1, capture_id);
		sqlite3_bind_int(st, 2, p->pid);
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
		ret = text ? db_step_done(db, st) : db_fail(db, "out of memory");
	}
	sqlite3_finalize(st);
	return ret;
}
