// SPDX-License-Identifier: MIT
/*
 * report-flight: a flight recorder's dump in the report -- what froze it, the
 * window it covers, and which findings rest on the call that froze it
 * (analyze's flight table and flight_finding view).  A database without them
 * (no flight capture, or an older maptrail's) simply has none.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-model.h"

static char *dup_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? strdup((const char *)t) : NULL;
}

static int fail(sqlite3 *db, char **err, const char *what)
{
	if (asprintf(err, "the flight table: %s: %s", what, sqlite3_errmsg(db)) < 0)
		*err = NULL;
	return -1;
}

static int mark_findings(sqlite3 *db, struct rep_model *m, char **err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT finding_id FROM flight_finding", -1, &st, NULL))
		return fail(db, err, "flight_finding");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int i = 0; i < m->nr_findings; i++)
			if (m->findings[i].id == sqlite3_column_int64(st, 0))
				m->findings[i].froze = true;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(db, err, "flight_finding");
}

int rep_flight_load(sqlite3 *db, struct rep_model *m, char **err)
{
	bool any = false;
	sqlite3_stmt *st;
	int rc;

	/* no flight table: not a database of this maptrail's, nothing to show */
	if (sqlite3_prepare_v2(db, "SELECT capture_id, reason, trigger, trigger_event,"
			       " trigger_filter, trigger_comm, dumped_at, dump, keep, trigger_ts,"
			       " trigger_tid, window_start, window_complete, window_end, window_events,"
			       " overwritten, after_seconds FROM flight", -1, &st, NULL))
		return 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rep_capture *c = NULL;
		struct rep_flight *f;

		any = true;
		for (int i = 0; i < m->nr_captures; i++)
			if (m->captures[i].id == sqlite3_column_int64(st, 0))
				c = &m->captures[i];
		if (!c || c->flight)
			continue;
		f = c->flight = calloc(1, sizeof(*f));
		if (!f) {
			sqlite3_finalize(st);
			*err = strdup("out of memory");
			return -1;
		}
		f->reason = dup_text(st, 1);
		f->trigger = dup_text(st, 2);
		f->event = dup_text(st, 3);
		f->filter = dup_text(st, 4);
		f->comm = dup_text(st, 5);
		f->dumped_at = dup_text(st, 6);
		f->dump = sqlite3_column_int64(st, 7);
		f->keep = sqlite3_column_int64(st, 8);
		f->has_trigger = f->trigger && sqlite3_column_type(st, 9) != SQLITE_NULL;
		f->ts = sqlite3_column_int64(st, 9);
		f->tid = sqlite3_column_int64(st, 10);
		f->has_window = sqlite3_column_type(st, 11) != SQLITE_NULL;
		f->start = sqlite3_column_int64(st, 11);
		f->complete = sqlite3_column_int64(st, 12);
		f->end = sqlite3_column_int64(st, 13);
		f->events = sqlite3_column_int64(st, 14);
		f->overwritten = sqlite3_column_int64(st, 15);
		f->after = sqlite3_column_double(st, 16);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(db, err, "reading it");
	/*
	 * flight_finding has no row without a flight row, but an older database's
	 * view may still read all the evidence to say so (seconds on 300,000 calls)
	 */
	return m->has_findings && any ? mark_findings(db, m, err) : 0;
}

void rep_flight_free(struct rep_flight *f)
{
	if (!f)
		return;
	free(f->reason);
	free(f->trigger);
	free(f->event);
	free(f->filter);
	free(f->comm);
	free(f->dumped_at);
	free(f);
}

char *rep_flight_text(const struct rep_capture *c)
{
	const struct rep_flight *f = c->flight;
	char a[64], b[64], n[48], *text = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);

	if (!m)
		return NULL;
	fprintf(m, "flight recorder dump %" PRId64 " of at most %" PRId64 ", written %s: ",
		f->dump, f->keep, f->dumped_at ? f->dumped_at : "?");
	if (f->has_trigger)
		fprintf(m, "trigger %s froze it at %s (ts %" PRId64 "), %s by %s (thread %" PRId64
			") if %s. ", f->trigger, rep_fmt_rel(a, sizeof(a), c, f->ts), f->ts,
			f->event ? f->event : "?", f->comm && *f->comm ? f->comm : "?", f->tid,
			f->filter && *f->filter ? f->filter : "every call");
	else
		fprintf(m, "no trigger fired; dumped on %s. ",
			f->reason && !strcmp(f->reason, "usr1") ? "SIGUSR1" : f->reason ? f->reason : "?");
	if (f->has_window) {
		fprintf(m, "The window: %s of %s events, ", rep_fmt_dur(a, sizeof(a),
			f->end - f->start, c->ns), rep_fmt_count(n, sizeof(n), f->events));
		if (f->has_trigger)
			fprintf(m, "%s before the trigger and %s after it%s, ",
				rep_fmt_dur(b, sizeof(b), f->ts - f->start, c->ns),
				rep_fmt_dur(a, sizeof(a), f->end - f->ts, c->ns),
				f->after > 0 ? " (--after)" : "");
		fprintf(m, "complete on every CPU from %s; ", rep_fmt_rel(a, sizeof(a), c, f->complete));
	}
	fprintf(m, "%s older events were overwritten before it (the ring buffer's start, not a "
		"loss).", rep_fmt_count(n, sizeof(n), f->overwritten));
	if (fclose(m)) {
		free(text);
		return NULL;
	}
	return text;
}
