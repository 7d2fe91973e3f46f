/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_ROW_QUEUE_H
#define MAPTRAIL_ROW_QUEUE_H

/*
 * row-queue: analyze in two threads.  The loader (reading and decoding the
 * trace, pairing calls) fills batches of rows; a writer thread binds them to
 * their INSERT statements and steps SQLite.  Reading and writing take about
 * the same time, so on two cores the load takes half as long.
 *
 * While the queue runs, the writer thread owns the database: the loader only
 * appends rows and table creations, in the order they must happen.  Memory is
 * two batches, whatever the size of the capture.
 *
 *	q = row_queue_start(db);
 *	row_queue_create(q, table);		// before the table's first row
 *	row_queue_begin(q, &table->insert);
 *	row_queue_int(q, 42); row_queue_text(q, comm, len); ...
 *	if (row_queue_end(q) < 0) ...		// the writer failed: db->err says why
 *	row_queue_finish(q);			// flush, join; the database is ours again
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sqlite3.h>

#include "sql.h"
#include "event-tables.h"

struct row_queue;

/* row_queue_start - start the writer thread on @db.  NULL on failure (ENOMEM, threads). */
struct row_queue *row_queue_start(struct cmn_db *db);

/*
 * row_queue_finish - write what is queued, stop the writer and free the queue.
 * Returns 0, or -1 if the writer failed (db->err set).
 */
int row_queue_finish(struct row_queue *q);

/* row_queue_create - have the writer run event_table_create() for @table. */
int row_queue_create(struct row_queue *q, struct event_table *table);

/*
 * row_queue_begin - start a row for the statement *@stmt points to (read by the
 * writer when it writes the row, so a statement a queued creation prepares
 * can be named before it exists).  Values follow in parameter order.
 */
void row_queue_begin(struct row_queue *q, sqlite3_stmt **stmt);
void row_queue_int(struct row_queue *q, int64_t value);
void row_queue_null(struct row_queue *q);
/* Text and blobs are copied: the record they come from is gone when the writer runs. */
void row_queue_text(struct row_queue *q, const char *text, int len);
void row_queue_blob(struct row_queue *q, const void *data, int len);

/* row_queue_int_or_null - @value when @known, else NULL. */
static inline void row_queue_int_or_null(struct row_queue *q, int64_t value, bool known)
{
	if (known)
		row_queue_int(q, value);
	else
		row_queue_null(q);
}

/* row_queue_text_or_null - @text (@len bytes; < 0: up to its NUL), NULL when @text is. */
static inline void row_queue_text_or_null(struct row_queue *q, const char *text, int len)
{
	if (text)
		row_queue_text(q, text, len < 0 ? (int)strlen(text) : len);
	else
		row_queue_null(q);
}

/* row_queue_end - the row is complete.  Returns 0, or -1 once the writer has failed. */
int row_queue_end(struct row_queue *q);

#endif
