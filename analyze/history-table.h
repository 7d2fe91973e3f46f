/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_HISTORY_TABLE_H
#define MAPTRAIL_HISTORY_TABLE_H

/*
 * history-table: analyze's side of the address-space history (history.h).
 * It feeds the history the calls as calls.c pairs them and the process
 * lifecycle events (sched_process_fork, _exec, _exit) as they stream past,
 * and writes the rows it emits into `vma_history`.
 *
 * A capture with several buffers may hold the same calls twice: the history
 * follows the first buffer that has a call, and ignores the others.
 */

#include <stdint.h>
#include <traceevent/event-parse.h>

#include "sql.h"
#include "event-tables.h"
#include "fds.h"
#include "history.h"
#include "tasks.h"

struct hist_table;
struct replayed_detections;
struct row_queue;

/*
 * hist_table_alloc - a history for capture @capture_id, whose pages are
 * @page_size bytes, for @db's vma_history.  The rows are written into a
 * database of their own at @part_path (created; the caller removes it) by a
 * writer thread of their own, and hist_table_complete() copies them into @db.
 * NULL with db->err set on failure; free with hist_table_free().
 */
struct hist_table *hist_table_alloc(struct cmn_db *db, const char *part_path, struct tep_handle *tep,
				    int64_t capture_id, uint64_t page_size, struct task_map *tasks);

/* hist_table_free - accepts NULL, returns NULL. */
struct hist_table *hist_table_free(struct hist_table *ht);

/*
 * hist_table_set_fds - keep @fds (fds.h) beside the history: it gets the
 * same lifecycle events and the descriptor calls of the buffer followed,
 * and each mmap of a descriptor a vma_file row that its ranges carry.
 */
void hist_table_set_fds(struct hist_table *ht, struct fd_tables *fds);

/* hist_table_call - a call with both halves, from buffer @buffer_id.  Returns 0 or -1. */
int hist_table_call(struct hist_table *ht, const struct hist_call *call, int64_t buffer_id);

/* hist_table_fd_call - a descriptor call with both halves, to the fd tables.  0 or -1. */
int hist_table_fd_call(struct hist_table *ht, const struct fdt_call *call, int64_t buffer_id);

/*
 * hist_table_seen - a snapshot range (hist_seen()), from buffer @buffer_id,
 * event row @event_id.  Returns 0 or -1.
 */
int hist_table_seen(struct hist_table *ht, int pid, uint64_t start, uint64_t end,
		    const struct vma_state *state, uint64_t ts, int64_t event_id, int64_t buffer_id);

/*
 * hist_table_event - event @rec of table @t (row @row_id of buffer
 * @buffer_id): applied when @t's lineage is a fork, an exec or an exit,
 * ignored otherwise.  Returns 0 or -1.
 */
int hist_table_event(struct hist_table *ht, const struct event_table *t,
		     const struct tep_record *rec, int64_t buffer_id, int64_t row_id);

/*
 * hist_table_finish - write the ranges still live at the end into the part
 * file, and start committing it on a thread of its own.  Returns 0 or -1.
 */
int hist_table_finish(struct hist_table *ht);

/* hist_table_part_close - wait for the part file's commit and close it.  Returns 0 or -1. */
int hist_table_part_close(struct hist_table *ht);

/*
 * hist_table_complete - after hist_table_part_close(): copy the rows and the
 * index of the part file, which the caller attached to @db as @part_schema,
 * into vma_history.  Returns 0 or -1.
 */
int hist_table_complete(struct hist_table *ht, const char *part_schema);

/*
 * hist_table_replayed - the detections judged as the calls were applied
 * (replayed-detections.h), for findings_build().
 */
struct replayed_detections *hist_table_replayed(const struct hist_table *ht);

/* hist_table_stats - the history's counters. */
const struct hist_stats *hist_table_stats(const struct hist_table *ht);

#endif
