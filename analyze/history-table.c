// SPDX-License-Identifier: MIT
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fds.h"
#include "history-table.h"
#include "replayed-detections.h"
#include "row-queue.h"

#define MAP_ANONYMOUS_FLAG	0x20
#define MAX_ERRNO		4095

struct hist_table {
	struct cmn_db *db;
	/*
	 * The rows are written into a part file by a writer thread and
	 * connection of their own (beside the event rows' writer, on the time
	 * the loader leaves idle), then copied into db's vma_history in one
	 * statement, which SQLite does without decoding them (its transfer
	 * optimisation).
	 */
	struct cmn_db part;
	bool has_part;			/* part is open */
	struct row_queue *part_queue;
	/*
	 * Its indexes are kept in the part file as the rows are written (by its
	 * writer thread, beside the load), and copied with the rows; its
	 * transaction is committed on a thread of its own while the event
	 * tables' indexes are built.
	 */
	pthread_t committer;
	bool committing;
	int commit_ret;
	struct tep_handle *tep;
	struct task_map *tasks;
	int64_t capture_id;
	int64_t buffer_id;		/* the buffer followed; 0: none yet */
	struct history *hist;
	struct replayed_detections *replayed;	/* judged as the protection changes happen */
	struct fd_tables *fds;		/* NULL: no descriptor tables */
	struct row_queue *queue;
	sqlite3_stmt *insert;
};

static void queue_name(struct row_queue *q, const char *name)
{
	row_queue_text(q, name, strlen(name));
}

/* history's emit: one vma_history row, in the column order of the INSERT. */
static int queue_row(void *arg, const struct hist_row *r)
{
	struct hist_table *ht = arg;
	struct row_queue *q = ht->queue;
	const struct vma_state *s = &r->state;

	row_queue_begin(q, &ht->insert);
	row_queue_int(q, r->id);
	row_queue_int(q, ht->capture_id);
	row_queue_int(q, r->pid);
	row_queue_int(q, (int64_t)r->start);
	row_queue_int(q, (int64_t)r->end);
	row_queue_int_or_null(q, s->prot, s->known & VMA_PROT);
	row_queue_int_or_null(q, s->map_flags, s->known & VMA_FLAGS);
	row_queue_int_or_null(q, s->fd, s->known & VMA_FD);
	row_queue_int_or_null(q, s->pgoff, s->known & VMA_PGOFF);
	row_queue_int_or_null(q, s->pkey, s->known & VMA_PKEY);
	queue_name(q, hist_change_name(r->change));
	queue_name(q, hist_op_name(r->cause));
	row_queue_int(q, r->cause_id);
	row_queue_int(q, (int64_t)r->ts_from);
	if (r->live) {
		row_queue_null(q);
		row_queue_null(q);
		row_queue_null(q);
	} else {
		row_queue_int(q, (int64_t)r->ts_to);
		queue_name(q, hist_op_name(r->end_cause));
		row_queue_int(q, r->end_cause_id);
	}
	row_queue_int_or_null(q, r->prior_id, r->prior_id != 0);
	row_queue_int_or_null(q, r->prior_prot, r->prior_id != 0 && r->prior_prot_known);
	row_queue_int_or_null(q, s->file_id, s->known & VMA_FILE);
	return row_queue_end(q);
}

/*
 * "What was at this address" goes by process and address.  The detections
 * of protection changes (queries/exec-after-write.sql, made-executable.sql,
 * code-patching.sql) find their rows through partial indexes, which hold
 * only the rare rows that made memory executable or had been executable:
 * their WHERE must stay the queries' terms, word for word (the executable
 * file mappings: exec_file_change in layout.sql; memory left writable and
 * executable: wx-mapping.sql; the mappings a moving mremap ended:
 * mremap-fixed-overlap.sql; shared writable file mappings: shared-wx-file.sql).
 * Each holds few rows but for captures made of those very calls, so that no
 * detection scans the whole history per row it looks at.  Takes the schema
 * prefix ("main." or "") seven times.
 */
#define HISTORY_INDEXES								\
	"CREATE INDEX IF NOT EXISTS %svma_history_pid ON vma_history (pid, start_addr);"	\
	"CREATE INDEX IF NOT EXISTS %svma_history_to_exec ON vma_history (cause, cause_id)"	\
	" WHERE change = 'protected' AND (prot & 4) != 0;"					\
	"CREATE INDEX IF NOT EXISTS %svma_history_from_exec ON vma_history (cause, cause_id)"	\
	" WHERE change = 'protected' AND (prior_prot & 4) != 0;"				\
	"CREATE INDEX IF NOT EXISTS %svma_history_exec_file ON vma_history (file_id)"		\
	" WHERE file_id IS NOT NULL AND (prot & 4) != 0;"					\
	"CREATE INDEX IF NOT EXISTS %svma_history_wx ON vma_history (cause, cause_id)"		\
	" WHERE (prot & 6) = 6;"								\
	"CREATE INDEX IF NOT EXISTS %svma_history_end_mremap ON vma_history (end_cause_id)"	\
	" WHERE end_cause = 'mremap';"								\
	"CREATE INDEX IF NOT EXISTS %svma_history_shared_write ON vma_history (pid, file_id)"	\
	" WHERE file_id IS NOT NULL AND (prot & 2) != 0 AND (map_flags & 1) != 0;"

/* The part file: vma_history as db has it (the same columns, for the transfer), in a transaction. */
static int open_part(struct hist_table *ht, const char *path)
{
	sqlite3_stmt *ddl = cmn_db_prepare(ht->db, "SELECT sql FROM main.sqlite_master WHERE"
					   " name = 'vma_history'");
	int ret = -1;

	if (!ddl)
		return -1;
	if (sqlite3_step(ddl) != SQLITE_ROW) {
		cmn_db_fail(ht->db, "vma_history: no such table");
		goto out;
	}
	ht->has_part = true;
	if (cmn_db_open(&ht->part, path) < 0 ||
	    /*
	     * A small page cache keeps analyze's memory down.  The indexes exist
	     * before the first row: maintained row by row on the part's writer
	     * thread during the load, they cost less than seven scans and sorts
	     * of the whole history after it (measured on flip.dat: 0.6 s and
	     * 12 MB less, median of four interleaved runs).
	     */
	    cmn_db_exec(&ht->part, "PRAGMA cache_size=-4096; %s; BEGIN",
			(const char *)sqlite3_column_text(ddl, 0)) < 0 ||
	    cmn_db_exec(&ht->part, HISTORY_INDEXES, "", "", "", "", "", "", "") < 0) {
		cmn_db_fail(ht->db, "%s: %s", path, ht->part.err ? ht->part.err : "cannot open");
		goto out;
	}
	ht->part_queue = row_queue_start(&ht->part);
	if (!ht->part_queue) {
		cmn_db_fail(ht->db, "out of memory");
		goto out;
	}
	ht->queue = ht->part_queue;
	ret = 0;
out:
	sqlite3_finalize(ddl);
	return ret;
}

struct hist_table *hist_table_alloc(struct cmn_db *db, const char *part_path, struct tep_handle *tep,
				    int64_t capture_id, uint64_t page_size, struct task_map *tasks)
{
	struct hist_table *ht = calloc(1, sizeof(*ht));
	int64_t max_id;

	if (!ht) {
		cmn_db_fail(db, "out of memory");
		return NULL;
	}
	ht->db = db;
	ht->tep = tep;
	ht->tasks = tasks;
	ht->capture_id = capture_id;
	max_id = cmn_db_max_id(db, "vma_history");
	if (max_id < 0 || open_part(ht, part_path) < 0)
		return hist_table_free(ht);
	ht->insert = cmn_db_prepare(&ht->part, "INSERT INTO vma_history (id, capture_id, pid, start_addr,"
				    " end_addr, prot, map_flags, fd, pgoff, pkey, change, cause, cause_id,"
				    " ts_from, ts_to, end_cause, end_cause_id, prior_id, prior_prot, file_id)"
				    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!ht->insert) {
		cmn_db_fail(db, "%s: %s", part_path, ht->part.err);
		return hist_table_free(ht);
	}
	ht->hist = hist_alloc(page_size, max_id + 1, queue_row, ht);
	ht->replayed = rdet_alloc(capture_id);
	if (!ht->hist || !ht->replayed) {
		cmn_db_fail(db, "out of memory");
		return hist_table_free(ht);
	}
	hist_watch_protect(ht->hist, rdet_protect, ht->replayed);
	return ht;
}

struct hist_table *hist_table_free(struct hist_table *ht)
{
	if (!ht)
		return NULL;
	if (ht->part_queue)
		row_queue_finish(ht->part_queue);
	if (ht->committing)
		pthread_join(ht->committer, NULL);
	hist_free(ht->hist);
	rdet_free(ht->replayed);
	sqlite3_finalize(ht->insert);
	if (ht->has_part)
		cmn_db_close(&ht->part);
	free(ht);
	return NULL;
}

/* The history stopped: out of memory, or the part file's writer failed. */
static int fail(struct hist_table *ht)
{
	if (ht->has_part && ht->part.err)
		return cmn_db_fail(ht->db, "vma_history: %s", ht->part.err);
	return cmn_db_fail(ht->db, "out of memory");
}

void hist_table_set_fds(struct hist_table *ht, struct fd_tables *fds)
{
	ht->fds = fds;
}

/* The history follows one buffer: the first that has a call or a snapshot. */
static bool followed(struct hist_table *ht, int64_t buffer_id)
{
	if (!ht->buffer_id)
		ht->buffer_id = buffer_id;
	return buffer_id == ht->buffer_id;
}

/* A successful mmap of a descriptor: its vma_file row, for the history to carry. */
static int map_file(struct hist_table *ht, struct hist_call *c)
{
	int64_t id;

	if (!ht->fds || (c->op != HIST_MMAP && c->op != HIST_MMAP2) || (c->have & 0x3f) != 0x3f ||
	    (c->args[3] & MAP_ANONYMOUS_FLAG) || (c->ret < 0 && c->ret >= -MAX_ERRNO))
		return 0;
	id = fdt_mapped(ht->fds, c->pid, (int)(int32_t)c->args[4], hist_op_name(c->op), c->id,
			c->ts, (uint64_t)c->ret, (uint64_t)c->args[1]);
	if (id < 0)
		return -1;
	c->file_id = id;
	return 0;
}

int hist_table_call(struct hist_table *ht, const struct hist_call *call, int64_t buffer_id)
{
	struct hist_call c = *call;

	if (!followed(ht, buffer_id))
		return 0;
	if (map_file(ht, &c) < 0)
		return -1;
	return hist_call(ht->hist, &c) < 0 ? fail(ht) : 0;
}

int hist_table_fd_call(struct hist_table *ht, const struct fdt_call *call, int64_t buffer_id)
{
	if (!ht->fds || !followed(ht, buffer_id))
		return 0;
	return fdt_call(ht->fds, call);
}

int hist_table_seen(struct hist_table *ht, int pid, uint64_t start, uint64_t end,
		    const struct vma_state *state, uint64_t ts, int64_t event_id, int64_t buffer_id)
{
	if (!followed(ht, buffer_id))
		return 0;
	return hist_seen(ht->hist, pid, start, end, state, ts, event_id) < 0 ? fail(ht) : 0;
}

/* The process of thread @tid: its map's key, as calls.c gives a call's pid. */
static int process_of(struct hist_table *ht, int tid)
{
	int tgid = task_map_tgid(ht->tasks, tid);

	return tgid > 0 ? tgid : tid;
}

/* Field @name of @rec, a pid.  False when @t has no such field or it cannot be read. */
static bool read_pid(struct hist_table *ht, const struct event_table *t,
		     const struct tep_record *rec, const char *name, int *pid)
{
	const struct event_column *col = event_table_column(t, name);
	int64_t v;

	if (!col || !event_field_int(ht->tep, col, rec, &v))
		return false;
	*pid = (int)v;
	return true;
}

int hist_table_event(struct hist_table *ht, const struct event_table *t,
		     const struct tep_record *rec, int64_t buffer_id, int64_t row_id)
{
	int pid, child;

	if (ht->buffer_id && buffer_id != ht->buffer_id)
		return 0;
	switch (t->lineage) {
	case LINEAGE_FORK:
		if (!read_pid(ht, t, rec, "parent_pid", &pid) ||
		    !read_pid(ht, t, rec, "child_pid", &child))
			return 0;
		/* A new thread shares its process's map: only a new process gets a copy. */
		if (process_of(ht, child) != child || process_of(ht, pid) == process_of(ht, child))
			return 0;
		if (ht->fds && fdt_fork(ht->fds, process_of(ht, pid), child, rec->ts, row_id) < 0)
			return -1;
		return hist_fork(ht->hist, process_of(ht, pid), child, rec->ts, row_id) < 0 ?
			fail(ht) : 0;
	case LINEAGE_EXEC:
		if (!read_pid(ht, t, rec, "pid", &pid))
			return 0;
		/* The exec'ing thread is now its process's leader: pid is the process. */
		if (ht->fds && fdt_exec(ht->fds, pid, rec->ts, row_id) < 0)
			return -1;
		return hist_exec(ht->hist, pid, rec->ts, row_id) < 0 ? fail(ht) : 0;
	case LINEAGE_EXIT:
		if (!read_pid(ht, t, rec, "pid", &pid))
			return 0;
		/* A thread's exit leaves the map to the others; the leader's ends it. */
		if (process_of(ht, pid) != pid)
			return 0;
		if (ht->fds && fdt_exit(ht->fds, pid, rec->ts, row_id) < 0)
			return -1;
		return hist_exit(ht->hist, pid, rec->ts, row_id) < 0 ? fail(ht) : 0;
	default:
		return 0;
	}
}

static void *commit_part(void *arg)
{
	struct hist_table *ht = arg;

	ht->commit_ret = cmn_db_exec(&ht->part, "COMMIT");
	return NULL;
}

int hist_table_finish(struct hist_table *ht)
{
	struct row_queue *q = ht->part_queue;

	if (hist_finish(ht->hist) < 0)
		return fail(ht);
	ht->part_queue = NULL;
	if (row_queue_finish(q) < 0)
		return cmn_db_fail(ht->db, "vma_history: %s", ht->part.err ? ht->part.err : "failed");
	sqlite3_finalize(ht->insert);
	ht->insert = NULL;
	ht->committing = pthread_create(&ht->committer, NULL, commit_part, ht) == 0;
	if (!ht->committing)
		commit_part(ht);
	return 0;
}

int hist_table_part_close(struct hist_table *ht)
{
	if (ht->committing) {
		pthread_join(ht->committer, NULL);
		ht->committing = false;
	}
	if (ht->commit_ret < 0)
		return cmn_db_fail(ht->db, "vma_history: %s", ht->part.err ? ht->part.err : "failed");
	cmn_db_close(&ht->part);
	ht->has_part = false;
	return 0;
}

int hist_table_complete(struct hist_table *ht, const char *part_schema)
{
	/*
	 * With the same index on both sides and an empty table (not so with
	 * --append), SQLite copies the table and its index page by page.
	 */
	return cmn_db_exec(ht->db, HISTORY_INDEXES "INSERT INTO main.vma_history SELECT * FROM"
			   " \"%w\".vma_history", "main.", "main.", "main.", "main.", "main.", "main.", "main.",
			   part_schema);
}

struct replayed_detections *hist_table_replayed(const struct hist_table *ht)
{
	return ht->replayed;
}

const struct hist_stats *hist_table_stats(const struct hist_table *ht)
{
	return hist_stats(ht->hist);
}
