/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_EVENT_TABLES_H
#define MAPTRAIL_EVENT_TABLES_H

/*
 * event-tables: one SQLite table per event format, one typed column per field.
 *
 * The mapping is decided once per format (event_table_describe), then every
 * record of that event is bound with no lookups (event_table_bind), which is
 * analyze's hot path.  Nothing is dropped: a field whose type we do not know,
 * or whose value points outside its record, is stored as its raw bytes.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>
#include <traceevent/event-parse.h>

#include "sql.h"

/* How a field's bytes become a column value. */
enum column_kind {
	COLUMN_INT,		/* 1/2/4/8-byte integer or pointer, unsigned */
	COLUMN_INT_SIGNED,	/* 1/2/4/8-byte signed integer: sign-extended */
	COLUMN_TEXT,		/* char[N]: up to the first NUL */
	COLUMN_TEXT_DYNAMIC,	/* __data_loc / __rel_loc char[] */
	COLUMN_BLOB,		/* arrays and anything else: the raw bytes */
	COLUMN_BLOB_DYNAMIC,	/* __data_loc / __rel_loc of anything but char */
};

struct event_column {
	const struct tep_format_field *field;
	char *name;		/* column name: the field name, or field_<name> on a clash */
	enum column_kind kind;
	bool common;		/* a common_* field of the format */
};

/* A pid field and the comm field that names it in the same event (prev_pid/prev_comm). */
struct comm_pair {
	int pid_column;
	int comm_column;
};

struct call_role;

/*
 * Events whose fields tell how tasks and processes relate and live: read by
 * the loader for tasks (newtask, exec) and for the address-space history
 * (fork, exec, exit).
 */
enum task_lineage {
	LINEAGE_NONE,
	LINEAGE_NEWTASK,	/* task:task_newtask: pid, clone_flags */
	LINEAGE_EXEC,		/* sched:sched_process_exec: pid becomes a thread group leader */
	LINEAGE_FORK,		/* sched:sched_process_fork: parent_pid, child_pid */
	LINEAGE_EXIT,		/* sched:sched_process_exit: pid */
};

struct event_table {
	struct tep_event *event;
	char *name;			/* system__event */
	int nr_columns;
	struct event_column *columns;	/* every field but common_type and common_pid */
	const struct tep_format_field *pid_field;	/* common_pid, NULL if absent */
	int nr_comm_pairs;
	struct comm_pair *comm_pairs;
	sqlite3_stmt *insert;		/* prepared by event_table_create() */
	bool queued;			/* its creation is queued (row-queue) */
	uint64_t rows;
	/*
	 * Set by calls when the format is the entry or exit of a system call:
	 * its events are stored once, in the call table, and the table of this
	 * name is a view over it.
	 */
	struct call_role *call;
	enum task_lineage lineage;
	bool marker;			/* ftrace:print: trace_marker text, maybe maptrail's (identity.h) */
};

/* Columns every event table starts with, in this order: a row's first values. */
#define EVENT_COMMON_COLUMNS "id, capture_id, buffer_id, ts, cpu, pid"

struct row_queue;

/* column_kind_sql_type - the declared SQLite type of a kind: INTEGER, TEXT or BLOB. */
const char *column_kind_sql_type(enum column_kind kind);

/* column_kind_name - a short name of the kind for the event_field table. */
const char *column_kind_name(enum column_kind kind);

/*
 * event_table_alloc - decide the table name and columns of @event.
 * Touches memory only.  Returns NULL on allocation failure; free with event_table_free().
 */
struct event_table *event_table_alloc(struct tep_event *event);

/* event_table_free - finalize the insert statement and free; accepts NULL, returns NULL. */
struct event_table *event_table_free(struct event_table *table);

/*
 * event_table_create - create the table in @db if it does not exist, add the
 * columns an earlier capture's format lacked, and prepare the insert.
 * Returns 0 or -1 with db->err set.
 */
int event_table_create(struct cmn_db *db, struct event_table *table);

/* event_column_queue - append the value of one column of @rec to the row being built. */
void event_column_queue(struct tep_handle *tep, const struct event_column *col,
			const struct tep_record *rec, struct row_queue *q);

/*
 * event_table_queue_fields - append every field of @rec to the row being
 * built in @q, after the common values.  @tep gives the file's byte order.
 */
void event_table_queue_fields(struct event_table *table, struct tep_handle *tep,
			      const struct tep_record *rec, struct row_queue *q);

/* event_table_column - the column of field @field, NULL when the format has none. */
const struct event_column *event_table_column(const struct event_table *t, const char *field);

/*
 * event_field_int - decode an integer field of @rec as the column would store it.
 * Returns false if the field lies outside the record.
 */
bool event_field_int(struct tep_handle *tep, const struct event_column *col,
		     const struct tep_record *rec, int64_t *value);

/*
 * event_field_text - point *@text at a string field of @rec (not NUL-terminated;
 * *@len bytes).  Returns false if the field cannot be decoded as a string.
 */
bool event_field_text(struct tep_handle *tep, const struct event_column *col,
		      const struct tep_record *rec, const char **text, int *len);

/*
 * event_field_string - event_field_text for a value that may be missing: also
 * false when a __data_loc string holds no bytes at all, not even its NUL,
 * which is what a kprobe's string fetch stores when it cannot read the
 * memory (an empty string holds its NUL).
 */
bool event_field_string(struct tep_handle *tep, const struct event_column *col,
			const struct tep_record *rec, const char **text, int *len);

#endif
