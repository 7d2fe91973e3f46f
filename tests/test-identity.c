// SPDX-License-Identifier: MIT
/*
 * identity: the recorder's maptrail:* records (marker.c), the process
 * snapshots they make (identity.c), the descriptor tables (fds.c) and the
 * detections that read them (queries/exec-memfd.sql, exec-deleted.sql,
 * exec-writable-place.sql, shared-wx-file.sql, execveat-memfd.sql,
 * code-injected.sql), on databases built from hand-written sequences of
 * records and calls through analyze's own modules -- each detection with the
 * case it must find and the look-alike it must not.
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
#include "fds.h"
#include "findings.h"
#include "history-table.h"
#include "identity.h"
#include "marker.h"
#include "row-queue.h"
#include "schema.h"
#include "tasks.h"
#include "trace-meta.h"

extern const struct embedded_file analyze_layout_sql[];

#define PAGE	4096ll
#define BASE	0x7f0000000000ll
#define A(p)	(BASE + (int64_t)(p) * PAGE)
#define PID	4242
#define TRACER	777
#define ANON	0x22
#define PRIVATE	0x02
#define SHARED	0x01

struct fixture {
	char path[64], part[80];
	struct cmn_db db;
	struct tep_handle *tep;
	struct task_map *tasks;
	struct calls *calls;
	struct hist_table *history;
	struct fd_tables *fds;
	struct identity *ident;
	struct row_queue *q;
	int64_t next_id, next_event;
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
	strcpy(f->path, "/tmp/test-identity.XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(f->part, sizeof(f->part), "%s-history", f->path);
	assert_int_equal(cmn_db_open(&f->db, f->path), 0);
	assert_int_equal(cmn_db_exec(&f->db, "BEGIN; %s", analyze_layout_sql[0].text), 0);
	assert_int_equal(schema_load(f->db.sql, NULL, &err), 0);
	f->tep = tep_alloc();
	f->tasks = task_map_alloc();
	assert_non_null(f->tep);
	assert_non_null(f->tasks);
	f->calls = calls_alloc(&f->db, f->tep, 1, NULL, 0, f->tasks);
	assert_non_null(f->calls);
	f->history = hist_table_alloc(&f->db, f->part, f->tep, 1, PAGE, f->tasks);
	assert_non_null(f->history);
	f->fds = fdt_alloc(&f->db, 1);
	assert_non_null(f->fds);
	hist_table_set_fds(f->history, f->fds);
	f->ident = ident_alloc(&f->db, 1, PAGE, f->tasks, f->history, f->fds);
	assert_non_null(f->ident);
	/* The rows of fds and identity go through a queue, as in analyze. */
	f->q = row_queue_start(&f->db);
	assert_non_null(f->q);
	fdt_set_queue(f->fds, f->q);
	ident_set_queue(f->ident, f->q);
	f->next_id = 1;
	f->next_event = 1000000;
	f->nr_detections = catalog_detections(f->detections, 64);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->q)
		row_queue_finish(f->q);
	ident_free(f->ident);
	fdt_free(f->fds);
	hist_table_free(f->history);
	calls_free(f->calls);
	task_map_free(f->tasks);
	tep_free(f->tep);
	cmn_db_close(&f->db);
	unlink(f->path);
	unlink(f->part);
	free(f);
	return 0;
}

/* A maptrail record: @kind, then its fields (NULL-terminated), TAB-separated, at @ts. */
static void record(struct fixture *f, int64_t ts, const char *kind, ...)
{
	char line[4096];
	size_t n = (size_t)snprintf(line, sizeof(line), "maptrail:%s v1", kind);
	const char *field;
	va_list ap;

	va_start(ap, kind);
	while ((field = va_arg(ap, const char *)))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "\t%s", field);
	va_end(ap);
	line[n++] = '\n';
	assert_int_equal(ident_print(f->ident, line, (int)n, (uint64_t)ts, f->next_event++, 1), 0);
}

/*
 * A call of table @table by @pid/@tid at @ts returning @ret, with @nr
 * arguments given as name, value pairs, returning 10 ns later: its row, then what analyze feeds
 * the history (HIST ops) or the descriptor tables (fdt ops).  Returns its id.
 */
static int64_t call(struct fixture *f, const char *table, int pid, int tid, int64_t ts,
		    int64_t ret, int nr, ...)
{
	int64_t id = f->next_id++, values[8];
	const char *names[8];
	sqlite3_str *sql = sqlite3_str_new(f->db.sql);
	int hop = hist_op_by_name(table), fop = fdt_op_by_name(table);
	va_list ap;
	char *text;

	sqlite3_str_appendf(sql, "INSERT INTO \"%w\" (id, capture_id, ts, ts_exit, pid, tid, comm,"
			    " source_id, enter_id, exit_id", table);
	va_start(ap, nr);
	for (int i = 0; i < nr; i++) {
		names[i] = va_arg(ap, const char *);
		values[i] = va_arg(ap, int64_t);
		sqlite3_str_appendf(sql, ", \"%w\"", names[i]);
	}
	va_end(ap);
	sqlite3_str_appendf(sql, ", ret) VALUES (%lld, 1, %lld, %lld, %d, %d, 'loader', 1, 1, 1",
			    (long long)id, (long long)ts, (long long)ts + 10, pid, tid);
	for (int i = 0; i < nr; i++)
		sqlite3_str_appendf(sql, ", %lld", (long long)values[i]);
	sqlite3_str_appendf(sql, ", %lld)", (long long)ret);
	text = sqlite3_str_finish(sql);
	assert_int_equal(cmn_db_exec(&f->db, "%s", text), 0);
	sqlite3_free(text);
	assert_int_equal(task_map_event(f->tasks, tid, (uint64_t)ts), 0);

	if (hop >= 0) {
		struct hist_call c = { .op = hop, .id = id, .ts = ts + 10, .pid = pid, .ret = ret };
		const char *const *args = hist_op_args(hop);

		for (int a = 0; args[a]; a++)
			for (int i = 0; i < nr; i++)
				if (!strcmp(args[a], names[i])) {
					c.args[a] = values[i];
					c.have |= 1u << a;
				}
		assert_int_equal(hist_table_call(f->history, &c, 1), 0);
	} else if (fop >= 0) {
		struct fdt_call c = { .op = fop, .id = id, .ts = ts + 10, .pid = pid, .tid = tid,
				      .ret = ret };
		const char *const *args = fdt_op_args(fop);

		for (int a = 0; args[a]; a++)
			for (int i = 0; i < nr; i++)
				if (!strcmp(args[a], names[i])) {
					c.args[a] = values[i];
					c.have |= 1u << a;
				}
		assert_int_equal(hist_table_fd_call(f->history, &c, 1), 0);
	}
	return id;
}

#define MMAP(f, pid, ts, addr, pages, prot, flags, fd)					\
	call(f, "mmap", pid, pid, ts, addr, 6, "addr", (int64_t)(addr), "len", (pages) * PAGE,	\
	     "prot", (int64_t)(prot), "flags", (int64_t)(flags), "fd", (int64_t)(fd),		\
	     "off", (int64_t)0)
#define MPROTECT(f, pid, ts, addr, pages, prot)						\
	call(f, "mprotect", pid, pid, ts, 0, 3, "addr", (int64_t)(addr), "len", (pages) * PAGE,	\
	     "prot", (int64_t)(prot))
#define OPENAT(f, pid, ts, fd, flags)								\
	call(f, "openat", pid, pid, ts, fd, 3, "dfd", (int64_t)-100, "filename", (int64_t)0x5000,	\
	     "flags", (int64_t)(flags))
#define MEMFD(f, pid, ts, fd)									\
	call(f, "memfd_create", pid, pid, ts, fd, 2, "uname", (int64_t)0x5000, "flags", (int64_t)0)

/*
 * A call of @table (open*, creat, memfd_create) by PID at @ts returning @fd,
 * whose path argument the capture holds as the string @path (a kprobe's
 * fetch; NULL: it read nothing), as analyze stores and feeds it.
 */
static int64_t named_call(struct fixture *f, const char *table, int64_t ts, int64_t fd,
			  const char *path)
{
	int op = fdt_op_by_name(table);
	struct fdt_call c = { .op = op, .id = f->next_id++, .ts = ts + 10, .pid = PID, .tid = PID,
			      .ret = fd, .path = path };

	assert_true(op >= 0 && fdt_op_path_arg(op) >= 0);
	assert_int_equal(cmn_db_exec(&f->db, "INSERT INTO \"%w\" (id, capture_id, ts, ts_exit, pid,"
				     " tid, comm, source_id, enter_id, exit_id, \"%w\", ret) VALUES"
				     " (%lld, 1, %lld, %lld, %d, %d, 'loader', 1, 1, 1, %Q, %lld)",
				     table, fdt_op_args(op)[fdt_op_path_arg(op)], (long long)c.id,
				     (long long)ts, (long long)ts + 10, PID, PID, path,
				     (long long)fd), 0);
	assert_int_equal(task_map_event(f->tasks, PID, (uint64_t)ts), 0);
	assert_int_equal(hist_table_fd_call(f->history, &c, 1), 0);
	return c.id;
}

/* The recorder's answer for the mmap that returned @addr. */
static void file_record(struct fixture *f, int64_t ts, int pid, int64_t addr, int fd,
			const char *path, const char *how)
{
	char p[16], a[32], d[16];

	snprintf(p, sizeof(p), "%d", pid);
	snprintf(a, sizeof(a), "0x%llx", (unsigned long long)addr);
	snprintf(d, sizeof(d), "%d", fd);
	record(f, ts, "file", p, p, a, "4096", d, path, how, NULL);
}

static void proc_record(struct fixture *f, int64_t ts, int pid, const char *comm, const char *exe,
			const char *cmdline)
{
	char p[16];

	snprintf(p, sizeof(p), "%d", pid);
	record(f, ts, "proc", p, "1", "1000", "12345", comm, exe, "start", NULL);
	if (cmdline)
		record(f, ts, "cmdline", p, "0", "1", cmdline, NULL);
}

/* Everything analyze does after the load, then the detections.  Returns the findings. */
static int64_t finish(struct fixture *f)
{
	struct trace_meta meta = { 0 };
	int64_t n;

	assert_int_equal(ident_finish(f->ident), 0);
	assert_int_equal(fdt_finish(f->fds), 0);
	assert_int_equal(hist_table_finish(f->history), 0);
	assert_int_equal(row_queue_finish(f->q), 0);
	f->q = NULL;
	assert_int_equal(calls_finish(f->calls), 0);
	assert_int_equal(tasks_write(&f->db, 1, f->tasks, &meta), 0);
	assert_int_equal(hist_table_part_close(f->history), 0);
	assert_int_equal(cmn_db_exec(&f->db, "COMMIT; ATTACH %Q AS part; BEGIN", f->part), 0);
	assert_int_equal(hist_table_complete(f->history, "part"), 0);
	if (fdt_resolve(&f->db, 1) < 0)
		fail_msg("fdt_resolve: %s", f->db.err);
	assert_int_equal(ident_views(&f->db), 0);
	n = findings_build(&f->db, f->detections, f->nr_detections, NULL, NULL, NULL);
	if (n < 0)
		fail_msg("findings_build: %s", f->db.err);
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
	if (!st)
		fail_msg("%s", f->db.err);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The text the query returns (first column, first row), or "" -- static buffer. */
static const char *text(struct fixture *f, const char *fmt, ...)
{
	static char buf[2048];
	sqlite3_stmt *st;
	va_list ap;
	char *sql;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	st = cmn_db_prepare(&f->db, "%s", sql);
	sqlite3_free(sql);
	if (!st)
		fail_msg("%s", f->db.err);
	buf[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, sizeof(buf), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

/* The findings of @detection at @severity whose summary contains @text (NULL: any). */
static int64_t found(struct fixture *f, const char *detection, const char *severity,
		     const char *what)
{
	return scalar(f, "SELECT count(*) FROM findings WHERE detection = %Q AND severity = %Q"
		      " AND (%Q IS NULL OR instr(summary, %Q) > 0)", detection, severity, what, what);
}

static int64_t found_any(struct fixture *f, const char *detection)
{
	return scalar(f, "SELECT count(*) FROM findings WHERE detection = %Q", detection);
}

/* --- the records ---------------------------------------------------------- */

static void test_marker_parse(void **state)
{
	struct mark_record r;
	const char *line = "maptrail:map v1\t42\t0x7f00\t0x8000\tr-xp\t0x1000\t08:01\t77\t"
			   "/tmp/a\\tb\\\\c\\x20(deleted)\n";
	long long v;

	(void)state;
	assert_int_equal(mark_parse(line, strlen(line), &r), MARK_MAP);
	assert_int_equal(r.nr, 8);
	assert_string_equal(r.field[7], "/tmp/a\tb\\c (deleted)");
	assert_int_equal(mark_number(&r, 1, &v), 0);
	assert_int_equal(v, 0x7f00);
	assert_int_equal(mark_number(&r, 0, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(mark_number(&r, 3, &v), -1);	/* perms are not a number */
	mark_release(&r);

	/* A command line's NULs come escaped; an empty field stays empty. */
	line = "maptrail:cmdline v1\t42\t0\t1\tgdb\\x00-p\\x0042\\x00";
	assert_int_equal(mark_parse(line, strlen(line), &r), MARK_CMDLINE);
	assert_int_equal(r.len[3], 10);
	assert_memory_equal(r.field[3], "gdb\0-p\00042\0", 10);
	mark_release(&r);
	line = "maptrail:file v1\t42\t43\t0x1000\t4096\t3\t\tgone";
	assert_int_equal(mark_parse(line, strlen(line), &r), MARK_FILE);
	assert_int_equal(r.len[5], 0);
	assert_string_equal(r.field[6], "gone");
	mark_release(&r);

	/* Someone else's print, another version, a short record. */
	line = "hello from a test\n";
	assert_int_equal(mark_parse(line, strlen(line), &r), MARK_NONE);
	line = "maptrail:map v2\t1\t2";
	assert_int_equal(mark_parse(line, strlen(line), &r), MARK_UNKNOWN);
	line = "maptrail:frobnicate v1\t1";
	assert_int_equal(mark_parse(line, strlen(line), &r), MARK_UNKNOWN);
	line = "maptrail:proc v1\t1\t2";
	assert_int_equal(mark_parse(line, strlen(line), &r), MARK_BAD);
	line = "maptrail:procs v1\t1\t2\t3\t4\t5\t6\t7";
	assert_int_equal(mark_parse(line, strlen(line), &r), MARK_UNKNOWN);
}

/*
 * A snapshot: the process's row with its command line put together from two
 * parts, its threads joined to it, its maps the history's first rows (with
 * paths), so an mprotect of the executable knows what it was before.
 */
static void test_snapshot(void **state)
{
	struct fixture *f = *state;
	char a0[32], a1[32], a2[32], a3[32];

	snprintf(a0, sizeof(a0), "0x%llx", (unsigned long long)A(0));
	snprintf(a1, sizeof(a1), "0x%llx", (unsigned long long)A(4));
	snprintf(a2, sizeof(a2), "0x%llx", (unsigned long long)A(8));
	snprintf(a3, sizeof(a3), "0x%llx", (unsigned long long)A(10));
	record(f, 1000, "proc", "4242", "1", "1000", "555", "node", "/usr/bin/node", "attach", NULL);
	record(f, 1000, "cmdline", "4242", "0", "0", "node\\x00ser", NULL);
	record(f, 1000, "cmdline", "4242", "1", "1", "ver.js\\x00--port\\x008080\\x00", NULL);
	record(f, 1001, "thread", "4242", "4243", NULL);
	record(f, 1001, "thread", "4242", "4244", NULL);
	record(f, 1002, "map", "4242", a0, a1, "r-xp", "0x2000", "08:01", "99", "/usr/bin/node", NULL);
	record(f, 1002, "map", "4242", a1, a2, "rw-p", "0", "00:00", "0", "", NULL);
	record(f, 1002, "map", "4242", a2, a3, "rw-s", "0", "00:01", "7", "/dev/shm/ring", NULL);
	record(f, 1003, "mapsend", "4242", "3", NULL);
	record(f, 1004, "fd", "4242", "3", "/dev/shm/ring", NULL);
	/* A thread's call is its process's, and what it protects was known. */
	assert_int_equal(task_map_tgid(f->tasks, 4244), PID);
	MPROTECT(f, PID, 2000, A(1), 1, 5 | 2);
	finish(f);

	assert_string_equal(text(f, "SELECT cmdline FROM process_snapshot"), "node server.js --port 8080");
	assert_int_equal(scalar(f, "SELECT maps FROM process_snapshot"), 3);
	assert_int_equal(scalar(f, "SELECT maps_declared FROM process_snapshot"), 3);
	assert_int_equal(scalar(f, "SELECT fds FROM process_snapshot"), 1);
	assert_int_equal(scalar(f, "SELECT count(*) FROM snapshot_thread WHERE tgid = %d", PID), 2);
	assert_string_equal(text(f, "SELECT exe || '|' || cmdline || '|' || source FROM"
				 " process_context WHERE pid = %d", PID),
			    "/usr/bin/node|node server.js --port 8080|snapshot");
	/* Three snapshot rows, the first split around the mprotect, which knows its prior. */
	assert_int_equal(scalar(f, "SELECT count(*) FROM vma_history WHERE change = 'snapshot'"), 3);
	assert_int_equal(scalar(f, "SELECT prior_prot FROM vma_history WHERE change = 'protected'"), 5);
	assert_string_equal(text(f, "SELECT path FROM vma_history_file WHERE change = 'protected'"),
			    "/usr/bin/node");
	assert_int_equal(scalar(f, "SELECT pgoff FROM vma_history WHERE change = 'protected'"), 3);
	assert_int_equal(scalar(f, "SELECT count(*) FROM vma_history WHERE prior_id IS NULL AND"
				" change != 'snapshot'"), 0);
	assert_int_equal(scalar(f, "SELECT map_flags FROM vma_history_file WHERE path IS NULL"
				" AND change = 'snapshot'"), ANON);
	assert_string_equal(text(f, "SELECT place FROM vma_file WHERE path = '/dev/shm/ring'"),
			    "/dev/shm");
	assert_string_equal(text(f, "SELECT path FROM fd_history WHERE fd = 3"), "/dev/shm/ring");
	/*
	 * The snapshot saw the executable r-x: an executable mapping of a
	 * file, not from a suspicious place; the writable shared ring is not
	 * executable.  The mprotect made it rwx: known to be a private file.
	 */
	assert_int_equal(found_any(f, "exec-writable-place"), 0);
	assert_int_equal(found_any(f, "shared-wx-file"), 0);
	assert_int_equal(found_any(f, "exec-memfd"), 0);
}

/* What the calls know stays; the snapshot fills only what they did not know. */
/*
 * A process gone before the snapshot its exec asked for was read: /proc gave
 * no exe.  process_context names the file the exec event gave, not nothing.
 */
static void test_snapshot_exited(void **state)
{
	struct fixture *f = *state;

	/* the exec event's table, as analyze makes it from sched_process_exec's format */
	assert_int_equal(cmn_db_exec(&f->db, "CREATE TABLE sched__sched_process_exec (id INTEGER"
				     " PRIMARY KEY, capture_id INTEGER, buffer_id INTEGER, ts INTEGER,"
				     " cpu INTEGER, pid INTEGER, filename TEXT, old_pid INTEGER);"
				     "INSERT INTO sched__sched_process_exec VALUES (1, 1, 1, 999, 0,"
				     " %d, '/tmp/short', %d)", PID, PID), 0);
	record(f, 1000, "proc", "4242", "1", "1000", "555", "short", "", "exec", NULL);
	MPROTECT(f, PID, 2000, A(1), 1, 5);
	finish(f);

	assert_int_equal(scalar(f, "SELECT count(*) FROM process_snapshot WHERE tgid = %d"
				" AND coalesce(exe, '') = ''", PID), 1);
	assert_string_equal(text(f, "SELECT exe || '|' || source FROM process_context WHERE"
				 " pid = %d", PID), "/tmp/short|snapshot");
}

static void test_snapshot_keeps_calls(void **state)
{
	struct fixture *f = *state;
	char a0[32], a1[32];

	MMAP(f, PID, 500, A(0), 2, 3, ANON, -1);
	snprintf(a0, sizeof(a0), "0x%llx", (unsigned long long)A(0));
	snprintf(a1, sizeof(a1), "0x%llx", (unsigned long long)A(4));
	/* The snapshot read /proc a little before the mmap's exit: it shows a bigger range r--. */
	record(f, 1000, "map", "4242", a0, a1, "r--p", "0", "00:00", "0", "", NULL);
	finish(f);
	assert_int_equal(scalar(f, "SELECT count(*) FROM vma_history WHERE change = 'mapped'"
				" AND prot = 3"), 1);
	assert_int_equal(scalar(f, "SELECT start_addr FROM vma_history WHERE change = 'snapshot'"),
			 A(2));
}

/* --- descriptors ---------------------------------------------------------- */

/*
 * openat, dup2, close, mmap of the copy: the mapping points at the copy and
 * at the openat that opened the file, and takes the name the recorder found.
 */
static void test_fd_table(void **state)
{
	struct fixture *f = *state;
	int64_t open_id;

	open_id = OPENAT(f, PID, 100, 3, 0x80000);
	call(f, "dup2", PID, PID, 200, 7, 2, "oldfd", (int64_t)3, "newfd", (int64_t)7);
	call(f, "close", PID, PID, 300, 0, 1, "fd", (int64_t)3);
	MMAP(f, PID, 400, A(0), 1, 5, PRIVATE, 7);
	file_record(f, 500, PID, A(0), 7, "/usr/lib/libz.so.1", "maps");
	/* A failed open changes nothing; fcntl F_DUPFD_CLOEXEC makes a copy exec closes. */
	OPENAT(f, PID, 600, -2, 0);
	call(f, "fcntl", PID, PID, 700, 10, 3, "fd", (int64_t)7, "cmd", (int64_t)1030,
	     "arg", (int64_t)10);
	assert_int_equal(fdt_exec(f->fds, PID, 800, 99), 0);
	call(f, "close_range", PID, PID, 900, 0, 3, "fd", (int64_t)0, "max_fd",
	     (int64_t)0xffffffff, "flags", (int64_t)0);
	finish(f);

	assert_int_equal(scalar(f, "SELECT count(*) FROM fd_history"), 3);
	assert_int_equal(scalar(f, "SELECT cloexec FROM fd_history WHERE fd = 3"), 1);
	assert_string_equal(text(f, "SELECT end_cause FROM fd_history WHERE fd = 3"), "close");
	assert_string_equal(text(f, "SELECT end_cause FROM fd_history WHERE fd = 10"), "exec");
	assert_string_equal(text(f, "SELECT end_cause FROM fd_history WHERE fd = 7"), "close_range");
	assert_int_equal(scalar(f, "SELECT opened_id = (SELECT id FROM fd_history WHERE fd = 3)"
				" FROM fd_history WHERE fd = 10"), 1);
	assert_string_equal(text(f, "SELECT path || '|' || path_source || '|' || opened_by || '|' ||"
				 " opened_by_id FROM vma_history_file"),
			    "/usr/lib/libz.so.1|recorder maps|openat|1");
	(void)open_id;
	assert_int_equal(scalar(f, "SELECT fd FROM fd_history WHERE id = (SELECT fd_id FROM"
				" vma_file)"), 7);
	assert_int_equal(found_any(f, "exec-writable-place") + found_any(f, "exec-deleted") +
			 found_any(f, "exec-memfd"), 0);
}

/* A fork copies the table; the recorder arrived too late: 'gone', never a guess. */
static void test_fd_fork_gone(void **state)
{
	struct fixture *f = *state;

	OPENAT(f, PID, 100, 3, 0);
	assert_int_equal(fdt_fork(f->fds, PID, PID + 10, 200, 98), 0);
	MMAP(f, PID + 10, 300, A(0), 1, 5, PRIVATE, 3);
	file_record(f, 400, PID + 10, A(0), 3, "", "gone");
	finish(f);
	assert_string_equal(text(f, "SELECT cause FROM fd_history WHERE pid = %d", PID + 10), "fork");
	assert_string_equal(text(f, "SELECT opened_by FROM vma_history_file"), "openat");
	assert_string_equal(text(f, "SELECT coalesce(path, 'NULL') || '|' || path_source FROM"
				 " vma_file"), "NULL|recorder gone");
}

/*
 * A kprobe capture: the path each opening call was given names the file.  An
 * absolute one and a memfd's name win over what /proc said later (which still
 * tells the kind: deleted); a relative one yields to /proc's name and names
 * the file only when /proc said nothing; a fetch that read nothing names
 * nothing, and the recorder's 'gone' is not overruled by a guess.
 */
static void test_fd_path_fetched(void **state)
{
	struct fixture *f = *state;

	named_call(f, "openat", 100, 3, "/tmp/stage/libx.so");
	MMAP(f, PID, 200, A(0), 1, 5, PRIVATE, 3);
	file_record(f, 300, PID, A(0), 3, "/tmp/stage/libx.so (deleted)", "maps");
	named_call(f, "memfd_create", 400, 4, "jit");
	MMAP(f, PID, 500, A(8), 1, 5, PRIVATE, 4);
	file_record(f, 600, PID, A(8), 4, "/memfd:jit (deleted)", "maps");
	named_call(f, "openat", 700, 5, "lib/liby.so");
	MMAP(f, PID, 800, A(16), 1, 1, PRIVATE, 5);
	file_record(f, 900, PID, A(16), 5, "/opt/app/lib/liby.so", "maps");
	named_call(f, "open", 1000, 6, "data.bin");
	MMAP(f, PID, 1100, A(24), 1, 1, PRIVATE, 6);
	named_call(f, "openat", 1200, 7, NULL);
	MMAP(f, PID, 1300, A(32), 1, 1, PRIVATE, 7);
	file_record(f, 1400, PID, A(32), 7, "", "gone");
	finish(f);

	/* the call table holds the strings; fd_history each descriptor's name from its call */
	assert_string_equal(text(f, "SELECT typeof(filename) || ' ' || filename FROM openat"
				 " WHERE ret = 3"), "text /tmp/stage/libx.so");
	assert_string_equal(text(f, "SELECT path || '|' || path_source FROM fd_history WHERE fd = 4"),
			    "jit|call");
	assert_int_equal(scalar(f, "SELECT count(*) FROM fd_history WHERE fd = 7 AND path IS NULL"), 1);
	assert_string_equal(text(f, "SELECT path || '|' || path_source || '|' || deleted || '|' ||"
				 " place FROM vma_file WHERE addr = %lld", A(0)),
			    "/tmp/stage/libx.so|fd call|1|/tmp");
	assert_string_equal(text(f, "SELECT path || '|' || path_source || '|' || memfd || '|' ||"
				 " deleted FROM vma_file WHERE addr = %lld", A(8)), "jit|fd call|1|0");
	assert_string_equal(text(f, "SELECT path || '|' || path_source FROM vma_file WHERE addr = %lld",
				 A(16)), "/opt/app/lib/liby.so|recorder maps");
	assert_string_equal(text(f, "SELECT path || '|' || path_source FROM vma_file WHERE addr = %lld",
				 A(24)), "data.bin|fd call");
	assert_string_equal(text(f, "SELECT coalesce(path, 'NULL') || '|' || path_source FROM vma_file"
				 " WHERE addr = %lld", A(32)), "NULL|recorder gone");
	/* the detections name the file by the fetched path */
	assert_int_equal(found(f, "exec-memfd", "high", "of jit (private, name from fd call"), 1);
	assert_int_equal(found(f, "exec-deleted", "high", "/tmp/stage/libx.so"), 1);
}

/* --- detections ----------------------------------------------------------- */

static void test_exec_memfd(void **state)
{
	struct fixture *f = *state;

	proc_record(f, 10, PID, "loader", "/home/u/loader", "./loader --stage2");
	MEMFD(f, PID, 100, 4);
	MMAP(f, PID, 200, A(0), 2, 5, PRIVATE, 4);
	file_record(f, 300, PID, A(0), 4, "/memfd:payload (deleted)", "maps");
	/* Quiet: the same memfd mapped writable only, and a library mapped executable. */
	MMAP(f, PID, 400, A(8), 2, 3, SHARED, 4);
	OPENAT(f, PID, 500, 5, 0);
	MMAP(f, PID, 600, A(16), 2, 5, PRIVATE, 5);
	file_record(f, 700, PID, A(16), 5, "/usr/lib/x86_64-linux-gnu/libc.so.6", "maps");
	finish(f);
	assert_int_equal(found(f, "exec-memfd", "high", "/memfd:payload (deleted)"), 1);
	assert_int_equal(found_any(f, "exec-memfd"), 1);
	assert_int_equal(found(f, "exec-memfd", "high", "/home/u/loader [./loader --stage2]"), 1);
	assert_int_equal(found(f, "exec-memfd", "high", "fd made by memfd_create"), 1);
	assert_int_equal(scalar(f, "SELECT addr FROM findings WHERE detection = 'exec-memfd'"), A(0));
	assert_int_equal(scalar(f, "SELECT count(*) FROM finding_evidence e JOIN findings x ON"
				" x.id = e.finding_id WHERE x.detection = 'exec-memfd'"), 2);
	/* A memfd is no deleted file, and not a place on disk. */
	assert_int_equal(found_any(f, "exec-deleted"), 0);
	assert_int_equal(found_any(f, "exec-writable-place"), 0);
}

/* A memfd known only from its memfd_create (the recorder found nothing): still a memfd. */
static void test_exec_memfd_by_call(void **state)
{
	struct fixture *f = *state;

	MEMFD(f, PID, 100, 4);
	MMAP(f, PID, 200, A(0), 2, 3, PRIVATE, 4);
	MPROTECT(f, PID, 300, A(0), 2, 5);
	finish(f);
	assert_int_equal(found(f, "exec-memfd", "high", "mprotect made"), 1);
	assert_int_equal(found(f, "exec-memfd", "high", "an unnamed file (fd 4)"), 1);
}

/*
 * The recorder behind: it read fd 3 after ld.so had closed the library it was
 * and a memfd_create had made fd 3 again.  Its name is the memfd's, not the
 * library's: that mapping stays unnamed, and only the memfd's is exec-memfd.
 */
static void test_fd_name_after_reuse(void **state)
{
	struct fixture *f = *state;

	OPENAT(f, PID, 100, 3, 0);
	MMAP(f, PID, 200, A(0), 2, 5, PRIVATE, 3);
	call(f, "close", PID, PID, 300, 0, 1, "fd", (int64_t)3);
	MEMFD(f, PID, 400, 3);
	MMAP(f, PID, 500, A(8), 2, 5, SHARED, 3);
	file_record(f, 600, PID, A(0), 3, "/memfd:jit (deleted)", "fd");
	file_record(f, 700, PID, A(8), 3, "/memfd:jit (deleted)", "fd");
	finish(f);
	assert_int_equal(scalar(f, "SELECT count(*) FROM vma_file WHERE addr = %lld AND path IS NULL",
				(long long)A(0)), 1);
	assert_string_equal(text(f, "SELECT path FROM vma_file WHERE addr = %lld", (long long)A(8)),
			    "/memfd:jit (deleted)");
	assert_int_equal(found_any(f, "exec-memfd"), 1);
	assert_int_equal(scalar(f, "SELECT addr FROM findings WHERE detection = 'exec-memfd'"), A(8));
}

static void test_exec_deleted_and_tmp(void **state)
{
	struct fixture *f = *state;

	OPENAT(f, PID, 100, 3, 0);
	MMAP(f, PID, 200, A(0), 2, 5, PRIVATE, 3);
	file_record(f, 300, PID, A(0), 3, "/tmp/.x/libhook.so (deleted)", "maps");
	OPENAT(f, PID, 400, 4, 0);
	MMAP(f, PID, 500, A(8), 2, 5, PRIVATE, 4);
	file_record(f, 600, PID, A(8), 4, "/dev/shm/libevil.so", "maps");
	/* Quiet: data from /tmp (not executable), code from /usr/lib. */
	OPENAT(f, PID, 700, 5, 0);
	MMAP(f, PID, 800, A(16), 2, 1, PRIVATE, 5);
	file_record(f, 900, PID, A(16), 5, "/tmp/data.bin", "maps");
	finish(f);
	assert_int_equal(found(f, "exec-deleted", "high", "/tmp/.x/libhook.so (deleted)"), 1);
	assert_int_equal(found_any(f, "exec-deleted"), 1);
	assert_int_equal(found(f, "exec-writable-place", "high", "/dev/shm/libevil.so"), 1);
	assert_int_equal(found(f, "exec-writable-place", "high", "/tmp/.x/libhook.so"), 1);
	assert_int_equal(found_any(f, "exec-writable-place"), 2);
}

/* A snapshot of a process upgraded under it: low, not high. */
static void test_exec_deleted_snapshot(void **state)
{
	struct fixture *f = *state;
	char a0[32], a1[32];

	snprintf(a0, sizeof(a0), "0x%llx", (unsigned long long)A(0));
	snprintf(a1, sizeof(a1), "0x%llx", (unsigned long long)A(4));
	record(f, 1000, "map", "4242", a0, a1, "r-xp", "0", "08:01", "12",
	       "/usr/lib/libssl.so.3 (deleted)", NULL);
	finish(f);
	assert_int_equal(found(f, "exec-deleted", "low", "the snapshot saw"), 1);
	assert_int_equal(found(f, "exec-deleted", "high", NULL), 0);
}

static void test_shared_wx(void **state)
{
	struct fixture *f = *state;

	OPENAT(f, PID, 100, 3, 0);
	MMAP(f, PID, 200, A(0), 2, 7, SHARED, 3);
	/* Double mapping: the same open, shared rw- here and r-x there. */
	MEMFD(f, PID, 300, 4);
	MMAP(f, PID, 400, A(8), 2, 3, SHARED, 4);
	MMAP(f, PID, 500, A(16), 2, 5, SHARED, 4);
	/* Quiet: private rwx of a file (wx-mapping's), shared rw- of another file. */
	OPENAT(f, PID, 600, 5, 0);
	MMAP(f, PID, 700, A(24), 2, 7, PRIVATE, 5);
	OPENAT(f, PID, 800, 6, 0);
	MMAP(f, PID, 900, A(32), 2, 3, SHARED, 6);
	finish(f);
	assert_int_equal(found(f, "shared-wx-file", "high", "shared and writable: mmap mapped"), 1);
	assert_int_equal(found(f, "shared-wx-file", "medium", "mapped shared and writable at"), 1);
	assert_int_equal(found_any(f, "shared-wx-file"), 2);
	assert_int_equal(scalar(f, "SELECT addr FROM findings WHERE detection = 'shared-wx-file'"
				" AND severity = 'medium'"), A(16));
}

static void test_execveat_memfd(void **state)
{
	struct fixture *f = *state;

	MEMFD(f, PID, 100, 4);
	call(f, "execveat", PID, PID, 200, 0, 5, "fd", (int64_t)4, "filename", (int64_t)0x5000,
	     "argv", (int64_t)0x6000, "envp", (int64_t)0x7000, "flags", (int64_t)0x1000);
	/* Quiet: fexecve of a program opened from /usr/bin, a failed execveat of the memfd. */
	OPENAT(f, PID + 1, 300, 3, 0);
	call(f, "execveat", PID + 1, PID + 1, 400, 0, 5, "fd", (int64_t)3, "filename",
	     (int64_t)0x5000, "argv", (int64_t)0x6000, "envp", (int64_t)0x7000, "flags",
	     (int64_t)0x1000);
	MEMFD(f, PID + 2, 500, 4);
	call(f, "execveat", PID + 2, PID + 2, 600, -13, 5, "fd", (int64_t)4, "filename",
	     (int64_t)0x5000, "argv", (int64_t)0x6000, "envp", (int64_t)0x7000, "flags",
	     (int64_t)0x1000);
	/* The recorder's snapshot at exec: the program is a memfd. */
	proc_record(f, 700, PID + 3, "x", "/memfd:x (deleted)", "x");
	finish(f);
	assert_int_equal(found(f, "execveat-memfd", "high", "execveat(4, ..., 0x1000) of a memfd"), 1);
	assert_int_equal(found(f, "execveat-memfd", "medium", "pid 4245 runs /memfd:x (deleted)"), 1);
	assert_int_equal(found_any(f, "execveat-memfd"), 2);
}

/*
 * gdb's way: the tracer attaches and writes registers, the target itself
 * maps rwx; the finding is the target's and names the tracer.  Before the
 * attach and after the detach, the target's own doing is not the tracer's.
 */
static void test_code_injected(void **state)
{
	struct fixture *f = *state;

	proc_record(f, 10, TRACER, "gdb", "/usr/bin/gdb",
		    "gdb\\x00-p\\x004242\\x00-batch\\x00-ex\\x00call (void*)mmap(0,4096,7,0x22,-1,0)");
	proc_record(f, 11, PID, "victim", "/usr/local/bin/victim", "victim");
	MMAP(f, PID, 100, A(0), 1, 5, ANON, -1);		/* before: its own */
	call(f, "ptrace", TRACER, TRACER, 1000, 0, 2, "request", (int64_t)16, "target", (int64_t)PID);
	call(f, "ptrace", TRACER, TRACER, 1100, 0, 2, "request", (int64_t)13, "target", (int64_t)PID);
	call(f, "ptrace", TRACER, TRACER, 1200, 0, 2, "request", (int64_t)5, "target", (int64_t)PID);
	MMAP(f, PID, 1300, A(8), 1, 7, ANON, -1);
	call(f, "ptrace", TRACER, TRACER, 1400, 0, 2, "request", (int64_t)17, "target", (int64_t)PID);
	MMAP(f, PID, 2000, A(16), 1, 5, ANON, -1);		/* after: its own */
	/* process_vm_writev into another target, which then makes its memory executable. */
	MMAP(f, PID + 1, 2100, A(0), 1, 3, ANON, -1);
	call(f, "process_vm_writev", TRACER + 1, TRACER + 1, 2200, 4096, 2, "target",
	     (int64_t)(PID + 1), "liovcnt", (int64_t)1);
	MPROTECT(f, PID + 1, 2300, A(0), 1, 5);
	finish(f);
	assert_int_equal(found(f, "code-injected", "high",
			       "while pid 777 /usr/bin/gdb [gdb -p 4242 -batch -ex call"
			       " (void*)mmap(0,4096,7,0x22,-1,0)] was writing into it"), 1);
	assert_int_equal(found(f, "code-injected", "high", "mmap mapped 0x7f0000008000-"), 1);
	assert_int_equal(found(f, "code-injected", "high", "SETREGS"), 1);
	assert_int_equal(scalar(f, "SELECT pid FROM findings WHERE detection = 'code-injected'"
				" AND instr(summary, 'gdb')"), PID);
	assert_int_equal(found(f, "code-injected", "high", "mprotect made 0x7f0000000000-0x7f0000001000"
			       " r-x (was rw-) in pid 4243 while pid 778"), 1);
	assert_int_equal(found_any(f, "code-injected"), 2);
	/* The evidence has the target's call and the tracer's. */
	assert_int_equal(scalar(f, "SELECT count(*) FROM finding_evidence e JOIN findings x ON"
				" x.id = e.finding_id WHERE x.detection = 'code-injected' AND"
				" x.pid = %d", PID), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marker_parse),
		cmocka_unit_test_setup_teardown(test_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_exited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_keeps_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_fork_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_path_fetched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_memfd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_memfd_by_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_name_after_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_deleted_and_tmp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_deleted_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_wx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_execveat_memfd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_code_injected, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
