// SPDX-License-Identifier: MIT
/*
 * findings: the detections of queries/, run by findings_build() on databases
 * built from small hand-written call sequences through analyze's own modules
 * (call tables, history, per-process counts, tasks) -- writable then
 * executable across several mappings, a prior state unknown, code patching,
 * mremap over a live mapping and over nothing known, RWX memory made by any
 * call, bursts of failures and threads racing -- each with the shapes its
 * header names as false positives, which must stay quiet; and the grouping of
 * a thousand calls into one finding with every call as evidence.  Every
 * case is judged twice, by the queries and by the replay's detections
 * (replayed-detections.h), which must agree.  The detections of files and
 * tracers have theirs in test-identity.c.
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

#include "calls.h"
#include "catalog-detections.h"
#include "sql.h"
#include "embedded.h"
#include "findings.h"
#include "history-table.h"
#include "identity.h"
#include "processes.h"
#include "schema.h"
#include "tasks.h"
#include "trace-meta.h"

extern const struct embedded_file analyze_layout_sql[];

#define PAGE	4096ll
#define BASE	0x7f0000000000ll
#define A(p)	(BASE + (int64_t)(p) * PAGE)
#define PID	4242
#define ANON	0x22

struct fixture {
	char path[64], part[80];
	struct cmn_db db;
	struct tep_handle *tep;
	struct task_map *tasks;
	struct calls *calls;
	struct hist_table *history;
	struct proc_stats *procs;
	int64_t next_id;
	/* the catalog's detections, as maptrail analyze is given them (cli/cmd-analyze.c) */
	struct analyze_detection detections[64];
	int nr_detections;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *err = NULL;
	int fd;

	assert_non_null(f);
	strcpy(f->path, "/tmp/test-findings.XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(f->part, sizeof(f->part), "%s-history", f->path);
	assert_int_equal(cmn_db_open(&f->db, f->path), 0);
	assert_int_equal(cmn_db_exec(&f->db, "BEGIN; %s", analyze_layout_sql[0].text), 0);
	assert_int_equal(schema_load(f->db.sql, NULL, &err), 0);
	f->tep = tep_alloc();
	f->tasks = task_map_alloc();
	f->procs = proc_stats_alloc();
	assert_non_null(f->tep);
	assert_non_null(f->tasks);
	assert_non_null(f->procs);
	f->calls = calls_alloc(&f->db, f->tep, 1, NULL, 0, f->tasks);
	assert_non_null(f->calls);
	f->history = hist_table_alloc(&f->db, f->part, f->tep, 1, PAGE, f->tasks);
	assert_non_null(f->history);
	f->next_id = 1;
	f->nr_detections = catalog_detections(f->detections, 64);
	assert_true(f->nr_detections > 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	hist_table_free(f->history);
	calls_free(f->calls);
	proc_stats_free(f->procs);
	task_map_free(f->tasks);
	tep_free(f->tep);
	cmn_db_close(&f->db);
	unlink(f->path);
	unlink(f->part);
	free(f);
	return 0;
}

/*
 * One call of @op by thread @tid of process @pid, entering at @ts and
 * returning @ret 1 µs later: its row in its call table, and the same call
 * to the history and the per-process counts, as analyze gives them.
 */
static void call(struct fixture *f, enum hist_op op, int pid, int tid, int64_t ts, int64_t ret,
		 int nr_args, ...)
{
	const char *const *names = hist_op_args(op);
	struct hist_call c = { .op = op, .id = f->next_id++, .ts = ts + 1000, .entered = (uint64_t)ts,
				.pid = pid, .ret = ret };
	sqlite3_str *sql = sqlite3_str_new(f->db.sql);
	bool failed = ret < 0 && ret >= -4095;
	int64_t len = 0, exec = 0;
	va_list ap;
	char *text;

	sqlite3_str_appendf(sql, "INSERT INTO \"%w\" (id, capture_id, ts, ts_exit, pid, tid, comm,"
			    " source_id, enter_id, exit_id", hist_op_name(op));
	for (int i = 0; i < nr_args; i++)
		sqlite3_str_appendf(sql, ", \"%w\"", names[i]);
	sqlite3_str_appendf(sql, ", ret) VALUES (%lld, 1, %lld, %lld, %d, %d, 'loader', 1, 1, 1",
			    (long long)c.id, (long long)ts, (long long)c.ts, pid, tid);
	va_start(ap, nr_args);
	for (int i = 0; i < nr_args; i++) {
		c.args[i] = va_arg(ap, int64_t);
		c.have |= 1u << i;
		sqlite3_str_appendf(sql, ", %lld", (long long)c.args[i]);
	}
	va_end(ap);
	sqlite3_str_appendf(sql, ", %lld)", (long long)ret);
	text = sqlite3_str_finish(sql);
	assert_int_equal(cmn_db_exec(&f->db, "%s", text), 0);
	sqlite3_free(text);

	assert_int_equal(task_map_event(f->tasks, tid, (uint64_t)ts), 0);
	assert_int_equal(hist_table_call(f->history, &c, 1), 0);
	if (!failed && (op == HIST_MMAP || op == HIST_MPROTECT)) {
		len = c.args[1];
		exec = (c.args[2] & 4) ? len : 0;
	}
	assert_int_equal(proc_stats_call(f->procs, pid, hist_op_name(op), ts, failed,
					 op == HIST_MMAP && !failed ? len : 0, exec), 0);
}

#define MMAP(f, ts, addr, pages, prot, flags)						\
	call(f, HIST_MMAP, PID, PID, ts, addr, 6, (int64_t)(addr), (pages) * PAGE,	\
	     (int64_t)(prot), (int64_t)(flags), (int64_t)((flags) & 0x20 ? -1 : 3), (int64_t)0)
#define MPROTECT(f, ts, addr, pages, prot)						\
	call(f, HIST_MPROTECT, PID, PID, ts, 0, 3, (int64_t)(addr), (pages) * PAGE, (int64_t)(prot))

static int64_t scalar(struct fixture *f, const char *fmt, ...);

/* What a finding is, ids aside: its columns and its evidence. */
#define FINDINGS_COMPARED								\
	"SELECT capture_id, detection, severity, ts, pid, tid, comm, addr, len, kind, summary,"	\
	" calls, ranges, bytes, last_ts, (SELECT group_concat(call || ' ' || call_id, ',')"	\
	" FROM (SELECT call, call_id FROM finding_evidence WHERE finding_id = f.id"		\
	" ORDER BY call, call_id)) AS evidence FROM findings AS f"

/* Everything analyze does after the load, then the detections.  Returns the findings. */
static int64_t finish(struct fixture *f)
{
	struct trace_meta meta = { 0 };
	double *seconds;
	int64_t n;

	assert_int_equal(hist_table_finish(f->history), 0);
	assert_int_equal(calls_finish(f->calls), 0);
	assert_int_equal(proc_stats_write(f->procs, &f->db, 1, f->tasks), 0);
	assert_int_equal(tasks_write(&f->db, 1, f->tasks, &meta), 0);
	assert_int_equal(hist_table_part_close(f->history), 0);
	assert_int_equal(cmn_db_exec(&f->db, "COMMIT; ATTACH %Q AS part; BEGIN", f->part), 0);
	assert_int_equal(hist_table_complete(f->history, "part"), 0);
	assert_int_equal(ident_views(&f->db), 0);
	/*
	 * The detections the replay judged (replayed-detections.h) must give
	 * what their queries give: findings and evidence, built both ways.
	 */
	n = findings_build(&f->db, f->detections, f->nr_detections, NULL, NULL, NULL);
	if (n < 0)
		fail_msg("findings_build, every query: %s", f->db.err);
	assert_int_equal(cmn_db_exec(&f->db, "DROP TABLE IF EXISTS temp.by_query;"
				     " CREATE TEMP TABLE by_query AS " FINDINGS_COMPARED), 0);
	seconds = malloc(f->nr_detections * sizeof(*seconds));
	assert_non_null(seconds);
	for (int i = 0; i < f->nr_detections; i++)
		seconds[i] = -1;
	n = findings_build(&f->db, f->detections, f->nr_detections,
			   hist_table_replayed(f->history), NULL, seconds);
	if (n < 0)
		fail_msg("findings_build: %s", f->db.err);
	/* each detection's time, replayed or run (analyze -v names the slowest) */
	for (int i = 0; i < f->nr_detections; i++)
		if (seconds[i] < 0)
			fail_msg("findings_build: no time for %s", f->detections[i].name);
	free(seconds);
	assert_int_equal(scalar(f, "SELECT count(*) FROM (SELECT * FROM temp.by_query EXCEPT "
				FINDINGS_COMPARED ")"), 0);
	assert_int_equal(scalar(f, "SELECT count(*) FROM (" FINDINGS_COMPARED " EXCEPT"
				" SELECT * FROM temp.by_query)"), 0);
	return n;
}

static int64_t scalar(struct fixture *f, const char *fmt, ...)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	va_list ap;
	char *sql;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	st = cmn_db_prepare(&f->db, "%s", sql);
	sqlite3_free(sql);
	assert_non_null(st);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The findings of @detection at @severity whose summary contains @text (NULL: any). */
static int64_t found(struct fixture *f, const char *detection, const char *severity,
		     const char *text)
{
	return scalar(f, "SELECT count(*) FROM findings WHERE detection = %Q AND severity = %Q"
		      " AND (%Q IS NULL OR instr(summary, %Q) > 0)", detection, severity, text, text);
}

/* The findings of @detection whose kind is @k. */
static int64_t kind(struct fixture *f, const char *detection, const char *k)
{
	return scalar(f, "SELECT count(*) FROM findings WHERE detection = %Q AND kind = %Q",
		      detection, k);
}

/* One mprotect over a writable mapping, a read-only one and memory never seen. */
static void test_span(void **state)
{
	struct fixture *f = *state;

	MMAP(f, 100000, A(0), 2, 3, ANON);
	MMAP(f, 200000, A(2), 1, 1, ANON | 0x10);
	MPROTECT(f, 300000, A(0), 4, 5);
	finish(f);
	/* The writable part is exec-after-write's; the others made-executable's. */
	assert_int_equal(found(f, "exec-after-write", "high",
			       "0x7f0000000000-0x7f0000002000 was rw-"), 1);
	assert_int_equal(found(f, "exec-after-write", "high", NULL), 1);
	assert_int_equal(found(f, "made-executable", "low", "0x7f0000002000-0x7f0000003000 was r--"),
			 1);
	assert_int_equal(found(f, "made-executable", "medium", "unknown"), 1);
	assert_int_equal(scalar(f, "SELECT addr FROM findings WHERE detection = 'exec-after-write'"),
			 A(0));
	assert_int_equal(scalar(f, "SELECT len FROM findings WHERE detection = 'exec-after-write'"),
			 4 * PAGE);
	assert_int_equal(kind(f, "exec-after-write", "rw- -> r-x anonymous"), 1);
	/* Its evidence is the mprotect's row. */
	assert_int_equal(scalar(f, "SELECT e.call_id FROM finding_evidence e JOIN findings f"
				" ON f.id = e.finding_id WHERE f.detection = 'exec-after-write'"
				" AND e.call = 'mprotect'"), 3);
	assert_int_equal(found(f, "wx-mapping", "high", NULL), 0);
}

/*
 * The flip of a JIT or a loader, 1,000 times over, at two addresses in turn:
 * one finding with every call as evidence, whatever the order the detection
 * gives its rows in.  A second process doing the same: a finding of its own.
 */
static void test_grouped(void **state)
{
	struct fixture *f = *state;
	int64_t ts = 100000;

	for (int i = 0; i < 1000; i++, ts += 100000) {
		int64_t at = A(i % 2 ? 8 : 0);

		MMAP(f, ts, at, 4, 3, ANON);
		MPROTECT(f, ts + 10000, at, 4, 5);
		call(f, HIST_MUNMAP, PID, PID, ts + 20000, 0, 2, at, 4 * PAGE);
	}
	call(f, HIST_MMAP, 77, 77, ts, A(0), 6, A(0), PAGE, (int64_t)3, (int64_t)ANON, (int64_t)-1,
	     (int64_t)0);
	call(f, HIST_MPROTECT, 77, 77, ts + 10000, 0, 3, A(0), PAGE, (int64_t)5);
	finish(f);
	assert_int_equal(found(f, "exec-after-write", "high", NULL), 2);
	assert_int_equal(scalar(f, "SELECT calls FROM findings WHERE detection = 'exec-after-write'"
				" AND pid = %d", PID), 1000);
	assert_int_equal(scalar(f, "SELECT count(*) FROM finding_evidence e JOIN findings f"
				" ON f.id = e.finding_id WHERE f.detection = 'exec-after-write'"
				" AND f.pid = %d AND e.call = 'mprotect'", PID), 1000);
	assert_int_equal(scalar(f, "SELECT ranges FROM findings WHERE detection = 'exec-after-write'"
				" AND pid = %d", PID), 2);
	assert_int_equal(scalar(f, "SELECT bytes FROM findings WHERE detection = 'exec-after-write'"
				" AND pid = %d", PID), 8 * PAGE);
	/* Described by the first call; last_ts is the last one's entry. */
	assert_int_equal(scalar(f, "SELECT ts FROM findings WHERE detection = 'exec-after-write'"
				" AND pid = %d", PID), 110000);
	assert_int_equal(scalar(f, "SELECT addr FROM findings WHERE detection = 'exec-after-write'"
				" AND pid = %d", PID), A(0));
	assert_int_equal(scalar(f, "SELECT last_ts FROM findings WHERE detection = 'exec-after-write'"
				" AND pid = %d", PID), 100000 + 999 * 100000 + 10000);
	assert_int_equal(scalar(f, "SELECT count(*) FROM findings WHERE detection = 'exec-after-write'"
				" AND pid = 77 AND calls = 1 AND ranges = 1 AND bytes = %lld",
				(long long)PAGE), 1);
	/* Findings are numbered in the order of their first call. */
	assert_int_equal(scalar(f, "SELECT pid FROM findings WHERE detection = 'exec-after-write'"
				" ORDER BY id LIMIT 1"), PID);
	assert_int_equal(found(f, "made-executable", "low", NULL) +
			 found(f, "made-executable", "medium", NULL), 0);
}

/* Made executable with nothing known before, and read-only made executable: lower severities. */
static void test_prior_unknown(void **state)
{
	struct fixture *f = *state;

	MPROTECT(f, 100000, A(40), 1, 5);
	MMAP(f, 200000, A(50), 1, 1, ANON);
	MPROTECT(f, 300000, A(50), 1, 5);
	finish(f);
	assert_int_equal(found(f, "made-executable", "medium", "unknown (before the capture)"), 1);
	assert_int_equal(found(f, "made-executable", "low", "was r--"), 1);
	assert_int_equal(scalar(f, "SELECT count(*) FROM findings"
				" WHERE detection != 'made-executable'"), 0);
}

static void test_code_patching(void **state)
{
	struct fixture *f = *state;

	MMAP(f, 100000, A(0), 1, 5, ANON);
	MPROTECT(f, 200000, A(0), 1, 3);	/* X -> W: medium */
	MPROTECT(f, 300000, A(0), 1, 5);	/* W -> X: exec-after-write */
	MPROTECT(f, 400000, A(0), 1, 7);	/* X -> WX: high */
	finish(f);
	assert_int_equal(found(f, "code-patching", "medium", "was r-x"), 1);
	assert_int_equal(found(f, "code-patching", "high", "was r-x"), 1);
	assert_int_equal(kind(f, "code-patching", "r-x -> rwx anonymous"), 1);
	assert_int_equal(found(f, "exec-after-write", "high", "was rw-"), 1);
	assert_int_equal(found(f, "made-executable", "medium", NULL) +
			 found(f, "made-executable", "low", NULL), 0);
}

/*
 * node/V8: mprotect(rwx) on memory already rwx changes nothing (quiet); nor
 * does making code read-only or executable again.
 */
static void test_code_patching_quiet(void **state)
{
	struct fixture *f = *state;

	MMAP(f, 100000, A(0), 4, 7, ANON);
	MPROTECT(f, 200000, A(0), 4, 7);	/* rwx -> rwx */
	MPROTECT(f, 300000, A(0), 4, 5);	/* rwx -> r-x: write dropped */
	MPROTECT(f, 400000, A(0), 4, 1);	/* r-x -> r-- */
	MPROTECT(f, 500000, A(0), 4, 5);	/* r-- -> r-x: made-executable, low */
	finish(f);
	assert_int_equal(found(f, "code-patching", "high", NULL) +
			 found(f, "code-patching", "medium", NULL), 0);
	/* the rwx mmap, not the mprotect that kept it so */
	assert_int_equal(found(f, "wx-mapping", "high", NULL), 1);
	assert_int_equal(scalar(f, "SELECT calls FROM findings WHERE detection = 'wx-mapping'"), 1);
	assert_int_equal(found(f, "exec-after-write", "high", NULL), 0);
	assert_int_equal(found(f, "made-executable", "low", "was r--"), 1);
}

static void test_mremap_fixed(void **state)
{
	struct fixture *f = *state;

	MMAP(f, 100000, A(10), 2, 3, ANON);		/* the victim */
	MMAP(f, 200000, A(0), 2, 5, ANON);		/* the source */
	call(f, HIST_MREMAP, PID, PID, 300000, A(10), 5, A(0), 2 * PAGE, 2 * PAGE, (int64_t)3,
	     A(10));
	/* Moved onto memory the capture never saw: nothing known lost, no finding. */
	call(f, HIST_MREMAP, PID, PID, 400000, A(30), 5, A(10), 2 * PAGE, 2 * PAGE, (int64_t)3,
	     A(30));
	finish(f);
	assert_int_equal(found(f, "mremap-fixed-overlap", "high", "(from mmap #1)"), 1);
	assert_int_equal(scalar(f, "SELECT addr FROM findings"
				" WHERE detection = 'mremap-fixed-overlap'"), A(10));
	/* Evidence: the mremap and the mmap that made what it replaced. */
	assert_int_equal(scalar(f, "SELECT count(*) FROM finding_evidence e JOIN findings f"
				" ON f.id = e.finding_id WHERE f.detection = 'mremap-fixed-overlap'"
				" AND ((e.call = 'mremap' AND e.call_id = 3)"
				" OR (e.call = 'mmap' AND e.call_id = 1))"), 2);
}

static void test_wx_mapping(void **state)
{
	struct fixture *f = *state;

	MMAP(f, 100000, A(0), 1, 7, ANON);
	MMAP(f, 200000, A(5), 1, 7, 0x2);		/* a file: medium */
	MMAP(f, 300000, A(9), 1, 5, ANON);		/* r-x: not writable */
	call(f, HIST_MMAP, PID, PID, 400000, -12, 6, (int64_t)0, PAGE, (int64_t)7, (int64_t)ANON,
	     (int64_t)-1, (int64_t)0);		/* failed: nothing mapped */
	finish(f);
	assert_int_equal(found(f, "wx-mapping", "high", "anonymous"), 1);
	assert_int_equal(found(f, "wx-mapping", "medium", "fd 3"), 1);
	assert_int_equal(scalar(f, "SELECT count(*) FROM findings"), 2);
}

/*
 * Shellcode staging without an RWX mmap: PROT_NONE made rwx by mprotect,
 * rw- made rwx by pkey_mprotect, an rwx range moved by mremap.  All high,
 * whatever the call; made-executable leaves them to wx-mapping.
 */
static void test_wx_any_call(void **state)
{
	struct fixture *f = *state;

	MMAP(f, 100000, A(0), 2, 0, ANON);
	MPROTECT(f, 200000, A(0), 2, 7);
	MMAP(f, 300000, A(10), 1, 3, ANON);
	call(f, HIST_PKEY_MPROTECT, PID, PID, 400000, 0, 4, A(10), PAGE, (int64_t)7, (int64_t)0);
	call(f, HIST_MREMAP, PID, PID, 500000, A(20), 5, A(0), 2 * PAGE, 4 * PAGE, (int64_t)1,
	     (int64_t)0);
	finish(f);
	assert_int_equal(kind(f, "wx-mapping", "mprotect --- -> rwx anonymous"), 1);
	assert_int_equal(kind(f, "wx-mapping", "pkey_mprotect rw- -> rwx anonymous"), 1);
	assert_int_equal(kind(f, "wx-mapping", "mremap rwx -> rwx anonymous"), 1);
	assert_int_equal(found(f, "wx-mapping", "high", NULL), 3);
	assert_int_equal(found(f, "wx-mapping", "medium", NULL), 0);
	assert_int_equal(scalar(f, "SELECT addr FROM findings WHERE detection = 'wx-mapping'"
				" AND kind LIKE 'mremap%%'"), A(20));
	assert_int_equal(found(f, "made-executable", "low", NULL) +
			 found(f, "made-executable", "medium", NULL), 0);
}

static void test_failure_burst(void **state)
{
	struct fixture *f = *state;

	/* 12 ENOMEM 50 µs apart: a burst.  9 EINVAL a second later: too few for another. */
	for (int i = 0; i < 12; i++)
		call(f, HIST_MPROTECT, PID, PID, 1000000 + i * 50000, -12, 3, A(100 + i), PAGE,
		     (int64_t)3);
	for (int i = 0; i < 9; i++)
		call(f, HIST_MUNMAP, PID, PID, 2000000000ll + i * 50000, -22, 2, A(200) + 1, PAGE);
	/* Another process failing 12 times, 200 ms apart: no burst. */
	for (int i = 0; i < 12; i++)
		call(f, HIST_MPROTECT, 77, 77, 3000000000ll + i * 200000000ll, -12, 3, A(300), PAGE,
		     (int64_t)3);
	finish(f);
	assert_int_equal(scalar(f, "SELECT count(*) FROM findings"), 1);
	assert_int_equal(found(f, "failure-burst", "medium", "12 failing calls"), 1);
	assert_int_equal(found(f, "failure-burst", "medium", "12 ENOMEM"), 1);
	assert_int_equal(scalar(f, "SELECT pid FROM findings"), PID);
	assert_int_equal(scalar(f, "SELECT ts FROM findings"), 1000000);
	assert_int_equal(scalar(f, "SELECT count(*) FROM finding_evidence"), 12);
}

static void test_toctou(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(task_map_set_tgid(f->tasks, PID, PID), 0);
	assert_int_equal(task_map_set_tgid(f->tasks, PID + 1, PID), 0);
	assert_int_equal(task_map_event(f->tasks, PID, 1), 0);
	assert_int_equal(task_map_event(f->tasks, PID + 1, 1), 0);
	MMAP(f, 100000, A(0), 4, 3, ANON);
	/* Overlapping, 100 µs apart: a race.  Then apart in memory, then 5 ms apart: none. */
	call(f, HIST_MPROTECT, PID, PID, 200000, 0, 3, A(0), 3 * PAGE, (int64_t)1);
	call(f, HIST_MPROTECT, PID, PID + 1, 300000, 0, 3, A(1), 3 * PAGE, (int64_t)3);
	call(f, HIST_MPROTECT, PID, PID, 10000000, 0, 3, A(0), PAGE, (int64_t)1);
	call(f, HIST_MPROTECT, PID, PID + 1, 10100000, 0, 3, A(2), PAGE, (int64_t)3);
	call(f, HIST_MPROTECT, PID, PID, 20000000, 0, 3, A(0), PAGE, (int64_t)1);
	call(f, HIST_MPROTECT, PID, PID + 1, 25000000, 0, 3, A(0), PAGE, (int64_t)3);
	finish(f);
	assert_int_equal(found(f, "toctou-race", "medium", NULL), 1);
	assert_int_equal(scalar(f, "SELECT addr FROM findings WHERE detection = 'toctou-race'"),
			 A(1));
	assert_int_equal(scalar(f, "SELECT len FROM findings WHERE detection = 'toctou-race'"),
			 2 * PAGE);
	assert_int_equal(scalar(f, "SELECT tid FROM findings WHERE detection = 'toctou-race'"),
			 PID + 1);
	assert_int_equal(kind(f, "toctou-race", "mprotect then mprotect"), 1);
	assert_int_equal(scalar(f, "SELECT calls FROM findings WHERE detection = 'toctou-race'"), 2);
}

/*
 * Ordinary address reuse between threads (java, gdb, node): one thread
 * unmaps an arena's surplus, another mmaps a fresh stack there and
 * mprotects its guard page 100 µs later.  Quiet; the same pair without the
 * fresh mmap still fires.
 */
static void test_toctou_reuse(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(task_map_set_tgid(f->tasks, PID, PID), 0);
	assert_int_equal(task_map_set_tgid(f->tasks, PID + 1, PID), 0);
	assert_int_equal(task_map_event(f->tasks, PID, 1), 0);
	assert_int_equal(task_map_event(f->tasks, PID + 1, 1), 0);
	MMAP(f, 100000, A(0), 16, 3, ANON);
	call(f, HIST_MUNMAP, PID, PID, 200000, 0, 2, A(0), 8 * PAGE);
	call(f, HIST_MMAP, PID, PID + 1, 250000, A(0), 6, (int64_t)0, 8 * PAGE, (int64_t)3,
	     (int64_t)ANON, (int64_t)-1, (int64_t)0);
	call(f, HIST_MPROTECT, PID, PID + 1, 300000, 0, 3, A(0), PAGE, (int64_t)0);
	/* 10 ms later: the same shape with no fresh mapping between */
	call(f, HIST_MUNMAP, PID, PID, 10000000, 0, 2, A(8), 4 * PAGE);
	call(f, HIST_MPROTECT, PID, PID + 1, 10100000, 0, 3, A(8), PAGE, (int64_t)0);
	finish(f);
	assert_int_equal(found(f, "toctou-race", "medium", NULL), 1);
	assert_int_equal(scalar(f, "SELECT addr FROM findings WHERE detection = 'toctou-race'"),
			 A(8));
	assert_int_equal(kind(f, "toctou-race", "munmap then mprotect"), 1);
	/* the second pair's two calls only */
	assert_int_equal(scalar(f, "SELECT calls FROM findings WHERE detection = 'toctou-race'"), 2);
}

/* remap_file_pages: no quiet shape; its calls in one process are one finding. */
static void test_remap_file_pages(void **state)
{
	struct fixture *f = *state;

	MMAP(f, 100000, A(0), 4, 3, 0x1);
	call(f, HIST_REMAP_FILE_PAGES, PID, PID, 200000, 0, 5, A(0), PAGE, (int64_t)0, (int64_t)2,
	     (int64_t)0);
	call(f, HIST_REMAP_FILE_PAGES, PID, PID, 300000, 0, 5, A(1), PAGE, (int64_t)0, (int64_t)3,
	     (int64_t)0);
	finish(f);
	assert_int_equal(found(f, "remap-file-pages", "medium", "remap_file_pages(0x7f0000000000"), 1);
	assert_int_equal(scalar(f, "SELECT calls FROM findings WHERE detection = 'remap-file-pages'"),
			 2);
	assert_int_equal(scalar(f, "SELECT ranges FROM findings"
				" WHERE detection = 'remap-file-pages'"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_span, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grouped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prior_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_code_patching, setup, teardown),
		cmocka_unit_test_setup_teardown(test_code_patching_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mremap_fixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wx_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wx_any_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_toctou, setup, teardown),
		cmocka_unit_test_setup_teardown(test_toctou_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remap_file_pages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
