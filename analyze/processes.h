/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_PROCESSES_H
#define MAPTRAIL_PROCESSES_H

/*
 * processes: what each process did, counted while the calls stream past, so
 * that "which processes touched their address space, how much" is a table
 * of a few rows (`process`) rather than a pass over every call row.
 * A process is the tgid, or the thread when the capture does not show its
 * process -- the call tables' coalesce(pid, tid).
 */

#include <stdbool.h>
#include <stdint.h>

#include "sql.h"
#include "tasks.h"

struct proc_stats;

/* proc_stats_alloc - empty counters; NULL on ENOMEM.  Free with proc_stats_free(). */
struct proc_stats *proc_stats_alloc(void);

/* proc_stats_free - accepts NULL, returns NULL. */
struct proc_stats *proc_stats_free(struct proc_stats *ps);

/*
 * proc_stats_call - process @pid made a call of table @call (a string that
 * outlives @ps: the call kind's name) at @ts.  @failed: it returned an error;
 * @mapped, @executable: bytes it mapped, and mapped or made executable (0
 * when none, or when it failed).  Returns 0 or -1 on ENOMEM.
 */
int proc_stats_call(struct proc_stats *ps, int pid, const char *call, uint64_t ts, bool failed,
		    int64_t mapped, int64_t executable);

/*
 * proc_stats_write - one `process` row per process of capture @capture_id,
 * named from @tasks.  Returns 0 or -1 with db->err set.
 */
int proc_stats_write(struct proc_stats *ps, struct cmn_db *db, int64_t capture_id,
		     struct task_map *tasks);

#endif
