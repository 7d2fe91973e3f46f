/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CALLS_H
#define MAPTRAIL_CALLS_H

/*
 * calls: one row per system call in the call tables (mremap, mprotect, ...),
 * entry and exit paired per thread while the events stream past.
 *
 * Which events are entries and exits of which call, and which field holds
 * which argument, is read from the schema (schema_source, schema_arg_source):
 * syscall tracepoints and maptrail's kprobe/kretprobe pairs go through the
 * same code.  A thread has at most one system call in flight, so memory is
 * bounded by the threads in flight, not by the events.
 *
 * Nothing is dropped: an entry whose exit never comes gets a row with NULL
 * ret, an exit without its entry a row with NULL arguments.  Each entry and
 * exit event is stored once, in its call row, with all its fields; the event
 * tables of their formats (syscalls__sys_enter_mremap, ...) are views of the
 * call table, so the database holds every event once and a call is written
 * once, not three times.
 */

#include <stdint.h>
#include <traceevent/event-parse.h>

#include "sql.h"
#include "event-tables.h"
#include "tasks.h"

struct calls;
struct hist_table;
struct row_queue;

/*
 * calls_alloc - read the schema from @db, create the call tables, and attach a
 * call role to each table in @slots (indexed by event id) that is an entry or
 * exit of a schema source.  Returns NULL with db->err set on failure; free
 * with calls_free().
 */
struct calls *calls_alloc(struct cmn_db *db, struct tep_handle *tep, int64_t capture_id,
			  struct event_table **slots, int nr_slots, struct task_map *tasks);

/* calls_free - accepts NULL, returns NULL. */
struct calls *calls_free(struct calls *calls);

/*
 * calls_event - @rec (event @row_id, thread @tid, in the buffer whose row is
 * @buffer_id) is an entry or exit; a completed call is queued on @q.  Call
 * only for tables with t->call set: their events are stored in the call row,
 * not in a table of their own.  Returns 0 or -1 (the writer failed, or ENOMEM
 * with db->err set).
 */
int calls_event(struct calls *calls, struct row_queue *q, struct event_table *t,
		const struct tep_record *rec, int64_t buffer_id, int tid, int64_t row_id);

/* calls_flush - queue the calls still in flight (entries without exits).  Returns 0 or -1. */
int calls_flush(struct calls *calls, struct row_queue *q);

/*
 * calls_finish - once the queue is done: the views that stand for the event
 * tables of entries and exits, the indexes of the call tables and their
 * decoding views.  Returns 0 or -1 with db->err set.
 */
int calls_finish(struct calls *calls);

/* calls_set_history - feed each call with both halves to @history (NULL: none). */
void calls_set_history(struct calls *calls, struct hist_table *history);

/* calls_total - call rows written so far. */
uint64_t calls_total(const struct calls *calls);

#endif
