// SPDX-License-Identifier: MIT
/*
 * The report's content, read from the database (see report-model.h).  Every
 * query is here; the writers only render.  Identifiers that come from the
 * database (call table names) are quoted with %w, values bound.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "report.h"
#include "db-identity.h"
#include "error-line.h"
#include "plan-rows.h"
#include "sql.h"
#include "report-model.h"

/* The first error is in db.err, handed to the caller at the end. */
struct loader {
	struct cmn_db db;
	struct rep_model *m;
};

static int fail(struct loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmn_vfail(&l->db.err, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL;
}

static int has_column(struct loader *l, const char *table, const char *column)
{
	sqlite3_stmt *st = cmn_db_prepare(&l->db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
	rc = cmn_db_step(&l->db, st);
	sqlite3_finalize(st);
	return rc < 0 ? -1 : rc == SQLITE_ROW;
}

static void note(struct rep_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct rep_model *m, const char *fmt, ...)
{
	va_list ap;

	if (m->nr_notes >= (int)(sizeof(m->notes) / sizeof(m->notes[0])))
		return;
	va_start(ap, fmt);
	if (vasprintf(&m->notes[m->nr_notes], fmt, ap) >= 0)
		m->nr_notes++;
	va_end(ap);
}

int rep_call_index(const struct rep_model *m, const char *call)
{
	for (int i = 0; i < m->nr_calls; i++)
		if (!strcmp(m->calls[i], call))
			return i;
	return -1;
}

bool rep_same_process(const struct rep_finding *a, const struct rep_finding *b)
{
	return a && b && a->capture_id == b->capture_id && a->has_pid && b->has_pid &&
	       a->pid == b->pid;
}

int64_t rep_group_more(const struct rep_finding *f, int shown)
{
	return f->group_total > shown ? f->group_total - shown : 0;
}

int rep_group_end(const struct rep_model *m, int i)
{
	const struct rep_finding *f = &m->findings[i];
	int end = i + 1;

	while (end < m->nr_findings && m->findings[end].rank == f->rank &&
	       !strcmp(m->findings[end].detection ? m->findings[end].detection : "",
		       f->detection ? f->detection : ""))
		end++;
	return end;
}

/* ------------------------------------------------------------------ */
/* The call tables                                                     */

/*
 * The call tables this database has: the schema's memory events that are
 * tables (databases before the schema's family column: all its events).
 */
static int load_calls(struct loader *l)
{
	struct rep_model *m = l->m;
	sqlite3_stmt *st;
	int rc, has = cmn_db_has_table(&l->db, "schema_event", CMN_DB_TABLE_OR_VIEW), family = 0;

	if (has < 0)
		return -1;
	if (has) {
		st = cmn_db_prepare(&l->db, "SELECT count(*) FROM pragma_table_info('schema_event')"
				    " WHERE name = 'family'");
		if (!st)
			return -1;
		if (cmn_db_step(&l->db, st) == SQLITE_ROW)
			family = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (has && family)
		st = cmn_db_prepare(&l->db, "SELECT name FROM schema_event WHERE family = 'memory'"
				    " AND name IN (SELECT name FROM sqlite_master WHERE type = 'table')"
				    " ORDER BY name");
	else if (has)
		st = cmn_db_prepare(&l->db, "SELECT name FROM schema_event WHERE name IN (SELECT name FROM"
				    " sqlite_master WHERE type = 'table') ORDER BY name");
	else
		st = cmn_db_prepare(&l->db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN"
				    " ('brk', 'mmap', 'mmap2', 'mprotect', 'mremap', 'munmap',"
				    " 'pkey_mprotect', 'remap_file_pages') ORDER BY name");
	if (!st)
		return -1;
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW && m->nr_calls < REP_MAX_CALLS) {
		m->calls[m->nr_calls] = cmn_db_text_dup(st, 0);
		if (m->calls[m->nr_calls])
			m->nr_calls++;
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

/* A call type the schema does not list (memory_call may know more): told apart if room. */
static int call_index_add(struct rep_model *m, const char *call)
{
	int i = rep_call_index(m, call);

	if (i >= 0 || m->nr_calls >= REP_MAX_CALLS)
		return i;
	m->calls[m->nr_calls] = strdup(call);
	return m->calls[m->nr_calls] ? m->nr_calls++ : -1;
}

/* ------------------------------------------------------------------ */
/* What was captured                                                   */

static bool clock_counts_ns(const char *clock)
{
	static const char *const ns_clocks[] = {
		"local", "global", "mono", "mono_raw", "boot", "perf", "tai",
	};

	if (!clock)
		return true;	/* trace-cmd's default is local */
	for (size_t i = 0; i < sizeof(ns_clocks) / sizeof(ns_clocks[0]); i++)
		if (!strcmp(clock, ns_clocks[i]))
			return true;
	return false;
}

/* @event joins the group of @groups whose what is @what, made at the end when there is none. */
static int add_to_group(struct rep_event_group **groups, int *nr, const char *what,
			const char *event)
{
	struct rep_event_group *g;
	char *events;

	for (int i = 0; i < *nr; i++) {
		g = &(*groups)[i];
		if (strcmp(g->what, what))
			continue;
		if (asprintf(&events, "%s, %s", g->events, event) < 0)
			return -1;
		free(g->events);
		g->events = events;
		return 0;
	}
	g = realloc(*groups, (*nr + 1) * sizeof(*g));
	if (!g)
		return -1;
	*groups = g;
	g = &g[*nr];
	g->events = strdup(event);
	g->what = strdup(what);
	if (!g->events || !g->what) {
		free(g->events);
		free(g->what);
		return -1;
	}
	(*nr)++;
	return 0;
}

static int add_not_hooked(struct rep_capture *c, const char *event, const char *reason)
{
	return add_to_group(&c->not_hooked, &c->nr_not_hooked, reason, event);
}

/* The rows of @c's plan in capture_plan, in the plan's order (none: a capture of an older recorder). */
static int load_plan_rows(struct loader *l, const struct rep_capture *c, struct cmn_plan **out)
{
	sqlite3_str *cols = sqlite3_str_new(NULL);
	struct cmn_plan *p = cmn_plan_alloc();
	sqlite3_stmt *st = NULL;
	char *list;
	int rc;

	for (int i = 0; i < CMN_PLAN_NR_COLS; i++)
		sqlite3_str_appendf(cols, "%s\"%w\"", i ? ", " : "", cmn_plan_col_names[i]);
	list = sqlite3_str_finish(cols);
	if (list && p)
		st = cmn_db_prepare(&l->db, "SELECT %s FROM capture_plan WHERE capture_id = ? ORDER BY seq",
				    list);
	sqlite3_free(list);
	if (!list || !p) {
		cmn_plan_free(p);
		return fail(l, "out of memory");
	}
	if (!st) {
		cmn_plan_free(p);
		return -1;
	}
	sqlite3_bind_int64(st, 1, c->id);
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW) {
		cmn_plan_add(p, NULL);
		for (int i = 0; i < CMN_PLAN_NR_COLS; i++)
			cmn_plan_put(p, i, (const char *)sqlite3_column_text(st, i));
	}
	sqlite3_finalize(st);
	if (rc < 0 || !cmn_plan_ok(p)) {
		cmn_plan_free(p);
		return rc < 0 ? -1 : fail(l, "out of memory");
	}
	*out = p;
	return 0;
}

/* Column @col of plan row @r, or @none where it has no value. */
static const char *or_none(const struct cmn_plan_row *r, enum cmn_plan_col col, const char *none)
{
	return r->col[col] ? r->col[col] : none;
}

/*
 * What the recorder's plan rows say was recorded, and what could not be
 * hooked: an event's reason (not recorded, or recorded another way than
 * asked), else each of its sources that the kernel did not offer, with why.
 * A capture of an older recorder has no rows, only the prose (c->plan).
 */
static int load_plan(struct loader *l, struct rep_capture *c)
{
	const struct cmn_plan_row *ev = NULL;	/* the event whose rows follow */
	struct cmn_plan *p = NULL;
	int ret = -1;

	if (load_plan_rows(l, c, &p))
		return -1;
	c->plan_rows = p->nr > 0;
	if (!c->plan_rows) {
		cmn_plan_free(p);
		return 0;
	}
	c->plan_summary = cmn_plan_summary(p);
	if (!c->plan)
		c->plan = cmn_plan_text(p, true);
	if (!c->plan_summary || !c->plan)
		goto nomem;
	for (int i = 0; i < p->nr; i++) {
		const struct cmn_plan_row *r = &p->rows[i];
		const char *event = or_none(r, CMN_PLAN_EVENT, "?");
		char *what;
		int err;

		if (cmn_plan_is(r, CMN_PLAN_KIND, "event")) {
			ev = r;
			if (add_to_group(&c->plan_backends, &c->nr_plan_backends,
					 or_none(r, CMN_PLAN_BACKEND, "NOT RECORDED"), event) ||
			    (r->col[CMN_PLAN_REASON] && add_not_hooked(c, event, r->col[CMN_PLAN_REASON])))
				goto nomem;
			continue;
		}
		if (!cmn_plan_is(r, CMN_PLAN_KIND, "source") || !cmn_plan_is(r, CMN_PLAN_AVAILABLE, "0") ||
		    !ev || ev->col[CMN_PLAN_REASON])
			continue;
		if (asprintf(&what, "%s %s/%s: %s", or_none(r, CMN_PLAN_BACKEND, "?"),
			     or_none(r, CMN_PLAN_ARCH, "?"), or_none(r, CMN_PLAN_ABI, "?"),
			     or_none(r, CMN_PLAN_REASON, "unavailable")) < 0)
			goto nomem;
		err = add_not_hooked(c, event, what);
		free(what);
		if (err)
			goto nomem;
	}
	ret = 0;
nomem:
	if (ret)
		fail(l, "out of memory");
	cmn_plan_free(p);
	return ret;
}

static int load_cpus(struct loader *l, struct rep_capture *c)
{
	sqlite3_stmt *st = cmn_db_prepare(&l->db, "SELECT coalesce(b.name, ''), c.cpu, c.events, c.lost_events,"
					  " c.lost_unknown, c.stats_overrun, c.stats_commit_overrun,"
					  " c.stats_dropped_events FROM capture_cpu c LEFT JOIN buffer b"
					  " ON b.id = c.buffer_id WHERE c.capture_id = ?"
					  " ORDER BY c.buffer_id, c.cpu");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, c->id);
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW) {
		struct rep_cpu *n = realloc(c->cpu, (c->nr_cpu + 1) * sizeof(*n)), *p;

		if (!n) {
			rc = fail(l, "out of memory");
			break;
		}
		c->cpu = n;
		p = &n[c->nr_cpu++];
		memset(p, 0, sizeof(*p));
		p->buffer = cmn_db_text_dup(st, 0);
		p->cpu = sqlite3_column_int(st, 1);
		p->events = sqlite3_column_int64(st, 2);
		p->lost = sqlite3_column_int64(st, 3);
		p->lost_unknown = sqlite3_column_int64(st, 4);
		p->has_stats = !is_null(st, 5);
		p->overrun = sqlite3_column_int64(st, 5);
		p->commit_overrun = sqlite3_column_int64(st, 6);
		p->dropped = sqlite3_column_int64(st, 7);
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

/* Calls whose entry or exit is not in the capture, per call table. */
static int load_unpaired(struct loader *l, struct rep_capture *c)
{
	struct rep_model *m = l->m;

	c->unpaired = calloc(m->nr_calls ? m->nr_calls : 1, sizeof(*c->unpaired));
	if (!c->unpaired)
		return fail(l, "out of memory");
	for (int i = 0; i < m->nr_calls; i++) {
		sqlite3_stmt *st = cmn_db_prepare(&l->db, "SELECT count(*), count(*) - count(exit_id),"
						  " count(*) - count(enter_id) FROM \"%w\" WHERE capture_id = ?",
						  m->calls[i]);
		struct rep_unpaired *u = &c->unpaired[c->nr_unpaired];

		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, c->id);
		if (cmn_db_step(&l->db, st) == SQLITE_ROW) {
			u->call = m->calls[i];
			u->calls = sqlite3_column_int64(st, 0);
			u->no_exit = sqlite3_column_int64(st, 1);
			u->no_entry = sqlite3_column_int64(st, 2);
			c->nr_unpaired++;
		}
		sqlite3_finalize(st);
		if (l->db.err)
			return -1;
	}
	return 0;
}

static int load_captures(struct loader *l)
{
	struct rep_model *m = l->m;
	int plan = has_column(l, "capture", "recorder_plan"), rows, rc;
	sqlite3_stmt *st;

	if (plan < 0)
		return -1;
	st = cmn_db_prepare(&l->db, "SELECT id, path, sha256, hostname, uname, clock, compression, analyzed_at,"
			    " maptrail_version, size, file_version, cpus, first_ts, last_ts, event_count,"
			    " lost_events, lost_unknown, %s FROM capture ORDER BY id",
			    plan ? "recorder_plan" : "NULL");
	if (!st)
		return -1;
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW) {
		struct rep_capture *n = realloc(m->captures, (m->nr_captures + 1) * sizeof(*n)), *c;

		if (!n) {
			rc = fail(l, "out of memory");
			break;
		}
		m->captures = n;
		c = &n[m->nr_captures++];
		memset(c, 0, sizeof(*c));
		c->id = sqlite3_column_int64(st, 0);
		c->path = cmn_db_text_dup(st, 1);
		c->sha256 = cmn_db_text_dup(st, 2);
		c->host = cmn_db_text_dup(st, 3);
		c->uname = cmn_db_text_dup(st, 4);
		c->clock = cmn_db_text_dup(st, 5);
		c->compression = cmn_db_text_dup(st, 6);
		c->analyzed_at = cmn_db_text_dup(st, 7);
		c->version = cmn_db_text_dup(st, 8);
		c->size = sqlite3_column_int64(st, 9);
		c->file_version = sqlite3_column_int64(st, 10);
		c->cpus = sqlite3_column_int64(st, 11);
		c->has_span = !is_null(st, 12) && !is_null(st, 13);
		c->first_ts = sqlite3_column_int64(st, 12);
		c->last_ts = sqlite3_column_int64(st, 13);
		c->events = sqlite3_column_int64(st, 14);
		c->lost = sqlite3_column_int64(st, 15);
		c->lost_unknown = sqlite3_column_int64(st, 16);
		c->plan = cmn_db_text_dup(st, 17);
		c->ns = clock_counts_ns(c->clock);
	}
	sqlite3_finalize(st);
	if (rc < 0 || (rows = cmn_db_has_table(&l->db, "capture_plan", CMN_DB_TABLE_OR_VIEW)) < 0)
		return -1;
	for (int i = 0; i < m->nr_captures; i++)
		if (load_cpus(l, &m->captures[i]) || load_unpaired(l, &m->captures[i]) ||
		    (rows && load_plan(l, &m->captures[i])))
			return -1;
	/* the wall clock of each capture that has one (report-fmt.c) */
	if (rep_capture_clocks(l->db.sql, m))
		return fail(l, "out of memory");
	return 0;
}

static const struct rep_capture *capture_by_id(const struct rep_model *m, int64_t id)
{
	for (int i = 0; i < m->nr_captures; i++)
		if (m->captures[i].id == id)
			return &m->captures[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Findings and their evidence                                         */

/* One prepared lookup per call table: its decoded view, and which columns are arguments. */
struct decoder {
	char *call;
	sqlite3_stmt *st;
	int ts, tid, ret, err;
	int nr_args, args[16];
};

static void decoder_free(struct decoder *d)
{
	free(d->call);
	sqlite3_finalize(d->st);
}

static int decoder_init(struct loader *l, struct decoder *d, const char *call)
{
	char view[256];
	int has_view, has_args;
	sqlite3_stmt *names = NULL;

	memset(d, 0, sizeof(*d));
	d->ts = d->tid = d->ret = d->err = -1;
	if (!(d->call = strdup(call)))
		return fail(l, "out of memory");
	snprintf(view, sizeof(view), "%s_decoded", call);
	if ((has_view = cmn_db_has_table(&l->db, view, CMN_DB_TABLE_OR_VIEW)) < 0 || (has_args = cmn_db_has_table(&l->db, "schema_arg", CMN_DB_TABLE_OR_VIEW)) < 0)
		return -1;
	if (!has_view && rep_call_index(l->m, call) < 0)
		return 0;	/* not a call table: the evidence row is shown as not found */
	if (!(d->st = cmn_db_prepare(&l->db, "SELECT * FROM \"%w\" WHERE id = ?", has_view ? view : call)))
		return -1;
	if (has_args && !(names = cmn_db_prepare(&l->db, "SELECT name FROM schema_arg WHERE event = ?"
						 " ORDER BY position")))
		return -1;
	for (int i = 0; i < sqlite3_column_count(d->st); i++) {
		const char *col = sqlite3_column_name(d->st, i);

		if (!strcmp(col, "ts"))
			d->ts = i;
		else if (!strcmp(col, "tid"))
			d->tid = i;
		else if (!strcmp(col, "ret"))
			d->ret = i;
		else if (!strcmp(col, "errno"))
			d->err = i;
	}
	if (names) {
		int rc;

		sqlite3_bind_text(names, 1, call, -1, SQLITE_STATIC);
		while ((rc = cmn_db_step(&l->db, names)) == SQLITE_ROW && d->nr_args < 16) {
			const char *arg = (const char *)sqlite3_column_text(names, 0);

			for (int i = 0; arg && i < sqlite3_column_count(d->st); i++)
				if (!strcmp(sqlite3_column_name(d->st, i), arg)) {
					d->args[d->nr_args++] = i;
					break;
				}
		}
		sqlite3_finalize(names);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int decode_evidence(struct loader *l, struct decoder *d, struct rep_evidence *e)
{
	char *args = NULL;
	size_t size = 0;
	FILE *f;
	int rc;

	if (!d->st)
		return 0;
	sqlite3_reset(d->st);
	sqlite3_bind_int64(d->st, 1, e->call_id);
	if ((rc = cmn_db_step(&l->db, d->st)) != SQLITE_ROW)
		return rc < 0 ? -1 : 0;
	e->found = true;
	if (d->ts >= 0)
		e->ts = sqlite3_column_int64(d->st, d->ts);
	if (d->tid >= 0)
		e->tid = sqlite3_column_int64(d->st, d->tid);
	if (d->ret >= 0)
		e->ret = cmn_db_text_dup(d->st, d->ret);
	if (d->err >= 0)
		e->err = cmn_db_text_dup(d->st, d->err);
	if (!(f = open_memstream(&args, &size)))
		return fail(l, "out of memory");
	for (int i = 0; i < d->nr_args; i++) {
		const char *v = (const char *)sqlite3_column_text(d->st, d->args[i]);

		/* the decoded views show no flag at all as "" */
		fprintf(f, "%s%s=%s", i ? " " : "", sqlite3_column_name(d->st, d->args[i]),
			!v ? "?" : *v ? v : "0");
	}
	if (fclose(f))
		return fail(l, "out of memory");
	e->args = args;
	return 0;
}

/*
 * The findings as the report lists them, and which it shows: groups most
 * severe first (a group: one detection at one severity; the one that found
 * something first first), in each group its first REP_MAX_PER_GROUP findings
 * in time order.  The bound is per group, so every group shows some.
 */
#define SHOWN_FINDINGS "(SELECT *, row_number() OVER grp AS nth, count(*) OVER grp AS group_total," \
	" min(ts) OVER grp AS group_first FROM findings" \
	" WINDOW grp AS (PARTITION BY severity_rank, detection ORDER BY ts, id" \
	"  ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))"
#define SHOWN_WHERE "nth <= %d"
#define SHOWN_ORDER "severity_rank DESC, group_first, detection, ts, id"

struct finding_ref {
	int64_t id;
	int index;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct finding_ref *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_ev(const void *a, const void *b)
{
	const struct rep_evidence *x = a, *y = b;

	if (x->found != y->found)
		return y->found - x->found;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/*
 * The evidence of the shown findings (@refs: theirs, by id): of each, the
 * first REP_MAX_EVIDENCE calls in call-id order, decoded, and how many more.
 * One finding at a time, on finding_evidence's primary key: a group of
 * 300,000 calls shows its first few, the rest are counted, not read or sorted.
 */
static int load_evidence(struct loader *l, struct finding_ref *refs)
{
	struct rep_model *m = l->m;
	struct decoder dec[REP_MAX_CALLS + 4];
	int nr_dec = 0, rc = SQLITE_DONE, ret = -1;
	sqlite3_stmt *count, *first = NULL;

	count = cmn_db_prepare(&l->db, "SELECT count(*) FROM finding_evidence WHERE finding_id = ?");
	if (count)
		first = cmn_db_prepare(&l->db, "SELECT call, call_id FROM (SELECT call, call_id"
				       " FROM finding_evidence WHERE finding_id = ?"
				       " ORDER BY call_id, call LIMIT %d) ORDER BY call, call_id",
				       REP_MAX_EVIDENCE);
	if (!first)
		goto out;
	for (int r = 0; r < m->nr_findings; r++) {
		struct rep_finding *f = &m->findings[refs[r].index];
		int64_t total = 0;

		sqlite3_reset(count);
		sqlite3_bind_int64(count, 1, refs[r].id);
		if ((rc = cmn_db_step(&l->db, count)) < 0)
			goto out;
		if (rc == SQLITE_ROW)
			total = sqlite3_column_int64(count, 0);
		if (!total)
			continue;
		f->more_ev = total > REP_MAX_EVIDENCE ? total - REP_MAX_EVIDENCE : 0;
		sqlite3_reset(first);
		sqlite3_bind_int64(first, 1, refs[r].id);
		while ((rc = cmn_db_step(&l->db, first)) == SQLITE_ROW && f->nr_ev < REP_MAX_EVIDENCE) {
			const char *call = (const char *)sqlite3_column_text(first, 0);
			struct rep_evidence *e;
			struct decoder *d = NULL;

			if (!f->ev && !(f->ev = calloc(REP_MAX_EVIDENCE, sizeof(*f->ev)))) {
				fail(l, "out of memory");
				goto out;
			}
			e = &f->ev[f->nr_ev++];
			e->call = strdup(call ? call : "?");
			e->call_id = sqlite3_column_int64(first, 1);
			if (!e->call) {
				fail(l, "out of memory");
				goto out;
			}
			for (int i = 0; i < nr_dec; i++)
				if (!strcmp(dec[i].call, e->call))
					d = &dec[i];
			if (!d && nr_dec < (int)(sizeof(dec) / sizeof(dec[0]))) {
				d = &dec[nr_dec++];
				if (decoder_init(l, d, e->call))
					goto out;
			}
			if (d && decode_evidence(l, d, e))
				goto out;
		}
		if (rc < 0)
			goto out;
	}
	/* evidence in the order it happened */
	for (int i = 0; i < m->nr_findings; i++)
		if (m->findings[i].nr_ev)
			qsort(m->findings[i].ev, m->findings[i].nr_ev, sizeof(struct rep_evidence),
			      cmp_ev);
	ret = 0;
out:
	for (int i = 0; i < nr_dec; i++)
		decoder_free(&dec[i]);
	sqlite3_finalize(first);
	sqlite3_finalize(count);
	return ret;
}

/* An unknown severity (a database of another version) is shown as info. */
static int rank_of(const char *severity)
{
	int rank = cmn_severity_rank(severity);

	return rank < 0 ? 0 : rank;
}

static int load_findings(struct loader *l)
{
	struct rep_model *m = l->m;
	struct finding_ref *refs = NULL;
	int has = cmn_db_has_table(&l->db, "findings", CMN_DB_TABLE_OR_VIEW), has_ev, rc, ret = -1;
	int has_context, has_group;
	const char *calls;
	sqlite3_stmt *st;

	if (has <= 0) {
		if (!has)
			note(m, "no findings table: this database was made by an older maptrail "
			     "(analyze it again to run the detections)");
		return has;
	}
	if ((has_ev = cmn_db_has_table(&l->db, "finding_evidence", CMN_DB_TABLE_OR_VIEW)) < 0)
		return -1;
	m->has_findings = true;
	if (!(st = cmn_db_prepare(&l->db, "SELECT severity, severity_rank, count(*) FROM findings GROUP BY 1, 2")))
		return -1;
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW) {
		int r = is_null(st, 1) ? rank_of((const char *)sqlite3_column_text(st, 0)) :
			sqlite3_column_int(st, 1);

		r = r < 0 ? 0 : r > 3 ? 3 : r;
		m->by_rank[r] += sqlite3_column_int64(st, 2);
		m->total_findings += sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return -1;
	/* older databases: no context columns (one call per finding, nothing lowered) */
	if ((has_context = has_column(l, "findings", "lowered_by")) < 0 ||
	    (has_group = has_column(l, "findings", "calls")) < 0)
		return -1;
	calls = has_group ? "calls" : "1";
	st = cmn_db_prepare(&l->db, "SELECT detection, max(title), severity_rank, count(*), count(DISTINCT"
			    " capture_id || ':' || pid), sum(%s), %s"
			    " FROM findings AS f GROUP BY severity_rank, detection"
			    " ORDER BY 3 DESC, min(ts), 1", calls,
			    has_context ? "count(lowered_by)" : "0");
	if (!st)
		return -1;
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW) {
		struct rep_detection *n = realloc(m->detections, (m->nr_detections + 1) * sizeof(*n));

		if (!n) {
			rc = fail(l, "out of memory");
			break;
		}
		m->detections = n;
		n = &n[m->nr_detections++];
		n->detection = cmn_db_text_dup(st, 0);
		n->title = cmn_db_text_dup(st, 1);
		n->rank = sqlite3_column_int(st, 2);
		n->rank = n->rank < 0 ? 0 : n->rank > 3 ? 3 : n->rank;
		n->count = sqlite3_column_int64(st, 3);
		n->processes = sqlite3_column_int64(st, 4);
		n->calls = sqlite3_column_int64(st, 5);
		n->lowered = sqlite3_column_int64(st, 6);
		m->total_lowered += n->lowered;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return -1;
	/* at most REP_MAX_PER_GROUP findings of each group */
	m->findings = calloc(m->nr_detections * REP_MAX_PER_GROUP + 1, sizeof(*m->findings));
	refs = calloc(m->nr_detections * REP_MAX_PER_GROUP + 1, sizeof(*refs));
	if (!m->findings || !refs) {
		fail(l, "out of memory");
		goto out;
	}
	st = cmn_db_prepare(&l->db, "SELECT id, capture_id, detection, title, severity, severity_rank, mitre, ts,"
			    " pid, tid, comm, addr, len, summary, group_total, %s, %s"
			    " FROM " SHOWN_FINDINGS " WHERE " SHOWN_WHERE " ORDER BY " SHOWN_ORDER,
			    has_context ? "exe, cmdline, ppid, detection_severity, lowered_by" :
			    "NULL, NULL, NULL, NULL, NULL",
			    has_group ? "calls, last_ts" : "1, NULL", REP_MAX_PER_GROUP);
	if (!st)
		goto out;
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW &&
	       m->nr_findings < m->nr_detections * REP_MAX_PER_GROUP) {
		struct rep_finding *f = &m->findings[m->nr_findings];

		f->id = sqlite3_column_int64(st, 0);
		f->capture_id = sqlite3_column_int64(st, 1);
		f->capture = capture_by_id(m, f->capture_id);
		f->detection = cmn_db_text_dup(st, 2);
		f->title = cmn_db_text_dup(st, 3);
		f->severity = cmn_db_text_dup(st, 4);
		f->rank = is_null(st, 5) ? rank_of(f->severity) : sqlite3_column_int(st, 5);
		f->rank = f->rank < 0 ? 0 : f->rank > 3 ? 3 : f->rank;
		f->mitre = cmn_db_text_dup(st, 6);
		f->has_ts = !is_null(st, 7);
		f->ts = sqlite3_column_int64(st, 7);
		f->has_pid = !is_null(st, 8);
		f->pid = sqlite3_column_int64(st, 8);
		f->has_tid = !is_null(st, 9);
		f->tid = sqlite3_column_int64(st, 9);
		f->comm = cmn_db_text_dup(st, 10);
		f->has_addr = !is_null(st, 11);
		f->addr = sqlite3_column_int64(st, 11);
		f->has_len = !is_null(st, 12);
		f->len = sqlite3_column_int64(st, 12);
		f->summary = cmn_db_text_dup(st, 13);
		f->group_total = sqlite3_column_int64(st, 14);
		f->exe = cmn_db_text_dup(st, 15);
		f->cmdline = cmn_db_text_dup(st, 16);
		f->has_ppid = !is_null(st, 17);
		f->ppid = sqlite3_column_int64(st, 17);
		f->detection_severity = cmn_db_text_dup(st, 18);
		f->lowered_by = cmn_db_text_dup(st, 19);
		f->calls = is_null(st, 20) ? 1 : sqlite3_column_int64(st, 20);
		f->has_last_ts = !is_null(st, 21);
		f->last_ts = sqlite3_column_int64(st, 21);
		refs[m->nr_findings].id = f->id;
		refs[m->nr_findings].index = m->nr_findings;
		m->nr_findings++;
	}
	if (rc < 0)
		goto out;
	/* each group's first shown finding, for the overview's links */
	for (int i = m->nr_findings - 1; i >= 0; i--)
		for (int j = 0; j < m->nr_detections; j++)
			if (m->detections[j].rank == m->findings[i].rank && m->detections[j].detection &&
			    m->findings[i].detection &&
			    !strcmp(m->detections[j].detection, m->findings[i].detection))
				m->detections[j].first_id = m->findings[i].id;
	qsort(refs, m->nr_findings, sizeof(*refs), cmp_ref);
	if (has_ev && m->nr_findings && load_evidence(l, refs))
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	free(refs);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Processes                                                           */

static int cmp_key(const struct rep_process *a, int64_t capture_id, int64_t pid)
{
	if (a->capture_id != capture_id)
		return a->capture_id < capture_id ? -1 : 1;
	return a->pid < pid ? -1 : a->pid > pid;
}

static struct rep_process *find_proc(struct rep_model *m, int64_t capture_id, int64_t pid)
{
	int lo = 0, hi = m->nr_procs;

	while (lo < hi) {
		int mid = (lo + hi) / 2, c = cmp_key(&m->procs[mid], capture_id, pid);

		if (!c)
			return &m->procs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct rep_process *new_proc(struct loader *l, int64_t capture_id, int64_t pid)
{
	struct rep_model *m = l->m;
	struct rep_process *n = realloc(m->procs, (m->nr_procs + 1) * sizeof(*n)), *p;

	if (!n) {
		fail(l, "out of memory");
		return NULL;
	}
	m->procs = n;
	p = &n[m->nr_procs++];
	memset(p, 0, sizeof(*p));
	p->capture_id = capture_id;
	p->pid = pid;
	p->capture = capture_by_id(m, capture_id);
	p->max_rank = -1;
	return p;
}

/*
 * Without analyze's process table (a database of an older maptrail): one pass
 * over memory_call, grouped by process, call and time bin: counts, failures,
 * bytes (of successful calls, as analyze counts them) and the bins of "calls
 * over time".  Rows come ordered by (capture, process).
 */
static int load_calls_per_process(struct loader *l)
{
	struct rep_model *m = l->m;
	struct rep_process *p = NULL;
	sqlite3_stmt *st;
	int rc;

	st = cmn_db_prepare(&l->db, "SELECT m.capture_id, coalesce(m.pid, m.tid), m.call,"
			    " (m.ts - c.first_ts) * %d / (c.last_ts - c.first_ts + 1), count(*), count(m.errno),"
			    " sum(CASE WHEN m.call IN ('mmap', 'mmap2') AND m.ret IS NOT NULL"
			    " AND m.errno IS NULL THEN m.len ELSE 0 END),"
			    " sum(CASE WHEN m.call IN ('mmap', 'mmap2', 'mprotect', 'pkey_mprotect')"
			    " AND m.ret IS NOT NULL AND m.errno IS NULL AND m.prot & 4 THEN m.len ELSE 0 END),"
			    " min(m.ts), max(m.ts), max(m.comm)"
			    " FROM memory_call m LEFT JOIN capture c ON c.id = m.capture_id"
			    " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2", REP_BINS);
	if (!st)
		return -1;
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW) {
		int64_t capture_id = sqlite3_column_int64(st, 0), pid = sqlite3_column_int64(st, 1);
		int64_t n = sqlite3_column_int64(st, 4), bin = sqlite3_column_int64(st, 3);
		const char *call = (const char *)sqlite3_column_text(st, 2);
		int ci = call_index_add(m, call ? call : "?");

		if (!p || p->capture_id != capture_id || p->pid != pid) {
			if (!(p = new_proc(l, capture_id, pid)))
				break;
			p->first_ts = sqlite3_column_int64(st, 8);
			p->last_ts = sqlite3_column_int64(st, 9);
		}
		if (!p->comm && !is_null(st, 10) && !(p->comm = cmn_db_text_dup(st, 10))) {
			rc = fail(l, "out of memory");
			break;
		}
		if (ci >= 0) {
			p->calls[ci] += n;
			bin = bin < 0 ? 0 : bin >= REP_BINS ? REP_BINS - 1 : bin;
			p->bins[bin][ci] += (int32_t)n;
		}
		p->total += n;
		p->failures += sqlite3_column_int64(st, 5);
		p->bytes_mapped += sqlite3_column_int64(st, 6);
		p->exec_bytes += sqlite3_column_int64(st, 7);
		if (sqlite3_column_int64(st, 8) < p->first_ts)
			p->first_ts = sqlite3_column_int64(st, 8);
		if (sqlite3_column_int64(st, 9) > p->last_ts)
			p->last_ts = sqlite3_column_int64(st, 9);
		m->total_calls += n;
		m->total_failures += sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	return rc < 0 || l->db.err ? -1 : 0;
}

/*
 * The per-process summaries analyze counted while loading (the process table,
 * as queries/process-summary.sql reads it): no pass over the calls.
 */
static int load_process_table(struct loader *l)
{
	struct rep_model *m = l->m;
	struct rep_process *p = NULL;
	sqlite3_stmt *st;
	int rc;

	st = cmn_db_prepare(&l->db, "SELECT p.capture_id, p.pid, p.comm, p.calls, p.failures, p.bytes_mapped,"
			    " p.exec_bytes, p.first_ts, p.last_ts, j.key, j.value"
			    " FROM process p LEFT JOIN json_each(p.calls_by_table) j"
			    " ORDER BY p.capture_id, p.pid");
	if (!st)
		return -1;
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW) {
		int64_t capture_id = sqlite3_column_int64(st, 0), pid = sqlite3_column_int64(st, 1);
		const char *call = (const char *)sqlite3_column_text(st, 9);
		int ci;

		if (!p || p->capture_id != capture_id || p->pid != pid) {
			if (!(p = new_proc(l, capture_id, pid)))
				break;
			p->comm = cmn_db_text_dup(st, 2);
			p->total = sqlite3_column_int64(st, 3);
			p->failures = sqlite3_column_int64(st, 4);
			p->bytes_mapped = sqlite3_column_int64(st, 5);
			p->exec_bytes = sqlite3_column_int64(st, 6);
			p->first_ts = sqlite3_column_int64(st, 7);
			p->last_ts = sqlite3_column_int64(st, 8);
			m->total_calls += p->total;
			m->total_failures += p->failures;
		}
		if (call && (ci = call_index_add(m, call)) >= 0)
			p->calls[ci] += sqlite3_column_int64(st, 10);
	}
	sqlite3_finalize(st);
	return rc < 0 || l->db.err ? -1 : 0;
}

/*
 * The time bins of the processes drawn in "calls over time" (the first
 * REP_MAX_CHARTS with calls, in the report's order): one pass over their calls.
 */
static int load_bins(struct loader *l)
{
	struct rep_model *m = l->m;
	struct rep_process *drawn[REP_MAX_CHARTS];
	int nr = 0, rc, ret = -1;
	sqlite3_stmt *st = NULL;
	char *pids = NULL;
	size_t size = 0;
	FILE *f;

	for (int i = 0; i < m->nr_procs && nr < REP_MAX_CHARTS; i++)
		if (m->procs[i].total)
			drawn[nr++] = &m->procs[i];
	if (!nr)
		return 0;
	/* the ids are integers from the database: written, not bound, into IN (...) */
	if (!(f = open_memstream(&pids, &size)))
		return fail(l, "out of memory");
	for (int i = 0; i < nr; i++)
		fprintf(f, "%s%" PRId64, i ? ", " : "", drawn[i]->pid);
	if (fclose(f)) {
		free(pids);
		return fail(l, "out of memory");
	}
	/* counted here rather than by GROUP BY: no sort of a million rows */
	st = cmn_db_prepare(&l->db, "SELECT capture_id, coalesce(pid, tid), call, ts FROM memory_call"
			    " WHERE coalesce(pid, tid) IN (%s)", pids);
	free(pids);
	if (!st)
		return -1;
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW) {
		int64_t capture_id = sqlite3_column_int64(st, 0), pid = sqlite3_column_int64(st, 1);
		int64_t ts = sqlite3_column_int64(st, 3);
		const char *call = (const char *)sqlite3_column_text(st, 2);
		int ci = -1;

		for (int i = 0; i < nr; i++) {
			const struct rep_capture *c = drawn[i]->capture;
			int64_t bin;

			if (drawn[i]->capture_id != capture_id || drawn[i]->pid != pid || !c)
				continue;
			if (ci < 0 && (ci = call_index_add(m, call ? call : "?")) < 0)
				break;
			bin = (ts - c->first_ts) * REP_BINS / (c->last_ts - c->first_ts + 1);
			bin = bin < 0 ? 0 : bin >= REP_BINS ? REP_BINS - 1 : bin;
			drawn[i]->bins[bin][ci]++;
		}
	}
	ret = rc < 0 ? -1 : 0;
	sqlite3_finalize(st);
	return ret;
}

/* A process's name: the task's newest one, which an exec may have changed. */
static int load_comms(struct loader *l)
{
	struct rep_model *m = l->m;
	int has = cmn_db_has_table(&l->db, "task", CMN_DB_TABLE_OR_VIEW), rc = 0;
	sqlite3_stmt *st;

	if (has <= 0)
		return has;
	if (!(st = cmn_db_prepare(&l->db, "SELECT comm FROM task WHERE capture_id = ? AND pid = ?")))
		return -1;
	for (int i = 0; i < m->nr_procs && rc >= 0; i++) {
		struct rep_process *p = &m->procs[i];

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, p->capture_id);
		sqlite3_bind_int64(st, 2, p->pid);
		if ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW && !is_null(st, 0)) {
			free(p->comm);
			p->comm = cmn_db_text_dup(st, 0);
		}
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

/* Processes by (capture, pid): an array of pointers to them. */
static int cmp_proc_id(const void *a, const void *b)
{
	const struct rep_process *x = *(struct rep_process *const *)a;
	const struct rep_process *y = *(struct rep_process *const *)b;

	if (x->capture_id != y->capture_id)
		return x->capture_id < y->capture_id ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/*
 * Who each process is (process_context: the recorder's snapshots, the execs),
 * and, when no capture has the recorder's identity records, a note saying
 * what the report cannot tell.
 */
static int load_identity(struct loader *l)
{
	struct rep_model *m = l->m;
	struct rep_process **by_id = NULL;
	bool *named = NULL;
	int has = cmn_db_has_table(&l->db, "process_context", CMN_DB_TABLE_OR_VIEW);
	int snaps = cmn_db_has_table(&l->db, "process_snapshot", CMN_DB_TABLE);
	int rc = 0, with = 0;
	sqlite3_stmt *st;

	if (has < 0 || snaps < 0)
		return -1;
	if (snaps && (st = cmn_db_prepare(&l->db, "SELECT count(*) FROM process_snapshot"))) {
		if (cmn_db_step(&l->db, st) == SQLITE_ROW)
			with = sqlite3_column_int(st, 0) > 0;
		sqlite3_finalize(st);
	}
	if (!with)
		note(m, "no process snapshots: the capture was not recorded by a maptrail with "
		     "identity records (an older one, or trace-cmd), so executables and command lines "
		     "are known only from the exec events it has, and the files behind mappings only "
		     "by their descriptor number");
	/* A view over tables an older or trimmed database lacks does not prepare: no names then. */
	if (!has || !m->nr_procs || sqlite3_prepare_v2(l->db.sql, "SELECT capture_id, pid, exe, cmdline"
						       " FROM process_context", -1, &st, NULL) != SQLITE_OK)
		return 0;
	/*
	 * One pass over the view, not a look-up a process: each look-up built the
	 * view's list of every process anew (1.4 s for flip.db's 412 processes).
	 * A process takes the first row of its own.
	 */
	if (!(by_id = calloc(m->nr_procs, sizeof(*by_id))) ||
	    !(named = calloc(m->nr_procs, sizeof(*named)))) {
		rc = fail(l, "out of memory");
		goto out;
	}
	for (int i = 0; i < m->nr_procs; i++)
		by_id[i] = &m->procs[i];
	qsort(by_id, m->nr_procs, sizeof(*by_id), cmp_proc_id);
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW) {
		struct rep_process key = { .capture_id = sqlite3_column_int64(st, 0),
					   .pid = sqlite3_column_int64(st, 1) }, *k = &key, **found;
		size_t i;

		if (is_null(st, 0) || is_null(st, 1) ||
		    !(found = bsearch(&k, by_id, m->nr_procs, sizeof(*by_id), cmp_proc_id)))
			continue;
		/* the first of the processes of that id, then each after it */
		for (i = found - by_id; i > 0 && !cmp_proc_id(&by_id[i - 1], &k); i--)
			;
		for (; i < (size_t)m->nr_procs && !cmp_proc_id(&by_id[i], &k); i++) {
			struct rep_process *p = by_id[i];

			if (named[i])
				continue;
			named[i] = true;
			if ((!is_null(st, 2) && !(p->exe = cmn_db_text_dup(st, 2))) ||
			    (!is_null(st, 3) && !(p->cmdline = cmn_db_text_dup(st, 3)))) {
				rc = fail(l, "out of memory");
				goto out;
			}
		}
	}
out:
	free(by_id);
	free(named);
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

static int load_finding_procs(struct loader *l)
{
	struct rep_model *m = l->m;
	sqlite3_stmt *st;
	int rc, first_new = m->nr_procs;

	st = cmn_db_prepare(&l->db, "SELECT capture_id, pid, count(*), max(severity_rank), max(comm) FROM findings"
			    " WHERE pid IS NOT NULL GROUP BY 1, 2");
	if (!st)
		return -1;
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW) {
		int64_t capture_id = sqlite3_column_int64(st, 0), pid = sqlite3_column_int64(st, 1);
		struct rep_process *p = find_proc(m, capture_id, pid);

		/* a process with findings and no calls: memory_call is missing */
		if (!p) {
			for (int i = first_new; i < m->nr_procs && !p; i++)
				if (!cmp_key(&m->procs[i], capture_id, pid))
					p = &m->procs[i];
			if (!p && !(p = new_proc(l, capture_id, pid)))
				break;
			if (!p->comm)
				p->comm = cmn_db_text_dup(st, 4);
		}
		p->nr_findings = sqlite3_column_int(st, 2);
		p->max_rank = sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	return rc < 0 || l->db.err ? -1 : 0;
}

/* Most notable first: findings by severity and number, then calls. */
static int cmp_notable(const void *a, const void *b)
{
	const struct rep_process *x = a, *y = b;

	if (x->max_rank != y->max_rank)
		return y->max_rank - x->max_rank;
	if (x->nr_findings != y->nr_findings)
		return y->nr_findings - x->nr_findings;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	if (x->capture_id != y->capture_id)
		return x->capture_id < y->capture_id ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* ------------------------------------------------------------------ */
/* Address-space timelines                                             */

static int cmp_lane(const void *a, const void *b)
{
	const struct rep_lane *x = a, *y = b;

	if (x->start != y->start)
		return (uint64_t)x->start < (uint64_t)y->start ? -1 : 1;
	if (x->end != y->end)
		return (uint64_t)x->end < (uint64_t)y->end ? -1 : 1;
	return 0;
}

static int cmp_lane_pick(const void *a, const void *b)
{
	const struct rep_lane *x = a, *y = b;

	if (x->in_finding != y->in_finding)
		return y->in_finding - x->in_finding;
	return cmp_lane(a, b);
}

static int64_t slot_of(const struct rep_capture *c, int64_t ts)
{
	int64_t span = rep_capture_end(c) - c->first_ts;

	if (span <= 0)
		return 0;
	return (int64_t)((double)(ts - c->first_ts) * REP_SLOTS / (double)span);
}

/*
 * Add a state to a lane, at the timeline's resolution: states that begin in
 * the same time slot are one (the most notable protection shown), and a state
 * that goes on with the same protection extends the last.  A lane holds at
 * most one span per slot however many rows the history has.
 */
static int lane_add(struct rep_lane *lane, const struct rep_capture *c, int64_t from, int64_t to,
		    int prot)
{
	struct rep_span *last = lane->nr_spans ? &lane->spans[lane->nr_spans - 1] : NULL;

	if (last && slot_of(c, from) == slot_of(c, last->from)) {
		if (to > last->to)
			last->to = to;
		if (prot != last->prot) {
			if (rep_prot_class(prot) > rep_prot_class(last->prot))
				last->prot = prot;
			last->merged = true;
		}
		return 0;
	}
	if (last && prot == last->prot && slot_of(c, from) <= slot_of(c, last->to)) {
		if (to > last->to)
			last->to = to;
		return 0;
	}
	if (lane->nr_spans == lane->alloc_spans) {
		int n = lane->alloc_spans ? lane->alloc_spans * 2 : 8;
		struct rep_span *s = realloc(lane->spans, n * sizeof(*s));

		if (!s)
			return -1;
		lane->spans = s;
		lane->alloc_spans = n;
	}
	lane->spans[lane->nr_spans++] = (struct rep_span){ from, to, prot, false };
	return 0;
}

/* One row of a process's history as the timeline reads it. */
struct history_row {
	int64_t start, end, from, to, id;
	int prot;
};

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

/* Lane order, as SQLite orders integers (signed); then time, then the row's id. */
static int cmp_history_row(const void *a, const void *b)
{
	const struct history_row *x = a, *y = b;
	int c;

	if ((c = cmp_i64(x->start, y->start)) || (c = cmp_i64(x->end, y->end)) ||
	    (c = cmp_i64(x->from, y->from)))
		return c;
	return cmp_i64(x->id, y->id);
}

/*
 * A process's address-space timeline: its history rows, read once and put in
 * lane order (start_addr, end_addr, ts_from) here, not by an ORDER BY that
 * would sort them in SQLite's temporary b-tree (half the time on flip.db's
 * 225,000 rows a process); the lanes are their distinct ranges, the ones its
 * findings are about first when not all fit.
 */
static int load_timeline(struct loader *l, struct rep_process *p)
{
	const struct rep_capture *c = p->capture;
	struct history_row *rows = NULL;
	struct rep_lane *all = NULL;
	size_t nr_rows = 0, alloc_rows = 0;
	int nr_all = 0, rc, ret = -1;
	sqlite3_stmt *st;

	if (!c || !c->has_span)
		return 0;
	st = cmn_db_prepare(&l->db, "SELECT start_addr, end_addr, ts_from, ts_to, prot, id FROM vma_history"
			    " WHERE capture_id = ? AND pid = ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, p->capture_id);
	sqlite3_bind_int64(st, 2, p->pid);
	while ((rc = cmn_db_step(&l->db, st)) == SQLITE_ROW) {
		struct history_row *r;

		if (nr_rows == alloc_rows) {
			size_t n = alloc_rows ? alloc_rows * 2 : 256;

			if (!(r = realloc(rows, n * sizeof(*r)))) {
				fail(l, "out of memory");
				goto out;
			}
			rows = r;
			alloc_rows = n;
		}
		r = &rows[nr_rows++];
		r->start = sqlite3_column_int64(st, 0);
		r->end = sqlite3_column_int64(st, 1);
		r->from = sqlite3_column_int64(st, 2);
		r->to = is_null(st, 3) ? rep_capture_end(c) : sqlite3_column_int64(st, 3);
		r->prot = is_null(st, 4) ? -1 : sqlite3_column_int(st, 4);
		r->id = sqlite3_column_int64(st, 5);
	}
	if (rc < 0)
		goto out;
	if (nr_rows)
		qsort(rows, nr_rows, sizeof(*rows), cmp_history_row);
	for (size_t i = 0; i < nr_rows; i++) {
		struct rep_lane *n;

		/* in lane order: a new range is a new lane */
		if (i && rows[i].start == rows[i - 1].start && rows[i].end == rows[i - 1].end)
			continue;
		if (!(n = realloc(all, (nr_all + 1) * sizeof(*n)))) {
			fail(l, "out of memory");
			goto out;
		}
		all = n;
		memset(&all[nr_all], 0, sizeof(*all));
		all[nr_all].start = rows[i].start;
		all[nr_all].end = rows[i].end;
		nr_all++;
	}
	/* the lanes the findings are about are drawn first when not all fit */
	for (int i = 0; i < l->m->nr_findings; i++) {
		const struct rep_finding *f = &l->m->findings[i];
		uint64_t a = f->addr, e = a + (f->has_len && f->len > 0 ? (uint64_t)f->len : 1);

		if (f->capture_id != p->capture_id || !f->has_pid || f->pid != p->pid || !f->has_addr)
			continue;
		for (int j = 0; j < nr_all; j++)
			if ((uint64_t)all[j].start < e && a < (uint64_t)all[j].end)
				all[j].in_finding = true;
	}
	if (nr_all > REP_MAX_LANES) {
		qsort(all, nr_all, sizeof(*all), cmp_lane_pick);
		p->more_lanes = nr_all - REP_MAX_LANES;
		nr_all = REP_MAX_LANES;
	}
	if (nr_all)
		qsort(all, nr_all, sizeof(*all), cmp_lane);
	p->lanes = all;
	p->nr_lanes = nr_all;
	all = NULL;

	for (size_t i = 0; i < nr_rows; i++) {
		const struct history_row *r = &rows[i];
		struct rep_lane key = { .start = r->start, .end = r->end };
		struct rep_lane *lane = bsearch(&key, p->lanes, p->nr_lanes, sizeof(key), cmp_lane);

		if (lane && lane_add(lane, c, r->from, r->to < r->from ? r->from : r->to, r->prot)) {
			fail(l, "out of memory");
			goto out;
		}
	}
	p->timeline = true;
	ret = 0;
out:
	sqlite3_finalize(st);
	free(rows);
	free(all);
	return ret;
}

static int load_processes(struct loader *l)
{
	struct rep_model *m = l->m;
	int has = cmn_db_has_table(&l->db, "memory_call", CMN_DB_TABLE_OR_VIEW), hist, counted;

	if (has < 0)
		return -1;
	m->has_calls = has;
	if (!has)
		note(m, "no memory_call view: this database was made by an older maptrail "
		     "(analyze it again for the per-process summaries and calls over time)");
	if ((counted = has_column(l, "process", "calls_by_table")) < 0)
		return -1;
	/* with analyze's process table, only the drawn processes' calls are read */
	if (has && (counted ? load_process_table(l) : load_calls_per_process(l)))
		return -1;
	if (has && load_comms(l))
		return -1;
	if (m->has_findings && load_finding_procs(l))
		return -1;
	if (m->nr_procs)
		qsort(m->procs, m->nr_procs, sizeof(*m->procs), cmp_notable);
	if (load_identity(l))
		return -1;
	if (has && counted && load_bins(l))
		return -1;
	if ((hist = cmn_db_has_table(&l->db, "vma_history", CMN_DB_TABLE_OR_VIEW)) < 0)
		return -1;
	m->has_history = hist;
	if (!hist) {
		note(m, "no vma_history table: this database was made by an older maptrail "
		     "(analyze it again for the address-space timelines)");
		return 0;
	}
	for (int i = 0; i < m->nr_procs && m->procs[i].max_rank >= 0; i++) {
		if (m->nr_timelines >= REP_MAX_TIMELINES) {
			m->more_timelines++;
			continue;
		}
		if (load_timeline(l, &m->procs[i]))
			return -1;
		m->nr_timelines += m->procs[i].timeline;
	}
	return 0;
}

/* ------------------------------------------------------------------ */

static const struct rep_statement statements[] = {
	[REP_SAY_NOTHING] = { "", NULL, REP_TONE_PLAIN },
	[REP_SAY_NOT_IN_DB] = { "Not in this database (see the note at the top).",
		"(not in this database: see the note above)", REP_TONE_MUTED },
	[REP_SAY_NO_CALLS] = { "No memory-mapping call in this capture.", NULL, REP_TONE_PLAIN },
	[REP_SAY_NO_FINDINGS] = { "No detection found anything.", NULL, REP_TONE_OK },
	[REP_SAY_NO_CHART] = { "No calls to draw.", "(no calls to draw)", REP_TONE_MUTED },
	[REP_SAY_NO_TIMELINES] = { "No process has findings.", "(no process with findings)",
		REP_TONE_OK },
	[REP_SAY_NOT_RECORDED] = { "None: the capture was not made by maptrail record.",
		"(none: the capture was not made by maptrail record)", REP_TONE_MUTED },
	[REP_SAY_PLAN_PROSE] = { "An older maptrail record made this capture: its plan is prose "
		"only, shown as it was recorded.", "(an older maptrail record made this capture: its "
		"plan is prose only, in capture.recorder_plan)", REP_TONE_MUTED },
	[REP_SAY_ALL_HOOKED] = { "Every event was hooked as planned.", NULL, REP_TONE_OK },
	[REP_SAY_ALL_PAIRED] = { "Every call has its entry and its exit.",
		"(every call has its entry and its exit)", REP_TONE_MUTED },
	[REP_SAY_UNPAIRED] = { "No exit: the call was still running when the capture ended, or "
		"its exit was lost. No entry: it began before the capture.",
		"(no exit: still running when the capture ended, or lost; no entry: began before "
		"it)", REP_TONE_MUTED },
};

const struct rep_statement *rep_statement(enum rep_say say)
{
	if ((unsigned)say >= sizeof(statements) / sizeof(statements[0]))
		say = REP_SAY_NOTHING;
	return &statements[say];
}

/* What each section says where it has nothing to show: decided here, once. */
static void decide_statements(struct rep_model *m)
{
	m->findings_say = !m->has_findings ? REP_SAY_NOT_IN_DB :
			  !m->total_findings ? REP_SAY_NO_FINDINGS : REP_SAY_NOTHING;
	m->procs_say = !m->has_calls ? REP_SAY_NOT_IN_DB :
		       !m->nr_procs ? REP_SAY_NO_CALLS : REP_SAY_NOTHING;
	m->chart_say = !m->has_calls || !m->total_calls ? REP_SAY_NO_CHART : REP_SAY_NOTHING;
	m->timelines_say = !m->has_history ? REP_SAY_NOT_IN_DB :
			   !m->nr_timelines ? REP_SAY_NO_TIMELINES : REP_SAY_NOTHING;
	for (int i = 0; i < m->nr_captures; i++) {
		struct rep_capture *c = &m->captures[i];
		bool unpaired = false;

		for (int j = 0; j < c->nr_unpaired; j++)
			unpaired |= c->unpaired[j].no_exit || c->unpaired[j].no_entry;
		c->paired_say = unpaired ? REP_SAY_UNPAIRED : REP_SAY_ALL_PAIRED;
		c->plan_say = !c->plan ? REP_SAY_NOT_RECORDED :
			      !c->plan_rows ? REP_SAY_PLAN_PROSE : REP_SAY_NOTHING;
		c->hooked_say = c->plan_rows && !c->nr_not_hooked ? REP_SAY_ALL_HOOKED : REP_SAY_NOTHING;
	}
}

static int model_load(struct loader *l)
{
	int has;

	if (!(l->m->version = strdup(MAPTRAIL_VERSION)))
		return fail(l, "out of memory");
	has = cmn_db_has_table(&l->db, "capture", CMN_DB_TABLE_OR_VIEW);
	if (has < 0) {
		free(l->db.err);
		l->db.err = NULL;
		return fail(l, "not a maptrail database: %s", sqlite3_errmsg(l->db.sql));
	}
	if (!has || has_column(l, "capture", "sha256") != 1 ||
	    has_column(l, "capture", "first_ts") != 1) {
		free(l->db.err);
		l->db.err = NULL;
		return fail(l, "not a maptrail database (no capture table as maptrail analyze "
			    "writes it)");
	}
	if (load_calls(l) || load_captures(l) || load_findings(l) || load_processes(l) ||
	    rep_flight_load(l->db.sql, l->m, &l->db.err))
		return -1;
	decide_statements(l->m);
	return 0;
}

int rep_model_load(sqlite3 *db, struct rep_model *m, char **err)
{
	struct loader l = { .db = { .sql = db }, .m = m };
	int ret = model_load(&l);

	*err = l.db.err;
	return ret;
}

void rep_model_free(struct rep_model *m)
{
	free(m->version);
	for (int i = 0; i < m->nr_calls; i++)
		free(m->calls[i]);
	for (int i = 0; i < m->nr_captures; i++) {
		struct rep_capture *c = &m->captures[i];

		rep_flight_free(c->flight);
		free(c->path);
		free(c->sha256);
		free(c->host);
		free(c->uname);
		free(c->clock);
		free(c->compression);
		free(c->analyzed_at);
		free(c->version);
		for (int j = 0; j < c->nr_cpu; j++)
			free(c->cpu[j].buffer);
		free(c->cpu);
		free(c->unpaired);
		free(c->plan);
		free(c->plan_summary);
		for (int j = 0; j < c->nr_plan_backends; j++) {
			free(c->plan_backends[j].what);
			free(c->plan_backends[j].events);
		}
		free(c->plan_backends);
		for (int j = 0; j < c->nr_not_hooked; j++) {
			free(c->not_hooked[j].what);
			free(c->not_hooked[j].events);
		}
		free(c->not_hooked);
	}
	free(m->captures);
	for (int i = 0; i < m->nr_findings; i++) {
		struct rep_finding *f = &m->findings[i];

		free(f->detection);
		free(f->title);
		free(f->severity);
		free(f->mitre);
		free(f->comm);
		free(f->summary);
		free(f->exe);
		free(f->cmdline);
		free(f->detection_severity);
		free(f->lowered_by);
		for (int j = 0; j < f->nr_ev; j++) {
			free(f->ev[j].call);
			free(f->ev[j].args);
			free(f->ev[j].ret);
			free(f->ev[j].err);
		}
		free(f->ev);
	}
	free(m->findings);
	for (int i = 0; i < m->nr_detections; i++) {
		free(m->detections[i].detection);
		free(m->detections[i].title);
	}
	free(m->detections);
	for (int i = 0; i < m->nr_procs; i++) {
		free(m->procs[i].comm);
		free(m->procs[i].exe);
		free(m->procs[i].cmdline);
		for (int j = 0; j < m->procs[i].nr_lanes; j++)
			free(m->procs[i].lanes[j].spans);
		free(m->procs[i].lanes);
	}
	free(m->procs);
	for (int i = 0; i < m->nr_notes; i++)
		free(m->notes[i]);
	memset(m, 0, sizeof(*m));
}

int rep_format_for_path(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return -1;
	if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm"))
		return REP_HTML;
	if (!strcasecmp(dot, ".md"))
		return REP_MARKDOWN;
	return -1;
}

int rep_write(sqlite3 *db, FILE *out, const struct rep_options *opt, char **err)
{
	struct rep_model m = { 0 };
	int ret;

	*err = NULL;
	if (rep_model_load(db, &m, err)) {
		rep_model_free(&m);
		if (!*err)
			*err = strdup("out of memory");
		return -1;
	}
	m.db_name = opt->db_name;
	switch (opt->format) {
	case REP_HTML:
		ret = rep_write_html(&m, out);
		break;
	case REP_MARKDOWN:
		ret = rep_write_md(&m, out);
		break;
	default:
		ret = rep_write_text(&m, out);
		break;
	}
	rep_model_free(&m);
	return ret;
}
