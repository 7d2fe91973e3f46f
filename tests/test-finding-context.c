// SPDX-License-Identifier: MIT
/*
 * finding-context: the rules files (maptrail's known runtimes as compiled in,
 * a baseline's lines and each way a line can be wrong, told as FILE:LINE),
 * and the pass after findings_build() on a database with analyze's layout:
 * each finding's executable, command line and parent from process_context
 * (a snapshot, an exec, a thread whose process only the task table knows),
 * and the severity a rule lowers -- the runtime lowered, what it does not
 * list kept, the unknown loader, the deleted runtime and the payload named
 * like a runtime kept high, the lowest of two rules, a baseline quoted.
 * The findings rows are written by hand here: they are this pass's input;
 * tests/e2e/jit-runtimes.sh runs it on real recordings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog-detections.h"
#include "embedded.h"
#include "finding-context.h"
#include "identity.h"
#include "sql.h"

extern const struct embedded_file analyze_layout_sql[];

struct fixture {
	struct cmn_db db;
	struct analyze_detection detections[64];
	int nr_detections;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(cmn_db_open(&f->db, ":memory:"), 0);
	assert_int_equal(cmn_db_exec(&f->db, "%s", analyze_layout_sql[0].text), 0);
	f->nr_detections = catalog_detections(f->detections, 64);
	assert_true(f->nr_detections > 5);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	cmn_db_close(&f->db);
	free(f);
	return 0;
}

/* One file's rules, or the error line it gives (free()); NULL rules on error. */
static struct fctx_rules *parse(struct fixture *f, const char *text, char **err)
{
	struct fctx_rules *r = fctx_rules_alloc();

	assert_non_null(r);
	*err = NULL;
	if (fctx_rules_parse(r, "site.rules", text, f->detections, f->nr_detections, err) < 0)
		return fctx_rules_free(r);
	return r;
}

static void test_builtin(void **state)
{
	struct fixture *f = *state;
	struct fctx_rules *r = NULL;
	char *err = NULL;

	/* maptrail's own rules name detections it has and severities that exist */
	assert_int_equal(fctx_rules_read(NULL, f->detections, f->nr_detections, &r, &err), 0);
	assert_null(err);
	assert_true(fctx_rules_count(r) >= 8);
	fctx_rules_free(r);
}

static void test_bad_lines(void **state)
{
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "# a comment\n\n/usr/bin/x hgh * why\n",
		  "site.rules:3: 'hgh' is not a severity (high, medium, low or info)" },
		{ "luajit low * why\n",
		  "site.rules:1: 'luajit' is not a path: an executable's path begins with /" },
		{ "/x low wx-mapping,wx-mapin why\n",
		  "site.rules:1: 'wx-mapin' is not a detection (maptrail query --list)" },
		{ "/x low wx-mapping, why\n",
		  "site.rules:1: '' is not a detection (maptrail query --list)" },
		{ "/x low *\n",
		  "site.rules:1: expected EXE-PATH SEVERITY DETECTIONS WHY, not '/x low *'" },
		{ "# only a comment\n",
		  "site.rules: no rule in it (EXE-PATH SEVERITY DETECTIONS WHY)" },
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *err;
		struct fctx_rules *r = parse(f, bad[i].text, &err);

		assert_null(r);
		assert_non_null(err);
		assert_string_equal(err, bad[i].error);
		free(err);
	}
}

static void snapshot(struct fixture *f, int tgid, int ppid, const char *exe, const char *cmdline)
{
	assert_int_equal(cmn_db_exec(&f->db, "INSERT INTO process_snapshot (capture_id, ts, tgid,"
				     " ppid, comm, exe, cmdline, reason, maps, fds) VALUES (1, 10,"
				     " %d, %d, 'x', %Q, %Q, 'exec', 0, 0);"
				     "INSERT INTO task (capture_id, pid, comm, events, tgid)"
				     " VALUES (1, %d, 'x', 1, %d)", tgid, ppid, exe, cmdline, tgid,
				     tgid), 0);
}

/* A finding as findings_build() writes it; returns its id. */
static int64_t finding(struct fixture *f, const char *detection, const char *severity, int pid,
		       int tid)
{
	assert_int_equal(cmn_db_exec(&f->db, "INSERT INTO findings (capture_id, detection, title,"
				     " severity, severity_rank, ts, pid, tid, summary) VALUES (1, %Q,"
				     " %Q, %Q, %d, 100, nullif(%d, 0), %d, 's')", detection, detection,
				     severity, !strcmp(severity, "high") ? 3 : !strcmp(severity,
				     "medium") ? 2 : !strcmp(severity, "low") ? 1 : 0, pid, tid), 0);
	return sqlite3_last_insert_rowid(f->db.sql);
}

/* A column of finding @id as text ("(null)" for NULL): asserted, then freed. */
static char *column(struct fixture *f, int64_t id, const char *col)
{
	sqlite3_stmt *st = cmn_db_prepare(&f->db, "SELECT coalesce(CAST(\"%w\" AS TEXT), '(null)')"
					  " FROM findings WHERE id = %lld", col, (long long)id);
	char *s;

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	s = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s;
}

static void assert_column(struct fixture *f, int64_t id, const char *col, const char *want)
{
	char *got = column(f, id, col);

	if (strcmp(got, want))
		fail_msg("finding %lld: %s is '%s', not '%s'", (long long)id, col, got, want);
	free(got);
}

static void assert_column_prefix(struct fixture *f, int64_t id, const char *col, const char *want)
{
	char *got = column(f, id, col);

	if (strncmp(got, want, strlen(want)))
		fail_msg("finding %lld: %s is '%s', not '%s...'", (long long)id, col, got, want);
	free(got);
}

static void test_apply(void **state)
{
	struct fixture *f = *state;
	struct fctx_rules *rules = NULL;
	char *err = NULL;
	int64_t by_rank[4], lowered;
	int64_t jit_high, jit_low, jit_injected, python, deleted, fake, unknown, thread, both;
	char site[] = "/tmp/test-finding-context.XXXXXX", want[128];
	int fd = mkstemp(site);
	FILE *out = fd < 0 ? NULL : fdopen(fd, "w");

	snapshot(f, 10, 1, "/usr/bin/luajit-2.1.0-beta3", "luajit -e x");
	snapshot(f, 11, 1, "/usr/bin/python3.11", "python3 loader.py");
	snapshot(f, 12, 1, "/usr/bin/luajit (deleted)", NULL);
	snapshot(f, 13, 10, "/tmp/luajit", "");
	snapshot(f, 14, 1, "/usr/bin/node", "node app.js");
	/* thread 21 of process 20: the task table knows its process, the call row did not */
	assert_int_equal(cmn_db_exec(&f->db, "INSERT INTO task (capture_id, pid, comm, events, tgid)"
				     " VALUES (1, 21, 'worker', 1, 14)"), 0);
	assert_int_equal(ident_views(&f->db), 0);

	jit_high = finding(f, "exec-after-write", "high", 10, 10);
	jit_low = finding(f, "made-executable", "low", 10, 10);
	jit_injected = finding(f, "code-injected", "high", 10, 10);
	python = finding(f, "exec-after-write", "high", 11, 11);
	deleted = finding(f, "exec-after-write", "high", 12, 12);
	fake = finding(f, "exec-after-write", "high", 13, 13);
	unknown = finding(f, "exec-after-write", "high", 99, 99);
	thread = finding(f, "code-patching", "high", 0, 21);
	both = finding(f, "wx-mapping", "high", 11, 11);

	/* the analyst's own: python lowered to medium, and wx-mapping in it to info */
	assert_non_null(out);
	fputs("# ours\n/usr/bin/python3*\tmedium   exec-after-write,wx-mapping   our harness\n"
	      "/usr/bin/python3.11 info wx-mapping   its test of RWX\n", out);
	fclose(out);
	{
		const char *baselines[] = { site, NULL };

		assert_int_equal(fctx_rules_read(baselines, f->detections, f->nr_detections, &rules,
						 &err), 0);
	}
	lowered = fctx_apply(&f->db, rules, by_rank);
	unlink(site);
	assert_true(lowered >= 0);

	/* context */
	assert_column(f, jit_high, "exe", "/usr/bin/luajit-2.1.0-beta3");
	assert_column(f, jit_high, "cmdline", "luajit -e x");
	assert_column(f, jit_high, "ppid", "1");
	assert_column(f, fake, "ppid", "10");
	assert_column(f, fake, "cmdline", "(null)");	/* "" read from /proc: none */
	assert_column(f, unknown, "exe", "(null)");
	assert_column(f, thread, "exe", "/usr/bin/node");

	/* the runtime lowered, by its row; what it does not list, or below its level, kept */
	assert_column(f, jit_high, "severity", "low");
	assert_column(f, jit_high, "severity_rank", "1");
	assert_column(f, jit_high, "detection_severity", "high");
	assert_column_prefix(f, jit_high, "lowered_by", "runtimes.rules:");
	assert_column(f, jit_low, "severity", "low");
	assert_column(f, jit_low, "lowered_by", "(null)");
	assert_column(f, jit_injected, "severity", "high");
	assert_column(f, jit_injected, "lowered_by", "(null)");
	assert_column(f, thread, "severity", "low");
	/* a deleted runtime, a payload named like one, an unknown binary: as judged */
	assert_column(f, deleted, "severity", "high");
	assert_column(f, fake, "severity", "high");
	assert_column(f, unknown, "severity", "high");
	assert_column(f, unknown, "detection_severity", "high");
	/* the baseline: quoted with its file and line; the lower of two rules wins */
	assert_column(f, python, "severity", "medium");
	snprintf(want, sizeof(want), "%s:2: /usr/bin/python3* medium exec-after-write,wx-mapping"
		 " our harness", site);
	assert_column(f, python, "lowered_by", want);
	assert_column(f, both, "severity", "info");
	snprintf(want, sizeof(want), "%s:3: ", site);
	assert_column_prefix(f, both, "lowered_by", want);

	assert_int_equal(lowered, 4);
	assert_int_equal(by_rank[3], 4);	/* injected, deleted, fake, unknown */
	assert_int_equal(by_rank[2], 1);
	assert_int_equal(by_rank[1], 3);
	assert_int_equal(by_rank[0], 1);
	fctx_rules_free(rules);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_builtin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
