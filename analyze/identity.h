/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_IDENTITY_H
#define MAPTRAIL_IDENTITY_H

/*
 * identity: who the processes of a capture were and what their mappings
 * were, from the records maptrail's recorder writes into its trace_marker
 * (marker.h): process snapshots (`process_snapshot`, with the command line
 * put together from its parts), their threads (`snapshot_thread`: a thread
 * found by `record -p` joins its process), their /proc/PID/maps
 * (`snapshot_map`, and the address-space history's 'snapshot' rows), their
 * open descriptors (`snapshot_fd`, and the descriptor tables), and the file
 * the recorder found behind each mmap of a descriptor (`mmap_file`).
 *
 * A capture without these records (an older maptrail's, trace-cmd's) has
 * empty tables, and the identity columns that come from them are NULL.
 * Memory: one pending snapshot per process, until its next one or the end.
 */

#include <stdint.h>

#include "sql.h"
#include "fds.h"
#include "history-table.h"
#include "tasks.h"

struct identity;
struct row_queue;

/*
 * ident_alloc - for capture @capture_id (pages of @page_size bytes): names
 * go to @tasks, snapshot ranges to @history, descriptors and mapped files
 * to @fds.  Prepares its inserts on @db.  NULL with db->err set; free with
 * ident_free().
 */
struct identity *ident_alloc(struct cmn_db *db, int64_t capture_id, uint64_t page_size,
			     struct task_map *tasks, struct hist_table *history,
			     struct fd_tables *fds);

/* ident_free - accepts NULL, returns NULL. */
struct identity *ident_free(struct identity *id);

/* ident_set_queue - the row queue rows go to (analyze's loader queue). */
void ident_set_queue(struct identity *id, struct row_queue *q);

/*
 * ident_print - a print event's text (@len bytes, not NUL-terminated) at @ts,
 * event row @row_id of buffer @buffer_id: a maptrail record is applied, any
 * other text ignored.  Returns 0 or -1 with db->err set.
 */
int ident_print(struct identity *id, const char *text, int len, uint64_t ts, int64_t row_id,
		int64_t buffer_id);

/* ident_finish - write the snapshots still pending, before the queue finishes.  0 or -1. */
int ident_finish(struct identity *id);

/* Counters, for the capture's notes. */
struct ident_stats {
	uint64_t records;	/* maptrail records applied */
	uint64_t not_understood;	/* maptrail:* lines of an unknown kind or version, or short */
	uint64_t snapshots;	/* proc records */
	uint64_t maps;		/* map records */
};
const struct ident_stats *ident_stats(const struct identity *id);

/*
 * ident_views - (re)create the view process_context over every capture of
 * @db: one row per process, with what the snapshots, the execs and the
 * tasks tell of it.  Returns 0 or -1 with db->err set.
 */
int ident_views(struct cmn_db *db);

#endif
