// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pid-table.h"
#include "tasks.h"

#define COMM_MAX 64	/* comm is 16 bytes in the kernel; leave room for other fields */
#define TASK_COMM_LEN	16	/* the kernel's, with the NUL */
#define CLONE_THREAD	0x00010000

struct task_name {
	struct task_name *next;
	uint64_t first_ts;
	char comm[COMM_MAX];
};

struct task {
	struct pid_key key;
	int tgid;		/* 0: unknown */
	uint64_t events;
	uint64_t first_ts, last_ts;
	struct task_name *names;	/* newest first */
};

struct task_map {
	struct pid_table tasks;	/* of struct task */
};

struct task_map *task_map_alloc(void)
{
	struct task_map *map = calloc(1, sizeof(*map));

	if (!map)
		return NULL;
	if (pid_table_init(&map->tasks, sizeof(struct task)) < 0) {
		free(map);
		return NULL;
	}
	return map;
}

struct task_map *task_map_free(struct task_map *map)
{
	struct task *t;

	if (!map)
		return NULL;
	for (size_t i = 0; (t = pid_table_next(&map->tasks, &i));) {
		struct task_name *n = t->names;

		while (n) {
			struct task_name *next = n->next;

			free(n);
			n = next;
		}
	}
	pid_table_release(&map->tasks);
	free(map);
	return NULL;
}

/* The task @pid, made when it is new.  NULL on ENOMEM. */
static struct task *lookup(struct task_map *map, int pid)
{
	bool made;
	struct task *t = pid_table_get(&map->tasks, pid, &made);

	if (t && made)
		t->first_ts = UINT64_MAX;
	return t;
}

int task_map_event(struct task_map *map, int pid, uint64_t ts)
{
	struct task *t = lookup(map, pid);

	if (!t)
		return -1;
	t->events++;
	if (ts < t->first_ts)
		t->first_ts = ts;
	if (ts > t->last_ts)
		t->last_ts = ts;
	return 0;
}

int task_map_name(struct task_map *map, int pid, const char *comm, int len, uint64_t ts)
{
	struct task *t = lookup(map, pid);
	struct task_name *n;

	if (!t)
		return -1;
	if (len >= COMM_MAX)
		len = COMM_MAX - 1;
	/* The hot case: the name has not changed since the last event that gave it. */
	if (t->names && !strncmp(t->names->comm, comm, len) && !t->names->comm[len])
		return 0;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -1;
	memcpy(n->comm, comm, len);
	n->first_ts = ts;
	n->next = t->names;
	t->names = n;
	return 0;
}

const char *task_map_comm(struct task_map *map, int pid)
{
	struct task *t = lookup(map, pid);

	return t && t->names ? t->names->comm : NULL;
}

int task_map_set_tgid(struct task_map *map, int pid, int tgid)
{
	struct task *t = lookup(map, pid);

	if (!t)
		return -1;
	t->tgid = tgid;
	return 0;
}

int task_map_tgid(struct task_map *map, int pid)
{
	struct task *t = lookup(map, pid);

	return t ? t->tgid : 0;
}

enum task_lineage tasks_lineage(const struct event_table *t)
{
	static const struct {
		const char *table;
		enum task_lineage lineage;
	} events[] = {
		{ "task__task_newtask", LINEAGE_NEWTASK },
		{ "sched__sched_process_exec", LINEAGE_EXEC },
		{ "sched__sched_process_fork", LINEAGE_FORK },
		{ "sched__sched_process_exit", LINEAGE_EXIT },
	};

	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (!strcmp(t->name, events[i].table))
			return events[i].lineage;
	return LINEAGE_NONE;
}

/* Which process a thread belongs to, and an exec's new name. */
static int learn_lineage(struct task_map *map, struct tep_handle *tep,
			 const struct event_table *t, const struct tep_record *rec, int creator)
{
	const struct event_column *pid_col = event_table_column(t, "pid");
	const struct event_column *flags_col = event_table_column(t, "clone_flags");
	const struct event_column *file_col = event_table_column(t, "filename");
	const char *file;
	int64_t pid, flags;
	int len;

	if (!pid_col || !event_field_int(tep, pid_col, rec, &pid) || pid <= 0)
		return 0;
	if (t->lineage == LINEAGE_EXEC) {
		/* After exec the task is its process's leader: pid is the tgid. */
		if (task_map_set_tgid(map, (int)pid, (int)pid) < 0)
			return -1;
		/* ... and is named after the file, as the kernel does: its base name, 15 bytes. */
		if (!file_col || !event_field_text(tep, file_col, rec, &file, &len) || len <= 0)
			return 0;
		const char *base = memrchr(file, '/', len);

		base = base ? base + 1 : file;
		len -= base - file;
		if (len > TASK_COMM_LEN - 1)
			len = TASK_COMM_LEN - 1;
		return len > 0 ? task_map_name(map, (int)pid, base, len, rec->ts) : 0;
	}
	if (flags_col && event_field_int(tep, flags_col, rec, &flags)) {
		/* CLONE_THREAD: same process as its creator; otherwise a process of its own. */
		int tgid = (flags & CLONE_THREAD) ? task_map_tgid(map, creator) : (int)pid;

		if (tgid)
			return task_map_set_tgid(map, (int)pid, tgid);
	}
	return 0;
}

int tasks_learn(struct task_map *map, struct tep_handle *tep, const struct event_table *t,
		const struct tep_record *rec, int creator)
{
	for (int i = 0; i < t->nr_comm_pairs; i++) {
		const char *comm;
		int64_t pid;
		int len;

		if (event_field_int(tep, &t->columns[t->comm_pairs[i].pid_column], rec, &pid) &&
		    event_field_text(tep, &t->columns[t->comm_pairs[i].comm_column], rec,
				     &comm, &len) && pid > 0 && len > 0 &&
		    task_map_name(map, (int)pid, comm, len, rec->ts) < 0)
			return -1;
	}
	/* fork and exit say nothing of tasks the names above did not (they are the history's) */
	return t->lineage == LINEAGE_NEWTASK || t->lineage == LINEAGE_EXEC ?
		learn_lineage(map, tep, t, rec, creator) : 0;
}

static const char *saved_comm(const struct trace_meta *meta, int pid)
{
	for (int i = meta->nr_cmdlines - 1; i >= 0; i--)
		if (meta->cmdlines[i].pid == pid)
			return meta->cmdlines[i].comm;
	return NULL;
}

int tasks_write(struct cmn_db *db, int64_t capture_id, struct task_map *map,
		const struct trace_meta *meta)
{
	sqlite3_stmt *task = NULL, *name = NULL;
	struct task *t;
	int ret = -1;

	/* Pids that only the saved cmdlines know still belong in `task`. */
	for (int i = 0; i < meta->nr_cmdlines; i++)
		if (!lookup(map, meta->cmdlines[i].pid))
			return cmn_db_fail(db, "out of memory");

	task = cmn_db_prepare(db, "INSERT INTO task (capture_id, pid, comm, events, first_ts, last_ts,"
			      " tgid) VALUES (?, ?, ?, ?, ?, ?, ?)");
	name = cmn_db_prepare(db, "INSERT OR IGNORE INTO task_comm (capture_id, pid, comm, source, first_ts)"
			      " VALUES (?, ?, ?, ?, ?)");
	if (!task || !name)
		goto out;
	for (size_t i = 0; (t = pid_table_next(&map->tasks, &i));) {
		const char *saved, *comm;

		saved = saved_comm(meta, t->key.pid);
		/* The newest name an event gave wins over the cmdline cache, which may be stale. */
		comm = t->names ? t->names->comm : saved;
		sqlite3_bind_int64(task, 1, capture_id);
		sqlite3_bind_int(task, 2, t->key.pid);
		if (comm)
			sqlite3_bind_text(task, 3, comm, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(task, 3);
		sqlite3_bind_int64(task, 4, t->events);
		if (t->events) {
			sqlite3_bind_int64(task, 5, t->first_ts);
			sqlite3_bind_int64(task, 6, t->last_ts);
		} else {
			sqlite3_bind_null(task, 5);
			sqlite3_bind_null(task, 6);
		}
		if (t->tgid)
			sqlite3_bind_int(task, 7, t->tgid);
		else
			sqlite3_bind_null(task, 7);
		if (cmn_db_step_done(db, task) < 0)
			goto out;

		sqlite3_bind_int64(name, 1, capture_id);
		sqlite3_bind_int(name, 2, t->key.pid);
		for (struct task_name *n = t->names; n; n = n->next) {
			sqlite3_bind_text(name, 3, n->comm, -1, SQLITE_STATIC);
			sqlite3_bind_text(name, 4, "event", -1, SQLITE_STATIC);
			sqlite3_bind_int64(name, 5, n->first_ts);
			if (cmn_db_step_done(db, name) < 0)
				goto out;
		}
		if (saved) {
			sqlite3_bind_text(name, 3, saved, -1, SQLITE_STATIC);
			sqlite3_bind_text(name, 4, "saved_cmdlines", -1, SQLITE_STATIC);
			sqlite3_bind_null(name, 5);
			if (cmn_db_step_done(db, name) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	sqlite3_finalize(task);
	sqlite3_finalize(name);
	return ret;
}
