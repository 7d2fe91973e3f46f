/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_TASKS_H
#define MAPTRAIL_TASKS_H

/*
 * tasks: who did what.  While events stream past, remember per pid how many
 * events it has, when it was first and last seen, and every name (comm) it went
 * by, learned from events that carry a pid and its comm (sched_switch's
 * prev_pid/prev_comm, ...).  At the end the saved cmdlines of the file fill in
 * the rest and everything is written to `task` and `task_comm`.
 *
 * Memory grows with the number of distinct tasks, never with events.
 */

#include <stdint.h>

#include <traceevent/event-parse.h>

#include "sql.h"
#include "event-tables.h"
#include "trace-meta.h"

struct task_map;

/* task_map_alloc - an empty map; free with task_map_free().  NULL on ENOMEM. */
struct task_map *task_map_alloc(void);

/* task_map_free - accepts NULL, returns NULL. */
struct task_map *task_map_free(struct task_map *map);

/* task_map_event - count one event of @pid at @ts.  Returns 0 or -1 on ENOMEM. */
int task_map_event(struct task_map *map, int pid, uint64_t ts);

/*
 * task_map_name - @pid was named @comm (@len bytes, not NUL-terminated) at @ts
 * by an event.  Returns 0 or -1 on ENOMEM.
 */
int task_map_name(struct task_map *map, int pid, const char *comm, int len, uint64_t ts);

/* task_map_comm - the newest name @pid is known by, or NULL.  Must not be freed. */
const char *task_map_comm(struct task_map *map, int pid);

/*
 * task_map_set_tgid - @pid belongs to the thread group (process) @tgid, as
 * task_newtask's clone_flags or an exec showed.  Returns 0 or -1 on ENOMEM.
 */
int task_map_set_tgid(struct task_map *map, int pid, int tgid);

/* task_map_tgid - the process of thread @pid, or 0 when the capture does not show it. */
int task_map_tgid(struct task_map *map, int pid);

/*
 * tasks_lineage - whether @t's events say how tasks relate or live:
 * task_newtask (clone_flags: a thread or a process), sched_process_exec (the
 * leader, and its new name), sched_process_fork and sched_process_exit.
 */
enum task_lineage tasks_lineage(const struct event_table *t);

/*
 * tasks_learn - what @rec of @t (made by task @creator) tells of tasks: the
 * names its pid/comm field pairs give, and its lineage.  Returns 0 or -1 on ENOMEM.
 */
int tasks_learn(struct task_map *map, struct tep_handle *tep, const struct event_table *t,
		const struct tep_record *rec, int creator);

/*
 * tasks_write - write `task` and `task_comm` rows for @capture_id: every pid
 * seen in events or in @meta's saved cmdlines.  Returns 0 or -1 with db->err set.
 */
int tasks_write(struct cmn_db *db, int64_t capture_id, struct task_map *map,
		const struct trace_meta *meta);

#endif
