// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db-identity.h"
#include "elapsed.h"
#include "findings.h"
#include "hash.h"
#include "hash-index.h"
#include "range-set.h"
#include "replayed-detections.h"

/*
 * The columns every detection returns, in this order (README "maptrail query",
 * queries/TEMPLATE.sql).  One row per call (or per thing found): the rows
 * with the same capture, process, kind and severity become one finding.
 */
enum column {
	COL_CAPTURE, COL_SEVERITY, COL_TS, COL_PID, COL_TID, COL_COMM, COL_ADDR, COL_LEN,
	COL_KIND, COL_SUMMARY, COL_CALL, COL_CALL_ID, COL_EVIDENCE, NR_COLUMNS
};

static const char *const columns[NR_COLUMNS] = {
	"capture_id", "severity", "ts", "pid", "tid", "comm", "addr", "len", "kind", "summary",
	"call", "call_id", "evidence",
};

/* The calls of one call table in a group, as a JSON array of row ids being built. */
struct call_ids {
	char *table;
	sqlite3_str *ids;
};

/*
 * One finding being gathered.  The row with the earliest ts describes it
 * (ts .. summary are kept as that row gave them); its calls are gathered by
 * call table and written in one statement each when the detection is done:
 * a statement per call would cost more than the detection itself.
 */
struct group {
	int64_t capture_id, pid;	/* the key, with kind and rank */
	bool capture_null, pid_null;
	int rank;
	char *kind;			/* NULL: a row of its own, never looked up */
	uint64_t hash;
	sqlite3_value *first[COL_SUMMARY - COL_TS + 1];	/* ts .. summary of the first row */
	char *severity;
	struct call_ids *calls_by_table;
	size_t nr_tables;
	sqlite3_str *more;		/* further [table, id] pairs of the evidence column */
	uint64_t more_hash;		/* of the last evidence text added to it */
	struct range_set ranges;	/* distinct (addr, len) of its rows: ranges and bytes */
	int64_t finding_id, calls, last_ts;
	bool have_last_ts;
};

/*
 * The groups of one detection run: a vector and an open-addressing index on
 * it (kind rows only), under half full like each group's range set, so a
 * run costs O(rows) whatever the addresses (issue 10).
 */
struct grouper {
	struct group *groups;
	size_t nr, cap;
	struct hash_index index;	/* the groups with a kind */
	bool describe;			/* findings_group's answer for the current row */
};

static uint64_t group_hash(int64_t capture, int64_t pid, int rank, const char *kind)
{
	uint64_t h = hash_mix(hash_mix(hash_mix(0, (uint64_t)capture), (uint64_t)pid),
			      (uint64_t)rank);

	return hash_mix(hash_bytes(h, kind, strlen(kind)), 0);
}

static void group_release(struct group *grp)
{
	free(grp->kind);
	free(grp->severity);
	for (size_t i = 0; i < sizeof(grp->first) / sizeof(grp->first[0]); i++)
		sqlite3_value_free(grp->first[i]);
	for (size_t i = 0; i < grp->nr_tables; i++) {
		free(grp->calls_by_table[i].table);
		sqlite3_free(sqlite3_str_finish(grp->calls_by_table[i].ids));
	}
	free(grp->calls_by_table);
	sqlite3_free(sqlite3_str_finish(grp->more));
	range_set_release(&grp->ranges);
}

static void grouper_release(struct grouper *g)
{
	for (size_t i = 0; i < g->nr; i++)
		group_release(&g->groups[i]);
	free(g->groups);
	hash_index_release(&g->index);
	memset(g, 0, sizeof(*g));
}

/* hash_index_hash_of for the groups: a row of its own (no kind) is not indexed. */
static bool group_hash_of(const void *vec, size_t i, uint64_t *hash)
{
	const struct group *grp = (const struct group *)vec + i;

	*hash = grp->hash;
	return grp->kind != NULL;
}

/* What makes rows one finding (with the detection, which runs alone). */
struct group_key {
	int64_t capture_id, pid;
	bool capture_null, pid_null;
	int rank;
	const char *kind;		/* NULL: a row of its own */
};

/* The group of @key, or NULL with *@slot where it would go in the index. */
static struct group *grouper_lookup(const struct grouper *g, const struct group_key *key,
				    uint64_t hash, size_t *slot)
{
	if (!key->kind || !g->index.cap)
		return NULL;
	for (*slot = hash_index_start(&g->index, hash); g->index.slot[*slot];
	     *slot = hash_index_next(&g->index, *slot)) {
		struct group *c = &g->groups[g->index.slot[*slot] - 1];

		if (c->hash == hash && c->rank == key->rank && c->capture_id == key->capture_id &&
		    c->pid == key->pid && c->capture_null == key->capture_null &&
		    c->pid_null == key->pid_null && !strcmp(c->kind, key->kind))
			return c;
	}
	return NULL;
}

/* The group of @key, or a new one (*@fresh set); NULL when out of memory. */
static struct group *grouper_find(struct grouper *g, const struct group_key *key, bool *fresh)
{
	uint64_t hash = 0;
	struct group *n;
	size_t slot = 0;

	*fresh = false;
	if (key->kind) {
		if (hash_index_reserve(&g->index, g->nr, group_hash_of, g->groups) < 0)
			return NULL;
		hash = group_hash(key->capture_id, key->pid, key->rank, key->kind);
		if ((n = grouper_lookup(g, key, hash, &slot)))
			return n;
	}
	if (g->nr == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		struct group *groups = realloc(g->groups, cap * sizeof(*groups));

		if (!groups)
			return NULL;
		g->groups = groups;
		g->cap = cap;
	}
	n = &g->groups[g->nr];
	*n = (struct group){ .capture_id = key->capture_id, .pid = key->pid,
			     .capture_null = key->capture_null, .pid_null = key->pid_null,
			     .rank = key->rank, .hash = hash };
	if (key->kind && !(n->kind = strdup(key->kind)))
		return NULL;
	g->nr++;
	if (key->kind)
		g->index.slot[slot] = (uint32_t)g->nr;
	*fresh = true;
	return n;
}

static int check_columns(struct cmn_db *db, const struct analyze_detection *q, sqlite3_stmt *st)
{
	if (sqlite3_column_count(st) != NR_COLUMNS)
		return cmn_db_fail(db, "detection %s returns %d columns, not the %d of a detection",
				   q->name, sqlite3_column_count(st), NR_COLUMNS);
	for (int i = 0; i < NR_COLUMNS; i++)
		if (strcmp(sqlite3_column_name(st, i), columns[i]))
			return cmn_db_fail(db, "detection %s: column %d is %s, not %s", q->name, i + 1,
					   sqlite3_column_name(st, i), columns[i]);
	return 0;
}

/*
 * Whether a row at @ts comes before the group's first: the first row is the
 * earliest (rows need not come in order; a NULL ts never comes first).
 */
static bool earlier(const struct group *grp, bool has_ts, int64_t ts)
{
	return has_ts && (sqlite3_value_type(grp->first[0]) == SQLITE_NULL ||
			  ts < sqlite3_value_int64(grp->first[0]));
}

/*
 * findings_group(capture_id, severity, pid, kind, ts) returns kind, and
 * notes whether a row with these would describe its group (the group's
 * first so far); findings_first() then says so.  The wrapper of
 * run_detection() computes a row's summary only then: the summaries of every
 * call of a 300,000-call group would cost more than everything else.  One
 * call per row with kind as an argument, so that kind is computed once.
 */
static void sql_findings_group(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct grouper *g = sqlite3_user_data(ctx);
	struct group_key key = {
		.capture_id = sqlite3_value_int64(argv[0]),
		.capture_null = sqlite3_value_type(argv[0]) == SQLITE_NULL,
		.rank = cmn_severity_rank((const char *)sqlite3_value_text(argv[1])),
		.pid = sqlite3_value_int64(argv[2]),
		.pid_null = sqlite3_value_type(argv[2]) == SQLITE_NULL,
		.kind = (const char *)sqlite3_value_text(argv[3]),
	};
	const struct group *grp;
	size_t slot;

	(void)argc;
	grp = key.kind ? grouper_lookup(g, &key, group_hash(key.capture_id, key.pid, key.rank,
							     key.kind), &slot) : NULL;
	g->describe = !grp || earlier(grp, sqlite3_value_type(argv[4]) != SQLITE_NULL,
				      sqlite3_value_int64(argv[4]));
	sqlite3_result_value(ctx, argv[3]);
}

static void sql_findings_first(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct grouper *g = sqlite3_user_data(ctx);

	(void)argc;
	(void)argv;
	sqlite3_result_int(ctx, g->describe);
}

/* The statements findings_build writes a detection's groups with. */
struct writers {
	sqlite3_stmt *finding, *ids, *pairs, *one, *batch, *totals;
};

/* The calls of a replayed finding's evidence written by one statement. */
#define EVIDENCE_BATCH	64

/* Keeps ts .. summary and the severity of @row as the group's first. */
static int keep_first(struct group *grp, sqlite3_stmt *row, const char *severity)
{
	for (int i = COL_TS; i <= COL_SUMMARY; i++) {
		sqlite3_value_free(grp->first[i - COL_TS]);
		if (!(grp->first[i - COL_TS] = sqlite3_value_dup(sqlite3_column_value(row, i))))
			return -1;
	}
	free(grp->severity);
	return (grp->severity = strdup(severity)) ? 0 : -1;
}

/* Adds a row's call to the ids of its call table in the group. */
static int add_call(struct group *grp, const char *table, int64_t id)
{
	struct call_ids *c = NULL;

	for (size_t i = 0; i < grp->nr_tables && !c; i++)
		if (!strcmp(grp->calls_by_table[i].table, table))
			c = &grp->calls_by_table[i];
	if (!c) {
		struct call_ids *v = realloc(grp->calls_by_table,
					     (grp->nr_tables + 1) * sizeof(*v));

		if (!v)
			return -1;
		grp->calls_by_table = v;
		c = &v[grp->nr_tables];
		*c = (struct call_ids){ .table = strdup(table), .ids = sqlite3_str_new(NULL) };
		if (!c->table)
			return -1;
		grp->nr_tables++;
		sqlite3_str_appendchar(c->ids, 1, '[');
	} else {
		sqlite3_str_appendchar(c->ids, 1, ',');
	}
	sqlite3_str_appendf(c->ids, "%lld", (long long)id);
	return sqlite3_str_errcode(c->ids) == SQLITE_OK ? 0 : -1;
}

/*
 * Adds the elements of a row's evidence column (a JSON array) to the group's.
 * The same text as the row before's is skipped: rows of one group often share
 * it (code-injected gives every change in a session the session's calls),
 * and adding it per row would grow with rows times calls.
 */
static int add_more(struct group *grp, const char *json)
{
	const char *open = strchr(json, '['), *close = strrchr(json, ']');
	uint64_t hash;

	if (!open || !close || close <= open)
		return 0;
	for (open++; open < close && (*open == ' ' || *open == '\n' || *open == '\t'); open++)
		;
	if (open == close)
		return 0;
	hash = hash_bytes(HASH_FNV_OFFSET, open, (size_t)(close - open));
	if (grp->more && hash == grp->more_hash)
		return 0;
	grp->more_hash = hash;
	if (!grp->more) {
		grp->more = sqlite3_str_new(NULL);
		sqlite3_str_appendchar(grp->more, 1, '[');
	} else {
		sqlite3_str_appendchar(grp->more, 1, ',');
	}
	sqlite3_str_append(grp->more, open, (int)(close - open));
	return sqlite3_str_errcode(grp->more) == SQLITE_OK ? 0 : -1;
}

static int add_row(struct cmn_db *db, const struct analyze_detection *q, struct grouper *g,
		   sqlite3_stmt *row)
{
	const char *severity = (const char *)sqlite3_column_text(row, COL_SEVERITY);
	int rank = cmn_severity_rank(severity);
	bool fresh, has_ts = sqlite3_column_type(row, COL_TS) != SQLITE_NULL;
	int64_t ts = sqlite3_column_int64(row, COL_TS);
	struct group *grp;

	if (rank < 0)
		return cmn_db_fail(db, "detection %s: severity '%s' is not high, medium, low or info",
				   q->name, severity ? severity : "NULL");
	grp = grouper_find(g, &(struct group_key){
		.capture_id = sqlite3_column_int64(row, COL_CAPTURE),
		.capture_null = sqlite3_column_type(row, COL_CAPTURE) == SQLITE_NULL,
		.pid = sqlite3_column_int64(row, COL_PID),
		.pid_null = sqlite3_column_type(row, COL_PID) == SQLITE_NULL,
		.rank = rank, .kind = (const char *)sqlite3_column_text(row, COL_KIND) }, &fresh);
	if (!grp)
		goto oom;
	if ((fresh || earlier(grp, has_ts, ts)) && keep_first(grp, row, severity) < 0)
		goto oom;
	if (sqlite3_column_type(row, COL_CALL) != SQLITE_NULL &&
	    sqlite3_column_type(row, COL_CALL_ID) != SQLITE_NULL &&
	    add_call(grp, (const char *)sqlite3_column_text(row, COL_CALL),
		     sqlite3_column_int64(row, COL_CALL_ID)) < 0)
		goto oom;
	if (sqlite3_column_type(row, COL_EVIDENCE) != SQLITE_NULL &&
	    add_more(grp, (const char *)sqlite3_column_text(row, COL_EVIDENCE)) < 0)
		goto oom;
	if (sqlite3_column_type(row, COL_ADDR) != SQLITE_NULL &&
	    sqlite3_column_type(row, COL_LEN) != SQLITE_NULL &&
	    range_set_add(&grp->ranges, sqlite3_column_int64(row, COL_ADDR),
			  sqlite3_column_int64(row, COL_LEN)) < 0)
		goto oom;
	if (has_ts) {
		if (!grp->have_last_ts || ts > grp->last_ts)
			grp->last_ts = ts;
		grp->have_last_ts = true;
	}
	return 0;
oom:
	return cmn_db_fail(db, "detection %s: out of memory", q->name);
}

/* Groups in the order of their first call, so that finding ids follow time. */
static int by_first_ts(const void *a, const void *b)
{
	const struct group *x = *(struct group *const *)a, *y = *(struct group *const *)b;
	int64_t tx = sqlite3_value_int64(x->first[0]), ty = sqlite3_value_int64(y->first[0]);
	bool nx = sqlite3_value_type(x->first[0]) == SQLITE_NULL;
	bool ny = sqlite3_value_type(y->first[0]) == SQLITE_NULL;

	if (nx != ny)
		return nx ? 1 : -1;
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* A group's findings row, then its evidence (one statement per call table), then its counts. */
static int write_group(struct cmn_db *db, const struct analyze_detection *q, struct writers *w,
		       struct group *grp)
{
	sqlite3_stmt *ins = w->finding;

	if (grp->capture_null)
		sqlite3_bind_null(ins, 1);
	else
		sqlite3_bind_int64(ins, 1, grp->capture_id);
	sqlite3_bind_text(ins, 2, q->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, q->title ? q->title : q->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, grp->severity, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 5, grp->rank);
	if (q->mitre)
		sqlite3_bind_text(ins, 6, q->mitre, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(ins, 6);
	for (int i = COL_TS; i <= COL_SUMMARY; i++)	/* ts .. summary, kind among them */
		sqlite3_bind_value(ins, 7 + i - COL_TS, grp->first[i - COL_TS]);
	if (cmn_db_step_done(db, ins) < 0)
		return -1;
	grp->finding_id = sqlite3_last_insert_rowid(db->sql);
	for (size_t i = 0; i < grp->nr_tables; i++) {
		struct call_ids *c = &grp->calls_by_table[i];
		char *ids;

		sqlite3_str_appendchar(c->ids, 1, ']');
		ids = sqlite3_str_finish(c->ids);
		c->ids = NULL;
		if (!ids)
			return cmn_db_fail(db, "detection %s: out of memory", q->name);
		sqlite3_bind_int64(w->ids, 1, grp->finding_id);
		sqlite3_bind_text(w->ids, 2, c->table, -1, SQLITE_STATIC);
		sqlite3_bind_text(w->ids, 3, ids, -1, sqlite3_free);
		if (cmn_db_step_done(db, w->ids) < 0)
			return -1;
		grp->calls += sqlite3_changes(db->sql);
	}
	if (grp->more) {
		char *pairs;

		sqlite3_str_appendchar(grp->more, 1, ']');
		pairs = sqlite3_str_finish(grp->more);
		grp->more = NULL;
		if (!pairs)
			return cmn_db_fail(db, "detection %s: out of memory", q->name);
		sqlite3_bind_int64(w->pairs, 1, grp->finding_id);
		sqlite3_bind_text(w->pairs, 2, pairs, -1, sqlite3_free);
		if (cmn_db_step_done(db, w->pairs) < 0)
			return -1;
		grp->calls += sqlite3_changes(db->sql);
	}
	sqlite3_bind_int64(w->totals, 1, grp->calls);
	sqlite3_bind_int64(w->totals, 2, (int64_t)grp->ranges.nr);
	sqlite3_bind_int64(w->totals, 3, grp->ranges.bytes);
	if (grp->have_last_ts)
		sqlite3_bind_int64(w->totals, 4, grp->last_ts);
	else
		sqlite3_bind_null(w->totals, 4);
	sqlite3_bind_int64(w->totals, 5, grp->finding_id);
	return cmn_db_step_done(db, w->totals);
}

static int write_groups(struct cmn_db *db, const struct analyze_detection *q, struct writers *w,
			struct grouper *g)
{
	struct group **order = malloc((g->nr ? g->nr : 1) * sizeof(*order));
	int ret = 0;

	if (!order)
		return cmn_db_fail(db, "detection %s: out of memory", q->name);
	for (size_t i = 0; i < g->nr; i++)
		order[i] = &g->groups[i];
	qsort(order, g->nr, sizeof(*order), by_first_ts);
	for (size_t i = 0; i < g->nr && ret == 0; i++)
		ret = write_group(db, q, w, order[i]);
	free(order);
	return ret;
}

/*
 * The detection as run_detection() steps it: its statement as a subquery
 * whose summary is computed only for the row that may describe its group
 * (findings_group, findings_first).  SQLite flattens the subquery, so the
 * detection's expressions for those columns are evaluated only then.  The
 * result is the detection's own columns, in its order.  NULL when out of
 * memory; must be freed with sqlite3_free().
 */
static char *wrapped(const char *sql, size_t len)
{
	while (len && (sql[len - 1] == ';' || sql[len - 1] == ' ' || sql[len - 1] == '\n' ||
		       sql[len - 1] == '\t' || sql[len - 1] == '\r'))
		len--;
	return sqlite3_mprintf("SELECT capture_id, severity, ts, pid, tid, comm, addr, len,"
			       " findings_group(capture_id, severity, pid, kind, ts) AS kind,"
			       " CASE WHEN findings_first() THEN summary END AS summary,"
			       " call, call_id, evidence"
			       " FROM (%.*s\n)", (int)len, sql);
}

/* The detection's statement, checked, wrapped; NULL with db->err set. */
static sqlite3_stmt *prepare_detection(struct cmn_db *db, const struct analyze_detection *q,
				       struct grouper *g)
{
	sqlite3_stmt *st = NULL, *outer = NULL;
	const char *tail = NULL;
	char *sql;

	if (sqlite3_prepare_v2(db->sql, q->sql, -1, &st, &tail) != SQLITE_OK) {
		cmn_db_fail(db, "detection %s: %s", q->name, sqlite3_errmsg(db->sql));
		return NULL;
	}
	if (check_columns(db, q, st) < 0) {
		sqlite3_finalize(st);
		return NULL;
	}
	if (sqlite3_create_function_v2(db->sql, "findings_group", 5, SQLITE_UTF8, g,
				       sql_findings_group, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(db->sql, "findings_first", 0, SQLITE_UTF8, g,
				       sql_findings_first, NULL, NULL, NULL) != SQLITE_OK) {
		cmn_db_fail(db, "detection %s: %s", q->name, sqlite3_errmsg(db->sql));
		sqlite3_finalize(st);
		return NULL;
	}
	/* A statement that cannot be a subquery (none of ours) runs as it is. */
	sql = wrapped(q->sql, (size_t)(tail - q->sql));
	if (sql && sqlite3_prepare_v2(db->sql, sql, -1, &outer, NULL) == SQLITE_OK) {
		sqlite3_finalize(st);
		st = outer;
	}
	sqlite3_free(sql);
	return st;
}

/* One detection: its rows, grouped, become findings and their evidence rows. */
static int64_t run_detection(struct cmn_db *db, const struct analyze_detection *q,
			     struct writers *w, int64_t *high)
{
	struct grouper g = { 0 };
	sqlite3_stmt *st = prepare_detection(db, q, &g);
	int64_t found = -1;
	int rc;

	if (!st)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (add_row(db, q, &g, st) < 0)
			goto out;
	if (rc != SQLITE_DONE) {
		cmn_db_fail(db, "detection %s: %s", q->name, sqlite3_errmsg(db->sql));
		goto out;
	}
	if (write_groups(db, q, w, &g) < 0)
		goto out;
	for (size_t i = 0; i < g.nr; i++)
		*high += g.groups[i].rank == cmn_severity_rank("high");
	found = (int64_t)g.nr;
out:
	sqlite3_finalize(st);
	/* the functions point at this detection's groups: gone with them */
	sqlite3_create_function_v2(db->sql, "findings_group", 5, SQLITE_UTF8, NULL, NULL, NULL,
				   NULL, NULL);
	sqlite3_create_function_v2(db->sql, "findings_first", 0, SQLITE_UTF8, NULL, NULL, NULL,
				   NULL, NULL);
	grouper_release(&g);
	return found;
}

/* INSERT of EVIDENCE_BATCH calls of one finding: ?1 the finding, then (call, call_id) pairs. */
static sqlite3_stmt *evidence_batch(struct cmn_db *db)
{
	sqlite3_str *sql = sqlite3_str_new(db->sql);
	sqlite3_stmt *st;
	char *text;

	sqlite3_str_appendall(sql, "INSERT OR IGNORE INTO finding_evidence (finding_id, call, call_id)"
			      " VALUES ");
	for (int k = 0; k < EVIDENCE_BATCH; k++)
		sqlite3_str_appendf(sql, "%s(?1, ?%d, ?%d)", k ? ", " : "", 2 + 2 * k, 3 + 2 * k);
	text = sqlite3_str_finish(sql);
	if (!text) {
		cmn_db_fail(db, "out of memory");
		return NULL;
	}
	st = cmn_db_prepare(db, "%s", text);
	sqlite3_free(text);
	return st;
}

/* What write_replayed() writes with, and counts. */
struct replayed_writer {
	struct cmn_db *db;
	const struct analyze_detection *q;
	struct writers *w;
	int64_t found, high;
};

/* One finding of the replay: its row, its calls (in batches), its counts. */
static int write_replayed_finding(void *arg, const struct rdet_finding *f)
{
	struct replayed_writer *rw = arg;
	sqlite3_stmt *ins = rw->w->finding, *one = rw->w->one;
	int64_t id, calls = 0;

	sqlite3_bind_int64(ins, 1, f->capture_id);
	sqlite3_bind_text(ins, 2, rw->q->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, rw->q->title ? rw->q->title : rw->q->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, f->severity, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 5, cmn_severity_rank(f->severity));
	if (rw->q->mitre)
		sqlite3_bind_text(ins, 6, rw->q->mitre, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(ins, 6);
	sqlite3_bind_int64(ins, 7, (int64_t)f->ts);
	sqlite3_bind_int(ins, 8, f->pid);
	if (f->tid >= 0)
		sqlite3_bind_int64(ins, 9, f->tid);
	else
		sqlite3_bind_null(ins, 9);
	if (f->comm)
		sqlite3_bind_text(ins, 10, f->comm, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(ins, 10);
	sqlite3_bind_int64(ins, 11, f->addr);
	sqlite3_bind_int64(ins, 12, f->len);
	sqlite3_bind_text(ins, 13, f->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 14, f->summary, -1, SQLITE_STATIC);
	if (cmn_db_step_done(rw->db, ins) < 0)
		return -1;
	id = sqlite3_last_insert_rowid(rw->db->sql);
	/* in batches: a statement per call would cost more than the inserts */
	for (size_t i = 0; i < f->nr_calls;) {
		size_t n = f->nr_calls - i >= EVIDENCE_BATCH ? EVIDENCE_BATCH : 1;
		sqlite3_stmt *st = n > 1 ? rw->w->batch : one;

		sqlite3_bind_int64(st, 1, id);
		for (size_t k = 0; k < n; k++, i++) {
			sqlite3_bind_text(st, 2 + 2 * (int)k, hist_op_name(f->calls[i].op), -1,
					  SQLITE_STATIC);
			sqlite3_bind_int64(st, 3 + 2 * (int)k, f->calls[i].id);
		}
		if (cmn_db_step_done(rw->db, st) < 0)
			return -1;
		calls += sqlite3_changes(rw->db->sql);
	}
	sqlite3_bind_int64(rw->w->totals, 1, calls);
	sqlite3_bind_int64(rw->w->totals, 2, f->ranges);
	sqlite3_bind_int64(rw->w->totals, 3, f->bytes);
	sqlite3_bind_int64(rw->w->totals, 4, (int64_t)f->last_ts);
	sqlite3_bind_int64(rw->w->totals, 5, id);
	rw->found++;
	rw->high += cmn_severity_rank(f->severity) == cmn_severity_rank("high");
	return cmn_db_step_done(rw->db, rw->w->totals);
}

/*
 * A detection the replay judged: its query runs only for the database's
 * other captures (--append), then the replay's findings are written.
 */
static int64_t write_replayed(struct cmn_db *db, const struct analyze_detection *q,
			      struct writers *w, struct replayed_detections *replayed, int64_t *high)
{
	struct replayed_writer rw = { .db = db, .q = q, .w = w };
	int64_t capture = rdet_capture(replayed), found = 0;
	sqlite3_stmt *st = cmn_db_prepare(db, "SELECT 1 FROM capture WHERE id IS NOT %lld LIMIT 1",
					  (long long)capture);
	int others;

	if (!st)
		return -1;
	others = cmn_db_step(db, st);
	sqlite3_finalize(st);
	if (others < 0)
		return -1;
	if (others == SQLITE_ROW) {
		size_t len = strlen(q->sql);
		struct analyze_detection elsewhere = *q;
		char *sql;

		while (len && strchr("; \n\t\r", q->sql[len - 1]))
			len--;
		sql = sqlite3_mprintf("SELECT * FROM (%.*s\n) WHERE capture_id IS NOT %lld", (int)len,
				      q->sql, (long long)capture);
		if (!sql)
			return cmn_db_fail(db, "detection %s: out of memory", q->name);
		elsewhere.sql = sql;
		found = run_detection(db, &elsewhere, w, high);
		sqlite3_free(sql);
		if (found < 0)
			return -1;
	}
	if (rdet_findings(replayed, db, q->name, write_replayed_finding, &rw) < 0)
		return -1;
	*high += rw.high;
	return found + rw.found;
}

int64_t findings_build(struct cmn_db *db, const struct analyze_detection *detections, int n,
		       struct replayed_detections *replayed, int64_t *high, double *seconds)
{
	struct writers w = { 0 };
	int64_t total = -1, highs = 0;

	if (cmn_db_exec(db, "DELETE FROM finding_evidence; DELETE FROM findings") < 0)
		return -1;
	w.finding = cmn_db_prepare(db, "INSERT INTO findings (capture_id, detection, title, severity,"
				   " severity_rank, mitre, ts, pid, tid, comm, addr, len, kind, summary)"
				   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	/* a group's calls of one call table: a JSON array of row ids, in one statement */
	w.ids = cmn_db_prepare(db, "INSERT OR IGNORE INTO finding_evidence (finding_id, call, call_id)"
			       " SELECT ?1, ?2, value FROM json_each(?3)");
	/* the rows' evidence columns: a JSON array of [call table, row id] pairs */
	w.pairs = cmn_db_prepare(db, "INSERT OR IGNORE INTO finding_evidence (finding_id, call,"
				 " call_id) SELECT ?1, json_extract(value, '$[0]'),"
				 " json_extract(value, '$[1]') FROM json_each(?2)"
				 " WHERE json_extract(value, '$[1]') IS NOT NULL");
	w.one = cmn_db_prepare(db, "INSERT OR IGNORE INTO finding_evidence (finding_id, call, call_id)"
			       " VALUES (?, ?, ?)");
	w.batch = evidence_batch(db);
	w.totals = cmn_db_prepare(db, "UPDATE findings SET calls = ?, ranges = ?, bytes = ?,"
				  " last_ts = ? WHERE id = ?");
	if (!w.finding || !w.ids || !w.pairs || !w.one || !w.batch || !w.totals)
		goto out;
	total = 0;
	for (int i = 0; i < n; i++) {
		const struct analyze_detection *q = &detections[i];
		struct timespec start;
		int64_t found;

		clock_gettime(CLOCK_MONOTONIC, &start);
		found = replayed && rdet_computes(q->name) ? write_replayed(db, q, &w, replayed, &highs) :
							    run_detection(db, q, &w, &highs);
		if (seconds)
			seconds[i] = cmn_seconds_since(&start);
		if (found < 0) {
			total = -1;
			goto out;
		}
		total += found;
	}
	if (high)
		*high = highs;
out:
	sqlite3_finalize(w.finding);
	sqlite3_finalize(w.ids);
	sqlite3_finalize(w.pairs);
	sqlite3_finalize(w.one);
	sqlite3_finalize(w.batch);
	sqlite3_finalize(w.totals);
	return total;
}
