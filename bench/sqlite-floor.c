// SPDX-License-Identifier: MIT
/*
 * sqlite-floor — what SQLite alone needs to write a maptrail database's rows
 * (issue #14: how far under `trace-cmd report` analyze can go while every
 * call and every address-space state is a row).
 *
 *	sqlite-floor DB
 *
 * Makes an empty database at DB.floor with analyze's own settings
 * (cmn_db_open: page size, no journal, page cache) and DB's tables and
 * indexes, copies every table's rows into it in one transaction, and removes
 * it.  The rows are read from DB a batch at a time, untimed; only the writing
 * is timed, by this thread's CPU clock: prepared INSERTs of 32 rows, bound by
 * type, as analyze writes them (row-queue.c).  Nothing is decoded, replayed,
 * queued or detected: this is the part of analyze's work that no change short
 * of fewer rows or fewer indexes can remove.
 *
 * Twice: with the indexes made before the rows (the way analyze makes them:
 * each row goes into its indexes as it is written) and after them (CREATE
 * INDEX sorts the finished table).  The cheaper of the two is the floor.
 * Printed, a line each: the six tables that took longest (indexes before),
 * then
 *
 *	floor: R rows; indexes before A s, after B s (rows C s + indexes D s)
 *	floor_s F
 *
 * F is min(A, B) in CPU seconds of one thread.  A database file is written by
 * one connection at a time, so more cores help only by writing a second file
 * whose rows are then copied in; F / 2 is therefore a bound that no analyze
 * writing its rows this way can beat on two cores, not a figure it could
 * reach.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sql.h"

enum { BATCH_ROWS = 8192, ROWS_PER_INSERT = 32, TOP_TABLES = 6 };

struct table_cost {
	char *name;
	int64_t rows;
	double seconds;
};

struct floor_run {
	bool indexes_after;
	int64_t rows;
	double rows_s;		/* writing the rows (and, indexes before, their index entries) */
	double indexes_s;	/* CREATE INDEX, indexes after */
	struct table_cost *tables;
	int nr_tables;
};

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(const char *what, const char *why)
{
	fprintf(stderr, "sqlite-floor: %s: %s\n", what, why);
	return -1;
}

/* "INSERT INTO t (c1, ...) VALUES (?, ...), ..." of @rows rows of @cols. */
static char *insert_sql(const char *table, const char *cols, int ncols, int rows)
{
	char *head = sqlite3_mprintf("INSERT INTO \"%w\" (%s) VALUES ", table, cols);
	size_t cap = (head ? strlen(head) : 0) + 1 + (size_t)rows * (ncols * 2 + 3);
	char *sql = head ? malloc(cap) : NULL, *p;

	if (!sql) {
		sqlite3_free(head);
		return NULL;
	}
	p = stpcpy(sql, head);
	sqlite3_free(head);
	for (int r = 0; r < rows; r++) {
		*p++ = r ? ',' : ' ';
		*p++ = '(';
		for (int c = 0; c < ncols; c++)
			p += sprintf(p, c ? ",?" : "?");
		*p++ = ')';
	}
	*p = '\0';
	return sql;
}

/* The columns a row is written with: all but the generated ones. */
static char *column_list(sqlite3 *src, const char *table, int *ncols)
{
	sqlite3_stmt *st = NULL;
	char *list = NULL;

	*ncols = 0;
	if (sqlite3_prepare_v2(src, "SELECT group_concat('\"' || replace(name, '\"', '\"\"') || '\"',"
			       " ','), count(*)"
			       " FROM pragma_table_xinfo(?) WHERE hidden = 0", -1, &st, NULL) ||
	    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC) ||
	    sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_text(st, 0))
		goto out;
	list = strdup((const char *)sqlite3_column_text(st, 0));
	*ncols = sqlite3_column_int(st, 1);
out:
	sqlite3_finalize(st);
	return list;
}

/* As analyze binds: by type, text and blobs not copied (the value outlives the step). */
static void bind(sqlite3_stmt *st, int i, sqlite3_value *v)
{
	switch (sqlite3_value_type(v)) {
	case SQLITE_INTEGER:
		sqlite3_bind_int64(st, i, sqlite3_value_int64(v));
		break;
	case SQLITE_FLOAT:
		sqlite3_bind_double(st, i, sqlite3_value_double(v));
		break;
	case SQLITE_TEXT:
		sqlite3_bind_text(st, i, (const char *)sqlite3_value_text(v), sqlite3_value_bytes(v),
				  SQLITE_STATIC);
		break;
	case SQLITE_BLOB:
		sqlite3_bind_blob(st, i, sqlite3_value_blob(v), sqlite3_value_bytes(v), SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(st, i);
	}
}

static void free_values(sqlite3_value **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sqlite3_value_free(v[i]);
}

/* Copies one table's rows; adds the CPU seconds spent writing to *@spent. */
static int copy_table(sqlite3 *src, struct cmn_db *dst, const char *table, int64_t *rows,
		      double *spent)
{
	sqlite3_stmt *read = NULL, *many = NULL, *one = NULL;
	sqlite3_value **v = NULL;
	char *cols, *sql = NULL;
	int ncols, rc = -1;

	*rows = 0;
	*spent = 0;
	cols = column_list(src, table, &ncols);
	if (!cols || !ncols)
		return fail(table, "cannot list its columns");
	sql = sqlite3_mprintf("SELECT %s FROM \"%w\"", cols, table);
	if (!sql || sqlite3_prepare_v2(src, sql, -1, &read, NULL)) {
		fail(table, sqlite3_errmsg(src));
		goto out;
	}
	sqlite3_free(sql);
	sql = insert_sql(table, cols, ncols, ROWS_PER_INSERT);
	if (!sql || sqlite3_prepare_v2(dst->sql, sql, -1, &many, NULL)) {
		fail(table, sqlite3_errmsg(dst->sql));
		goto out;
	}
	free(sql);
	sql = insert_sql(table, cols, ncols, 1);
	if (!sql || sqlite3_prepare_v2(dst->sql, sql, -1, &one, NULL)) {
		fail(table, sqlite3_errmsg(dst->sql));
		goto out;
	}
	v = calloc((size_t)BATCH_ROWS * ncols, sizeof(*v));
	if (!v) {
		fail(table, strerror(ENOMEM));
		goto out;
	}
	for (bool finished = false; !finished;) {
		size_t n = 0, done = 0;
		int step = SQLITE_ROW;
		double t0;

		/* a batch, read untimed (a statement stepped again after its end starts over) */
		while (n < BATCH_ROWS && (step = sqlite3_step(read)) == SQLITE_ROW) {
			for (int c = 0; c < ncols; c++)
				v[n * ncols + c] = sqlite3_value_dup(sqlite3_column_value(read, c));
			n++;
		}
		if (n < BATCH_ROWS && step != SQLITE_DONE) {
			fail(table, sqlite3_errmsg(src));
			free_values(v, n * ncols);
			goto out;
		}
		finished = n < BATCH_ROWS;
		/* written, timed */
		t0 = thread_cpu_s();
		while (done < n) {
			int k = n - done >= ROWS_PER_INSERT ? ROWS_PER_INSERT : 1;
			sqlite3_stmt *ins = k > 1 ? many : one;

			for (int i = 0; i < k * ncols; i++)
				bind(ins, i + 1, v[done * ncols + i]);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				fail(table, sqlite3_errmsg(dst->sql));
				free_values(v, n * ncols);
				goto out;
			}
			sqlite3_reset(ins);
			done += k;
		}
		*spent += thread_cpu_s() - t0;
		*rows += n;
		free_values(v, n * ncols);
	}
	rc = 0;
out:
	free(sql);
	free(cols);
	free(v);
	sqlite3_finalize(read);
	sqlite3_finalize(many);
	sqlite3_finalize(one);
	return rc;
}

/* Runs DB's CREATE statements of @type (table or index) on @dst; @timed adds their CPU time. */
static int create_all(sqlite3 *src, struct cmn_db *dst, const char *type, double *timed)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(src, "SELECT sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL"
			       " AND name NOT LIKE 'sqlite_%' ORDER BY rowid", -1, &st, NULL) ||
	    sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC))
		return fail("the schema", sqlite3_errmsg(src));
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		double t0 = thread_cpu_s();

		if (sqlite3_exec(dst->sql, (const char *)sqlite3_column_text(st, 0), NULL, NULL, NULL))
			rc = fail("the schema", sqlite3_errmsg(dst->sql));
		if (timed)
			*timed += thread_cpu_s() - t0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int by_seconds(const void *a, const void *b)
{
	const struct table_cost *x = a, *y = b;

	return (x->seconds < y->seconds) - (x->seconds > y->seconds);
}

static int floor_run(sqlite3 *src, const char *path, struct floor_run *run)
{
	struct cmn_db dst;
	sqlite3_stmt *tables = NULL;
	int rc = -1;

	unlink(path);
	if (cmn_db_open(&dst, path) < 0) {
		fail(path, dst.err ? dst.err : "cannot open");
		cmn_db_close(&dst);
		return -1;
	}
	if (create_all(src, &dst, "table", NULL) < 0 ||
	    (!run->indexes_after && create_all(src, &dst, "index", NULL) < 0) ||
	    sqlite3_exec(dst.sql, "BEGIN", NULL, NULL, NULL))
		goto out;
	if (sqlite3_prepare_v2(src, "SELECT name FROM sqlite_master WHERE type = 'table'"
			       " AND name NOT LIKE 'sqlite_%' ORDER BY rowid", -1, &tables, NULL)) {
		fail("the schema", sqlite3_errmsg(src));
		goto out;
	}
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		struct table_cost *t, *grown;

		grown = realloc(run->tables, (run->nr_tables + 1) * sizeof(*grown));
		if (!grown) {
			fail(name, strerror(ENOMEM));
			goto out;
		}
		run->tables = grown;
		t = &run->tables[run->nr_tables++];
		t->name = strdup(name);
		if (!t->name || copy_table(src, &dst, name, &t->rows, &t->seconds) < 0)
			goto out;
		run->rows += t->rows;
		run->rows_s += t->seconds;
	}
	if (run->indexes_after && create_all(src, &dst, "index", &run->indexes_s) < 0)
		goto out;
	{
		double t0 = thread_cpu_s();

		if (sqlite3_exec(dst.sql, "COMMIT", NULL, NULL, NULL)) {
			fail(path, sqlite3_errmsg(dst.sql));
			goto out;
		}
		run->rows_s += thread_cpu_s() - t0;
	}
	rc = 0;
out:
	sqlite3_finalize(tables);
	cmn_db_close(&dst);
	unlink(path);
	return rc;
}

static void floor_release(struct floor_run *run)
{
	for (int i = 0; i < run->nr_tables; i++)
		free(run->tables[i].name);
	free(run->tables);
}

int main(int argc, char **argv)
{
	struct floor_run before = { .indexes_after = false }, after = { .indexes_after = true };
	sqlite3 *src = NULL;
	char *path = NULL;
	int ret = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: sqlite-floor DB\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &src, SQLITE_OPEN_READONLY, NULL)) {
		fail(argv[1], src ? sqlite3_errmsg(src) : "cannot open");
		goto out;
	}
	if (asprintf(&path, "%s.floor", argv[1]) < 0) {
		path = NULL;
		goto out;
	}
	if (floor_run(src, path, &before) < 0 || floor_run(src, path, &after) < 0)
		goto out;
	qsort(before.tables, before.nr_tables, sizeof(*before.tables), by_seconds);
	for (int i = 0; i < before.nr_tables && i < TOP_TABLES; i++)
		printf("%-28s %10" PRId64 " rows %6.2f s\n", before.tables[i].name,
		       before.tables[i].rows, before.tables[i].seconds);
	printf("floor: %" PRId64 " rows; indexes before %.2f s, after %.2f s"
	       " (rows %.2f s + indexes %.2f s)\n", before.rows, before.rows_s,
	       after.rows_s + after.indexes_s, after.rows_s, after.indexes_s);
	printf("floor_s %.3f\n", before.rows_s < after.rows_s + after.indexes_s ?
	       before.rows_s : after.rows_s + after.indexes_s);
	ret = 0;
out:
	floor_release(&before);
	floor_release(&after);
	free(path);
	sqlite3_close(src);
	return ret;
}
