// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <trace-cmd/trace-cmd.h>

#include "config.h"
#include "analyze.h"
#include "calls.h"
#include "sql.h"
#include "embedded.h"
#include "event-tables.h"
#include "fds.h"
#include "findings.h"
#include "finding-context.h"
#include "flyrecord.h"
#include "history-table.h"
#include "identity.h"
#include "output-renamed.h"
#include "db-identity.h"
#include "error-line.h"
#include "row-queue.h"
#include "schema.h"
#include "elapsed.h"
#include "stop.h"
#include "tasks.h"
#include "trace-meta.h"
#include "capture-plan.h"
#include "flight.h"
#include "capture-utc.h"

/* analyze/layout.sql, compiled in by tools/embed. */
extern const struct embedded_file analyze_layout_sql[];

#define HISTORY_PART		"history_part"	/* the schema name of vma_history's part file */

#define PROGRESS_EVERY		(1u << 16)

struct cpu_state {
	uint64_t events;
	int64_t lost;
	int64_t lost_unknown;
};

/* A buffer of the file (top or instance), attached to its libtracecmd handle. */
struct buffer_state {
	int64_t id;
	const char *name;
	const struct meta_buffer *meta;	/* NULL if trace-meta did not list it */
	int nr_cpus;
	struct cpu_state *cpus;
	uint64_t events;
};

struct loader {
	const struct analyze_options *opts;
	const struct fly_reader *fly;	/* maptrail's own reader, while it reads: the load's percent */
	const struct trace_meta *meta;
	struct cmn_db db;
	struct tep_handle *tep;
	int64_t capture_id;
	int nr_slots;
	struct event_table **slots;	/* indexed by event id; NULL: no such format */
	sqlite3_stmt *insert_unknown;
	struct task_map *tasks;
	struct calls *calls;
	struct hist_table *history;	/* vma_history: fed by calls.c and lifecycle events */
	char *history_path;		/* its part file, beside the output (history-table.h) */
	struct fd_tables *fds;		/* descriptor tables, beside the history */
	struct identity *identity;	/* the recorder's maptrail:* records */
	struct row_queue *queue;	/* owns the database while events load */
	int64_t next_id;		/* event ids are unique across the database's event tables */
	uint64_t events;
	uint64_t first_ts, last_ts;
	bool interrupted;
	bool failed;
};

/* The SHA-256 of the capture, computed on the core the index builds leave idle. */
struct hasher {
	pthread_t thread;
	const char *path;
	char hex[65];
	int ret;
};

static void *hash_file(void *arg)
{
	struct hasher *h = arg;

	h->ret = trace_meta_sha256(h->path, h->hex);
	return NULL;
}

/*
 * --append of a capture the database already holds (the same sha256) would
 * count every event twice: refused unless asked for (opts->again).  Read from
 * the existing output, before anything is copied.  0, or -1 with *@reason.
 */
static int refuse_duplicate(const struct analyze_options *opts, struct hasher *h, char **reason)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int ret = 0;

	if (access(opts->output, F_OK))
		return 0;	/* nothing to append to: output_prepare() says so */
	h->ret = trace_meta_sha256(h->path, h->hex);
	if (h->ret < 0) {
		cmn_fail_path(reason, opts->input, "cannot read: %s", strerror(-h->ret));
		return -1;
	}
	/* someone's file, read before it is checked: bounded (sql.h) */
	if (sqlite3_open_v2(opts->output, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    cmn_db_distrust(db, reason) < 0 || cmn_db_check_identity(db, reason) < 0 ||
	    sqlite3_prepare_v2(db, "SELECT id, path FROM capture WHERE sha256 = ? ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK) {
		free(*reason);
		*reason = NULL;
		goto out;	/* not ours: prepare_layout() says so */
	}
	sqlite3_bind_text(st, 1, h->hex, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		cmn_fail_path(reason, opts->output, "already holds this capture (capture %lld, %s, sha256"
			   " %.16s...); --append --force adds it again",
			   (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1), h->hex);
		ret = -1;
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}

char *analyze_default_output(const char *input)
{
	size_t len = strlen(input);
	char *out;

	if (len > 4 && !strcmp(input + len - 4, ".dat"))
		len -= 4;
	if (asprintf(&out, "%.*s.db", (int)len, input) < 0)
		return NULL;
	return out;
}

static int64_t pragma_int(struct cmn_db *db, const char *pragma)
{
	sqlite3_stmt *stmt = cmn_db_prepare(db, "PRAGMA %s", pragma);
	int64_t value = -1;

	if (stmt && sqlite3_step(stmt) == SQLITE_ROW)
		value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

/*
 * The schema tables hold maptrail's knowledge, not the capture's: the newest
 * (this binary's, plus the user's --schema files) replaces what an --append
 * target had.
 */
static int load_schema(struct loader *ld, char **reason)
{
	sqlite3_stmt *old = cmn_db_prepare(&ld->db, "SELECT name FROM sqlite_schema WHERE type = 'table'"
					   " AND name LIKE 'schema\\_%%' ESCAPE '\\'");
	char *err = NULL;

	if (!old)
		return cmn_fail_path(reason, ld->opts->output, "%s", ld->db.err);
	while (sqlite3_step(old) == SQLITE_ROW) {
		char *drop = sqlite3_mprintf("DROP TABLE \"%w\"", sqlite3_column_text(old, 0));

		sqlite3_reset(old);
		if (!drop || cmn_db_exec(&ld->db, "%s", drop) < 0) {
			sqlite3_free(drop);
			sqlite3_finalize(old);
			return cmn_fail_path(reason, ld->opts->output, "%s", ld->db.err);
		}
		sqlite3_free(drop);
	}
	sqlite3_finalize(old);
	if (schema_load(ld->db.sql, ld->opts->schema_files, &err) < 0) {
		cmn_fail_path(reason, "schema", "%s", err ? err : "cannot load");
		free(err);
		return -1;
	}
	return 0;
}

/*
 * The views of the layout are SQL over its tables, nothing of the data: an
 * --append target's are made anew from this maptrail's layout.sql, so a view
 * redefined to run forever or to exhaust memory is never what the detections
 * read.  Which views those are, a scratch database made from layout.sql says.
 */
static int renew_layout_views(struct cmn_db *db)
{
	struct cmn_db scratch = { 0 };
	sqlite3_stmt *views = NULL;
	int ret = -1;

	if (sqlite3_open(":memory:", &scratch.sql) != SQLITE_OK ||
	    cmn_db_exec(&scratch, "%s", analyze_layout_sql[0].text) < 0 ||
	    !(views = cmn_db_prepare(&scratch, "SELECT name FROM sqlite_schema WHERE type = 'view'"))) {
		cmn_db_fail(db, "layout.sql: %s", scratch.err ? scratch.err : "out of memory");
		goto out;
	}
	while (sqlite3_step(views) == SQLITE_ROW)
		if (cmn_db_exec(db, "DROP VIEW IF EXISTS \"%w\"", sqlite3_column_text(views, 0)) < 0)
			goto out;
	ret = 0;
out:
	sqlite3_finalize(views);
	cmn_db_close(&scratch);
	return ret;
}

/*
 * A fresh database gets the layout.  An --append target is a file from
 * anywhere: bounded as such (cmn_db_distrust()), it must be a maptrail
 * database of this layout (cmn_db_check_identity()), and its layout views are
 * made anew.
 */
static int prepare_layout(struct loader *ld, char **reason)
{
	struct cmn_db *db = &ld->db;
	char *why = NULL;

	if (pragma_int(db, "page_count") == 0) {
		if (cmn_db_exec(db, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
				CMN_DB_APPLICATION_ID, CMN_DB_LAYOUT_VERSION) < 0)
			return cmn_fail_path(reason, ld->opts->output, "%s", db->err);
	} else if (cmn_db_distrust(db->sql, &why) < 0 || cmn_db_check_identity(db->sql, &why) < 0) {
		cmn_fail_path(reason, ld->opts->output, "%s", why ? why : "out of memory");
		free(why);
		return -1;
	} else if (pragma_int(db, "user_version") != CMN_DB_LAYOUT_VERSION) {
		return cmn_fail_path(reason, ld->opts->output,
				     "database layout %lld, this maptrail writes layout %d",
				     (long long)pragma_int(db, "user_version"), CMN_DB_LAYOUT_VERSION);
	} else if (renew_layout_views(db) < 0) {
		return cmn_fail_path(reason, ld->opts->output, "%s", db->err);
	}
	if (cmn_db_exec(db, "BEGIN; %s", analyze_layout_sql[0].text) < 0)
		return cmn_fail_path(reason, ld->opts->output, "%s", db->err);
	return load_schema(ld, reason);
}

static void utc_now(char buf[32])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int insert_capture(struct loader *ld, const struct stat *in_st, int nr_buffers)
{
	const struct trace_meta *m = ld->meta;
	char now[32];

	utc_now(now);
	/* sha256 and the counts are filled in when the load is complete. */
	if (cmn_db_exec(&ld->db, "INSERT INTO capture (path, sha256, size, file_version, big_endian,"
			" compression, compression_version, cpus, page_size, long_size, clock, uname,"
			" kernel_version, hostname, buffers, event_count, lost_events, lost_unknown,"
			" lost_per_cpu, recorder_plan, analyzed_at, maptrail_version, libtracecmd_version)"
			" VALUES (%Q, '', %lld, %d, %d, %Q, %Q, %d, %d, %d, %Q, %Q, %Q, %Q, %d, 0, 0, 0,"
			" '{}', %Q, %Q, %Q, %Q)",
			ld->opts->input, (long long)in_st->st_size, m->version, m->big_endian,
			m->compression, m->compression_version, tep_get_cpus(ld->tep), m->page_size,
			m->long_size, m->clock, m->uname, m->kernel_version, m->hostname,
			nr_buffers, m->recorder_plan, now, MAPTRAIL_VERSION,
			MAPTRAIL_TRACECMD_VERSION) < 0)
		return -1;
	ld->capture_id = sqlite3_last_insert_rowid(ld->db.sql);
	return 0;
}

static const struct meta_buffer *meta_buffer(const struct trace_meta *m, const char *name)
{
	for (int i = 0; i < m->nr_buffers; i++)
		if (!strcmp(m->buffers[i].name, name))
			return &m->buffers[i];
	return NULL;
}

static int insert_buffer(struct loader *ld, struct buffer_state *buf, const char *name,
			 int nr_cpus)
{
	const struct meta_buffer *mb = meta_buffer(ld->meta, name);

	buf->name = name;
	buf->meta = mb;
	buf->nr_cpus = nr_cpus;
	buf->cpus = calloc(nr_cpus > 0 ? nr_cpus : 1, sizeof(*buf->cpus));
	if (!buf->cpus)
		return cmn_db_fail(&ld->db, "out of memory");
	if (cmn_db_exec(&ld->db, "INSERT INTO buffer (capture_id, name, clock, page_size, cpus)"
			" VALUES (%lld, %Q, %Q, %d, %d)", (long long)ld->capture_id, name,
			mb ? mb->clock : NULL, mb ? mb->page_size : ld->meta->page_size, nr_cpus) < 0)
		return -1;
	buf->id = sqlite3_last_insert_rowid(ld->db.sql);
	return 0;
}

/* The format's fields as one line, "type name; type name", for event_type.fields. */
static char *fields_line(struct tep_event *ev)
{
	sqlite3_str *s = sqlite3_str_new(NULL);

	for (struct tep_format_field *f = ev->format.fields; f; f = f->next)
		sqlite3_str_appendf(s, "%s%s %s", f == ev->format.fields ? "" : "; ", f->type,
				    f->name);
	return sqlite3_str_finish(s);
}

static int insert_event_type(struct loader *ld, sqlite3_stmt *type_ins, sqlite3_stmt *field_ins,
			     struct event_table *t)
{
	struct tep_event *ev = t->event;
	char *fields = fields_line(ev);
	int pos = 0, col = 0;

	sqlite3_bind_int64(type_ins, 1, ld->capture_id);
	sqlite3_bind_int(type_ins, 2, ev->id);
	sqlite3_bind_text(type_ins, 3, ev->system, -1, SQLITE_STATIC);
	sqlite3_bind_text(type_ins, 4, ev->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(type_ins, 5, fields ? fields : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(type_ins, 6, ev->print_fmt.format, -1, SQLITE_STATIC);
	sqlite3_free(fields);
	if (cmn_db_step_done(&ld->db, type_ins) < 0)
		return -1;

	sqlite3_bind_int64(field_ins, 1, ld->capture_id);
	sqlite3_bind_int(field_ins, 2, ev->id);
	for (int common = 1; common >= 0; common--) {
		struct tep_format_field *f = common ? ev->format.common_fields : ev->format.fields;

		for (; f; f = f->next) {
			const char *column = NULL, *storage = "implied by the table";

			if (!strcmp(f->name, "common_pid") && f == t->pid_field) {
				column = "pid";
				storage = "signed";
			} else if (col < t->nr_columns && t->columns[col].field == f) {
				column = t->columns[col].name;
				storage = column_kind_name(t->columns[col].kind);
				col++;
			}
			sqlite3_bind_int(field_ins, 3, pos++);
			sqlite3_bind_text(field_ins, 4, f->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(field_ins, 5, column, -1, SQLITE_STATIC);
			sqlite3_bind_text(field_ins, 6, f->type, -1, SQLITE_STATIC);
			sqlite3_bind_int(field_ins, 7, f->offset);
			sqlite3_bind_int(field_ins, 8, f->size);
			sqlite3_bind_int(field_ins, 9, !!(f->flags & TEP_FIELD_IS_SIGNED));
			sqlite3_bind_int(field_ins, 10, common);
			sqlite3_bind_text(field_ins, 11, storage, -1, SQLITE_STATIC);
			if (cmn_db_step_done(&ld->db, field_ins) < 0)
				return -1;
		}
	}
	return 0;
}

/* Describe every format of the file, in event_type/event_field and in ld->slots. */
static int load_formats(struct loader *ld)
{
	struct tep_event **events = tep_list_events(ld->tep, TEP_EVENT_SORT_ID);
	sqlite3_stmt *type_ins, *field_ins;
	int ret = -1, max_id = -1;

	if (!events)
		return cmn_db_fail(&ld->db, "cannot list the event formats");
	for (int i = 0; events[i]; i++)
		if (events[i]->id > max_id)
			max_id = events[i]->id;
	ld->nr_slots = max_id + 1;
	ld->slots = calloc(ld->nr_slots > 0 ? ld->nr_slots : 1, sizeof(*ld->slots));
	type_ins = cmn_db_prepare(&ld->db, "INSERT INTO event_type (capture_id, id, system, name,"
				  " fields, print_fmt) VALUES (?, ?, ?, ?, ?, ?)");
	field_ins = cmn_db_prepare(&ld->db, "INSERT INTO event_field (capture_id, event_id, position,"
				   " name, column_name, c_type, offset, size, is_signed, is_common,"
				   " storage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!ld->slots || !type_ins || !field_ins) {
		cmn_db_fail(&ld->db, "out of memory");
		goto out;
	}
	for (int i = 0; events[i]; i++) {
		struct event_table *t;

		if (events[i]->id < 0 || ld->slots[events[i]->id])
			continue;	/* two formats with one id: the first wins, as in libtraceevent */
		t = event_table_alloc(events[i]);
		if (!t) {
			cmn_db_fail(&ld->db, "out of memory");
			goto out;
		}
		ld->slots[events[i]->id] = t;
		t->lineage = tasks_lineage(t);
		t->marker = !strcmp(events[i]->system, "ftrace") && !strcmp(events[i]->name, "print");
		if (insert_event_type(ld, type_ins, field_ins, t) < 0)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(type_ins);
	sqlite3_finalize(field_ins);
	return ret;
}

/* Start a row of an event table or of unknown_event: the columns they share. */
static void begin_event_row(struct loader *ld, sqlite3_stmt **stmt, int64_t id,
			    const struct buffer_state *buf, const struct tep_record *rec)
{
	struct row_queue *q = ld->queue;

	row_queue_begin(q, stmt);
	row_queue_int(q, id);
	row_queue_int(q, ld->capture_id);
	row_queue_int(q, buf->id);
	row_queue_int(q, (int64_t)rec->ts);
	row_queue_int(q, rec->cpu);
}

static int load_unknown(struct loader *ld, struct buffer_state *buf, struct tep_record *rec,
			int type, int64_t id)
{
	struct row_queue *q = ld->queue;

	begin_event_row(ld, &ld->insert_unknown, id, buf, rec);
	row_queue_int(q, type);
	row_queue_blob(q, rec->data, rec->size > 0 ? rec->size : 0);
	return row_queue_end(q);
}

/*
 * With --append, ids continue after the largest id any event table has, so
 * an id names one event in the whole database (and orders events in time
 * within a capture).
 */
static int first_event_id(struct loader *ld)
{
	sqlite3_stmt *tables = cmn_db_prepare(&ld->db, "SELECT DISTINCT table_name FROM event_type"
					      " WHERE table_name IS NOT NULL UNION SELECT 'unknown_event'");
	int64_t max = 0;

	if (!tables)
		return -1;
	while (sqlite3_step(tables) == SQLITE_ROW) {
		int64_t m = cmn_db_max_id(&ld->db, (const char *)sqlite3_column_text(tables, 0));

		if (m < 0) {
			sqlite3_finalize(tables);
			return -1;
		}
		if (m > max)
			max = m;
	}
	sqlite3_finalize(tables);
	ld->next_id = max + 1;
	return 0;
}

/* A print event: its text may be one of the recorder's identity records. */
static int load_marker(struct loader *ld, const struct event_table *t,
		       const struct buffer_state *buf, const struct tep_record *rec, int64_t id)
{
	const struct event_column *col = event_table_column(t, "buf");
	const char *text;
	int len;

	if (!col || !event_field_text(ld->tep, col, rec, &text, &len))
		return 0;
	return ident_print(ld->identity, text, len, rec->ts, id, buf->id);
}

/* A record of an event table of its own: its row, and what it says of tasks. */
static int load_event(struct loader *ld, struct event_table *t, const struct buffer_state *buf,
		      const struct tep_record *rec, int64_t id, int pid)
{
	struct row_queue *q = ld->queue;

	if (!t->queued) {
		if (row_queue_create(q, t) < 0)
			return -1;
		t->queued = true;
	}
	begin_event_row(ld, &t->insert, id, buf, rec);
	row_queue_int(q, pid);
	event_table_queue_fields(t, ld->tep, rec, q);
	if (row_queue_end(q) < 0)
		return -1;
	if ((t->nr_comm_pairs || t->lineage != LINEAGE_NONE) &&
	    tasks_learn(ld->tasks, ld->tep, t, rec, pid) < 0)
		return cmn_db_fail(&ld->db, "out of memory");
	if (t->marker)
		return load_marker(ld, t, buf, rec, id);
	return 0;
}

/* The hot path: one record into one row.  Returns 0, or 1 to stop. */
static int load_one(struct loader *ld, struct buffer_state *buf, struct tep_record *rec)
{
	int type = tep_data_type(ld->tep, rec);
	int pid = tep_data_pid(ld->tep, rec);
	struct event_table *t = type >= 0 && type < ld->nr_slots ? ld->slots[type] : NULL;
	int64_t id;
	int ret;

	if (cmn_stop_signal()) {
		ld->interrupted = true;
		return 1;
	}
	if (rec->cpu >= 0 && rec->cpu < buf->nr_cpus) {
		struct cpu_state *c = &buf->cpus[rec->cpu];

		c->events++;
		/*
		 * A flight dump begins where the overwrite left the buffer: the
		 * mark on a CPU's first page counts what was overwritten before
		 * the window (the flight table has it), not events lost in it.
		 */
		if (ld->meta->recorder_flight && c->events == 1)
			;
		else if (rec->missed_events > 0)
			c->lost += rec->missed_events;
		else if (rec->missed_events < 0)
			c->lost_unknown++;
	}
	buf->events++;
	if (!ld->events++)
		ld->first_ts = rec->ts;
	if (rec->ts < ld->first_ts)
		ld->first_ts = rec->ts;
	if (rec->ts > ld->last_ts)
		ld->last_ts = rec->ts;
	if (task_map_event(ld->tasks, pid, rec->ts) < 0)
		goto fail;

	id = ld->next_id++;
	if (!t) {
		ret = load_unknown(ld, buf, rec, type, id);
	} else {
		t->rows++;
		/* An entry or exit of a call is stored in its call row (see calls.h). */
		ret = t->call ? calls_event(ld->calls, ld->queue, t, rec, buf->id, pid, id) :
				load_event(ld, t, buf, rec, id, pid);
		if (!ret && t->lineage != LINEAGE_NONE)
			ret = hist_table_event(ld->history, t, rec, buf->id, id);
	}
	if (ret < 0)
		goto fail;
	if (ld->opts->progress && !(ld->events % PROGRESS_EVERY))
		ld->opts->progress(ld->opts->progress_arg, ld->events,
				   ld->fly ? fly_percent(ld->fly) : -1, false);
	return ld->failed ? 1 : 0;
fail:
	ld->failed = true;
	return 1;
}

/* libtracecmd's iteration, for files whose timestamps it must adjust. */
static int load_record(struct tracecmd_input *handle, struct tep_record *rec, int cpu, void *arg)
{
	(void)cpu;	/* the nth CPU across handles; rec->cpu is the file's */
	return load_one(arg, tracecmd_get_private(handle), rec);
}

/*
 * Every event of every buffer, in time order.  maptrail reads the pages
 * itself (flyrecord.c: memory bounded by CPUs, not events) unless the file
 * needs libtracecmd's timestamp synchronisation; MAPTRAIL_READER=libtracecmd
 * forces libtracecmd, which the tests use to check one against the other.
 */
static int load_events(struct loader *ld, struct tracecmd_input **handles, int nr_handles,
		       struct buffer_state *bufs, char **reason)
{
	const char *force = getenv("MAPTRAIL_READER");
	struct buffer_state **by_meta;
	struct fly_reader *r;
	struct tep_record rec;
	char *err = NULL;
	int buffer, ret;

	if (ld->meta->time_sync || (ld->meta->data_kind && !strcmp(ld->meta->data_kind, "latency")) ||
	    (force && !strcmp(force, "libtracecmd"))) {
		/* libtracecmd trusts every chunk and event size: maptrail's reader checks them first */
		if (strcmp(ld->meta->data_kind, "latency") &&
		    fly_check(ld->opts->input, ld->meta, ld->tep, &err) < 0) {
			cmn_fail_path(reason, ld->opts->input, "%s", err ? err : "cannot read");
			free(err);
			return -1;
		}
		tracecmd_iterate_events_multi(handles, nr_handles, load_record, ld);
		return 0;
	}
	by_meta = calloc(ld->meta->nr_buffers + 1, sizeof(*by_meta));
	if (!by_meta)
		return cmn_db_fail(&ld->db, "out of memory");
	for (int m = 0; m < ld->meta->nr_buffers; m++)
		for (int b = 0; b < nr_handles; b++)
			if (!strcmp(bufs[b].name, ld->meta->buffers[m].name))
				by_meta[m] = &bufs[b];
	r = fly_open(ld->opts->input, ld->meta, ld->tep, &err);
	if (!r) {
		free(by_meta);
		cmn_fail_path(reason, ld->opts->input, "%s", err ? err : "cannot read");
		free(err);
		return -1;
	}
	ld->fly = r;
	while ((ret = fly_next(r, &rec, &buffer, &err)) > 0) {
		if (!by_meta[buffer]) {
			cmn_fail_path(reason, ld->opts->input, "buffer %s has no format handle",
				      ld->meta->buffers[buffer].name);
			ret = -1;
			break;
		}
		if (load_one(ld, by_meta[buffer], &rec))
			break;
	}
	if (ret < 0 && err)
		cmn_fail_path(reason, ld->opts->input, "%s", err);
	free(err);
	ld->fly = NULL;
	fly_close(r);
	free(by_meta);
	return ret < 0 ? -1 : 0;
}

/* The CPUSTAT option the recorder saved for this buffer's CPU, if any. */
static const struct meta_cpustat *cpustat_for(const struct loader *ld, const char *buffer, int cpu)
{
	for (int i = 0; i < ld->meta->nr_cpustats; i++)
		if (ld->meta->cpustats[i].cpu == cpu && !strcmp(ld->meta->cpustats[i].buffer, buffer))
			return &ld->meta->cpustats[i];
	return NULL;
}

static void bind_stat(sqlite3_stmt *st, int param, const struct meta_cpustat *cs, int64_t v)
{
	if (cs && v >= 0)
		sqlite3_bind_int64(st, param, v);
	else
		sqlite3_bind_null(st, param);
}

/* Per-CPU rows, the totals of the capture, and the losses for the summary. */
static int finish_capture(struct loader *ld, struct buffer_state *bufs, int nr_bufs,
			  const char *sha256, struct analyze_summary *sum)
{
	sqlite3_str *per_cpu = sqlite3_str_new(NULL);
	int64_t lost = 0, unknown = 0;
	int ret = -1;
	sqlite3_stmt *st = NULL;
	char *json = NULL;

	st = cmn_db_prepare(&ld->db, "INSERT INTO capture_cpu (capture_id, buffer_id, cpu, data_offset,"
			    " data_size, events, lost_events, lost_unknown, stats_entries, stats_overrun,"
			    " stats_commit_overrun, stats_dropped_events, stats_read_events, stats_text)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		goto out;
	for (int b = 0; b < nr_bufs; b++) {
		struct buffer_state *buf = &bufs[b];

		for (int cpu = 0; cpu < buf->nr_cpus; cpu++) {
			const struct meta_cpustat *cs = cpustat_for(ld, buf->name, cpu);
			const struct meta_cpu *mc = buf->meta && cpu < buf->meta->nr_cpus ?
						    &buf->meta->cpus[cpu] : NULL;
			struct cpu_state *c = &buf->cpus[cpu];
			/* a flight recorder's overrun is its window's start (see load_one()) */
			int64_t overrun = cs && cs->overrun > 0 && !ld->meta->recorder_flight ?
					  cs->overrun : 0;
			int64_t stat_lost = cs ? overrun +
					    (cs->dropped_events > 0 ? cs->dropped_events : 0) : 0;

			sqlite3_bind_int64(st, 1, ld->capture_id);
			sqlite3_bind_int64(st, 2, buf->id);
			sqlite3_bind_int(st, 3, cpu);
			if (mc) {
				sqlite3_bind_int64(st, 4, (int64_t)mc->offset);
				sqlite3_bind_int64(st, 5, (int64_t)mc->size);
			} else {
				sqlite3_bind_null(st, 4);
				sqlite3_bind_null(st, 5);
			}
			sqlite3_bind_int64(st, 6, (int64_t)c->events);
			sqlite3_bind_int64(st, 7, c->lost);
			sqlite3_bind_int64(st, 8, c->lost_unknown);
			bind_stat(st, 9, cs, cs ? cs->entries : -1);
			bind_stat(st, 10, cs, cs ? cs->overrun : -1);
			bind_stat(st, 11, cs, cs ? cs->commit_overrun : -1);
			bind_stat(st, 12, cs, cs ? cs->dropped_events : -1);
			bind_stat(st, 13, cs, cs ? cs->read_events : -1);
			if (cs)
				sqlite3_bind_text(st, 14, cs->text, -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(st, 14);
			if (cmn_db_step_done(&ld->db, st) < 0)
				goto out;

			/* The page marks count what the reader saw lost; stats what the kernel overwrote. */
			if (c->lost > stat_lost)
				stat_lost = c->lost;
			if (!stat_lost && !c->lost_unknown)
				continue;
			struct analyze_loss *l = realloc(sum->losses,
							 (sum->nr_losses + 1) * sizeof(*l));
			if (!l)
				goto out;
			sum->losses = l;
			l += sum->nr_losses++;
			*l = (struct analyze_loss){ .buffer = strdup(buf->name), .cpu = cpu,
						    .lost = stat_lost, .unknown = c->lost_unknown };
			sqlite3_str_appendf(per_cpu, "%s\"%s/cpu%d\": %lld", lost || unknown ? ", " : "",
					    *buf->name ? buf->name : "top", cpu, (long long)stat_lost);
			lost += stat_lost;
			unknown += c->lost_unknown;
		}
		if (cmn_db_exec(&ld->db, "UPDATE buffer SET event_count = %llu WHERE id = %lld",
				(unsigned long long)buf->events, (long long)buf->id) < 0)
			goto out;
	}
	json = sqlite3_mprintf("{%s}", sqlite3_str_value(per_cpu) ? sqlite3_str_value(per_cpu) : "");
	sqlite3_finalize(st);
	st = cmn_db_prepare(&ld->db, "UPDATE capture SET sha256 = ?, first_ts = ?, last_ts = ?,"
			    " event_count = ?, lost_events = ?, lost_unknown = ?, lost_per_cpu = ?"
			    " WHERE id = ?");
	if (!st || !json)
		goto out;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	if (ld->events) {
		sqlite3_bind_int64(st, 2, (int64_t)ld->first_ts);
		sqlite3_bind_int64(st, 3, (int64_t)ld->last_ts);
	}
	sqlite3_bind_int64(st, 4, (int64_t)ld->events);
	sqlite3_bind_int64(st, 5, lost);
	sqlite3_bind_int64(st, 6, unknown);
	sqlite3_bind_text(st, 7, json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, ld->capture_id);
	if (cmn_db_step_done(&ld->db, st) < 0)
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_free(json);
	sqlite3_free(sqlite3_str_finish(per_cpu));
	return ret;
}

/*
 * Row counts into event_type.  The event tables, like the call tables, have
 * no index but their ids, which grow with ts within a capture: time order is
 * id order, and a (ts) and a (pid) index on a table of half a million
 * sched_switch events cost 0.3 s and 14 MB of peak memory (flip-2x.dat,
 * bench/) for lookups that reading the table once answers.
 */
static int finish_tables(struct loader *ld, struct analyze_summary *sum)
{
	for (int id = 0; id < ld->nr_slots; id++) {
		struct event_table *t = ld->slots[id];

		if (!t || !t->rows)
			continue;
		sum->event_tables++;
		if (cmn_db_exec(&ld->db, "UPDATE event_type SET table_name = %Q, event_count = %llu"
				" WHERE capture_id = %lld AND id = %d", t->name,
				(unsigned long long)t->rows, (long long)ld->capture_id, id) < 0)
			return -1;
	}
	return 0;
}

static void loader_release(struct loader *ld)
{
	if (ld->queue)
		row_queue_finish(ld->queue);
	calls_free(ld->calls);
	ident_free(ld->identity);
	fdt_free(ld->fds);
	hist_table_free(ld->history);
	if (ld->history_path)
		unlink(ld->history_path);
	free(ld->history_path);
	for (int i = 0; i < ld->nr_slots; i++)
		event_table_free(ld->slots[i]);
	free(ld->slots);
	sqlite3_finalize(ld->insert_unknown);
	task_map_free(ld->tasks);
	cmn_db_close(&ld->db);
}

/*
 * What analyze_run() holds while its steps run: each step takes what the
 * earlier ones made and leaves what the later ones need.  run_release()
 * frees whatever exists, whichever step stopped the run.
 */
struct run {
	const struct analyze_options *opts;
	struct analyze_summary *sum;
	char **reason;
	struct loader ld;
	struct trace_meta *meta;
	struct stat in_st;
	struct cmn_out_renamed out;
	struct tracecmd_input **handles;	/* the top buffer's, then each instance's */
	int nr_handles;
	struct buffer_state *bufs;		/* one per handle, in the same order */
	struct hasher hasher;
	bool hashing;				/* hasher.thread runs */
	struct fctx_rules *severity_rules;	/* known runtimes and --baseline files */
};

/* A bad --baseline fails before anything is read or written. */
static int step_read_rules(struct run *r)
{
	return fctx_rules_read(r->opts->baselines, r->opts->detections, r->opts->nr_detections,
			       &r->severity_rules, r->reason);
}

/* Refuse a damaged capture with its reason before libtracecmd reads it. */
static int step_check_capture(struct run *r)
{
	char *why = NULL;

	if (trace_meta_read(r->opts->input, &r->meta, &why) < 0) {
		cmn_fail_path(r->reason, r->opts->input, "%s", why ? why : "cannot read");
		free(why);
		return -1;
	}
	if (stat(r->opts->input, &r->in_st) < 0)
		return cmn_fail_path(r->reason, r->opts->input, "%s", strerror(errno));
	r->ld.meta = r->meta;
	if (r->opts->append && !r->opts->again)
		return refuse_duplicate(r->opts, &r->hasher, r->reason);
	return 0;
}

/* The temporary file beside the output (a copy of it with --append). */
static int step_prepare_output(struct run *r)
{
	const struct cmn_out_rules rules = { .append = r->opts->append, .force = r->opts->force,
					     .can_append = true, .input = "capture" };

	int ret = cmn_out_renamed_prepare(&r->out, r->opts->output, &rules, &r->in_st, r->reason);

	if (r->out.note && r->opts->notice)
		r->opts->notice(r->opts->progress_arg, r->out.note);
	return ret;
}

static int step_open_capture(struct run *r)
{
	/* libtracecmd would print its own complaints; ours are the ones users see. */
	tracecmd_set_loglevel(TEP_LOG_NONE);
	r->handles = calloc(1, sizeof(*r->handles));
	if (r->handles)
		r->handles[0] = tracecmd_open(r->opts->input, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!r->handles || !r->handles[0])
		return cmn_fail_path(r->reason, r->opts->input, "libtracecmd cannot read this trace.dat");
	r->nr_handles = 1;
	r->ld.tep = tracecmd_get_tep(r->handles[0]);
	tep_set_loglevel(TEP_LOG_NONE);
	/* libtracecmd leaves it 0; calls.c bounds an event by it */
	for (int b = 0; b < r->meta->nr_buffers; b++)
		if (r->meta->buffers[b].page_size > tep_get_page_size(r->ld.tep))
			tep_set_page_size(r->ld.tep, r->meta->buffers[b].page_size);
	return 0;
}

static int step_open_database(struct run *r)
{
	struct loader *ld = &r->ld;

	if (cmn_db_open(&ld->db, r->out.tmp) < 0) {
		if (ld->db.sql && sqlite3_errcode(ld->db.sql) == SQLITE_NOTADB)
			return cmn_fail_path(r->reason, r->opts->output,
					     "not a maptrail database (not SQLite)");
		return -1;
	}
	/* vma_history's rows are written beside the output by a thread of their own. */
	if (asprintf(&ld->history_path, "%s-history", r->out.tmp) < 0) {
		ld->history_path = NULL;
		return -1;
	}
	unlink(ld->history_path);
	if (prepare_layout(ld, r->reason) < 0)
		return -1;
	ld->tasks = task_map_alloc();
	return ld->tasks ? 0 : -1;
}

/* The capture's row, and a buffer row and libtracecmd handle per buffer of the file. */
static int step_describe_buffers(struct run *r)
{
	struct loader *ld = &r->ld;
	int nr_inst = tracecmd_buffer_instances(r->handles[0]);
	struct tracecmd_input **more = realloc(r->handles, (nr_inst + 1) * sizeof(*r->handles));

	if (!more)
		return -1;
	r->handles = more;
	r->bufs = calloc(nr_inst + 1, sizeof(*r->bufs));
	if (!r->bufs)
		return -1;
	if (insert_capture(ld, &r->in_st, nr_inst + 1) < 0 ||
	    (r->meta->recorder_plan_rows &&
	     ana_capture_plan_insert(&ld->db, ld->capture_id, r->meta->recorder_plan_rows) < 0) ||
	    (r->meta->recorder_flight &&
	     ana_flight_insert(&ld->db, ld->capture_id, r->meta->recorder_flight) < 0) ||
	    ana_capture_utc_store(&ld->db, ld->capture_id, r->meta) < 0 ||
	    insert_buffer(ld, &r->bufs[0], "", tep_get_cpus(ld->tep)) < 0)
		return -1;
	tracecmd_set_private(r->handles[0], &r->bufs[0]);
	for (int i = 0; i < nr_inst; i++) {
		const char *name = tracecmd_buffer_instance_name(r->handles[0], i);
		struct tracecmd_input *h = tracecmd_buffer_instance_handle(r->handles[0], i);

		if (!h || !name)
			return cmn_fail_path(r->reason, r->opts->input, "cannot open buffer %d (%s)", i,
					     name ? name : "no name");
		r->handles[r->nr_handles++] = h;
		if (insert_buffer(ld, &r->bufs[i + 1], name, tep_get_cpus(tracecmd_get_tep(h))) < 0)
			return -1;
		tracecmd_set_private(h, &r->bufs[i + 1]);
	}
	return 0;
}

static int step_load_formats(struct run *r)
{
	return load_formats(&r->ld);
}

/* What the events feed as they load: call pairing, the history, descriptors, identity. */
static int step_start_loaders(struct run *r)
{
	struct loader *ld = &r->ld;

	ld->calls = calls_alloc(&ld->db, ld->tep, ld->capture_id, ld->slots, ld->nr_slots, ld->tasks);
	if (!ld->calls || first_event_id(ld) < 0)
		return -1;
	ld->history = hist_table_alloc(&ld->db, ld->history_path, ld->tep, ld->capture_id,
				       r->meta->page_size, ld->tasks);
	if (!ld->history)
		return -1;
	calls_set_history(ld->calls, ld->history);
	ld->fds = fdt_alloc(&ld->db, ld->capture_id);
	if (!ld->fds)
		return -1;
	hist_table_set_fds(ld->history, ld->fds);
	ld->identity = ident_alloc(&ld->db, ld->capture_id, r->meta->page_size, ld->tasks,
				   ld->history, ld->fds);
	if (!ld->identity)
		return -1;
	ld->insert_unknown = cmn_db_prepare(&ld->db, "INSERT INTO unknown_event (id, capture_id,"
					    " buffer_id, ts, cpu, type_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)");
	ld->queue = ld->insert_unknown ? row_queue_start(&ld->db) : NULL;
	if (!ld->queue)
		return -1;
	fdt_set_queue(ld->fds, ld->queue);
	ident_set_queue(ld->identity, ld->queue);
	return 0;
}

/* Every event into its rows; what was pending at the end is flushed. */
static int step_load_events(struct run *r)
{
	struct loader *ld = &r->ld;

	if (load_events(ld, r->handles, r->nr_handles, r->bufs, r->reason) < 0)
		ld->failed = true;
	else if (!ld->failed && !ld->interrupted &&
		 (calls_flush(ld->calls, ld->queue) < 0 || ident_finish(ld->identity) < 0 ||
		  fdt_finish(ld->fds) < 0 || hist_table_finish(ld->history) < 0))
		ld->failed = true;
	if (row_queue_finish(ld->queue) < 0)
		ld->failed = true;
	ld->queue = NULL;
	if (ld->failed || ld->interrupted)
		return -1;
	if (r->opts->progress)
		r->opts->progress(r->opts->progress_arg, ld->events, 100, true);
	r->sum->capture_id = ld->capture_id;
	r->sum->events = ld->events;
	r->sum->calls = calls_total(ld->calls);
	return 0;
}

/*
 * The SHA-256 of the capture is computed on the core the loader no longer
 * needs, while SQLite builds the indexes on the other.
 */
static int step_start_hashing(struct run *r)
{
	if (r->hasher.ret >= 0)
		return 0;	/* refuse_duplicate() hashed it when it read it */
	r->hashing = pthread_create(&r->hasher.thread, NULL, hash_file, &r->hasher) == 0;
	if (!r->hashing)
		hash_file(&r->hasher);
	return 0;
}

static int step_index(struct run *r)
{
	struct loader *ld = &r->ld;

	if (calls_finish(ld->calls) < 0 || finish_tables(ld, r->sum) < 0)
		return -1;
	return tasks_write(&ld->db, ld->capture_id, ld->tasks, r->meta);
}

/*
 * SQLite attaches nothing inside a transaction, and the part file could not
 * be written while attached to this connection: the transaction ends (the
 * output is still a temporary file), the part file is attached, and its rows
 * are copied in a second one.
 */
static int step_history(struct run *r)
{
	struct loader *ld = &r->ld;

	if (hist_table_part_close(ld->history) < 0 ||
	    cmn_db_exec(&ld->db, "COMMIT; ATTACH %Q AS " HISTORY_PART "; BEGIN", ld->history_path) < 0 ||
	    hist_table_complete(ld->history, HISTORY_PART) < 0)
		return -1;
	r->sum->history_rows = hist_table_stats(ld->history)->rows;
	return 0;
}

/* Which file each mapping is of, and the views over the recorder's snapshots. */
static int step_resolve_files(struct run *r)
{
	if (fdt_resolve(&r->ld.db, r->ld.capture_id) < 0)
		return -1;
	return ident_views(&r->ld.db);
}

/* The findings, then each one's process and what lowered its severity. */
static int step_detections(struct run *r)
{
	r->sum->detection_s = calloc(r->opts->nr_detections ? r->opts->nr_detections : 1,
				     sizeof(*r->sum->detection_s));
	if (!r->sum->detection_s)
		return -1;
	r->sum->findings = findings_build(&r->ld.db, r->opts->detections, r->opts->nr_detections,
					  hist_table_replayed(r->ld.history), &r->sum->high_findings,
					  r->sum->detection_s);
	if (r->sum->findings < 0)
		return -1;
	r->sum->lowered = fctx_apply(&r->ld.db, r->severity_rules, r->sum->findings_by_rank);
	if (r->sum->lowered < 0)
		return -1;
	r->sum->high_findings = r->sum->findings_by_rank[3];
	return 0;
}

/* The capture's totals, its sha256 and the losses; the transaction ends. */
static int step_finish_capture(struct run *r)
{
	struct loader *ld = &r->ld;

	if (r->hashing) {
		pthread_join(r->hasher.thread, NULL);
		r->hashing = false;
	}
	if (r->hasher.ret < 0)
		return cmn_fail_path(r->reason, r->opts->input, "cannot read: %s",
				     strerror(-r->hasher.ret));
	if (finish_capture(ld, r->bufs, r->nr_handles, r->hasher.hex, r->sum) < 0 ||
	    cmn_db_exec(&ld->db, "COMMIT") < 0 || cmn_db_exec(&ld->db, "DETACH " HISTORY_PART) < 0)
		return -1;
	return 0;
}

/* The database is closed, then renamed into place: complete or not there at all. */
static int step_publish(struct run *r)
{
	loader_release(&r->ld);
	r->ld = (struct loader){ .opts = r->opts };
	return cmn_out_renamed_publish(&r->out, r->reason);
}

/* The phase time of the summary a step's time counts in (-v prints them). */
enum step_time { IN_OPEN, IN_LOAD, IN_INDEX, IN_FINDINGS, IN_CLOSE };

struct step {
	const char *name;	/* what it does: a reader's index of analyze */
	const char *phase;	/* told to opts->phase as it starts; NULL: part of the one before */
	enum step_time counts_in;
	int (*run)(struct run *r);
};

/*
 * analyze, in order.  A step returns 0, or -1 with *r->reason set or an
 * error recorded in r->ld.db; a stop asked for (SIGINT) is checked between
 * steps, and inside them by every SQLite statement and the load loop.
 */
static const struct step steps[] = {
	{ "read the severity rules", NULL, IN_OPEN, step_read_rules },
	{ "check the capture", NULL, IN_OPEN, step_check_capture },
	{ "prepare the output", NULL, IN_OPEN, step_prepare_output },
	{ "open the capture", NULL, IN_OPEN, step_open_capture },
	{ "open the database", NULL, IN_OPEN, step_open_database },
	{ "describe the buffers", NULL, IN_OPEN, step_describe_buffers },
	{ "describe the event formats", NULL, IN_OPEN, step_load_formats },
	{ "start the loaders", NULL, IN_OPEN, step_start_loaders },
	{ "load the events", NULL, IN_LOAD, step_load_events },
	{ "hash the capture", NULL, IN_INDEX, step_start_hashing },
	{ "index", "indexing", IN_INDEX, step_index },
	{ "write the history", "writing the address-space history", IN_INDEX, step_history },
	{ "resolve the mapped files", NULL, IN_FINDINGS, step_resolve_files },
	{ "run the detections", "running the detections", IN_FINDINGS, step_detections },
	{ "finish the capture", NULL, IN_CLOSE, step_finish_capture },
	{ "publish the database", NULL, IN_CLOSE, step_publish },
};

static double *step_time(struct analyze_summary *sum, enum step_time t)
{
	switch (t) {
	case IN_OPEN:
		return &sum->open_s;
	case IN_LOAD:
		return &sum->load_s;
	case IN_INDEX:
		return &sum->index_s;
	case IN_FINDINGS:
		break;
	case IN_CLOSE:
		return &sum->close_s;
	}
	return &sum->findings_s;
}

static void run_release(struct run *r)
{
	if (r->hashing)
		pthread_join(r->hasher.thread, NULL);
	r->hashing = false;
	loader_release(&r->ld);
	cmn_out_renamed_discard(&r->out);
	for (int i = r->nr_handles - 1; i >= 0; i--)
		tracecmd_close(r->handles[i]);
	free(r->handles);
	if (r->bufs)
		for (int i = 0; i < r->nr_handles; i++)
			free(r->bufs[i].cpus);
	free(r->bufs);
	trace_meta_free(r->meta);
	fctx_rules_free(r->severity_rules);
}

int analyze_run(const struct analyze_options *opts, struct analyze_summary *sum, char **reason)
{
	struct run r = { .opts = opts, .sum = sum, .reason = reason, .ld = { .opts = opts },
			 .hasher = { .path = opts->input, .ret = -1 } };
	bool failed = false;

	memset(sum, 0, sizeof(*sum));
	*reason = NULL;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !failed; i++) {
		const struct step *s = &steps[i];
		struct timespec start;
		int ret;

		if (cmn_stop_signal()) {
			failed = true;
			break;
		}
		if (s->phase && opts->phase)
			opts->phase(opts->progress_arg, s->phase);
		clock_gettime(CLOCK_MONOTONIC, &start);
		ret = s->run(&r);
		*step_time(sum, s->counts_in) += cmn_seconds_since(&start);
		if (ret < 0) {
			/* the line of the step's own, else the database's error */
			cmn_fail_path(reason, opts->output, "%s",
				      r.ld.db.err ? r.ld.db.err : "out of memory");
			failed = true;
		}
	}
	/* Stopped: whatever failed on the way out (SQLITE_INTERRUPT, ...) is not the cause. */
	if (cmn_stop_signal()) {
		free(*reason);
		*reason = NULL;
		cmn_fail_path(reason, opts->input, "interrupted");
	}
	run_release(&r);
	if (failed)
		analyze_summary_release(sum);
	return failed ? -1 : 0;
}

void analyze_summary_release(struct analyze_summary *sum)
{
	free(sum->detection_s);
	sum->detection_s = NULL;
	for (int i = 0; i < sum->nr_losses; i++)
		free(sum->losses[i].buffer);
	free(sum->losses);
	sum->losses = NULL;
	sum->nr_losses = 0;
}
