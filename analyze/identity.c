// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "marker.h"
#include "pid-table.h"
#include "row-queue.h"

#define PROT_R		0x1
#define PROT_W		0x2
#define PROT_X		0x4
#define MAP_SHARED_FLAG	0x01
#define MAP_PRIVATE_FLAG 0x02
#define MAP_ANON_FLAG	0x20

/* A snapshot whose row waits for its command line (and its maps' count). */
struct pending {
	struct pid_key key;
	bool open;
	uint64_t ts;
	int64_t row_id;
	long long ppid, uid, start_ticks;
	char *comm, *exe, *reason;
	char *cmdline;			/* NULL: no cmdline record (yet) */
	size_t cmdline_len;
	int64_t maps, fds;
	long long maps_declared;	/* from mapsend; -1: none came */
};

struct identity {
	struct cmn_db *db;
	int64_t capture_id;
	uint64_t page;
	struct task_map *tasks;
	struct hist_table *history;
	struct fd_tables *fds;
	struct row_queue *q;
	struct pid_table procs;		/* of struct pending */
	sqlite3_stmt *insert_proc, *insert_thread, *insert_map, *insert_fd, *insert_file;
	struct ident_stats stats;
};

struct identity *ident_alloc(struct cmn_db *db, int64_t capture_id, uint64_t page_size,
			     struct task_map *tasks, struct hist_table *history,
			     struct fd_tables *fds)
{
	struct identity *id = calloc(1, sizeof(*id));

	if (!id || pid_table_init(&id->procs, sizeof(struct pending)) < 0) {
		free(id);
		cmn_db_fail(db, "out of memory");
		return NULL;
	}
	id->db = db;
	id->capture_id = capture_id;
	id->page = page_size ? page_size : 4096;
	id->tasks = tasks;
	id->history = history;
	id->fds = fds;
	id->insert_proc = cmn_db_prepare(db, "INSERT INTO process_snapshot (capture_id, ts, event_id,"
				     " tgid, ppid, uid, start_ticks, comm, exe, cmdline, reason, maps,"
				     " maps_declared, fds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	id->insert_thread = cmn_db_prepare(db, "INSERT INTO snapshot_thread (capture_id, ts, tgid, tid)"
				       " VALUES (?, ?, ?, ?)");
	id->insert_map = cmn_db_prepare(db, "INSERT INTO snapshot_map (capture_id, ts, tgid, start_addr,"
				    " end_addr, perms, prot, map_flags, offset, dev, inode, path,"
				    " file_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	id->insert_fd = cmn_db_prepare(db, "INSERT INTO snapshot_fd (capture_id, ts, tgid, fd, path)"
				   " VALUES (?, ?, ?, ?, ?)");
	id->insert_file = cmn_db_prepare(db, "INSERT INTO mmap_file (capture_id, ts, tgid, tid, addr,"
				     " len, fd, path, how) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!id->insert_proc || !id->insert_thread || !id->insert_map || !id->insert_fd ||
	    !id->insert_file)
		return ident_free(id);
	return id;
}

static void pending_clear(struct pending *p)
{
	free(p->comm);
	free(p->exe);
	free(p->reason);
	free(p->cmdline);
	p->comm = p->exe = p->reason = p->cmdline = NULL;
	p->cmdline_len = 0;
	p->open = false;
}

struct identity *ident_free(struct identity *id)
{
	struct pending *p;

	if (!id)
		return NULL;
	for (size_t i = 0; (p = pid_table_next(&id->procs, &i));)
		pending_clear(p);
	pid_table_release(&id->procs);
	sqlite3_finalize(id->insert_proc);
	sqlite3_finalize(id->insert_thread);
	sqlite3_finalize(id->insert_map);
	sqlite3_finalize(id->insert_fd);
	sqlite3_finalize(id->insert_file);
	free(id);
	return NULL;
}

void ident_set_queue(struct identity *id, struct row_queue *q)
{
	id->q = q;
}

const struct ident_stats *ident_stats(const struct identity *id)
{
	return &id->stats;
}

static void q_num(struct row_queue *q, const struct mark_record *r, int i)
{
	long long v;

	if (mark_number(r, i, &v) == 0)
		row_queue_int(q, v);
	else
		row_queue_null(q);
}

/* A field as an owned string; empty: NULL (the recorder could not read it). */
static char *field_dup(const struct mark_record *r, int i)
{
	char *s;

	if (!r->len[i])
		return NULL;
	s = malloc(r->len[i] + 1);
	if (s) {
		memcpy(s, r->field[i], r->len[i]);
		s[r->len[i]] = '\0';
	}
	return s;
}

static int write_pending(struct identity *id, struct pending *p)
{
	struct row_queue *q = id->q;
	int ret;

	if (!p->open)
		return 0;
	row_queue_begin(q, &id->insert_proc);
	row_queue_int(q, id->capture_id);
	row_queue_int(q, (int64_t)p->ts);
	row_queue_int(q, p->row_id);
	row_queue_int(q, p->key.pid);
	row_queue_int(q, p->ppid);
	row_queue_int(q, p->uid);
	row_queue_int(q, p->start_ticks);
	row_queue_text_or_null(q, p->comm, -1);
	row_queue_text_or_null(q, p->exe, -1);
	row_queue_text_or_null(q, p->cmdline, (int)p->cmdline_len);
	row_queue_text_or_null(q, p->reason, -1);
	row_queue_int(q, p->maps);
	row_queue_int_or_null(q, p->maps_declared, p->maps_declared >= 0);
	row_queue_int(q, p->fds);
	ret = row_queue_end(q);
	pending_clear(p);
	return ret;
}

static struct pending *pending_of(struct identity *id, int tgid)
{
	return pid_table_get(&id->procs, tgid, NULL);
}

static int on_proc(struct identity *id, const struct mark_record *r, uint64_t ts, int64_t row_id)
{
	long long tgid, ppid, uid, start;
	struct pending *p;

	if (mark_number(r, 0, &tgid) < 0 || mark_number(r, 1, &ppid) < 0)
		return 1;
	if (mark_number(r, 2, &uid) < 0)
		uid = -1;
	if (mark_number(r, 3, &start) < 0)
		start = -1;
	p = pending_of(id, (int)tgid);
	if (!p || write_pending(id, p) < 0)
		return -1;
	*p = (struct pending){ .key = p->key, .open = true, .ts = ts, .row_id = row_id,
			       .ppid = ppid, .uid = uid, .start_ticks = start,
			       .comm = field_dup(r, 4), .exe = field_dup(r, 5),
			       .reason = field_dup(r, 6), .maps_declared = -1 };
	id->stats.snapshots++;
	if (task_map_set_tgid(id->tasks, (int)tgid, (int)tgid) < 0 ||
	    (r->len[4] && task_map_name(id->tasks, (int)tgid, r->field[4], (int)r->len[4], ts) < 0))
		return -1;
	return 0;
}

/* The parts of a command line, NULs between arguments shown as spaces. */
static int on_cmdline(struct identity *id, const struct mark_record *r)
{
	long long tgid, part;
	struct pending *p;
	size_t len = r->len[3];
	char *s;

	if (mark_number(r, 0, &tgid) < 0 || mark_number(r, 1, &part) < 0)
		return 1;
	p = pid_table_find(&id->procs, (int)tgid);
	if (!p || !p->open)
		return 1;	/* a command line without its process record */
	if (part == 0) {
		free(p->cmdline);
		p->cmdline = NULL;
		p->cmdline_len = 0;
	}
	s = realloc(p->cmdline, p->cmdline_len + len + 1);
	if (!s)
		return -1;
	memcpy(s + p->cmdline_len, r->field[3], len);
	for (size_t i = p->cmdline_len; i < p->cmdline_len + len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
	p->cmdline = s;
	p->cmdline_len += len;
	/* argv ends in a NUL: no trailing space. */
	while (p->cmdline_len && p->cmdline[p->cmdline_len - 1] == ' ')
		p->cmdline_len--;
	p->cmdline[p->cmdline_len] = '\0';
	return 0;
}

static int on_thread(struct identity *id, const struct mark_record *r, uint64_t ts)
{
	long long tgid, tid;

	if (mark_number(r, 0, &tgid) < 0 || mark_number(r, 1, &tid) < 0)
		return 1;
	row_queue_begin(id->q, &id->insert_thread);
	row_queue_int(id->q, id->capture_id);
	row_queue_int(id->q, (int64_t)ts);
	row_queue_int(id->q, tgid);
	row_queue_int(id->q, tid);
	if (row_queue_end(id->q) < 0)
		return -1;
	return task_map_set_tgid(id->tasks, (int)tid, (int)tgid) < 0 ? -1 : 0;
}

/* A path of /proc/PID/maps that names no file: [heap], [stack], [vdso], anonymous. */
static bool names_no_file(const char *path, size_t len, long long inode)
{
	return !len || (path[0] == '[' && inode == 0);
}

static int on_map(struct identity *id, const struct mark_record *r, uint64_t ts, int64_t row_id,
		  int64_t buffer_id)
{
	long long tgid, start, end, offset, inode;
	const char *perms = r->field[3], *path = r->field[7];
	struct vma_state st = { .known = VMA_PROT | VMA_FLAGS | VMA_PGOFF };
	struct pending *p;
	struct row_queue *q = id->q;
	int64_t file_id = 0;

	if (mark_number(r, 0, &tgid) < 0 || mark_number(r, 1, &start) < 0 ||
	    mark_number(r, 2, &end) < 0 || r->len[3] < 4 || (uint64_t)end <= (uint64_t)start)
		return 1;
	if (mark_number(r, 4, &offset) < 0)
		offset = 0;
	if (mark_number(r, 6, &inode) < 0)
		inode = 0;
	st.prot = (perms[0] == 'r' ? PROT_R : 0) | (perms[1] == 'w' ? PROT_W : 0) |
		  (perms[2] == 'x' ? PROT_X : 0);
	st.map_flags = perms[3] == 's' ? MAP_SHARED_FLAG : MAP_PRIVATE_FLAG;
	if (!inode && names_no_file(path, r->len[7], inode))
		st.map_flags |= MAP_ANON_FLAG;
	st.pgoff = (int64_t)((uint64_t)offset / id->page);
	if (r->len[7]) {
		file_id = fdt_seen_file(id->fds, (int)tgid, path, ts, row_id, (uint64_t)start,
					(uint64_t)(end - start));
		if (file_id < 0)
			return -1;
		st.file_id = file_id;
		st.known |= VMA_FILE;
	}
	row_queue_begin(q, &id->insert_map);
	row_queue_int(q, id->capture_id);
	row_queue_int(q, (int64_t)ts);
	row_queue_int(q, tgid);
	row_queue_int(q, start);
	row_queue_int(q, end);
	row_queue_text_or_null(q, perms, (int)r->len[3]);
	row_queue_int(q, st.prot);
	row_queue_int(q, st.map_flags);
	row_queue_int(q, offset);
	row_queue_text_or_null(q, r->field[5], (int)r->len[5]);
	row_queue_int(q, inode);
	row_queue_text_or_null(q, r->len[7] ? path : NULL, (int)r->len[7]);
	row_queue_int_or_null(q, file_id, file_id);
	if (row_queue_end(q) < 0)
		return -1;
	p = pid_table_find(&id->procs, (int)tgid);
	if (p && p->open)
		p->maps++;
	id->stats.maps++;
	return hist_table_seen(id->history, (int)tgid, (uint64_t)start, (uint64_t)end, &st, ts,
			       row_id, buffer_id);
}

static int on_mapsend(struct identity *id, const struct mark_record *r)
{
	long long tgid, count;
	struct pending *p;

	if (mark_number(r, 0, &tgid) < 0 || mark_number(r, 1, &count) < 0)
		return 1;
	p = pid_table_find(&id->procs, (int)tgid);
	if (p && p->open)
		p->maps_declared = count;
	return 0;
}

static int on_fd(struct identity *id, const struct mark_record *r, uint64_t ts, int64_t row_id)
{
	long long tgid, fd;
	struct pending *p;

	if (mark_number(r, 0, &tgid) < 0 || mark_number(r, 1, &fd) < 0)
		return 1;
	row_queue_begin(id->q, &id->insert_fd);
	row_queue_int(id->q, id->capture_id);
	row_queue_int(id->q, (int64_t)ts);
	row_queue_int(id->q, tgid);
	row_queue_int(id->q, fd);
	row_queue_text_or_null(id->q, r->len[2] ? r->field[2] : NULL, (int)r->len[2]);
	if (row_queue_end(id->q) < 0)
		return -1;
	p = pid_table_find(&id->procs, (int)tgid);
	if (p && p->open)
		p->fds++;
	return fdt_seen_fd(id->fds, (int)tgid, (int)fd, r->field[2], ts, row_id);
}

static int on_file(struct identity *id, const struct mark_record *r, uint64_t ts)
{
	struct row_queue *q = id->q;
	long long tgid, addr;

	if (mark_number(r, 0, &tgid) < 0 || mark_number(r, 2, &addr) < 0)
		return 1;
	row_queue_begin(q, &id->insert_file);
	row_queue_int(q, id->capture_id);
	row_queue_int(q, (int64_t)ts);
	row_queue_int(q, tgid);
	q_num(q, r, 1);
	row_queue_int(q, addr);
	q_num(q, r, 3);
	q_num(q, r, 4);
	/* '' with how 'gone': looked, found nothing */
	row_queue_text_or_null(q, r->field[5], (int)r->len[5]);
	row_queue_text_or_null(q, r->field[6], (int)r->len[6]);
	return row_queue_end(q);
}

int ident_print(struct identity *id, const char *text, int len, uint64_t ts, int64_t row_id,
		int64_t buffer_id)
{
	struct mark_record r;
	int kind = mark_parse(text, len > 0 ? (size_t)len : 0, &r), ret;

	switch (kind) {
	case -1:
		return cmn_db_fail(id->db, "out of memory");
	case MARK_NONE:
		return 0;
	case MARK_UNKNOWN:
	case MARK_BAD:
		id->stats.not_understood++;
		return 0;
	case MARK_PROC:
		ret = on_proc(id, &r, ts, row_id);
		break;
	case MARK_CMDLINE:
		ret = on_cmdline(id, &r);
		break;
	case MARK_THREAD:
		ret = on_thread(id, &r, ts);
		break;
	case MARK_MAP:
		ret = on_map(id, &r, ts, row_id, buffer_id);
		break;
	case MARK_MAPSEND:
		ret = on_mapsend(id, &r);
		break;
	case MARK_FD:
		ret = on_fd(id, &r, ts, row_id);
		break;
	case MARK_FILE:
		ret = on_file(id, &r, ts);
		break;
	default:
		ret = 0;	/* clock: g12's, read from the print table */
	}
	mark_release(&r);
	if (ret > 0)
		id->stats.not_understood++;
	else if (!ret)
		id->stats.records++;
	if (ret < 0)
		return id->db->err ? -1 : cmn_db_fail(id->db, "out of memory");
	return 0;
}

int ident_finish(struct identity *id)
{
	struct pending *p;

	for (size_t i = 0; (p = pid_table_next(&id->procs, &i));)
		if (write_pending(id, p) < 0)
			return -1;
	return 0;
}

/*
 * process_context: one row per process of each capture -- every task's
 * process (its tgid when the capture shows it), every process snapshotted or
 * exec'd -- with the newest of what the capture tells: the snapshot's record
 * (exe, cmdline, uid, ppid), an exec after it (its filename; the command line
 * it had no longer holds), else the task's name.  A snapshot taken after its
 * process exited read an empty exe and command line from /proc: unknown, not
 * "", and the exec's file name (what execve was given) is then the best the
 * capture has.  source says which: 'snapshot', 'exec' or 'task'.  The exec and
 * fork tables exist only in captures that have those events: the view uses
 * what the database has.
 */
int ident_views(struct cmn_db *db)
{
	int has_exec = cmn_db_has_table(db, "sched__sched_process_exec", CMN_DB_TABLE);
	int has_fork = cmn_db_has_table(db, "sched__sched_process_fork", CMN_DB_TABLE);
	const char *exec_sql = "SELECT NULL AS capture_id, NULL AS pid, NULL AS filename,"
			       " NULL AS ts WHERE 0";
	const char *fork_sql = "SELECT NULL AS capture_id, NULL AS child, NULL AS parent WHERE 0";

	if (has_exec < 0 || has_fork < 0)
		return -1;
	if (has_exec)
		exec_sql = "SELECT capture_id, pid, filename, max(ts) AS ts"
			   " FROM sched__sched_process_exec GROUP BY capture_id, pid";
	if (has_fork)
		fork_sql = "SELECT f.capture_id, f.child_pid AS child,"
			   " coalesce((SELECT t.tgid FROM task t WHERE t.capture_id = f.capture_id"
			   " AND t.pid = f.parent_pid), f.parent_pid) AS parent, max(f.ts)"
			   " FROM sched__sched_process_fork f GROUP BY f.capture_id, f.child_pid";
	return cmn_db_exec(db,
		"DROP VIEW IF EXISTS process_context;"
		"CREATE VIEW process_context AS"
		" WITH snap AS (SELECT * FROM process_snapshot s WHERE s.ts = (SELECT max(s2.ts)"
		"   FROM process_snapshot s2 WHERE s2.capture_id = s.capture_id AND s2.tgid = s.tgid)"
		"   GROUP BY s.capture_id, s.tgid),"
		" ex AS (%s), fk AS (%s),"
		" pids AS (SELECT capture_id, coalesce(tgid, pid) AS pid FROM task UNION"
		"   SELECT capture_id, tgid FROM process_snapshot UNION SELECT capture_id, pid FROM ex)"
		" SELECT p.capture_id, p.pid,"
		"  coalesce(s.ppid, fk.parent) AS ppid,"
		"  CASE WHEN ex.ts > s.ts OR s.ts IS NULL THEN ex.filename"
		"   ELSE coalesce(nullif(s.exe, ''), ex.filename) END AS exe,"
		"  CASE WHEN ex.ts > s.ts THEN NULL ELSE nullif(s.cmdline, '') END AS cmdline,"
		"  s.uid,"
		"  coalesce((SELECT t.comm FROM task t WHERE t.capture_id = p.capture_id"
		"   AND t.pid = p.pid), s.comm) AS comm,"
		"  CASE WHEN s.ts IS NOT NULL AND (ex.ts IS NULL OR ex.ts <= s.ts) THEN 'snapshot'"
		"   WHEN ex.ts IS NOT NULL THEN 'exec' ELSE 'task' END AS source"
		" FROM pids p"
		" LEFT JOIN snap s ON s.capture_id = p.capture_id AND s.tgid = p.pid"
		" LEFT JOIN ex ON ex.capture_id = p.capture_id AND ex.pid = p.pid"
		" LEFT JOIN fk ON fk.capture_id = p.capture_id AND fk.child = p.pid",
		exec_sql, fork_sql);
}
