// SPDX-License-Identifier: MIT
/*
 * The findings as Elastic Common Schema alerts, one JSON document a line, for
 * a SIEM (maptrail query DB findings --format ecs, maptrail report -o
 * x.ndjson).  The writer knows the findings query by its column names, not by
 * position: a column it has a field for goes there (pid -> process.pid,
 * first_utc -> @timestamp, exe -> process.executable, ...), any other under
 * maptrail.<column>, so a column the query gains is carried, not lost.  What
 * the row lacks comes from the database by the finding's id: the title and
 * MITRE ids (findings), the host and kernel (capture), the calls it rests on
 * (finding_evidence and memory_call).
 *
 * Each document is built as (dotted field, JSON value) pairs, sorted, then
 * written as nested objects: pairs sharing a prefix are adjacent once sorted.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "format.h"

/* The ECS release whose field list tests/fixtures/ecs/fields.csv is. */
#define ECS_VERSION	"9.4.0"
/* Calls listed per finding (SQL text); evidence_total says how many there are. */
#define EVIDENCE_MAX		100
#define EVIDENCE_MAX_TEXT	"100"

struct field {
	char *path;		/* "process.pid" */
	char *json;		/* its value, as JSON text */
};

struct doc {
	struct field *fields;
	int n, size;
	bool nomem;
};

static void doc_clear(struct doc *d)
{
	for (int i = 0; i < d->n; i++) {
		free(d->fields[i].path);
		free(d->fields[i].json);
	}
	d->n = 0;
}

static bool doc_has(const struct doc *d, const char *path)
{
	for (int i = 0; i < d->n; i++)
		if (!strcmp(d->fields[i].path, path))
			return true;
	return false;
}

/* Takes @json (malloc'd); a field set twice keeps its first value. */
static void doc_take(struct doc *d, const char *path, char *json)
{
	if (!json || doc_has(d, path)) {
		d->nomem |= !json;
		free(json);
		return;
	}
	if (d->n == d->size) {
		int size = d->size ? 2 * d->size : 32;
		struct field *f = realloc(d->fields, size * sizeof(*f));

		if (!f) {
			d->nomem = true;
			free(json);
			return;
		}
		d->fields = f;
		d->size = size;
	}
	d->fields[d->n].path = strdup(path);
	d->fields[d->n].json = json;
	if (!d->fields[d->n].path) {
		d->nomem = true;
		free(json);
		return;
	}
	d->n++;
}

/* @var: a string of what @stmt writes to m_ (a memory stream); NULL when out of memory. */
#define JSON_TEXT(var, stmt)						\
	do {								\
		size_t size_;						\
		FILE *m_ = open_memstream(&(var), &size_);		\
		if (m_) {						\
			stmt;						\
			if (fclose(m_)) {				\
				free(var);				\
				var = NULL;				\
			}						\
		} else {						\
			var = NULL;					\
		}							\
	} while (0)

static void doc_string(struct doc *d, const char *path, const char *s)
{
	char *json;

	if (!s)
		return;
	JSON_TEXT(json, qry_json_string(m_, s, strlen(s)));
	doc_take(d, path, json);
}

static void doc_integer(struct doc *d, const char *path, long long v)
{
	char *json;

	if (asprintf(&json, "%lld", v) < 0)
		json = NULL;
	doc_take(d, path, json);
}

static void doc_raw(struct doc *d, const char *path, const char *json)
{
	doc_take(d, path, strdup(json));
}

static void doc_column(struct doc *d, const char *path, sqlite3_stmt *st, int i)
{
	char *json;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return;
	JSON_TEXT(json, qry_json_column(m_, st, i));
	doc_take(d, path, json);
}

static void doc_hex(struct doc *d, const char *path, sqlite3_stmt *st, int i)
{
	char *json;

	if (sqlite3_column_type(st, i) != SQLITE_INTEGER) {
		doc_column(d, path, st, i);
		return;
	}
	if (asprintf(&json, "\"0x%llx\"", (unsigned long long)sqlite3_column_int64(st, i)) < 0)
		json = NULL;
	doc_take(d, path, json);
}

static int cmp_field(const void *a, const void *b)
{
	return strcmp(((const struct field *)a)->path, ((const struct field *)b)->path);
}

/* Segments of @path before its @depth-th dot: how many leading ones @a and @b share. */
static int common_depth(const char *a, const char *b)
{
	int depth = 0;

	for (size_t i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '.')
			depth++;
	return depth;
}

static int depth_of(const char *path)
{
	int n = 0;

	for (; *path; path++)
		n += *path == '.';
	return n;
}

/* The segment of @path after @depth dots, up to the next dot. */
static void put_segment(FILE *out, const char *path, int depth)
{
	const char *s = path;

	for (int i = 0; i < depth; i++)
		s = strchr(s, '.') + 1;
	qry_json_string(out, s, strcspn(s, "."));
	putc(':', out);
}

static void doc_write(struct doc *d, FILE *out)
{
	const char *prev = NULL;
	int open = 0;	/* objects open below the document */

	qsort(d->fields, d->n, sizeof(*d->fields), cmp_field);
	putc('{', out);
	for (int i = 0; i < d->n; i++) {
		const char *path = d->fields[i].path;
		int keep = prev ? common_depth(prev, path) : 0, depth = depth_of(path);

		if (keep > open)
			keep = open;
		for (; open > keep; open--)
			putc('}', out);
		if (prev)
			putc(',', out);
		for (; open < depth; open++) {
			put_segment(out, path, open);
			putc('{', out);
		}
		put_segment(out, path, depth);
		fputs(d->fields[i].json, out);
		prev = path;
	}
	for (; open > 0; open--)
		putc('}', out);
	fputs("}\n", out);
}

/* "T1055 Process Injection; T1620 Reflective Code Loading": ids and names as arrays. */
static void doc_mitre(struct doc *d, const char *mitre)
{
	char *ids = NULL, *names = NULL, *subs = NULL;
	size_t ni, nn, ns;
	FILE *fi = open_memstream(&ids, &ni), *fn = open_memstream(&names, &nn);
	FILE *fs = open_memstream(&subs, &ns);
	int n = 0, nsub = 0;

	if (!fi || !fn || !fs) {
		d->nomem = true;
		goto out;
	}
	for (const char *p = mitre; (p = strchr(p, 'T'));) {
		size_t len = 1;
		const char *name, *end;

		while (isdigit((unsigned char)p[len]))
			len++;
		if (len != 5 || (p > mitre && isalnum((unsigned char)p[-1]))) {
			p += len;
			continue;
		}
		if (p[len] == '.' && isdigit((unsigned char)p[len + 1])) {
			size_t sub = len + 1;

			while (isdigit((unsigned char)p[sub]))
				sub++;
			fputs(nsub++ ? "," : "[", fs);
			qry_json_string(fs, p, sub);
			len = sub;
		}
		fputs(n ? "," : "[", fi);
		qry_json_string(fi, p, 5);
		name = p + len + strspn(p + len, " ");
		end = name + strcspn(name, ";,");
		while (end > name && end[-1] == ' ')
			end--;
		fputs(n++ ? "," : "[", fn);
		qry_json_string(fn, name, end - name);
		p += len;
	}
	fputs(n ? "]" : "", fi);
	fputs(n ? "]" : "", fn);
	fputs(nsub ? "]" : "", fs);
out:
	if (fi)
		fclose(fi);
	if (fn)
		fclose(fn);
	if (fs)
		fclose(fs);
	if (n) {
		doc_raw(d, "threat.framework", "\"MITRE ATT&CK\"");
		doc_take(d, "threat.technique.id", ids);
		doc_take(d, "threat.technique.name", names);
		ids = names = NULL;
	}
	if (nsub) {
		doc_take(d, "threat.technique.subtechnique.id", subs);
		subs = NULL;
	}
	free(ids);
	free(names);
	free(subs);
}

/* "2026-12-02 07:35:30" or "...T...": ECS wants ISO 8601 with a zone; UTC is Z. */
static void doc_time(struct doc *d, const char *path, const char *utc)
{
	char buf[64];
	size_t n;

	if (!utc || !*utc)
		return;
	snprintf(buf, sizeof(buf), "%s", utc);
	if (strlen(buf) > 10 && buf[10] == ' ')
		buf[10] = 'T';
	n = strlen(buf);
	if (n && buf[n - 1] != 'Z' && !strchr(buf + 10, '+') && n + 1 < sizeof(buf))
		strcat(buf, "Z");
	doc_string(d, path, buf);
}

struct lookups {
	sqlite3_stmt *finding, *evidence, *evidence_call, *evidence_count, *process, *utc;
};

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	/* A table an older database lacks is a field the document goes without. */
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	return st;
}

static void lookups_open(sqlite3 *db, struct lookups *l)
{
	l->finding = prepare(db,
		"SELECT f.title, f.mitre, f.severity, f.severity_rank, f.detection,"
		" c.hostname, c.kernel_version, c.sha256, c.path, c.id, c.analyzed_at, c.clock"
		" FROM findings f LEFT JOIN capture c ON c.id = f.capture_id WHERE f.id = ?");
	/*
	 * The first calls in time are among the first ids of each call table
	 * (a call's id is given at its entry, so ids grow with ts): those, then
	 * each one's row.  SQLite reads memory_call (a UNION ALL view) whole
	 * when it is joined, but a lookup of one id goes to each table's key.
	 */
	l->evidence = prepare(db,
		"SELECT x.call, x.call_id FROM (SELECT DISTINCT call FROM finding_evidence"
		" WHERE finding_id = ?1) AS t JOIN finding_evidence AS x ON x.finding_id = ?1"
		" AND x.call = t.call AND x.call_id IN (SELECT call_id FROM finding_evidence"
		" WHERE finding_id = ?1 AND call = t.call ORDER BY call_id LIMIT " EVIDENCE_MAX_TEXT ")");
	l->evidence_call = prepare(db, "SELECT ts, tid, addr, len, prot, ret, errno FROM memory_call"
				   " WHERE id = ?1 AND call = ?2");
	l->evidence_count = prepare(db, "SELECT count(*) FROM finding_evidence WHERE finding_id = ?");
	/* who the process is, where the database knows (findings with exe and cmdline) */
	l->process = prepare(db, "SELECT exe, cmdline, ppid FROM findings WHERE id = ?");
	/* the finding's own time in UTC, where the capture has a wall clock */
	l->utc = prepare(db, "SELECT utc FROM finding_utc WHERE finding_id = ?");
}

static void lookups_close(struct lookups *l)
{
	sqlite3_finalize(l->finding);
	sqlite3_finalize(l->evidence);
	sqlite3_finalize(l->evidence_call);
	sqlite3_finalize(l->evidence_count);
	sqlite3_finalize(l->process);
	sqlite3_finalize(l->utc);
}

static const char *text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* One call of a finding's evidence, as its JSON object, and where it sorts. */
struct evidence_call {
	bool has_ts;			/* no row in memory_call: first, as SQL sorts NULL */
	int64_t ts, id;
	char *json;
};

static int by_time(const void *a, const void *b)
{
	const struct evidence_call *x = a, *y = b;

	if (x->has_ts != y->has_ts)
		return x->has_ts ? 1 : -1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* {"call": "mprotect", "id": 17, "ts": ..., "addr": "0x..."}: one call, looked up by its id. */
static char *evidence_object(struct lookups *l, sqlite3_stmt *cand, struct evidence_call *e)
{
	static const char *const names[] = { "ts", "tid", "addr", "len", "prot", "ret", "errno" };
	sqlite3_stmt *row = l->evidence_call;
	char *json = NULL;
	size_t size;
	FILE *m = open_memstream(&json, &size);

	if (!m)
		return NULL;
	e->id = sqlite3_column_int64(cand, 1);
	fputs("{\"call\":", m);
	qry_json_column(m, cand, 0);
	fputs(",\"id\":", m);
	qry_json_column(m, cand, 1);
	if (row) {
		sqlite3_bind_int64(row, 1, e->id);
		sqlite3_bind_value(row, 2, sqlite3_column_value(cand, 0));
		if (sqlite3_step(row) == SQLITE_ROW) {
			e->has_ts = sqlite3_column_type(row, 0) != SQLITE_NULL;
			e->ts = sqlite3_column_int64(row, 0);
			for (int i = 0; i < 7; i++) {
				if (sqlite3_column_type(row, i) == SQLITE_NULL)
					continue;
				fprintf(m, ",\"%s\":", names[i]);
				if (!strcmp(names[i], "addr"))
					fprintf(m, "\"0x%llx\"",
						(unsigned long long)sqlite3_column_int64(row, i));
				else
					qry_json_column(m, row, i);
			}
		}
		sqlite3_reset(row);
	}
	putc('}', m);
	if (fclose(m)) {
		free(json);
		return NULL;
	}
	return json;
}

/* The finding's first calls in time: [{"call": "mprotect", "id": 17, "ts": ...}, ...]. */
static void doc_evidence(struct doc *d, struct lookups *l, long long id)
{
	struct evidence_call *calls = NULL;
	size_t n = 0, cap = 0, shown, len = 0;
	char *json;

	if (l->evidence_count) {
		sqlite3_bind_int64(l->evidence_count, 1, id);
		if (sqlite3_step(l->evidence_count) == SQLITE_ROW)
			doc_integer(d, "maptrail.evidence_total",
				    sqlite3_column_int64(l->evidence_count, 0));
		sqlite3_reset(l->evidence_count);
	}
	if (!l->evidence)
		return;
	sqlite3_bind_int64(l->evidence, 1, id);
	while (sqlite3_step(l->evidence) == SQLITE_ROW) {
		if (n == cap) {
			struct evidence_call *v = realloc(calls, (cap = cap ? cap * 2 : 64) * sizeof(*v));

			if (!v)
				goto nomem;
			calls = v;
		}
		calls[n] = (struct evidence_call){ 0 };
		if (!(calls[n].json = evidence_object(l, l->evidence, &calls[n])))
			goto nomem;
		n++;
	}
	sqlite3_reset(l->evidence);
	if (!n)
		goto out;
	qsort(calls, n, sizeof(*calls), by_time);
	shown = n < EVIDENCE_MAX ? n : EVIDENCE_MAX;
	for (size_t i = 0; i < shown; i++)
		len += strlen(calls[i].json) + 1;
	json = malloc(len + 2);
	if (!json)
		goto nomem;
	len = 0;
	for (size_t i = 0; i < shown; i++)
		len += sprintf(json + len, "%c%s", i ? ',' : '[', calls[i].json);
	strcpy(json + len, "]");
	doc_take(d, "maptrail.evidence", json);
	goto out;
nomem:
	sqlite3_reset(l->evidence);
	d->nomem = true;
out:
	for (size_t i = 0; i < n; i++)
		free(calls[i].json);
	free(calls);
}

/* What the findings table and the capture add to finding @id. */
static void doc_lookups(struct doc *d, struct lookups *l, long long id)
{
	sqlite3_stmt *f = l->finding;

	if (l->utc && !doc_has(d, "@timestamp")) {
		sqlite3_bind_int64(l->utc, 1, id);
		if (sqlite3_step(l->utc) == SQLITE_ROW && text(l->utc, 0)) {
			doc_time(d, "@timestamp", text(l->utc, 0));
			doc_time(d, "event.start", text(l->utc, 0));
		}
		sqlite3_reset(l->utc);
	}
	if (f) {
		sqlite3_bind_int64(f, 1, id);
		if (sqlite3_step(f) == SQLITE_ROW) {
			doc_string(d, "rule.description", text(f, 0));
			if (text(f, 1))
				doc_mitre(d, text(f, 1));
			doc_string(d, "maptrail.severity", text(f, 2));
			if (sqlite3_column_type(f, 3) == SQLITE_INTEGER)
				doc_integer(d, "event.severity", sqlite3_column_int64(f, 3));
			doc_string(d, "rule.name", text(f, 4));
			doc_string(d, "host.name", text(f, 5));
			doc_string(d, "host.hostname", text(f, 5));
			doc_string(d, "host.os.kernel", text(f, 6));
			doc_string(d, "maptrail.capture.sha256", text(f, 7));
			doc_string(d, "maptrail.capture.path", text(f, 8));
			doc_column(d, "maptrail.capture.id", f, 9);
			/*
			 * No UTC time in the row (the capture has no clock offset):
			 * ECS's rule for a source without one is the time it was
			 * received, here when analyze read the capture.
			 */
			if (!doc_has(d, "@timestamp")) {
				doc_time(d, "@timestamp", text(f, 10));
				doc_raw(d, "maptrail.timestamp_source", "\"analysis\"");
			}
			doc_time(d, "event.created", text(f, 10));
			doc_string(d, "maptrail.clock", text(f, 11));
		}
		sqlite3_reset(f);
	}
	if (l->process) {
		sqlite3_bind_int64(l->process, 1, id);
		if (sqlite3_step(l->process) == SQLITE_ROW) {
			doc_string(d, "process.executable", text(l->process, 0));
			doc_string(d, "process.command_line", text(l->process, 1));
			doc_column(d, "process.parent.pid", l->process, 2);
		}
		sqlite3_reset(l->process);
	}
	doc_evidence(d, l, id);
}

/* How a findings column becomes ECS: a field of its own, or maptrail.<name>. */
static void doc_row_column(struct doc *d, sqlite3_stmt *st, int i)
{
	static const struct {
		const char *column, *field;
	} direct[] = {
		{ "detection", "rule.name" }, { "title", "rule.description" },
		{ "summary", "message" }, { "pid", "process.pid" }, { "tid", "process.thread.id" },
		{ "ppid", "process.parent.pid" }, { "comm", "process.name" },
		{ "exe", "process.executable" }, { "cmdline", "process.command_line" },
		{ "severity_rank", "event.severity" }, { "severity", "maptrail.severity" },
		{ "evidence", "maptrail.evidence_total" },
	};
	const char *name = sqlite3_column_name(st, i);
	char path[128];

	if (!name || sqlite3_column_type(st, i) == SQLITE_NULL)
		return;
	for (size_t k = 0; k < sizeof(direct) / sizeof(direct[0]); k++)
		if (!strcmp(name, direct[k].column)) {
			doc_column(d, direct[k].field, st, i);
			return;
		}
	if (!strcmp(name, "mitre")) {
		doc_mitre(d, text(st, i));
		return;
	}
	if (!strcmp(name, "first_utc") || !strcmp(name, "utc") || !strcmp(name, "ts_utc")) {
		doc_time(d, "@timestamp", text(st, i));
		doc_time(d, "event.start", text(st, i));
		return;
	}
	if (!strcmp(name, "last_utc") || !strcmp(name, "last_ts_utc")) {
		doc_time(d, "event.end", text(st, i));
		return;
	}
	if (!strcmp(name, "id")) {
		doc_string(d, "event.id", text(st, i));
		return;
	}
	snprintf(path, sizeof(path), "maptrail.%s", name);
	/* Addresses are unsigned 64-bit: hex keeps kernel ones readable and exact. */
	if (!strcmp(name, "addr") || strstr(name, "_addr") || strstr(name, "address"))
		doc_hex(d, path, st, i);
	else
		doc_column(d, path, st, i);
}

long long qry_write_ecs(sqlite3 *db, sqlite3_stmt *st, FILE *out, char **err)
{
	int n = sqlite3_column_count(st), id_col = -1, rc;
	struct lookups l = { 0 };
	struct doc d = { 0 };
	long long rows = 0;

	for (int i = 0; i < n; i++)
		if (sqlite3_column_name(st, i) && !strcmp(sqlite3_column_name(st, i), "id"))
			id_col = i;
	if (id_col < 0) {
		if (asprintf(err, "--format ecs writes findings: the rows need the findings"
			     " table's id (maptrail query DB findings --format ecs)") < 0)
			*err = NULL;
		return -EINVAL;
	}
	lookups_open(db, &l);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		doc_clear(&d);
		doc_raw(&d, "ecs.version", "\"" ECS_VERSION "\"");
		doc_raw(&d, "event.kind", "\"alert\"");
		doc_raw(&d, "event.category", "[\"intrusion_detection\",\"process\"]");
		doc_raw(&d, "event.type", "[\"info\"]");
		doc_raw(&d, "event.module", "\"maptrail\"");
		doc_raw(&d, "event.dataset", "\"maptrail.findings\"");
		doc_raw(&d, "rule.ruleset", "\"maptrail\"");
		doc_raw(&d, "observer.vendor", "\"maptrail\"");
		doc_raw(&d, "observer.product", "\"maptrail\"");
		doc_raw(&d, "observer.version", "\"" MAPTRAIL_VERSION "\"");
		for (int i = 0; i < n; i++)
			doc_row_column(&d, st, i);
		if (sqlite3_column_type(st, id_col) == SQLITE_INTEGER)
			doc_lookups(&d, &l, sqlite3_column_int64(st, id_col));
		if (d.nomem) {
			rc = SQLITE_NOMEM;
			break;
		}
		doc_write(&d, out);
		rows++;
		if (ferror(out)) {
			int e = errno ? errno : EIO;

			if (asprintf(err, "write: %s", strerror(e)) < 0)
				*err = NULL;
			rows = -e;
			rc = SQLITE_DONE;
			break;
		}
	}
	doc_clear(&d);
	free(d.fields);
	lookups_close(&l);
	if (rc == SQLITE_NOMEM)
		return -ENOMEM;
	return rc == SQLITE_DONE ? rows : -EIO;
}
