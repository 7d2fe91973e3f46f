// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "event-tables.h"
#include "row-queue.h"

/* Our own columns; a format field with one of these names is stored as field_<name>. */
static const char *const reserved_columns[] = {
	"id", "capture_id", "buffer_id", "ts", "cpu", "pid", NULL
};

const char *column_kind_sql_type(enum column_kind kind)
{
	switch (kind) {
	case COLUMN_INT:
	case COLUMN_INT_SIGNED:
		return "INTEGER";
	case COLUMN_TEXT:
	case COLUMN_TEXT_DYNAMIC:
		return "TEXT";
	default:
		return "BLOB";
	}
}

const char *column_kind_name(enum column_kind kind)
{
	static const char *const names[] = {
		[COLUMN_INT] = "unsigned",
		[COLUMN_INT_SIGNED] = "signed",
		[COLUMN_TEXT] = "string",
		[COLUMN_TEXT_DYNAMIC] = "data_loc string",
		[COLUMN_BLOB] = "raw",
		[COLUMN_BLOB_DYNAMIC] = "data_loc raw",
	};
	return names[kind];
}

static bool is_int_size(int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static enum column_kind field_kind(const struct tep_format_field *field)
{
	unsigned long f = field->flags;

	if (f & TEP_FIELD_IS_DYNAMIC)
		return (f & TEP_FIELD_IS_STRING) ? COLUMN_TEXT_DYNAMIC : COLUMN_BLOB_DYNAMIC;
	if (f & TEP_FIELD_IS_ARRAY)
		return (f & TEP_FIELD_IS_STRING) ? COLUMN_TEXT : COLUMN_BLOB;
	if (is_int_size(field->size))
		return (f & TEP_FIELD_IS_SIGNED) ? COLUMN_INT_SIGNED : COLUMN_INT;
	return COLUMN_BLOB;
}

static bool name_taken(const struct event_table *t, int upto, const char *name)
{
	for (const char *const *r = reserved_columns; *r; r++)
		if (!strcasecmp(*r, name))
			return true;
	for (int i = 0; i < upto; i++)
		if (!strcasecmp(t->columns[i].name, name))
			return true;
	return false;
}

/* A unique column name for @field: its own name unless that clashes. */
static char *column_name(const struct event_table *t, int upto, const char *field)
{
	char *name;

	if (!name_taken(t, upto, field))
		return strdup(field);
	for (int n = 1;; n++) {
		int ret = n == 1 ? asprintf(&name, "field_%s", field)
				 : asprintf(&name, "field%d_%s", n, field);

		if (ret < 0)
			return NULL;
		if (!name_taken(t, upto, name))
			return name;
		free(name);
	}
}

/* prev_comm names prev_pid, comm names pid: remember such pairs to learn task names. */
static int find_comm_pairs(struct event_table *t)
{
	for (int c = 0; c < t->nr_columns; c++) {
		const char *comm = t->columns[c].field->name;
		size_t len = strlen(comm);

		if (t->columns[c].kind != COLUMN_TEXT || len < 4 || strcmp(comm + len - 4, "comm"))
			continue;
		for (int p = 0; p < t->nr_columns; p++) {
			const char *pid = t->columns[p].field->name;

			if (t->columns[p].kind != COLUMN_INT_SIGNED && t->columns[p].kind != COLUMN_INT)
				continue;
			if (strlen(pid) != len - 1 || strncmp(pid, comm, len - 4) ||
			    strcmp(pid + len - 4, "pid"))
				continue;
			struct comm_pair *pairs = realloc(t->comm_pairs,
							  (t->nr_comm_pairs + 1) * sizeof(*pairs));
			if (!pairs)
				return -1;
			pairs[t->nr_comm_pairs++] = (struct comm_pair){ p, c };
			t->comm_pairs = pairs;
		}
	}
	return 0;
}

static int add_column(struct event_table *t, const struct tep_format_field *field, bool common)
{
	struct event_column *col = &t->columns[t->nr_columns];

	col->field = field;
	col->kind = field_kind(field);
	col->common = common;
	col->name = column_name(t, t->nr_columns, field->name);
	if (!col->name)
		return -1;
	t->nr_columns++;
	return 0;
}

struct event_table *event_table_alloc(struct tep_event *event)
{
	struct tep_format *fmt = &event->format;
	struct event_table *t = calloc(1, sizeof(*t));
	struct tep_format_field *f;

	if (!t)
		return NULL;
	t->event = event;
	if (asprintf(&t->name, "%s__%s", event->system, event->name) < 0) {
		t->name = NULL;
		goto fail;
	}
	/* Count the lists: a format libtraceevent parsed only in part has wrong nr_*. */
	int n = 0;

	for (f = fmt->common_fields; f; f = f->next)
		n++;
	for (f = fmt->fields; f; f = f->next)
		n++;
	t->columns = calloc(n + 1, sizeof(*t->columns));
	if (!t->columns)
		goto fail;
	for (f = fmt->common_fields; f; f = f->next) {
		/* common_type is the table itself; common_pid is the pid column. */
		if (!strcmp(f->name, "common_type"))
			continue;
		if (!strcmp(f->name, "common_pid")) {
			t->pid_field = f;
			continue;
		}
		if (add_column(t, f, true) < 0)
			goto fail;
	}
	for (f = fmt->fields; f; f = f->next)
		if (add_column(t, f, false) < 0)
			goto fail;
	if (find_comm_pairs(t) < 0)
		goto fail;
	return t;
fail:
	return event_table_free(t);
}

struct event_table *event_table_free(struct event_table *t)
{
	if (!t)
		return NULL;
	sqlite3_finalize(t->insert);
	for (int i = 0; i < t->nr_columns; i++)
		free(t->columns[i].name);
	free(t->columns);
	free(t->comm_pairs);
	free(t->name);
	free(t);
	return NULL;
}

/* A table an earlier capture created may lack fields this kernel's format has. */
static int add_missing_columns(struct cmn_db *db, struct event_table *t)
{
	sqlite3_stmt *info = cmn_db_prepare(db, "SELECT name FROM pragma_table_info(%Q)", t->name);
	int ret = 0;

	if (!info)
		return -1;
	for (int i = 0; i < t->nr_columns && !ret; i++) {
		bool found = false;

		while (sqlite3_step(info) == SQLITE_ROW)
			if (!strcasecmp((const char *)sqlite3_column_text(info, 0), t->columns[i].name))
				found = true;
		sqlite3_reset(info);
		if (!found)
			ret = cmn_db_exec(db, "ALTER TABLE \"%w\" ADD COLUMN \"%w\" %s", t->name,
					  t->columns[i].name, column_kind_sql_type(t->columns[i].kind));
	}
	sqlite3_finalize(info);
	return ret;
}

int event_table_create(struct cmn_db *db, struct event_table *t)
{
	sqlite3_str *ddl = sqlite3_str_new(db->sql);
	sqlite3_str *ins = sqlite3_str_new(db->sql);
	char *sql;
	int exists, ret = -1;

	exists = cmn_db_has_table(db, t->name, CMN_DB_TABLE);
	if (exists < 0)
		goto out;
	if (exists) {
		if (add_missing_columns(db, t) < 0)
			goto out;
	} else {
		/*
		 * (capture_id, pid) refers to task; buffer_id to buffer.  The
		 * foreign keys document the model; they are not enforced while loading.
		 */
		sqlite3_str_appendf(ddl, "CREATE TABLE \"%w\" (id INTEGER PRIMARY KEY, "
				    "capture_id INTEGER NOT NULL REFERENCES capture(id), "
				    "buffer_id INTEGER NOT NULL REFERENCES buffer(id), "
				    "ts INTEGER NOT NULL, cpu INTEGER NOT NULL, pid INTEGER",
				    t->name);
		for (int i = 0; i < t->nr_columns; i++)
			sqlite3_str_appendf(ddl, ", \"%w\" %s", t->columns[i].name,
					    column_kind_sql_type(t->columns[i].kind));
		sqlite3_str_appendf(ddl, ", FOREIGN KEY (capture_id, pid) "
				    "REFERENCES task(capture_id, pid))");
		sql = sqlite3_str_finish(ddl);
		ddl = NULL;
		if (!sql || cmn_db_exec(db, "%s", sql) < 0) {
			sqlite3_free(sql);
			goto out;
		}
		sqlite3_free(sql);
	}

	sqlite3_str_appendf(ins, "INSERT INTO \"%w\" (" EVENT_COMMON_COLUMNS, t->name);
	for (int i = 0; i < t->nr_columns; i++)
		sqlite3_str_appendf(ins, ", \"%w\"", t->columns[i].name);
	sqlite3_str_appendall(ins, ") VALUES (?, ?, ?, ?, ?, ?");
	for (int i = 0; i < t->nr_columns; i++)
		sqlite3_str_appendall(ins, ", ?");
	sqlite3_str_appendall(ins, ")");
	sql = sqlite3_str_finish(ins);
	ins = NULL;
	if (!sql)
		goto out;
	t->insert = cmn_db_prepare(db, "%s", sql);
	sqlite3_free(sql);
	ret = t->insert ? 0 : -1;
out:
	sqlite3_free(sqlite3_str_finish(ddl));
	sqlite3_free(sqlite3_str_finish(ins));
	return ret;
}

/* Where a __data_loc/__rel_loc field's payload is: false if outside the record. */
static bool dynamic_payload(struct tep_handle *tep, const struct tep_format_field *f,
			    const struct tep_record *rec, int *offset, int *len)
{
	unsigned int loc;

	if (f->offset < 0 || f->offset + 4 > rec->size)
		return false;
	loc = tep_read_number(tep, (const char *)rec->data + f->offset, 4);
	*offset = loc & 0xffff;
	*len = loc >> 16;
	if (f->flags & TEP_FIELD_IS_RELATIVE)
		*offset += f->offset + f->size;
	return *offset + *len <= rec->size;
}

const struct event_column *event_table_column(const struct event_table *t, const char *field)
{
	for (int i = 0; i < t->nr_columns; i++)
		if (!strcmp(t->columns[i].field->name, field))
			return &t->columns[i];
	return NULL;
}

bool event_field_int(struct tep_handle *tep, const struct event_column *col,
		     const struct tep_record *rec, int64_t *value)
{
	const struct tep_format_field *f = col->field;
	uint64_t v;

	if (f->offset < 0 || f->offset + f->size > rec->size)
		return false;
	v = tep_read_number(tep, (const char *)rec->data + f->offset, f->size);
	if (col->kind == COLUMN_INT_SIGNED && f->size < 8) {
		int shift = 64 - 8 * f->size;

		v = (uint64_t)((int64_t)(v << shift) >> shift);
	}
	/* Unsigned 64-bit values above INT64_MAX keep their bits (two's complement). */
	*value = (int64_t)v;
	return true;
}

bool event_field_text(struct tep_handle *tep, const struct event_column *col,
		      const struct tep_record *rec, const char **text, int *len)
{
	const struct tep_format_field *f = col->field;
	int offset = f->offset, size = f->size;

	if (col->kind == COLUMN_TEXT_DYNAMIC) {
		if (!dynamic_payload(tep, f, rec, &offset, &size))
			return false;
	} else if (col->kind != COLUMN_TEXT || offset < 0 || offset + size > rec->size) {
		return false;
	} else if (size == 0) {
		/* A flexible array (ftrace:print's `char buf[]`): the rest of the record. */
		size = rec->size - offset;
	}
	*text = (const char *)rec->data + offset;
	*len = strnlen(*text, size);
	return true;
}

bool event_field_string(struct tep_handle *tep, const struct event_column *col,
			const struct tep_record *rec, const char **text, int *len)
{
	int offset, size;

	if (col->kind == COLUMN_TEXT_DYNAMIC &&
	    (!dynamic_payload(tep, col->field, rec, &offset, &size) || size == 0))
		return false;
	return event_field_text(tep, col, rec, text, len);
}

/* The bytes of a field as they are, clipped to the record: what "stored raw" means. */
static void queue_raw(struct row_queue *q, const struct tep_format_field *f,
		      const struct tep_record *rec)
{
	int offset = f->offset, size = f->size;

	if (offset < 0 || offset >= rec->size) {
		row_queue_blob(q, NULL, 0);
		return;
	}
	/* Beyond the record, or a flexible array (size 0): what the record holds. */
	if (offset + size > rec->size || size == 0)
		size = rec->size - offset;
	row_queue_blob(q, (const char *)rec->data + offset, size);
}

void event_column_queue(struct tep_handle *tep, const struct event_column *col,
			const struct tep_record *rec, struct row_queue *q)
{
	const char *text;
	int64_t value;
	int offset, len;

	switch (col->kind) {
	case COLUMN_INT:
	case COLUMN_INT_SIGNED:
		if (event_field_int(tep, col, rec, &value))
			row_queue_int(q, value);
		else
			queue_raw(q, col->field, rec);
		break;
	case COLUMN_TEXT:
	case COLUMN_TEXT_DYNAMIC:
		if (event_field_text(tep, col, rec, &text, &len))
			row_queue_text(q, text, len);
		else
			queue_raw(q, col->field, rec);
		break;
	case COLUMN_BLOB_DYNAMIC:
		if (dynamic_payload(tep, col->field, rec, &offset, &len))
			row_queue_blob(q, (const char *)rec->data + offset, len);
		else
			queue_raw(q, col->field, rec);
		break;
	case COLUMN_BLOB:
		queue_raw(q, col->field, rec);
		break;
	}
}

void event_table_queue_fields(struct event_table *t, struct tep_handle *tep,
			      const struct tep_record *rec, struct row_queue *q)
{
	for (int i = 0; i < t->nr_columns; i++)
		event_column_queue(tep, &t->columns[i], rec, q);
}
