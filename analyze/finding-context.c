// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-identity.h"
#include "embedded.h"
#include "error-line.h"
#include "finding-context.h"

/* schema/runtimes.rules, compiled in by tools/embed (analyze/meson.build). */
extern const struct embedded_file analyze_runtimes_rules[];

/* One line of a rules file (the format is in schema/runtimes.rules' header). */
struct fctx_rule {
	char *source;		/* FCTX_BUILTIN_SOURCE or the baseline's path */
	int line;
	char *text;		/* the line, its fields one space apart (the why as written) */
	char *exe_glob;
	char *severity;
	int rank;
	char *detections;	/* "*" or "a,b,c" */
};

struct fctx_rules {
	struct fctx_rule *v;
	int n, alloc;
};

struct fctx_rules *fctx_rules_alloc(void)
{
	return calloc(1, sizeof(struct fctx_rules));
}

struct fctx_rules *fctx_rules_free(struct fctx_rules *rules)
{
	if (!rules)
		return NULL;
	for (int i = 0; i < rules->n; i++) {
		struct fctx_rule *r = &rules->v[i];

		free(r->source);
		free(r->text);
		free(r->exe_glob);
		free(r->severity);
		free(r->detections);
	}
	free(rules->v);
	free(rules);
	return NULL;
}

int fctx_rules_count(const struct fctx_rules *rules)
{
	return rules ? rules->n : 0;
}

/* The next blank-separated field of *@s, NUL-terminated in place; NULL: none left. */
static char *next_field(char **s)
{
	char *p = *s, *start;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return NULL;
	start = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = '\0';
	*s = p;
	return start;
}

static bool is_detection(const char *name, size_t len, const struct analyze_detection *d, int n)
{
	for (int i = 0; i < n; i++)
		if (strlen(d[i].name) == len && !strncmp(d[i].name, name, len))
			return true;
	return false;
}

/* "*", or names of @d joined by commas; NULL, or the first name that is not one. */
static const char *check_detections(const char *list, const struct analyze_detection *d, int n,
				    size_t *bad_len)
{
	const char *p = list;

	if (!strcmp(list, "*"))
		return NULL;
	for (;;) {
		size_t len = strcspn(p, ",");

		if (!len || !is_detection(p, len, d, n)) {
			*bad_len = len;
			return p;
		}
		if (!p[len])
			return NULL;
		p += len + 1;
	}
}

static int add_rule(struct fctx_rules *rules, const char *source, int line, const char *text,
		    const char *glob, const char *severity, int rank, const char *detections)
{
	struct fctx_rule *r;

	if (rules->n == rules->alloc) {
		int alloc = rules->alloc ? 2 * rules->alloc : 16;
		struct fctx_rule *v = realloc(rules->v, alloc * sizeof(*v));

		if (!v)
			return -1;
		rules->v = v;
		rules->alloc = alloc;
	}
	r = &rules->v[rules->n];
	*r = (struct fctx_rule){
		.source = strdup(source), .line = line, .text = strdup(text),
		.exe_glob = strdup(glob), .severity = strdup(severity), .rank = rank,
		.detections = strdup(detections),
	};
	rules->n++;	/* counted before the check: fctx_rules_free() frees what was made */
	if (!r->source || !r->text || !r->exe_glob || !r->severity || !r->detections)
		return -1;
	return 0;
}

/* One line, @text trimmed: a comment, nothing, or a rule. */
static int parse_line(struct fctx_rules *rules, const char *source, int line, char *text,
		      const struct analyze_detection *d, int nr, char **reason)
{
	char *copy, *rest, *glob, *severity, *detections, *quoted = NULL;
	const char *bad;
	size_t bad_len = 0;
	int rank, ret = -1;

	if (!*text || *text == '#')
		return 0;
	copy = strdup(text);
	if (!copy)
		return cmn_fail(reason, "out of memory");
	rest = copy;
	glob = next_field(&rest);
	severity = next_field(&rest);
	detections = next_field(&rest);
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (!glob || !severity || !detections || !*rest) {
		cmn_fail(reason, "%s:%d: expected EXE-PATH SEVERITY DETECTIONS WHY, not '%s'",
			 source, line, text);
		goto out;
	}
	/* A name alone is what a payload copies; a path in a root-owned place it cannot. */
	if (*glob != '/') {
		cmn_fail(reason, "%s:%d: '%s' is not a path: an executable's path begins with /",
			 source, line, glob);
		goto out;
	}
	rank = cmn_severity_rank(severity);
	if (rank < 0) {
		cmn_fail(reason, "%s:%d: '%s' is not a severity (high, medium, low or info)",
			 source, line, severity);
		goto out;
	}
	bad = check_detections(detections, d, nr, &bad_len);
	if (bad) {
		cmn_fail(reason, "%s:%d: '%.*s' is not a detection (maptrail query --list)",
			 source, line, (int)bad_len, bad);
		goto out;
	}
	for (char *p = severity; *p; p++)
		*p = tolower((unsigned char)*p);
	if (asprintf(&quoted, "%s %s %s %s", glob, severity, detections, rest) < 0) {
		quoted = NULL;
		cmn_fail(reason, "out of memory");
		goto out;
	}
	if (add_rule(rules, source, line, quoted, glob, severity, rank, detections) < 0) {
		cmn_fail(reason, "out of memory");
		goto out;
	}
	ret = 0;
out:
	free(quoted);
	free(copy);
	return ret;
}

int fctx_rules_parse(struct fctx_rules *rules, const char *source, const char *text,
		     const struct analyze_detection *detections, int nr_detections, char **reason)
{
	char *copy = strdup(text), *p, *end;
	int line = 0, before = rules->n, ret = 0;

	if (!copy)
		return cmn_fail(reason, "out of memory");
	for (p = copy; *p && ret == 0; p = end) {
		char *nl = strchr(p, '\n');

		end = nl ? nl + 1 : p + strlen(p);
		if (nl)
			*nl = '\0';
		line++;
		while (*p == ' ' || *p == '\t')
			p++;
		for (char *q = p + strlen(p); q > p && isspace((unsigned char)q[-1]);)
			*--q = '\0';
		ret = parse_line(rules, source, line, p, detections, nr_detections, reason);
	}
	free(copy);
	if (ret == 0 && rules->n == before)
		ret = cmn_fail(reason, "%s: no rule in it (EXE-PATH SEVERITY DETECTIONS WHY)", source);
	return ret;
}

/* A whole baseline file as text: one line naming it and why when it cannot be one. */
static char *read_text(const char *path, char **reason)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, alloc = 0, got;

	if (!f) {
		cmn_fail_path(reason, path, "%s", strerror(errno));
		return NULL;
	}
	do {
		if (len + 4096 + 1 > alloc) {
			char *more = realloc(text, alloc = 2 * alloc + 4096 + 1);

			if (!more) {
				cmn_fail(reason, "out of memory");
				goto fail;
			}
			text = more;
		}
		got = fread(text + len, 1, alloc - len - 1, f);
		len += got;
	} while (got);
	if (ferror(f)) {
		cmn_fail_path(reason, path, "%s", strerror(errno));
		goto fail;
	}
	text[len] = '\0';
	if (strlen(text) != len) {
		cmn_fail_path(reason, path, "not a text file (it holds NUL bytes)");
		goto fail;
	}
	fclose(f);
	return text;
fail:
	fclose(f);
	free(text);
	return NULL;
}

int fctx_rules_read(const char *const *baselines, const struct analyze_detection *detections,
		    int nr_detections, struct fctx_rules **rules, char **reason)
{
	struct fctx_rules *r = fctx_rules_alloc();

	if (!r)
		return cmn_fail(reason, "out of memory");
	if (fctx_rules_parse(r, FCTX_BUILTIN_SOURCE, analyze_runtimes_rules[0].text, detections,
			     nr_detections, reason) < 0)
		goto fail;
	for (int i = 0; baselines && baselines[i]; i++) {
		char *text = read_text(baselines[i], reason);
		int ret;

		if (!text)
			goto fail;
		ret = fctx_rules_parse(r, baselines[i], text, detections, nr_detections, reason);
		free(text);
		if (ret < 0)
			goto fail;
	}
	*rules = r;
	return 0;
fail:
	fctx_rules_free(r);
	return -1;
}

/* findings.exe, cmdline, ppid; detection_severity from the detection's own severity. */
static int fill_context(struct cmn_db *db)
{
	/*
	 * process_context is a view that looks up several tables per row:
	 * asked once per finding it would be evaluated as many times, so its
	 * rows are copied once into an indexed temporary table.  A finding's
	 * pid is its process when the call row knew it; else the task table
	 * may know the thread's process.
	 */
	return cmn_db_exec(db,
		"DROP TABLE IF EXISTS temp.fctx_process;"
		"CREATE TEMP TABLE fctx_process AS"
		" SELECT c.capture_id, c.pid, c.exe, c.cmdline, c.ppid"
		" FROM process_context AS c;"
		"CREATE INDEX temp.fctx_process_key ON fctx_process (capture_id, pid);"
		"UPDATE findings SET detection_severity = severity, lowered_by = NULL,"
		" exe = NULL, cmdline = NULL, ppid = NULL;"
		"UPDATE findings SET exe = p.exe, cmdline = p.cmdline, ppid = p.ppid"
		" FROM temp.fctx_process AS p"
		" WHERE p.capture_id = findings.capture_id AND p.pid = coalesce(findings.pid,"
		"  (SELECT coalesce(t.tgid, t.pid) FROM task AS t"
		"    WHERE t.capture_id = findings.capture_id AND t.pid = findings.tid),"
		"  findings.tid);"
		"DROP TABLE temp.fctx_process;");
}

static int write_rules(struct cmn_db *db, const struct fctx_rules *rules)
{
	sqlite3_stmt *st;

	if (cmn_db_exec(db, "DELETE FROM severity_rule") < 0)
		return -1;
	st = cmn_db_prepare(db, "INSERT INTO severity_rule (id, source, line, text, exe_glob,"
			    " severity, severity_rank, detections) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return -1;
	for (int i = 0; rules && i < rules->n; i++) {
		const struct fctx_rule *r = &rules->v[i];

		sqlite3_bind_int(st, 1, i + 1);
		sqlite3_bind_text(st, 2, r->source, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, r->line);
		sqlite3_bind_text(st, 4, r->text, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->exe_glob, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->severity, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, r->rank);
		sqlite3_bind_text(st, 8, r->detections, -1, SQLITE_STATIC);
		if (cmn_db_step_done(db, st) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return 0;
}

/*
 * Each finding takes the rule that lowers it most (the first read on a tie:
 * maptrail's before a baseline's, a file's lines in order).  A rule at or
 * above the finding's severity changes nothing, so lowered_by is NULL
 * exactly when severity is the detection's own.  A deleted executable
 * matches no rule: a runtime's binary replaced under a running process is
 * worth a look as judged.
 */
static int64_t lower(struct cmn_db *db)
{
	if (cmn_db_exec(db,
		"UPDATE findings SET severity = r.severity, severity_rank = r.severity_rank,"
		" lowered_by = r.source || ':' || r.line || ': ' || r.text"
		" FROM (SELECT f.id AS fid,"
		"  (SELECT r.id FROM severity_rule AS r"
		"    WHERE f.exe GLOB r.exe_glob AND r.severity_rank < f.severity_rank"
		"      AND (r.detections = '*'"
		"       OR instr(',' || r.detections || ',', ',' || f.detection || ',') > 0)"
		"    ORDER BY r.severity_rank, r.id LIMIT 1) AS rid"
		"  FROM findings AS f WHERE f.exe IS NOT NULL AND f.exe NOT GLOB '* (deleted)') AS m"
		" JOIN severity_rule AS r ON r.id = m.rid"
		" WHERE findings.id = m.fid") < 0)
		return -1;
	return sqlite3_changes64(db->sql);
}

static int count_ranks(struct cmn_db *db, int64_t by_rank[4])
{
	sqlite3_stmt *st = cmn_db_prepare(db, "SELECT severity_rank, count(*) FROM findings"
					  " GROUP BY severity_rank");
	int rc;

	if (!st)
		return -1;
	memset(by_rank, 0, 4 * sizeof(*by_rank));
	while ((rc = cmn_db_step(db, st)) == SQLITE_ROW) {
		int rank = sqlite3_column_int(st, 0);

		if (rank >= 0 && rank < 4)
			by_rank[rank] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int64_t fctx_apply(struct cmn_db *db, const struct fctx_rules *rules, int64_t by_rank[4])
{
	int64_t lowered;

	if (fill_context(db) < 0 || write_rules(db, rules) < 0)
		return -1;
	lowered = lower(db);
	if (lowered < 0)
		return -1;
	if (by_rank && count_ranks(db, by_rank) < 0)
		return -1;
	return lowered;
}
