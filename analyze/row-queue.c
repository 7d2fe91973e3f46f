// SPDX-License-Identifier: MIT
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "row-queue.h"

#define BATCH_ROWS	8192
#define BATCH_VALUES	(BATCH_ROWS * 16)
#define BATCH_BYTES	(8 << 20)
#define ROW_MAX_VALUES	512		/* a format has at most a few dozen fields */
#define ROW_MAX_BYTES	(1 << 20)	/* a record fits in a ring-buffer sub-buffer */

#define MULTI_ROWS	32		/* rows one multi-row INSERT writes */
#define MAX_TARGETS	1024		/* statements one batch writes to */

enum value_tag { VALUE_NULL, VALUE_INT, VALUE_TEXT, VALUE_BLOB };

struct value {
	enum value_tag tag;
	int len;		/* TEXT, BLOB: bytes at arena + offset */
	union {
		int64_t i;
		uint32_t offset;
	};
};

struct row {
	sqlite3_stmt **stmt;		/* NULL: a table creation */
	struct event_table *create;
	uint32_t first, count;		/* values */
};

struct batch {
	uint32_t nr_rows, nr_values, nr_bytes;
	struct row rows[BATCH_ROWS];
	struct value values[BATCH_VALUES];
	char bytes[BATCH_BYTES];
};

/*
 * "INSERT ... VALUES (...)" made into one that writes MULTI_ROWS rows:
 * a step per row is a third of the writer's time otherwise.
 */
struct multi {
	sqlite3_stmt *single;
	sqlite3_stmt *multi;
	int nr_params;			/* of one row */
};

/* The rows of one batch that go to one statement, in order. */
struct target {
	sqlite3_stmt *stmt;
	uint32_t nr_rows;
	uint32_t first;			/* in the order array */
};

struct row_queue {
	struct cmn_db *db;
	int nr_multis;
	struct multi *multis;		/* the writer's */
	uint32_t order[BATCH_ROWS];	/* the writer's: batch rows grouped by target */
	struct target targets[MAX_TARGETS];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct batch *filling;		/* the loader's */
	struct batch *full;		/* handed to the writer, NULL when it may take another */
	struct batch *spare;		/* written, ready for the loader */
	bool done;			/* the loader has no more batches */
	bool failed;			/* the writer hit an error; it drains without writing */
	struct row *row;		/* the row being filled */
};

static void bind_row(sqlite3_stmt *st, int first_param, struct batch *b, const struct row *row)
{
	for (uint32_t v = 0; v < row->count; v++) {
		struct value *val = &b->values[row->first + v];
		int p = first_param + v;

		switch (val->tag) {
		case VALUE_NULL:
			sqlite3_bind_null(st, p);
			break;
		case VALUE_INT:
			sqlite3_bind_int64(st, p, val->i);
			break;
		case VALUE_TEXT:
			sqlite3_bind_text(st, p, b->bytes + val->offset, val->len, SQLITE_STATIC);
			break;
		case VALUE_BLOB:
			sqlite3_bind_blob(st, p, b->bytes + val->offset, val->len, SQLITE_STATIC);
			break;
		}
	}
}

/* The multi-row form of @single, prepared once; NULL if it cannot be made. */
static struct multi *multi_for(struct row_queue *q, sqlite3_stmt *single)
{
	const char *sql = sqlite3_sql(single), *values;
	struct multi *m;
	sqlite3_str *s;
	char *text;

	for (int i = 0; i < q->nr_multis; i++)
		if (q->multis[i].single == single)
			return q->multis[i].multi ? &q->multis[i] : NULL;
	m = realloc(q->multis, (q->nr_multis + 1) * sizeof(*m));
	if (!m)
		return NULL;
	q->multis = m;
	m = &q->multis[q->nr_multis++];
	*m = (struct multi){ .single = single, .nr_params = sqlite3_bind_parameter_count(single) };
	values = strstr(sql, ") VALUES (");
	if (!values)
		return NULL;
	values += strlen(") VALUES ");
	s = sqlite3_str_new(q->db->sql);
	sqlite3_str_append(s, sql, values - sql);
	for (int r = 0; r < MULTI_ROWS; r++)
		sqlite3_str_appendf(s, "%s%s", r ? ", " : "", values);
	text = sqlite3_str_finish(s);
	if (text && sqlite3_prepare_v2(q->db->sql, text, -1, &m->multi, NULL) != SQLITE_OK)
		m->multi = NULL;
	sqlite3_free(text);
	return m->multi ? m : NULL;
}

/* Group the rows of @b by statement, creations done first (they precede their rows). */
static int group_rows(struct row_queue *q, struct batch *b)
{
	int nr = 0;

	for (uint32_t r = 0; r < b->nr_rows; r++) {
		struct row *row = &b->rows[r];
		sqlite3_stmt *st;
		int t;

		if (row->create) {
			if (event_table_create(q->db, row->create) < 0)
				return -1;
			continue;
		}
		st = *row->stmt;
		for (t = nr - 1; t >= 0 && q->targets[t].stmt != st; t--)
			;
		if (t < 0) {
			if (nr == MAX_TARGETS)
				return cmn_db_fail(q->db, "more than %d tables in one batch", MAX_TARGETS);
			t = nr++;
			q->targets[t] = (struct target){ .stmt = st };
		}
		q->targets[t].nr_rows++;
	}
	for (int t = 0, first = 0; t < nr; t++) {
		q->targets[t].first = first;
		first += q->targets[t].nr_rows;
		q->targets[t].nr_rows = 0;
	}
	for (uint32_t r = 0; r < b->nr_rows; r++) {
		struct row *row = &b->rows[r];
		int t;

		if (row->create)
			continue;
		for (t = 0; q->targets[t].stmt != *row->stmt; t++)
			;
		q->order[q->targets[t].first + q->targets[t].nr_rows++] = r;
	}
	return nr;
}

static int write_batch(struct row_queue *q, struct batch *b)
{
	int nr = group_rows(q, b);

	if (nr < 0)
		return -1;
	for (int t = 0; t < nr; t++) {
		struct target *tg = &q->targets[t];
		struct multi *m = tg->nr_rows >= MULTI_ROWS ? multi_for(q, tg->stmt) : NULL;
		uint32_t i = 0;

		for (; m && i + MULTI_ROWS <= tg->nr_rows; i += MULTI_ROWS) {
			for (int r = 0; r < MULTI_ROWS; r++)
				bind_row(m->multi, 1 + r * m->nr_params, b,
					 &b->rows[q->order[tg->first + i + r]]);
			if (cmn_db_step_done(q->db, m->multi) < 0)
				return -1;
		}
		for (; i < tg->nr_rows; i++) {
			bind_row(tg->stmt, 1, b, &b->rows[q->order[tg->first + i]]);
			if (cmn_db_step_done(q->db, tg->stmt) < 0)
				return -1;
		}
	}
	return 0;
}

static void *writer(void *arg)
{
	struct row_queue *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct batch *b;
		bool failed;

		while (!q->full && !q->done)
			pthread_cond_wait(&q->changed, &q->lock);
		if (!q->full)
			break;
		b = q->full;
		failed = q->failed;
		pthread_mutex_unlock(&q->lock);

		if (!failed && write_batch(q, b) < 0)
			failed = true;
		b->nr_rows = b->nr_values = b->nr_bytes = 0;

		pthread_mutex_lock(&q->lock);
		q->failed = failed;
		q->full = NULL;
		q->spare = b;
		pthread_cond_broadcast(&q->changed);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct row_queue *row_queue_start(struct cmn_db *db)
{
	struct row_queue *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->db = db;
	q->filling = calloc(1, sizeof(*q->filling));
	q->spare = calloc(1, sizeof(*q->spare));
	if (!q->filling || !q->spare)
		goto fail;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->changed, NULL);
	if (pthread_create(&q->thread, NULL, writer, q) != 0) {
		pthread_mutex_destroy(&q->lock);
		pthread_cond_destroy(&q->changed);
		goto fail;
	}
	return q;
fail:
	free(q->filling);
	free(q->spare);
	free(q);
	return NULL;
}

/* Hand the filled batch to the writer and take the spare one; returns false if it failed. */
static bool hand_over(struct row_queue *q)
{
	bool failed;

	pthread_mutex_lock(&q->lock);
	while (q->full || !q->spare)
		pthread_cond_wait(&q->changed, &q->lock);
	q->full = q->filling;
	q->filling = q->spare;
	q->spare = NULL;
	failed = q->failed;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	return !failed;
}

int row_queue_finish(struct row_queue *q)
{
	bool failed;

	if (q->filling->nr_rows)
		hand_over(q);
	pthread_mutex_lock(&q->lock);
	q->done = true;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	failed = q->failed;
	for (int i = 0; i < q->nr_multis; i++)
		sqlite3_finalize(q->multis[i].multi);
	free(q->multis);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->changed);
	free(q->filling);
	free(q->spare);
	free(q->full);
	free(q);
	return failed ? -1 : 0;
}

/* Make room for one more row of the largest size before it is started. */
static bool make_room(struct row_queue *q)
{
	struct batch *b = q->filling;

	if (b->nr_rows < BATCH_ROWS && b->nr_values + ROW_MAX_VALUES <= BATCH_VALUES &&
	    b->nr_bytes + ROW_MAX_BYTES <= BATCH_BYTES)
		return true;
	return hand_over(q);
}

int row_queue_create(struct row_queue *q, struct event_table *table)
{
	struct row *row;

	if (!make_room(q))
		return -1;
	row = &q->filling->rows[q->filling->nr_rows++];
	*row = (struct row){ .create = table };
	return 0;
}

void row_queue_begin(struct row_queue *q, sqlite3_stmt **stmt)
{
	struct batch *b;

	make_room(q);	/* a failure shows at row_queue_end() */
	b = q->filling;
	q->row = &b->rows[b->nr_rows];
	*q->row = (struct row){ .stmt = stmt, .first = b->nr_values };
}

static struct value *next_value(struct row_queue *q)
{
	struct batch *b = q->filling;

	/* Past ROW_MAX_VALUES a row is malformed; its extra values overwrite the last. */
	if (q->row->count < ROW_MAX_VALUES)
		q->row->count++;
	return &b->values[q->row->first + q->row->count - 1];
}

void row_queue_int(struct row_queue *q, int64_t value)
{
	struct value *v = next_value(q);

	v->tag = VALUE_INT;
	v->i = value;
}

void row_queue_null(struct row_queue *q)
{
	next_value(q)->tag = VALUE_NULL;
}

static void row_bytes(struct row_queue *q, enum value_tag tag, const void *data, int len)
{
	struct batch *b = q->filling;
	struct value *v = next_value(q);

	if (len < 0)
		len = 0;
	if (b->nr_bytes + len > BATCH_BYTES)	/* a row larger than a sub-buffer: clip */
		len = BATCH_BYTES - b->nr_bytes;
	if (len)
		memcpy(b->bytes + b->nr_bytes, data, len);
	v->tag = tag;
	v->len = len;
	v->offset = b->nr_bytes;
	b->nr_bytes += len;
}

void row_queue_text(struct row_queue *q, const char *text, int len)
{
	row_bytes(q, VALUE_TEXT, text, len);
}

void row_queue_blob(struct row_queue *q, const void *data, int len)
{
	row_bytes(q, VALUE_BLOB, data, len);
}

int row_queue_end(struct row_queue *q)
{
	bool failed;

	q->filling->nr_values += q->row->count;
	q->filling->nr_rows++;
	/* Reading the flag unlocked is a benign race: a failure is seen a batch later. */
	failed = __atomic_load_n(&q->failed, __ATOMIC_RELAXED);
	return failed ? -1 : 0;
}
