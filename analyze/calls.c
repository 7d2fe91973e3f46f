// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "fds.h"
#include "history-table.h"
#include "processes.h"
#include "row-queue.h"

#define CALL_MAX_ARGS	6
#define MAX_ERRNO	4095	/* the kernel's IS_ERR_VALUE range */
/*
 * Distinct <call>_extra rows a source remembers: past that, each call gets a
 * row of its own (exact all the same, and analyze's memory stays bounded).
 */
#define EXTRA_MEMO_MAX	4096
#define ROW_MAX_EXTRA	16	/* extra fields of one half a memo key holds */

/* A column a source adds to a call table or its <call>_extra. */
struct added_column {
	char *name;
	const char *type;
	bool extra;			/* in <call>_extra */
};

/* One schema event: one call table. */
struct call_kind {
	char *name;
	int nr_args;
	char *args[CALL_MAX_ARGS];	/* column names: the schema's argument names */
	int64_t next_id;		/* after the rows of earlier captures (--append) */
	int64_t next_extra_id;		/* the same, for <call>_extra */
	uint64_t rows;
	int hist_op;			/* its enum hist_op, -1: the history does not use it */
	int hist_arg[HIST_MAX_ARGS];	/* per argument history reads: its index in args[] */
	int fdt_op;			/* its enum fdt_op, -1: the fd tables do not use it */
	int fdt_arg[FDT_MAX_ARGS];	/* per argument fds reads: its index in args[], -1: none */
	bool memory;			/* schema_event.family 'memory': in memory_call */
	/*
	 * The CREATE TABLE of the call table and of <call>_extra, each without
	 * its closing parenthesis, and the columns the sources add to them
	 * (", \"enter_x\" INTEGER"...): one statement each, made once every
	 * source is known (create_tables()), because each ALTER TABLE ADD COLUMN
	 * has SQLite parse the whole schema again.
	 */
	sqlite3_str *table_ddl, *extra_ddl;
	struct added_column *added;	/* the columns added to either */
	int nr_added;
	struct call_kind *next;
};

/* A <call>_extra row already written: its values (struct call_source's key layout) and id. */
struct extra_memo {
	int64_t *key;			/* NULL: free slot */
	int64_t id;
};

/*
 * A schema source this capture has: the formats of its entries and exits,
 * where each of their fields goes in the call row, and the INSERT for it.
 * Every field of both events is stored: the arguments and the return value
 * under the schema's names, the other fields as enter_<field> / exit_<field>.
 *
 * The fields almost nobody asks for and that take few values (common_flags,
 * common_preempt_count, __syscall_nr, a kprobe's __probe_ip) and the buffers
 * of the two events are not columns of the call row but of a <call>_extra
 * row, written once per distinct combination and named by the call row's
 * extra_id: the call rows stay narrow, and the event views give every field
 * back.  The memo's key is [halves present, enter buffer, exit buffer, the
 * extra fields of the entry, those of the exit].
 */
struct call_source {
	struct call_kind *kind;
	int64_t id;			/* call_source row */
	struct event_table *enter, *exit;	/* NULL when the capture lacks the format */
	int *arg_of;			/* per enter column: the argument it is, or -1 */
	int ret_column;			/* exit column of the return value, -1: none */
	bool *enter_extra, *exit_extra;	/* per column: stored in <call>_extra */
	int nr_enter_extra, nr_exit_extra;
	char *insert_sql, *insert_extra_sql;	/* until create_tables() has made the tables */
	sqlite3_stmt *insert;
	sqlite3_stmt *insert_extra;
	size_t memo_size, memo_used;	/* open addressing, never more than half full */
	struct extra_memo *memo;
	struct call_source *next;
};

/* What an event table is to the call tables: the entry or exit of one source. */
struct call_role {
	struct call_source *src;
	bool is_exit;
	struct call_role *next;
};

/*
 * An entry waiting for its exit, one per thread and buffer (a capture with
 * two buffers holds the same call twice).  The record is kept whole: all its
 * fields go into the call row when the exit comes.
 */
struct pending {
	uint64_t key;			/* buffer id << 32 | tid; 0: free slot */
	int tid;
	struct call_source *src;
	uint64_t ts;
	int cpu;
	int64_t buffer_id;
	int64_t row_id;
	int64_t call_id;		/* its row in the call table, given at the entry */
	int size;
	uint8_t *data;			/* owned */
};

struct calls {
	struct cmn_db *db;
	struct tep_handle *tep;
	struct task_map *tasks;
	int64_t capture_id;
	struct call_kind *kinds;
	struct call_source *sources;
	struct call_role *roles;
	/* Open addressing with backward-shift deletion: slots hold only calls in flight. */
	size_t size, used;
	struct pending *slots;
	uint64_t total;
	struct hist_table *history;	/* NULL: no history */
	struct proc_stats *processes;	/* the `process` table, counted as calls pass */
};

/* "<call>_extra" in @buf (event names are short: the schema's). */
static const char *extra_table(const char *kind, char buf[256])
{
	snprintf(buf, 256, "%s_extra", kind);
	return buf;
}

static struct call_kind *find_kind(struct calls *c, const char *name)
{
	for (struct call_kind *k = c->kinds; k; k = k->next)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

static int column_index(const struct event_table *t, const char *field)
{
	const struct event_column *col = event_table_column(t, field);

	return col ? (int)(col - t->columns) : -1;
}

/*
 * Which of @k's arguments the history reads, by the schema's names: a schema
 * whose event lacks one of them (a user's --schema file) gets no history.
 */
static void link_history(struct call_kind *k)
{
	const char *const *names;

	k->hist_op = hist_op_by_name(k->name);
	if (k->hist_op < 0)
		return;
	names = hist_op_args(k->hist_op);
	for (int i = 0; names[i]; i++) {
		k->hist_arg[i] = -1;
		for (int a = 0; a < k->nr_args; a++)
			if (k->args[a] && !strcmp(k->args[a], names[i]))
				k->hist_arg[i] = a;
		if (k->hist_arg[i] < 0) {
			k->hist_op = -1;
			return;
		}
	}
}

/*
 * Which of @k's arguments the descriptor tables read, by the schema's names;
 * one the schema lacks stays unknown (fds.c then does what it can without).
 */
static void link_fds(struct call_kind *k)
{
	const char *const *names;

	k->fdt_op = fdt_op_by_name(k->name);
	if (k->fdt_op < 0)
		return;
	names = fdt_op_args(k->fdt_op);
	for (int i = 0; i < FDT_MAX_ARGS; i++) {
		k->fdt_arg[i] = -1;
		for (int a = 0; names[i] && a < k->nr_args; a++)
			if (k->args[a] && !strcmp(k->args[a], names[i]))
				k->fdt_arg[i] = a;
		if (!names[i])
			break;
	}
}

/* Call tables for every schema event, whether or not this capture has calls of it. */
static int create_kinds(struct calls *c)
{
	sqlite3_stmt *ev = cmn_db_prepare(c->db, "SELECT name, family = 'memory' FROM schema_event"
					  " ORDER BY name");
	/* An argument a kprobe fetches as a string (a path) holds TEXT or, from tracepoints, INTEGER. */
	sqlite3_stmt *arg = cmn_db_prepare(c->db, "SELECT name, EXISTS (SELECT 1 FROM schema_arg_source s"
					   " WHERE s.event = a.event AND s.position = a.position"
					   " AND s.fetch LIKE '%%string') FROM schema_arg a WHERE event = ?"
					   " ORDER BY position");
	int ret = -1;

	if (!ev || !arg)
		goto out;
	while (sqlite3_step(ev) == SQLITE_ROW) {
		struct call_kind *k = calloc(1, sizeof(*k));
		sqlite3_str *ddl;
		bool string[CALL_MAX_ARGS] = { false };
		char buf[256];

		if (!k)
			goto out;
		k->next = c->kinds;
		c->kinds = k;
		k->name = strdup((const char *)sqlite3_column_text(ev, 0));
		if (!k->name)
			goto out;
		k->memory = sqlite3_column_int(ev, 1);
		sqlite3_bind_text(arg, 1, k->name, -1, SQLITE_STATIC);
		while (sqlite3_step(arg) == SQLITE_ROW && k->nr_args < CALL_MAX_ARGS) {
			string[k->nr_args] = sqlite3_column_int(arg, 1);
			k->args[k->nr_args++] = strdup((const char *)sqlite3_column_text(arg, 0));
		}
		sqlite3_reset(arg);
		link_history(k);
		link_fds(k);

		/*
		 * duration_ns and errno are derived from the stored columns, and the
		 * backend, ABI and event tables of a call are its call_source row.
		 * The fields of the events that are not arguments are added per
		 * source (enter_<field>, exit_<field>) by attach_sources(), to this
		 * table or to <call>_extra (struct call_source).
		 */
		ddl = k->table_ddl = sqlite3_str_new(c->db->sql);
		k->extra_ddl = sqlite3_str_new(c->db->sql);
		sqlite3_str_appendf(ddl, "CREATE TABLE IF NOT EXISTS \"%w\" (id INTEGER PRIMARY KEY,"
				    " capture_id INTEGER NOT NULL REFERENCES capture(id),"
				    " ts INTEGER NOT NULL, ts_exit INTEGER,"
				    " duration_ns INTEGER GENERATED ALWAYS AS (CASE WHEN enter_id IS NOT NULL"
				    " THEN ts_exit - ts END) VIRTUAL,"
				    " pid INTEGER, tid INTEGER NOT NULL, comm TEXT, cpu INTEGER,"
				    " exit_cpu INTEGER, source_id INTEGER NOT NULL REFERENCES call_source(id)",
				    k->name);
		for (int i = 0; i < k->nr_args; i++)
			sqlite3_str_appendf(ddl, ", \"%w\"%s", k->args[i] ? k->args[i] : "?",
					    string[i] ? "" : " INTEGER");	/* no type: kept as given */
		sqlite3_str_appendf(ddl, ", ret INTEGER, errno INTEGER GENERATED ALWAYS AS (CASE WHEN"
				    " ret < 0 AND ret >= -%d THEN -ret END) VIRTUAL,"
				    " enter_id INTEGER, exit_id INTEGER,"
				    " extra_id INTEGER REFERENCES \"%w_extra\"(id)", MAX_ERRNO, k->name);
		sqlite3_str_appendf(k->extra_ddl, "CREATE TABLE IF NOT EXISTS \"%w\" (id INTEGER"
				    " PRIMARY KEY, capture_id INTEGER NOT NULL REFERENCES capture(id),"
				    " source_id INTEGER NOT NULL REFERENCES call_source(id),"
				    " enter_buffer_id INTEGER, exit_buffer_id INTEGER",
				    extra_table(k->name, buf));
		if (sqlite3_str_errcode(ddl) || sqlite3_str_errcode(k->extra_ddl))
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(ev);
	sqlite3_finalize(arg);
	return ret;
}

static struct event_table *table_by_name(struct tep_handle *tep, struct event_table **slots,
					 int nr_slots, const char *system, const char *name)
{
	struct tep_event *ev = tep_find_event_by_name(tep, system, name);

	return ev && ev->id >= 0 && ev->id < nr_slots ? slots[ev->id] : NULL;
}

static int add_role(struct calls *c, struct call_source *src, struct event_table *t, bool is_exit)
{
	struct call_role *r = calloc(1, sizeof(*r));

	if (!r)
		return cmn_db_fail(c->db, "out of memory");
	r->next = c->roles;
	c->roles = r;
	r->src = src;
	r->is_exit = is_exit;
	t->call = r;
	return 0;
}

/* The column of the call table a field of the entry (or exit) is stored in. */
static const char *enter_column(const struct call_source *s, int i, char *buf, size_t len)
{
	if (s->arg_of[i] >= 0)
		return s->kind->args[s->arg_of[i]];
	snprintf(buf, len, "enter_%s", s->enter->columns[i].name);
	return buf;
}

static const char *exit_column(const struct call_source *s, int i, char *buf, size_t len)
{
	if (i == s->ret_column)
		return "ret";
	snprintf(buf, len, "exit_%s", s->exit->columns[i].name);
	return buf;
}

/* Add @column to the call table unless an earlier source or capture did. */
static int ensure_column(struct calls *c, const char *table, const char *column,
			 const char *type)
{
	sqlite3_stmt *st = cmn_db_prepare(c->db, "SELECT 1 FROM pragma_table_info(%Q) WHERE name = %Q",
					  table, column);
	int exists;

	if (!st)
		return -1;
	exists = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (exists)
		return 0;
	return cmn_db_exec(c->db, "ALTER TABLE \"%w\" ADD COLUMN \"%w\" %s", table, column, type);
}

/*
 * Whether column @i of @t (a field that is not an argument or the return
 * value) goes to <call>_extra: an integer that few calls ask for and that
 * takes few values over a capture.
 */
static bool is_extra(const struct event_table *t, int i)
{
	const struct event_column *col = &t->columns[i];
	const char *name = col->field->name;

	if (col->kind != COLUMN_INT && col->kind != COLUMN_INT_SIGNED)
		return false;
	return col->common || !strcmp(name, "__syscall_nr") || !strcmp(name, "__probe_ip");
}

/* Column @name of type @type in @k's call table (or <call>_extra), unless a source added it. */
static int add_column(struct calls *c, struct call_kind *k, bool extra, const char *name,
		      const char *type)
{
	struct added_column *v;

	for (int i = 0; i < k->nr_added; i++)
		if (k->added[i].extra == extra && !strcmp(k->added[i].name, name))
			return 0;
	v = realloc(k->added, (k->nr_added + 1) * sizeof(*v));
	if (!v)
		return cmn_db_fail(c->db, "out of memory");
	k->added = v;
	v[k->nr_added] = (struct added_column){ .name = strdup(name), .type = type, .extra = extra };
	if (!v[k->nr_added].name)
		return cmn_db_fail(c->db, "out of memory");
	k->nr_added++;
	sqlite3_str_appendf(extra ? k->extra_ddl : k->table_ddl, ", \"%w\" %s", name, type);
	return 0;
}

/* Add the columns of @t's fields that @in_extra says go to the table, and name them in @cols. */
static int add_columns(struct calls *c, const struct call_source *s, const struct event_table *t,
		       bool is_exit, const bool *in_extra, bool extra, sqlite3_str *cols,
		       int *nr_params)
{
	char buf[256];

	for (int i = 0; t && i < t->nr_columns; i++) {
		if (is_exit ? i == s->ret_column : s->arg_of[i] >= 0)
			continue;
		if (in_extra[i] != extra)
			continue;
		if (is_exit)
			exit_column(s, i, buf, sizeof(buf));
		else
			enter_column(s, i, buf, sizeof(buf));
		if (add_column(c, s->kind, extra, buf, column_kind_sql_type(t->columns[i].kind)) < 0)
			return -1;
		sqlite3_str_appendf(cols, ", \"%w\"", buf);
		(*nr_params)++;
	}
	return 0;
}

/* "INSERT ... (named columns) VALUES (?, ...)" from @cols; NULL on ENOMEM. */
static char *finish_insert(sqlite3_str *cols, int nr_params)
{
	sqlite3_str_appendall(cols, ") VALUES (?");
	for (int i = 1; i < nr_params; i++)
		sqlite3_str_appendall(cols, ", ?");
	sqlite3_str_appendall(cols, ")");
	return sqlite3_str_finish(cols);
}

/*
 * The other columns of @s in the call table and in <call>_extra, and the
 * INSERTs that fill their rows (prepared once the tables are made).
 */
static int prepare_source(struct calls *c, struct call_source *s)
{
	struct call_kind *k = s->kind;
	sqlite3_str *cols = sqlite3_str_new(c->db->sql);
	int nr_params = 14 + k->nr_args;	/* the columns named before the other fields */
	char extra[256];

	extra_table(k->name, extra);
	sqlite3_str_appendf(cols, "INSERT INTO \"%w\" (id, capture_id, ts, ts_exit, pid, tid, comm,"
			    " cpu, exit_cpu, source_id", k->name);
	for (int i = 0; i < k->nr_args; i++)
		sqlite3_str_appendf(cols, ", \"%w\"", k->args[i]);
	sqlite3_str_appendall(cols, ", ret, enter_id, exit_id, extra_id");
	if (add_columns(c, s, s->enter, false, s->enter_extra, false, cols, &nr_params) < 0 ||
	    add_columns(c, s, s->exit, true, s->exit_extra, false, cols, &nr_params) < 0) {
		sqlite3_free(sqlite3_str_finish(cols));
		return -1;
	}
	s->insert_sql = finish_insert(cols, nr_params);
	if (!s->insert_sql)
		return cmn_db_fail(c->db, "out of memory");

	cols = sqlite3_str_new(c->db->sql);
	nr_params = 5;
	sqlite3_str_appendf(cols, "INSERT INTO \"%w\" (id, capture_id, source_id, enter_buffer_id,"
			    " exit_buffer_id", extra);
	if (add_columns(c, s, s->enter, false, s->enter_extra, true, cols, &nr_params) < 0 ||
	    add_columns(c, s, s->exit, true, s->exit_extra, true, cols, &nr_params) < 0) {
		sqlite3_free(sqlite3_str_finish(cols));
		return -1;
	}
	s->insert_extra_sql = finish_insert(cols, nr_params);
	return s->insert_extra_sql ? 0 : cmn_db_fail(c->db, "out of memory");
}

/*
 * Each call table and its <call>_extra, in one statement each with every
 * column the sources add; a table an earlier capture made (--append) gets
 * those it lacks.  Then the sources' INSERTs.
 */
static int create_tables(struct calls *c)
{
	char buf[256];

	for (struct call_kind *k = c->kinds; k; k = k->next) {
		const char *table[2] = { k->name, extra_table(k->name, buf) };

		for (int t = 0; t < 2; t++) {
			sqlite3_str **ddl = t ? &k->extra_ddl : &k->table_ddl;
			int existed = cmn_db_has_table(c->db, table[t], CMN_DB_TABLE);
			char *sql;
			int ret;

			sqlite3_str_appendchar(*ddl, 1, ')');
			sql = sqlite3_str_finish(*ddl);
			*ddl = NULL;
			if (!sql)
				return cmn_db_fail(c->db, "out of memory");
			ret = existed < 0 ? -1 : cmn_db_exec(c->db, "%s", sql);
			sqlite3_free(sql);
			if (ret < 0)
				return -1;
			/* the rare --append onto a table without every column of this capture */
			for (int i = 0; existed && i < k->nr_added; i++)
				if (k->added[i].extra == (t == 1) &&
				    ensure_column(c, table[t], k->added[i].name, k->added[i].type) < 0)
					return -1;
		}
		k->next_id = cmn_db_max_id(c->db, k->name) + 1;
		k->next_extra_id = cmn_db_max_id(c->db, table[1]) + 1;
		if (k->next_id < 1 || k->next_extra_id < 1)
			return -1;
	}
	for (struct call_source *s = c->sources; s; s = s->next) {
		s->insert = cmn_db_prepare(c->db, "%s", s->insert_sql);
		s->insert_extra = s->insert ? cmn_db_prepare(c->db, "%s", s->insert_extra_sql) : NULL;
		if (!s->insert_extra)
			return -1;
	}
	return 0;
}

/* Which fields of @t go to <call>_extra: an array per column, its count in *@nr. */
static bool *mark_extra(const struct call_source *s, const struct event_table *t, bool is_exit,
			int *nr)
{
	bool *in_extra = calloc(t && t->nr_columns ? t->nr_columns : 1, sizeof(*in_extra));

	*nr = 0;
	for (int i = 0; in_extra && t && i < t->nr_columns; i++) {
		if (is_exit ? i == s->ret_column : s->arg_of[i] >= 0)
			continue;
		in_extra[i] = is_extra(t, i);
		*nr += in_extra[i];
	}
	return in_extra;
}

/* Attach roles to the event tables of every source this capture has. */
static int attach_sources(struct calls *c, struct event_table **slots, int nr_slots)
{
	sqlite3_stmt *src = cmn_db_prepare(c->db, "SELECT event, backend, arch, abi, enter_system,"
					   " enter_event, exit_system, exit_event, ret_field FROM schema_source");
	sqlite3_stmt *arg = cmn_db_prepare(c->db, "SELECT a.position, s.field FROM schema_arg_source s"
					   " JOIN schema_arg a USING (event, position) WHERE s.event = ?"
					   " AND s.backend = ? AND s.arch = ? AND s.abi = ?");
	int ret = -1;

	if (!src || !arg)
		goto out;
	while (sqlite3_step(src) == SQLITE_ROW) {
		const char *col[9];
		struct event_table *enter, *exit;
		struct call_source *s;
		struct call_kind *kind;

		for (int i = 0; i < 9; i++)
			col[i] = (const char *)sqlite3_column_text(src, i);
		kind = find_kind(c, col[0]);
		enter = table_by_name(c->tep, slots, nr_slots, col[4], col[5]);
		exit = table_by_name(c->tep, slots, nr_slots, col[6], col[7]);
		/* One format can serve one source only; the first listed wins. */
		if (enter && enter->call)
			enter = NULL;
		if (exit && exit->call)
			exit = NULL;
		if (!kind || (!enter && !exit))
			continue;
		s = calloc(1, sizeof(*s));
		if (!s) {
			cmn_db_fail(c->db, "out of memory");
			goto out;
		}
		s->next = c->sources;
		c->sources = s;
		s->kind = kind;
		s->enter = enter;
		s->exit = exit;
		s->ret_column = exit ? column_index(exit, col[8]) : -1;
		if (enter) {
			s->arg_of = malloc(enter->nr_columns * sizeof(*s->arg_of) + 1);
			if (!s->arg_of) {
				cmn_db_fail(c->db, "out of memory");
				goto out;
			}
			for (int i = 0; i < enter->nr_columns; i++)
				s->arg_of[i] = -1;
			for (int i = 1; i <= 3; i++)
				sqlite3_bind_text(arg, i + 1, col[i], -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(arg, 1, col[0], -1, SQLITE_TRANSIENT);
			while (sqlite3_step(arg) == SQLITE_ROW) {
				int pos = sqlite3_column_int(arg, 0);
				int i = column_index(enter, (const char *)sqlite3_column_text(arg, 1));

				if (pos >= 0 && pos < kind->nr_args && i >= 0)
					s->arg_of[i] = pos;
			}
			sqlite3_reset(arg);
		}
		if (cmn_db_exec(c->db, "INSERT INTO call_source (capture_id, event, backend, arch, abi,"
				" enter_table, exit_table) VALUES (%lld, %Q, %Q, %Q, %Q, %Q, %Q)",
				(long long)c->capture_id, col[0], col[1], col[2], col[3],
				enter ? enter->name : NULL, exit ? exit->name : NULL) < 0)
			goto out;
		s->id = sqlite3_last_insert_rowid(c->db->sql);
		s->enter_extra = mark_extra(s, enter, false, &s->nr_enter_extra);
		s->exit_extra = mark_extra(s, exit, true, &s->nr_exit_extra);
		if (!s->enter_extra || !s->exit_extra) {
			cmn_db_fail(c->db, "out of memory");
			goto out;
		}
		if (prepare_source(c, s) < 0 ||
		    (enter && add_role(c, s, enter, false) < 0) ||
		    (exit && add_role(c, s, exit, true) < 0))
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(src);
	sqlite3_finalize(arg);
	return ret;
}

struct calls *calls_alloc(struct cmn_db *db, struct tep_handle *tep, int64_t capture_id,
			  struct event_table **slots, int nr_slots, struct task_map *tasks)
{
	struct calls *c = calloc(1, sizeof(*c));

	if (!c) {
		cmn_db_fail(db, "out of memory");
		return NULL;
	}
	c->db = db;
	c->tep = tep;
	c->tasks = tasks;
	c->capture_id = capture_id;
	c->size = 256;
	c->slots = calloc(c->size, sizeof(*c->slots));
	c->processes = proc_stats_alloc();
	if (!c->slots || !c->processes || create_kinds(c) < 0 ||
	    attach_sources(c, slots, nr_slots) < 0 || create_tables(c) < 0) {
		cmn_db_fail(db, "out of memory");
		return calls_free(c);
	}
	return c;
}

struct calls *calls_free(struct calls *c)
{
	if (!c)
		return NULL;
	proc_stats_free(c->processes);
	while (c->kinds) {
		struct call_kind *k = c->kinds;

		c->kinds = k->next;
		for (int i = 0; i < k->nr_args; i++)
			free(k->args[i]);
		for (int i = 0; i < k->nr_added; i++)
			free(k->added[i].name);
		free(k->added);
		sqlite3_free(sqlite3_str_finish(k->table_ddl));
		sqlite3_free(sqlite3_str_finish(k->extra_ddl));
		free(k->name);
		free(k);
	}
	while (c->sources) {
		struct call_source *s = c->sources;

		c->sources = s->next;
		sqlite3_finalize(s->insert);
		sqlite3_finalize(s->insert_extra);
		sqlite3_free(s->insert_sql);
		sqlite3_free(s->insert_extra_sql);
		for (size_t i = 0; i < s->memo_size; i++)
			free(s->memo[i].key);
		free(s->memo);
		free(s->enter_extra);
		free(s->exit_extra);
		free(s->arg_of);
		free(s);
	}
	while (c->roles) {
		struct call_role *r = c->roles;

		c->roles = r->next;
		free(r);
	}
	for (size_t i = 0; c->slots && i < c->size; i++)
		free(c->slots[i].data);
	free(c->slots);
	free(c);
	return NULL;
}

static uint64_t pending_key(int64_t buffer_id, int tid)
{
	/* Buffer ids start at 1: a key is never 0, the free slot. */
	return ((uint64_t)buffer_id << 32) | (uint32_t)tid;
}

static size_t slot_of(size_t size, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (size - 1);
}

static struct pending *find_pending(struct calls *c, uint64_t key)
{
	for (size_t s = slot_of(c->size, key); c->slots[s].key; s = (s + 1) & (c->size - 1))
		if (c->slots[s].key == key)
			return &c->slots[s];
	return NULL;
}

/* Remove @p, shifting back the entries after it so lookups never need tombstones. */
static void drop_pending(struct calls *c, struct pending *p)
{
	size_t hole = p - c->slots, s = hole;

	free(p->data);
	for (;;) {
		s = (s + 1) & (c->size - 1);
		if (!c->slots[s].key)
			break;
		size_t home = slot_of(c->size, c->slots[s].key);

		/* Move the entry into the hole unless its home lies cyclically in (hole, s]. */
		if ((s > hole && (home <= hole || home > s)) || (s < hole && home <= hole && home > s)) {
			c->slots[hole] = c->slots[s];
			hole = s;
		}
	}
	c->slots[hole] = (struct pending){ 0 };
	c->used--;
}

static struct pending *add_pending(struct calls *c, uint64_t key, int tid)
{
	size_t s;

	if ((c->used + 1) * 2 > c->size) {
		struct pending *old = c->slots;
		size_t old_size = c->size;

		c->slots = calloc(old_size * 2, sizeof(*c->slots));
		if (!c->slots) {
			c->slots = old;
			return NULL;
		}
		c->size = old_size * 2;
		for (size_t i = 0; i < old_size; i++) {
			if (!old[i].key)
				continue;
			for (s = slot_of(c->size, old[i].key); c->slots[s].key; s = (s + 1) & (c->size - 1))
				;
			c->slots[s] = old[i];
		}
		free(old);
	}
	for (s = slot_of(c->size, key); c->slots[s].key; s = (s + 1) & (c->size - 1))
		;
	c->used++;
	c->slots[s] = (struct pending){ .key = key, .tid = tid };
	return &c->slots[s];
}

/*
 * A call with both halves, to the history: in the order of the exits, which
 * is when calls take effect.  Its row id is the one emit() just used.
 */
static int feed_history(struct calls *c, const struct call_source *s, const int64_t *args,
			uint8_t have, const struct pending *enter, const struct tep_record *exit_rec,
			int64_t ret, int pid, int64_t buffer_id)
{
	const struct call_kind *k = s->kind;
	struct hist_call call = { .op = k->hist_op, .id = enter->call_id, .ts = exit_rec->ts,
				  .entered = enter->ts, .pid = pid, .ret = ret };
	const char *const *names = hist_op_args(k->hist_op);

	for (int i = 0; names[i]; i++) {
		call.args[i] = args[k->hist_arg[i]];
		if (have & (1u << k->hist_arg[i]))
			call.have |= 1u << i;
	}
	return hist_table_call(c->history, &call, buffer_id);
}

/*
 * A descriptor call with both halves, to the fd tables (beside the history,
 * which follows the same buffer).  A path argument the capture holds as a
 * string (a kprobe's ustring fetch) is the file's name; a pointer is not.
 */
static int feed_fds(struct calls *c, const struct call_source *s, const int64_t *args,
		    uint8_t have, const struct pending *enter, const struct tep_record *exit_rec,
		    int64_t ret, int pid, int tid, int64_t buffer_id)
{
	const struct call_kind *k = s->kind;
	struct fdt_call call = { .op = k->fdt_op, .id = enter->call_id, .ts = exit_rec->ts,
				 .pid = pid, .tid = tid, .ret = ret };
	int path_at = fdt_op_path_arg(k->fdt_op);
	char *path = NULL;
	int err;

	for (int i = 0; i < FDT_MAX_ARGS; i++) {
		int a = k->fdt_arg[i];

		if (a < 0)
			continue;
		call.args[i] = args[a];
		if (have & (1u << a))
			call.have |= 1u << i;
	}
	if (path_at >= 0 && k->fdt_arg[path_at] >= 0) {
		struct tep_record rec = { .data = enter->data, .size = enter->size };

		for (int i = 0; i < s->enter->nr_columns; i++) {
			const struct event_column *col = &s->enter->columns[i];
			const char *text;
			int len;

			if (s->arg_of[i] != k->fdt_arg[path_at] ||
			    (col->kind != COLUMN_TEXT && col->kind != COLUMN_TEXT_DYNAMIC) ||
			    !event_field_string(c->tep, col, &rec, &text, &len))
				continue;
			path = strndup(text, len);
			if (!path)
				return cmn_db_fail(c->db, "out of memory");
		}
	}
	call.path = path;
	err = hist_table_fd_call(c->history, &call, buffer_id);
	free(path);
	return err;
}

/*
 * A call row, to the per-process counters: what it mapped or made executable
 * is read through the history's argument map (len, prot), so only the calls
 * the history knows count bytes.
 */
static int count_call(struct calls *c, const struct call_kind *k, const int64_t *args,
		      uint8_t have, bool has_ret, int64_t ret, int pid, uint64_t ts)
{
	bool failed = has_ret && ret < 0 && ret >= -MAX_ERRNO, ok = has_ret && !failed;
	int64_t mapped = 0, executable = 0;

	if (ok && k->hist_op >= 0 && k->hist_op != HIST_BRK && (have & (1u << k->hist_arg[1]))) {
		int64_t len = args[k->hist_arg[1]];
		bool maps = k->hist_op == HIST_MMAP || k->hist_op == HIST_MMAP2;
		bool protects = maps || k->hist_op == HIST_MPROTECT ||
				k->hist_op == HIST_PKEY_MPROTECT;

		if (maps)
			mapped = len;
		if (protects && (have & (1u << k->hist_arg[2])) && (args[k->hist_arg[2]] & 4))
			executable = len;
	}
	if (proc_stats_call(c->processes, pid, k->name, ts, failed, mapped, executable) < 0)
		return cmn_db_fail(c->db, "out of memory");
	return 0;
}

static size_t memo_slot(const struct call_source *s, const int64_t *key, int len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (int i = 0; i < len; i++)
		h = (h ^ (uint64_t)key[i]) * 0x100000001b3ull;
	return (size_t)(h ^ (h >> 29)) & (s->memo_size - 1);
}

/* The memo's slot of @key: its entry, or the free slot where it would go. */
static struct extra_memo *memo_find(const struct call_source *s, const int64_t *key, int len)
{
	size_t i = memo_slot(s, key, len);

	while (s->memo[i].key && memcmp(s->memo[i].key, key, len * sizeof(*key)))
		i = (i + 1) & (s->memo_size - 1);
	return &s->memo[i];
}

/* Remember that <call>_extra row @id holds @key; false when out of memory. */
static bool memo_add(struct call_source *s, const int64_t *key, int len, int64_t id)
{
	struct extra_memo *m;

	if (!s->memo) {
		s->memo_size = 64;
		s->memo = calloc(s->memo_size, sizeof(*s->memo));
		if (!s->memo)
			return false;
	} else if ((s->memo_used + 1) * 2 > s->memo_size) {
		struct extra_memo *old = s->memo;
		size_t old_size = s->memo_size;

		s->memo = calloc(old_size * 2, sizeof(*s->memo));
		if (!s->memo) {
			s->memo = old;
			return false;
		}
		s->memo_size = old_size * 2;
		for (size_t i = 0; i < old_size; i++)
			if (old[i].key)
				*memo_find(s, old[i].key, len) = old[i];
		free(old);
	}
	m = memo_find(s, key, len);
	m->key = malloc(len * sizeof(*key));
	if (!m->key)
		return false;
	memcpy(m->key, key, len * sizeof(*key));
	m->id = id;
	s->memo_used++;
	return true;
}

/* Decode the fields of @rec that go to <call>_extra into @v; false if one cannot be. */
static bool extra_values(struct calls *c, const struct event_table *t, const bool *in_extra,
			 const struct tep_record *rec, int64_t *v)
{
	bool ok = true;

	for (int i = 0, n = 0; i < t->nr_columns; i++)
		if (in_extra[i] && !event_field_int(c->tep, &t->columns[i], rec, &v[n++]))
			ok = false;
	return ok;
}

static void queue_extra_fields(struct calls *c, struct row_queue *q, const struct event_table *t,
			       const bool *in_extra, const struct tep_record *rec)
{
	for (int i = 0; t && i < t->nr_columns; i++) {
		if (!in_extra[i])
			continue;
		if (rec)
			event_column_queue(c->tep, &t->columns[i], rec, q);
		else
			row_queue_null(q);
	}
}

/*
 * The <call>_extra row of a call of @s (@enter_rec and @exit_rec: its halves,
 * NULL when missing), into *@id: one already written with the same values,
 * or a new one queued now.  Returns 0 or -1.
 */
static int extra_row(struct calls *c, struct row_queue *q, struct call_source *s,
		     const struct tep_record *enter_rec, int64_t enter_buffer_id,
		     const struct tep_record *exit_rec, int64_t exit_buffer_id, int64_t *id)
{
	int len = 3 + s->nr_enter_extra + s->nr_exit_extra;
	int64_t key[3 + 2 * ROW_MAX_EXTRA] = { 0 };
	bool memoize = len <= (int)(sizeof(key) / sizeof(key[0]));
	struct extra_memo *m = NULL;

	if (memoize) {
		key[0] = (enter_rec ? 1 : 0) | (exit_rec ? 2 : 0);
		key[1] = enter_rec ? enter_buffer_id : 0;
		key[2] = exit_rec ? exit_buffer_id : 0;
		if (enter_rec && !extra_values(c, s->enter, s->enter_extra, enter_rec, key + 3))
			memoize = false;
		if (exit_rec && !extra_values(c, s->exit, s->exit_extra, exit_rec,
					      key + 3 + s->nr_enter_extra))
			memoize = false;
	}
	if (memoize && s->memo) {
		m = memo_find(s, key, len);
		if (m->key) {
			*id = m->id;
			return 0;
		}
	}
	*id = s->kind->next_extra_id++;
	if (memoize && s->memo_used < EXTRA_MEMO_MAX && !memo_add(s, key, len, *id))
		return cmn_db_fail(c->db, "out of memory");

	row_queue_begin(q, &s->insert_extra);
	row_queue_int(q, *id);
	row_queue_int(q, c->capture_id);
	row_queue_int(q, s->id);
	row_queue_int_or_null(q, enter_buffer_id, enter_rec);
	row_queue_int_or_null(q, exit_buffer_id, exit_rec);
	queue_extra_fields(c, q, s->enter, s->enter_extra, enter_rec);
	queue_extra_fields(c, q, s->exit, s->exit_extra, exit_rec);
	return row_queue_end(q);
}

/*
 * Queue one call row of source @s: the entry @enter (NULL: the capture began
 * mid-call) and/or the exit @exit_rec (NULL: the capture ended, or the exit
 * was lost).  The order of the values is prepare_source()'s.
 */
static int emit(struct calls *c, struct row_queue *q, struct call_source *s,
		const struct pending *enter, int tid, const struct tep_record *exit_rec,
		int64_t exit_id, int64_t exit_buffer_id)
{
	struct call_kind *k = s->kind;
	struct tep_record enter_rec = { 0 };
	const char *comm = task_map_comm(c->tasks, tid);
	int tgid = task_map_tgid(c->tasks, tid);
	int process = tgid > 0 ? tgid : tid;	/* what the history and the counts go by */
	uint64_t ts = enter ? enter->ts : exit_rec->ts;
	int64_t args[CALL_MAX_ARGS] = { 0 };
	const struct event_column *text_col[CALL_MAX_ARGS] = { NULL };	/* arguments held as strings */
	uint8_t have = 0;
	const struct event_column *ret_col;
	int64_t ret = 0, extra_id;
	bool has_ret;

	/* No event named the thread: the saved cmdlines may ("<...>" when not). */
	if (!comm && tep_is_pid_registered(c->tep, tid))
		comm = tep_data_comm_from_pid(c->tep, tid);
	if (enter) {
		enter_rec.data = enter->data;
		enter_rec.size = enter->size;
		for (int i = 0; i < s->enter->nr_columns; i++)
			if (s->arg_of[i] >= 0 && (s->enter->columns[i].kind == COLUMN_TEXT ||
						  s->enter->columns[i].kind == COLUMN_TEXT_DYNAMIC))
				text_col[s->arg_of[i]] = &s->enter->columns[i];
			else if (s->arg_of[i] >= 0 &&
			    event_field_int(c->tep, &s->enter->columns[i], &enter_rec, &args[s->arg_of[i]]))
				have |= 1u << s->arg_of[i];
	}
	if (extra_row(c, q, s, enter ? &enter_rec : NULL, enter ? enter->buffer_id : 0, exit_rec,
		      exit_buffer_id, &extra_id) < 0)
		return -1;

	row_queue_begin(q, &s->insert);
	/* an entry has its id already; a call whose entry was lost gets the next */
	row_queue_int(q, enter ? enter->call_id : k->next_id++);
	row_queue_int(q, c->capture_id);
	row_queue_int(q, (int64_t)ts);
	row_queue_int_or_null(q, exit_rec ? (int64_t)exit_rec->ts : 0, exit_rec);
	row_queue_int_or_null(q, tgid, tgid > 0);
	row_queue_int(q, tid);
	row_queue_text_or_null(q, comm, -1);
	row_queue_int(q, enter ? enter->cpu : exit_rec->cpu);
	row_queue_int_or_null(q, exit_rec ? exit_rec->cpu : 0, exit_rec);
	row_queue_int(q, s->id);
	for (int i = 0; i < k->nr_args; i++) {
		const char *text;
		int len;

		if (have & (1u << i))
			row_queue_int(q, args[i]);
		else if (text_col[i] && event_field_string(c->tep, text_col[i], &enter_rec, &text, &len))
			row_queue_text(q, text, len);
		else
			row_queue_null(q);
	}
	/* The return value is decoded once: stored here, then counted and replayed below. */
	ret_col = exit_rec && s->ret_column >= 0 ? &s->exit->columns[s->ret_column] : NULL;
	has_ret = ret_col && (ret_col->kind == COLUMN_INT || ret_col->kind == COLUMN_INT_SIGNED) &&
		  event_field_int(c->tep, ret_col, exit_rec, &ret);
	if (has_ret)
		row_queue_int(q, ret);
	else if (ret_col)
		event_column_queue(c->tep, ret_col, exit_rec, q);	/* kept as the column keeps it */
	else
		row_queue_null(q);
	row_queue_int_or_null(q, enter ? enter->row_id : 0, enter);
	row_queue_int_or_null(q, exit_id, exit_rec);
	row_queue_int(q, extra_id);
	for (int i = 0; s->enter && i < s->enter->nr_columns; i++) {
		if (s->arg_of[i] >= 0 || s->enter_extra[i])
			continue;
		if (enter)
			event_column_queue(c->tep, &s->enter->columns[i], &enter_rec, q);
		else
			row_queue_null(q);
	}
	for (int i = 0; s->exit && i < s->exit->nr_columns; i++) {
		if (i == s->ret_column || s->exit_extra[i])
			continue;
		if (exit_rec)
			event_column_queue(c->tep, &s->exit->columns[i], exit_rec, q);
		else
			row_queue_null(q);
	}
	k->rows++;
	c->total++;
	if (row_queue_end(q) < 0)
		return -1;
	if (count_call(c, k, args, have, has_ret, ret, process, ts) < 0)
		return -1;
	if (c->history && k->hist_op >= 0 && enter && has_ret)
		return feed_history(c, s, args, have, enter, exit_rec, ret, process, exit_buffer_id);
	if (c->history && k->fdt_op >= 0 && enter && has_ret)
		return feed_fds(c, s, args, have, enter, exit_rec, ret, process, tid, exit_buffer_id);
	return 0;
}

int calls_event(struct calls *c, struct row_queue *q, struct event_table *t,
		const struct tep_record *rec, int64_t buffer_id, int tid, int64_t row_id)
{
	const struct call_role *role = t->call;
	uint64_t key = pending_key(buffer_id, tid);
	struct pending *p = find_pending(c, key);
	int err;

	if (!role->is_exit) {
		/*
		 * The readers keep every event inside its page (flyrecord.c); a
		 * size past a page here would copy memory that is not the event's.
		 */
		if (rec->size > tep_get_page_size(c->tep))
			return cmn_db_fail(c->db, "corrupt: an event of %d bytes, larger than a page",
					   rec->size);
		/* A thread enters one call at a time: an entry still waiting lost its exit. */
		if (p) {
			if (emit(c, q, p->src, p, tid, NULL, 0, 0) < 0)
				return -1;
			drop_pending(c, p);
		}
		p = add_pending(c, key, tid);
		if (!p)
			return cmn_db_fail(c->db, "out of memory");
		p->src = role->src;
		p->ts = rec->ts;
		p->cpu = rec->cpu;
		p->buffer_id = buffer_id;
		p->row_id = row_id;
		/*
		 * The call's id is given now, not at its exit: the ids of a call
		 * table then grow with ts (the entry), as event ids do.
		 */
		p->call_id = role->src->kind->next_id++;
		p->size = rec->size > 0 ? rec->size : 0;
		p->data = malloc(p->size ? p->size : 1);
		if (!p->data) {
			drop_pending(c, p);
			return cmn_db_fail(c->db, "out of memory");
		}
		memcpy(p->data, rec->data, p->size);
		return 0;
	}

	if (p && p->src != role->src) {
		/* The waiting entry is another call's: it lost its exit, and this exit its entry. */
		if (emit(c, q, p->src, p, tid, NULL, 0, 0) < 0)
			return -1;
		drop_pending(c, p);
		p = NULL;
	}
	err = emit(c, q, role->src, p, tid, rec, row_id, buffer_id);
	if (p)
		drop_pending(c, p);
	return err;
}

int calls_flush(struct calls *c, struct row_queue *q)
{
	for (size_t s = 0; s < c->size; s++) {
		struct pending *p = &c->slots[s];

		if (p->key && emit(c, q, p->src, p, p->tid, NULL, 0, 0) < 0)
			return -1;
		free(p->data);
		*p = (struct pending){ 0 };
	}
	c->used = 0;
	return 0;
}

/*
 * The event table of an entry or exit format, as a view of the call table
 * and its <call>_extra rows: the same columns as a table of that format,
 * every event once.
 */
static int create_event_view(struct calls *c, const struct call_source *s, bool is_exit)
{
	const struct event_table *t = is_exit ? s->exit : s->enter;
	const bool *in_extra = is_exit ? s->exit_extra : s->enter_extra;
	sqlite3_str *v;
	char buf[256], extra[256], *sql;
	int exists, ret;

	exists = cmn_db_has_table(c->db, t->name, CMN_DB_TABLE);
	if (exists)
		return exists < 0 ? -1 : cmn_db_fail(c->db, "%s is a table of an earlier capture, not a"
						     " view of %s: append to a new database", t->name,
						     s->kind->name);
	v = sqlite3_str_new(c->db->sql);
	if (is_exit)
		sqlite3_str_appendf(v, "DROP VIEW IF EXISTS \"%w\"; CREATE VIEW \"%w\" AS SELECT"
				    " c.exit_id AS id, c.capture_id, x.exit_buffer_id AS buffer_id,"
				    " c.ts_exit AS ts, c.exit_cpu AS cpu, c.tid AS pid", t->name, t->name);
	else
		sqlite3_str_appendf(v, "DROP VIEW IF EXISTS \"%w\"; CREATE VIEW \"%w\" AS SELECT"
				    " c.enter_id AS id, c.capture_id, x.enter_buffer_id AS buffer_id, c.ts,"
				    " c.cpu, c.tid AS pid", t->name, t->name);
	for (int i = 0; i < t->nr_columns; i++)
		sqlite3_str_appendf(v, ", %s.\"%w\" AS \"%w\"", in_extra[i] ? "x" : "c",
				    is_exit ? exit_column(s, i, buf, sizeof(buf)) :
					      enter_column(s, i, buf, sizeof(buf)),
				    t->columns[i].name);
	sqlite3_str_appendf(v, " FROM \"%w\" AS c LEFT JOIN \"%w\" AS x ON x.id = c.extra_id"
			    " WHERE c.%s_id IS NOT NULL AND c.source_id IN"
			    " (SELECT id FROM call_source WHERE %s_table = %Q)", s->kind->name,
			    extra_table(s->kind->name, extra), is_exit ? "exit" : "enter",
			    is_exit ? "exit" : "enter", t->name);
	sql = sqlite3_str_finish(v);
	ret = sql ? cmn_db_exec(c->db, "%s", sql) : cmn_db_fail(c->db, "out of memory");
	sqlite3_free(sql);
	return ret;
}

static int create_views(struct calls *c);

static const char *kind_arg(const struct call_kind *k, const char *name)
{
	for (int i = 0; i < k->nr_args; i++)
		if (k->args[i] && !strcmp(k->args[i], name))
			return k->args[i];
	return NULL;
}

/*
 * "column AS alias, ", or "CAST(NULL AS INTEGER) AS alias, " for a column the
 * table does not have: a bare NULL has no affinity, and SQLite flattens a
 * UNION ALL view into the query that reads it only when every arm's column
 * has the same affinity; otherwise every read of memory_call builds each of
 * its rows whole in a co-routine (the report's calls over time on flip.db:
 * 0.5-0.6 s against 0.26-0.37 s flattened).
 */
static void append_as(sqlite3_str *v, const char *column, const char *alias)
{
	if (column)
		sqlite3_str_appendf(v, "\"%w\" AS %s, ", column, alias);
	else
		sqlite3_str_appendf(v, "CAST(NULL AS INTEGER) AS %s, ", alias);
}

/*
 * memory_call: every call of every memory call table (schema family memory)
 * under common names, for the questions about all of a process's calls at
 * once.  addr and len are the first two arguments (the range a call is
 * about: mremap's old one), prot and flags the arguments of those names.
 */
static int create_memory_call_view(struct calls *c)
{
	sqlite3_str *v = sqlite3_str_new(c->db->sql);
	const char *sep = "";
	char *sql;
	int ret;

	sqlite3_str_appendall(v, "DROP VIEW IF EXISTS memory_call; CREATE VIEW memory_call AS ");
	for (const struct call_kind *k = c->kinds; k; k = k->next) {
		const char *prot = kind_arg(k, "prot"), *flags = kind_arg(k, "flags");

		/* the identity calls (open, close, ptrace...) have tables of their own only */
		if (!k->memory)
			continue;

		sqlite3_str_appendf(v, "%sSELECT %Q AS call, id, capture_id, ts, ts_exit, pid, tid,"
				    " comm, ", sep, k->name);
		append_as(v, k->nr_args > 0 ? k->args[0] : NULL, "addr");
		append_as(v, k->nr_args > 1 ? k->args[1] : NULL, "len");
		append_as(v, prot, "prot");
		append_as(v, flags, "flags");
		sqlite3_str_appendf(v, "ret, errno FROM \"%w\"", k->name);
		sep = " UNION ALL ";
	}
	sql = sqlite3_str_finish(v);
	ret = sql ? cmn_db_exec(c->db, "%s", sql) : cmn_db_fail(c->db, "out of memory");
	sqlite3_free(sql);
	return ret;
}

int calls_finish(struct calls *c)
{
	/*
	 * Every source call_source names gets its event views, rows or not: a
	 * capture with the formats of every syscall (trace-cmd record -e syscalls)
	 * has sources of calls it never saw, and their names must not dangle.
	 */
	for (struct call_source *s = c->sources; s; s = s->next)
		if ((s->enter && create_event_view(c, s, false) < 0) ||
		    (s->exit && create_event_view(c, s, true) < 0))
			return -1;
	/*
	 * The call tables have no index but their ids.  An id is given at the
	 * call's entry, so id order is time order within a capture, and the ts
	 * and tid indexes cost more than what reads them saved: on flip.dat
	 * (bench/), 0.5 s of the 3.4 s, against 0.15 s for the two detections
	 * that now read each call table once (queries/toctou-race.sql,
	 * failure-burst.sql).  A query that looks calls up by thread or time
	 * reads each table once, not once per row.
	 */
	if (proc_stats_write(c->processes, c->db, c->capture_id, c->tasks) < 0)
		return -1;
	return create_views(c) < 0 ? -1 : create_memory_call_view(c);
}

void calls_set_history(struct calls *c, struct hist_table *history)
{
	c->history = history;
}

uint64_t calls_total(const struct calls *c)
{
	return c ? c->total : 0;
}

static void append_flags(sqlite3_str *s, const char *col, const char *kind)
{
	/* Bits no name covers are kept, in hex: an unknown flag is evidence too. */
	sqlite3_str_appendf(s,
		"CASE WHEN \"%w\" IS NULL THEN NULL ELSE ltrim(coalesce((SELECT group_concat(name, '|')"
		" FROM (SELECT name FROM schema_flag WHERE kind = %Q AND (\"%w\" & mask) = value"
		" ORDER BY mask, value)), '') || coalesce((SELECT printf('|0x%%x', \"%w\" & ~known)"
		" FROM schema_flag_mask WHERE kind = %Q AND \"%w\" & ~known), ''), '|') END AS \"%w\"",
		col, kind, col, col, kind, col, col);
}

/*
 * <event>_decoded: the call table as a person reads it.  Views are plain SQL
 * over the schema tables, so they work in any SQLite client.
 */
static int create_views(struct calls *c)
{
	sqlite3_stmt *arg = cmn_db_prepare(c->db, "SELECT name, decode FROM schema_arg WHERE event = ?"
					   " ORDER BY position");
	sqlite3_stmt *ev = cmn_db_prepare(c->db, "SELECT ret_decode FROM schema_event WHERE name = ?");
	int ret = -1;

	if (!arg || !ev)
		goto out;
	for (struct call_kind *k = c->kinds; k; k = k->next) {
		sqlite3_str *s = sqlite3_str_new(c->db->sql);
		const char *ret_decode = NULL;
		char *sql;

		sqlite3_bind_text(ev, 1, k->name, -1, SQLITE_STATIC);
		if (sqlite3_step(ev) == SQLITE_ROW)
			ret_decode = (const char *)sqlite3_column_text(ev, 0);
		sqlite3_str_appendf(s, "CREATE VIEW IF NOT EXISTS \"%w_decoded\" AS SELECT c.id,"
				    " c.capture_id, ts, ts_exit, duration_ns, pid, tid, comm, cpu,"
				    " s.backend, s.abi", k->name);
		sqlite3_bind_text(arg, 1, k->name, -1, SQLITE_STATIC);
		while (sqlite3_step(arg) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(arg, 0);
			const char *decode = (const char *)sqlite3_column_text(arg, 1);

			sqlite3_str_appendall(s, ", ");
			if (!decode)
				sqlite3_str_appendf(s, "\"%w\"", name);
			else if (!strcmp(decode, "hex"))
				sqlite3_str_appendf(s, "CASE typeof(\"%w\") WHEN 'integer' THEN"
						    " printf('0x%%x', \"%w\") ELSE \"%w\" END AS \"%w\"",
						    name, name, name, name);
			else
				append_flags(s, name, decode);
		}
		sqlite3_reset(arg);
		if (ret_decode && !strcmp(ret_decode, "hex"))
			sqlite3_str_appendall(s, ", CASE WHEN errno IS NOT NULL OR ret IS NULL THEN NULL"
					      " ELSE printf('0x%x', ret) END AS ret");
		else
			sqlite3_str_appendall(s, ", CASE WHEN errno IS NOT NULL THEN NULL ELSE ret END AS ret");
		sqlite3_reset(ev);
		sqlite3_str_appendf(s, ", (SELECT name FROM schema_errno WHERE number = errno) AS errno,"
				    " s.enter_table, enter_id, s.exit_table, exit_id FROM \"%w\" c"
				    " JOIN call_source s ON s.id = c.source_id", k->name);
		sql = sqlite3_str_finish(s);
		if (!sql || cmn_db_exec(c->db, "%s", sql) < 0) {
			sqlite3_free(sql);
			goto out;
		}
		sqlite3_free(sql);
	}
	ret = 0;
out:
	sqlite3_finalize(arg);
	sqlite3_finalize(ev);
	return ret;
}
