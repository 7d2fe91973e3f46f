/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_EXP_SENDER_H
#define MAPTRAIL_EXP_SENDER_H

/*
 * sender: the batch in flight.  A thread of its own POSTs one INSERT's rows
 * to the server while the caller reads the next batch from SQLite; one batch
 * at a time, so rows reach ClickHouse in the order they were handed over.
 * The thread has its own client (a curl handle is one thread's).
 *
 *	exp_sender_start(url, db, &tx, &err);
 *	while (rows to send) {
 *		fill rows;
 *		exp_sender_send(tx, insert, &rows, &err);   // after the previous one
 *	}
 *	exp_sender_wait_accepted(tx, NULL, &err);           // every batch accepted
 *	tx = exp_sender_stop(tx);
 */

#include <stdbool.h>

#include "buf.h"

struct exp_sender;

/*
 * exp_sender_start - a client for @url (database @database, inserts
 * synchronous through Distributed tables) and its thread.  0 and *@tx, or -1
 * and *@err.
 */
int exp_sender_start(const char *url, const char *database, struct exp_sender **tx, char **err);

/*
 * exp_sender_send - wait for the batch in flight, then send @rows with
 * @insert.  @rows is taken: on return it holds an empty buffer to fill next.
 * 0, or -1 and *@err (the previous batch's error, or out of memory).
 */
int exp_sender_send(struct exp_sender *tx, const char *insert, struct exp_buf *rows, char **err);

/*
 * exp_sender_wait_accepted - wait for the batch in flight.  0 when it (if any) was
 * accepted, -1 and *@err when not.  *@accepted (may be NULL) counts the
 * batches accepted since the previous call: 0 or 1.
 */
int exp_sender_wait_accepted(struct exp_sender *tx, int *accepted, char **err);

/* exp_sender_stop - wait for the batch in flight, end the thread and free; NULL is fine. */
struct exp_sender *exp_sender_stop(struct exp_sender *tx);

#endif
