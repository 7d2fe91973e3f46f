// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the address-space history and the detections, fed call
 * sequences generated from the input's bytes (mmap, mmap2, mprotect,
 * pkey_mprotect, munmap, mremap, remap_file_pages, brk of four processes in
 * a small address window, with forks, execs, exits and snapshot ranges;
 * now and then an unaligned or wild address, a missing argument, a failed
 * call).
 *
 * Two passes over the same sequence:
 *  - history.c alone, whose rows are checked as they come: a range is not
 *    empty, a closed row does not end before it began, and when the capture
 *    ends the live ranges of a process never overlap; every call is counted
 *    applied, failed or skipped.
 *  - the calls, as analyze stores them, through the call tables, history-table
 *    and per-process counts into a database, then the canned detections of
 *    queries/ over it (as tests/test-findings.c does by hand): every one must
 *    run.  The database starts as a copy of one made once (layout, schema).
 *    This pass costs a hundred times the first (SQLite, not the history), so
 *    it runs on one input in DETECT_EVERY, picked by the input's hash so that
 *    an input that fails it fails it again (FUZZ_DETECT_ALL=1: on every input).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include "calls.h"
#include "../catalog-detections.h"
#include "embedded.h"
#include "findings.h"
#include "history-table.h"
#include "history.h"
#include "identity.h"
#include "processes.h"
#include "schema.h"
#include "sql.h"
#include "tasks.h"
#include "trace-meta.h"

extern const struct embedded_file analyze_layout_sql[];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE		4096ull
#define BASE		0x7f0000000000ull
#define WINDOW		64		/* pages every address falls in, mostly */
#define NR_PIDS		4
#define MAX_STEPS	512
#define DETECT_EVERY	64

/* The input as a stream of bytes; zeros once it is used up. */
struct input {
	const uint8_t *p;
	size_t len, pos;
};

static uint8_t byte(struct input *in)
{
	return in->pos < in->len ? in->p[in->pos++] : 0;
}

static uint64_t wide(struct input *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | byte(in);
	return v;
}

/* An address: a page of the window, now and then off a page boundary or anywhere. */
static int64_t address(struct input *in)
{
	uint8_t b = byte(in);

	if (b == 0xff)
		return (int64_t)wide(in);
	return (int64_t)(BASE + (b % WINDOW) * PAGE + (b >= 0xf0 ? byte(in) : 0));
}

static int64_t length(struct input *in)
{
	uint8_t b = byte(in);

	if (b == 0xff)
		return (int64_t)wide(in);
	return (int64_t)((b % 16) * PAGE + (b >= 0xf0 ? byte(in) : 0));
}

/* One step: a call, or a lifecycle event. */
enum step_kind { STEP_CALL, STEP_FORK, STEP_EXEC, STEP_EXIT, STEP_SEEN };

struct step {
	enum step_kind kind;
	struct hist_call call;
	int pid, child;
	uint64_t ts, start, end;
	struct vma_state state;
};

static int pid_of(uint8_t b)
{
	return 100 + b % NR_PIDS;
}

static void make_call(struct input *in, struct step *s, enum hist_op op)
{
	struct hist_call *c = &s->call;
	uint8_t how = byte(in);
	int nr_args = 0;

	while (hist_op_args(op)[nr_args])
		nr_args++;
	c->op = op;
	c->pid = s->pid;
	for (int i = 0; i < nr_args; i++) {
		const char *name = hist_op_args(op)[i];

		if (!strcmp(name, "addr") || !strcmp(name, "start") || !strcmp(name, "old_address") ||
		    !strcmp(name, "new_address") || !strcmp(name, "brk"))
			c->args[i] = address(in);
		else if (!strcmp(name, "len") || !strcmp(name, "length") || !strcmp(name, "size") ||
			 !strcmp(name, "old_size") || !strcmp(name, "new_size"))
			c->args[i] = length(in);
		else if (!strcmp(name, "prot"))
			c->args[i] = byte(in) & 0x0f;
		else if (!strcmp(name, "flags"))
			c->args[i] = op == HIST_MREMAP ? byte(in) & 0x07 : (byte(in) & 0x33) | 0x02;
		else if (!strcmp(name, "fd"))
			c->args[i] = (byte(in) & 1) ? -1 : 3 + byte(in) % 4;
		else
			c->args[i] = byte(in) % 8;	/* off, pgoffset, pgoff, pkey */
		c->have |= 1u << i;
	}
	/* now and then an argument the capture lacks */
	if ((how & 0xf0) == 0xf0)
		c->have &= ~(1u << (how % (nr_args ? nr_args : 1)));
	/* failed, or what the kernel returns: the address of an mmap, the break of brk */
	if ((how & 0x0f) == 0x0f)
		c->ret = -(int64_t)(1 + byte(in) % 40);
	else if (op == HIST_MMAP || op == HIST_MMAP2 || op == HIST_BRK)
		c->ret = (how & 0x0f) == 0x0e ? address(in) : c->args[0];
	else if (op == HIST_MREMAP)
		c->ret = (c->args[3] & 2) ? c->args[4] : (how & 1) ? address(in) : c->args[0];
	else
		c->ret = 0;
}

static int decode(const uint8_t *data, size_t size, struct step *steps)
{
	struct input in = { data, size, 0 };
	uint64_t ts = 1000;
	int n = 0;

	while (in.pos < in.len && n < MAX_STEPS) {
		struct step *s = &steps[n];
		uint8_t what = byte(&in);

		memset(s, 0, sizeof(*s));
		ts += byte(&in) % 64;	/* the same time twice, now and then */
		s->ts = ts;
		s->pid = pid_of(byte(&in));
		switch (what % 16) {
		case 12:
			s->kind = STEP_FORK;
			s->child = pid_of(byte(&in));
			break;
		case 13:
			s->kind = STEP_EXEC;
			break;
		case 14:
			s->kind = STEP_EXIT;
			break;
		case 15:
			s->kind = STEP_SEEN;
			s->start = (uint64_t)address(&in);
			s->end = s->start + (uint64_t)length(&in);
			s->state.prot = byte(&in) & 7;
			s->state.known = VMA_PROT;
			break;
		default:
			s->kind = STEP_CALL;
			make_call(&in, s, (enum hist_op)(what % 16 % HIST_NR_OPS));
			s->call.ts = ts;
			s->call.entered = ts - 1;	/* as insert_call() writes its row */
			break;
		}
		n++;
	}
	for (int i = 0; i < n; i++)
		steps[i].call.id = i + 1;
	return n;
}

/* ---- pass 1: history.c alone ---------------------------------------------- */

struct rows {
	struct hist_row *live;
	size_t nr_live, cap;
	size_t closed;
};

static int check_row(void *arg, const struct hist_row *r)
{
	struct rows *rows = arg;

	if (r->start >= r->end || (!r->live && r->ts_to < r->ts_from)) {
		fprintf(stderr, "fuzz-history: row %lld of pid %d: [%#llx, %#llx) over [%llu, %llu)%s\n",
			(long long)r->id, r->pid, (unsigned long long)r->start,
			(unsigned long long)r->end, (unsigned long long)r->ts_from,
			(unsigned long long)r->ts_to, r->live ? " live" : "");
		abort();
	}
	if (!r->live) {
		rows->closed++;
		return 0;
	}
	if (rows->nr_live == rows->cap) {
		rows->cap = rows->cap ? rows->cap * 2 : 256;
		rows->live = realloc(rows->live, rows->cap * sizeof(*rows->live));
		if (!rows->live)
			abort();
	}
	rows->live[rows->nr_live++] = *r;
	return 0;
}

static int by_pid_start(const void *a, const void *b)
{
	const struct hist_row *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void history_alone(const struct step *steps, int n)
{
	struct rows rows = { 0 };
	struct history *h = hist_alloc(PAGE, 1, check_row, &rows);
	uint64_t calls = 0;
	const struct hist_stats *st;

	if (!h)
		abort();
	for (int i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		int ret = 0;

		switch (s->kind) {
		case STEP_CALL:
			calls++;
			ret = hist_call(h, &s->call);
			break;
		case STEP_FORK:
			if (s->child != s->pid)
				ret = hist_fork(h, s->pid, s->child, s->ts, i + 1);
			break;
		case STEP_EXEC:
			ret = hist_exec(h, s->pid, s->ts, i + 1);
			break;
		case STEP_EXIT:
			ret = hist_exit(h, s->pid, s->ts, i + 1);
			break;
		case STEP_SEEN:
			ret = hist_seen(h, s->pid, s->start, s->end, &s->state, s->ts, i + 1);
			break;
		}
		if (ret < 0)
			abort();	/* only ENOMEM may fail, and emit never does */
	}
	if (hist_finish(h) < 0)
		abort();
	st = hist_stats(h);
	if (st->applied + st->failed + st->skipped != calls) {
		fprintf(stderr, "fuzz-history: %llu calls, but %llu applied, %llu failed, %llu skipped\n",
			(unsigned long long)calls, (unsigned long long)st->applied,
			(unsigned long long)st->failed, (unsigned long long)st->skipped);
		abort();
	}
	if (st->rows != rows.closed + rows.nr_live)
		abort();
	if (rows.nr_live > 1)
		qsort(rows.live, rows.nr_live, sizeof(*rows.live), by_pid_start);
	for (size_t i = 1; i < rows.nr_live; i++) {
		const struct hist_row *a = &rows.live[i - 1], *b = &rows.live[i];

		if (a->pid == b->pid && a->end > b->start) {
			fprintf(stderr, "fuzz-history: pid %d: live ranges [%#llx, %#llx) and"
				" [%#llx, %#llx) overlap\n", a->pid, (unsigned long long)a->start,
				(unsigned long long)a->end, (unsigned long long)b->start,
				(unsigned long long)b->end);
			abort();
		}
	}
	free(rows.live);
	hist_free(h);
}

/* ---- pass 2: the call tables, history-table and the detections ------------ */

static char dir[80], db_path[112], part_path[128];
static uint8_t *template;
static size_t template_len;
static struct analyze_detection detections[64];
static int nr_detections;

static void die(const char *what, const char *err)
{
	fprintf(stderr, "fuzz-history: %s: %s\n", what, err ? err : "failed");
	abort();
}

static void cleanup(void)
{
	unlink(db_path);
	unlink(part_path);
	rmdir(dir);
}

/* The database every input starts from: layout and schema, made once. */
static void setup(void)
{
	struct cmn_db db = { 0 };
	char *err = NULL;
	FILE *f;
	struct stat st;

	snprintf(dir, sizeof(dir), "/dev/shm/maptrail-fuzz-history.%d", (int)getpid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		die(dir, strerror(errno));
	snprintf(db_path, sizeof(db_path), "%s/calls.db", dir);
	snprintf(part_path, sizeof(part_path), "%s/calls.db-history", dir);
	atexit(cleanup);
	unlink(db_path);
	if (cmn_db_open(&db, db_path) < 0 ||
	    cmn_db_exec(&db, "BEGIN; %s", analyze_layout_sql[0].text) < 0)
		die("layout", db.err);
	if (schema_load(db.sql, NULL, &err) < 0)
		die("schema", err);
	if (cmn_db_exec(&db, "COMMIT") < 0)
		die("commit", db.err);
	cmn_db_close(&db);
	f = fopen(db_path, "rb");
	if (!f || fstat(fileno(f), &st) < 0)
		die(db_path, strerror(errno));
	template_len = st.st_size;
	template = malloc(template_len);
	if (!template || fread(template, 1, template_len, f) != template_len)
		die(db_path, "cannot read");
	fclose(f);
	nr_detections = catalog_detections(detections, 64);
}

static void fresh_database(void)
{
	int fd = open(db_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, template, template_len) != (ssize_t)template_len)
		die(db_path, strerror(errno));
	close(fd);
	unlink(part_path);
}

/* A call's row in its call table, as calls.c writes it once both halves are in. */
static void insert_call(struct cmn_db *db, const struct hist_call *c)
{
	const char *const *names = hist_op_args(c->op);
	sqlite3_str *sql = sqlite3_str_new(db->sql);
	char *text;

	sqlite3_str_appendf(sql, "INSERT INTO \"%w\" (id, capture_id, ts, ts_exit, pid, tid, comm,"
			    " source_id, enter_id, exit_id", hist_op_name(c->op));
	for (int i = 0; names[i]; i++)
		if (c->have & (1u << i))
			sqlite3_str_appendf(sql, ", \"%w\"", names[i]);
	sqlite3_str_appendf(sql, ", ret) VALUES (%lld, 1, %lld, %lld, %d, %d, 'fuzz', 1, 1, 1",
			    (long long)c->id, (long long)c->ts - 1, (long long)c->ts, c->pid, c->pid);
	for (int i = 0; names[i]; i++)
		if (c->have & (1u << i))
			sqlite3_str_appendf(sql, ", %lld", (long long)c->args[i]);
	sqlite3_str_appendf(sql, ", %lld)", (long long)c->ret);
	text = sqlite3_str_finish(sql);
	if (cmn_db_exec(db, "%s", text) < 0)
		die("insert", db->err);
	sqlite3_free(text);
}

/* What a finding is, ids and its describing row aside: its key, counts and evidence. */
#define FINDINGS_COMPARED								\
	"SELECT capture_id, detection, severity, ts, pid, kind, calls, ranges, bytes, last_ts,"	\
	" (SELECT group_concat(call || ' ' || call_id, ',') FROM (SELECT call, call_id"	\
	" FROM finding_evidence WHERE finding_id = f.id ORDER BY call, call_id)) AS evidence"	\
	" FROM findings AS f"

/* Aborts when @count_sql counts any row: the two ways differ. */
static void differ(struct cmn_db *db, const char *count_sql)
{
	sqlite3_stmt *st = cmn_db_prepare(db, "%s", count_sql);

	if (!st || sqlite3_step(st) != SQLITE_ROW)
		die("compare", db->err);
	if (sqlite3_column_int64(st, 0)) {
		fprintf(stderr, "fuzz-history: the replayed detections differ from their queries\n");
		abort();
	}
	sqlite3_finalize(st);
}

static void detections_over(const struct step *steps, int n)
{
	struct trace_meta meta = { 0 };
	struct cmn_db db = { 0 };
	struct tep_handle *tep = tep_alloc();
	struct task_map *tasks = task_map_alloc();
	struct proc_stats *procs = proc_stats_alloc();
	struct calls *calls;
	struct hist_table *ht;

	if (!tep || !tasks || !procs)
		abort();
	fresh_database();
	if (cmn_db_open(&db, db_path) < 0 || cmn_db_exec(&db, "BEGIN") < 0)
		die("open", db.err);
	calls = calls_alloc(&db, tep, 1, NULL, 0, tasks);
	ht = calls ? hist_table_alloc(&db, part_path, tep, 1, PAGE, tasks) : NULL;
	if (!ht)
		die("alloc", db.err);
	for (int i = 0; i < n; i++) {
		const struct hist_call *c = &steps[i].call;
		bool failed = c->ret < 0 && c->ret >= -4095;
		int64_t len = 0, exec = 0;

		if (steps[i].kind != STEP_CALL)
			continue;
		insert_call(&db, c);
		if (task_map_event(tasks, c->pid, c->ts) < 0 || hist_table_call(ht, c, 1) < 0)
			die("history", db.err);
		if (!failed && (c->op == HIST_MMAP || c->op == HIST_MPROTECT) && (c->have & 7) == 7) {
			len = c->args[1];
			exec = (c->args[2] & 4) ? len : 0;
		}
		if (proc_stats_call(procs, c->pid, hist_op_name(c->op), c->ts, failed,
				    c->op == HIST_MMAP && !failed ? len : 0, exec) < 0)
			abort();
	}
	if (hist_table_finish(ht) < 0 || calls_finish(calls) < 0 ||
	    proc_stats_write(procs, &db, 1, tasks) < 0 || tasks_write(&db, 1, tasks, &meta) < 0 ||
	    hist_table_part_close(ht) < 0 ||
	    cmn_db_exec(&db, "COMMIT; ATTACH %Q AS part; BEGIN", part_path) < 0 ||
	    hist_table_complete(ht, "part") < 0 || ident_views(&db) < 0)
		die("finish", db.err);
	/*
	 * Every query, then with the replay's detections (replayed-detections.h):
	 * the same findings, counts and evidence.  What describes a group is
	 * left out: of calls entering at the same ts either may.
	 */
	if (findings_build(&db, detections, nr_detections, NULL, NULL, NULL) < 0)
		die("detections", db.err);
	if (cmn_db_exec(&db, "CREATE TEMP TABLE by_query AS " FINDINGS_COMPARED) < 0 ||
	    findings_build(&db, detections, nr_detections, hist_table_replayed(ht), NULL, NULL) < 0)
		die("replayed detections", db.err);
	if (cmn_db_exec(&db, "CREATE TEMP TABLE by_replay AS " FINDINGS_COMPARED) < 0)
		die("replayed detections", db.err);
	differ(&db, "SELECT count(*) FROM (SELECT * FROM by_query EXCEPT SELECT * FROM by_replay)");
	differ(&db, "SELECT count(*) FROM (SELECT * FROM by_replay EXCEPT SELECT * FROM by_query)");
	hist_table_free(ht);
	calls_free(calls);
	proc_stats_free(procs);
	task_map_free(tasks);
	tep_free(tep);
	cmn_db_close(&db);
}

static bool detect_this(const uint8_t *data, size_t size)
{
	static int all = -1;
	uint64_t h = 0xcbf29ce484222325ull;

	if (all < 0)
		all = getenv("FUZZ_DETECT_ALL") && !strcmp(getenv("FUZZ_DETECT_ALL"), "1");
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return all || h % DETECT_EVERY == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct step steps[MAX_STEPS];
	int n;

	n = decode(data, size, steps);
	history_alone(steps, n);
	if (detect_this(data, size)) {
		if (!template)
			setup();
		detections_over(steps, n);
	}
	return 0;
}
