// SPDX-License-Identifier: MIT
/*
 * The descriptor tables (fds.h).  What each call does follows the kernel
 * (fs/open.c, fs/file.c, fs/fcntl.c, mm/memfd.c); what the capture cannot
 * tell (openat2's flags live in a struct it does not copy) stays unknown.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fds.h"
#include "pid-table.h"
#include "row-queue.h"

#define MAX_ERRNO		4095
#define O_CLOEXEC_FLAG		02000000
#define MFD_CLOEXEC_FLAG	0x1
#define F_DUPFD_CMD		0
#define F_SETFD_CMD		2
#define F_DUPFD_CLOEXEC_CMD	1030
#define FD_CLOEXEC_BIT		1
#define CLOSE_RANGE_CLOEXEC_FLAG 0x4
#define EBADF_ERRNO		9

/* One descriptor's life, while it is open. */
struct fd_row {
	int64_t id;
	int fd;
	int tid;
	const char *cause;		/* a call table name, "fork" or "snapshot": static */
	int64_t cause_id;
	uint64_t ts_from;
	int64_t origin_id;		/* the row it was copied from; 0: none */
	int64_t opened_id;		/* the row of the call that opened its file; 0: unknown */
	const char *kind;		/* "memfd", "file" or NULL: static */
	char *path;			/* owned; NULL: unknown */
	const char *path_source;	/* static; NULL with path */
	int cloexec;			/* 0, 1, or -1: unknown */
};

/* A process's table: its open descriptors, sorted by number. */
struct fproc {
	struct pid_key key;
	struct fd_row *v;
	size_t nr, cap;
};

struct fd_tables {
	struct cmn_db *db;
	int64_t capture_id;
	struct row_queue *q;
	struct pid_table procs;		/* of struct fproc */
	int64_t next_fd_id, next_file_id;
	sqlite3_stmt *insert_fd, *insert_file;
};

static const char *const op_names[FDT_NR_OPS] = {
	[FDT_OPEN] = "open", [FDT_OPENAT] = "openat", [FDT_OPENAT2] = "openat2",
	[FDT_CREAT] = "creat", [FDT_MEMFD_CREATE] = "memfd_create", [FDT_DUP] = "dup",
	[FDT_DUP2] = "dup2", [FDT_DUP3] = "dup3", [FDT_FCNTL] = "fcntl", [FDT_CLOSE] = "close",
	[FDT_CLOSE_RANGE] = "close_range",
};

/* The kernel's SYSCALL_DEFINE names, which the schema uses (contract-13.md). */
static const char *const op_args[FDT_NR_OPS][FDT_MAX_ARGS + 1] = {
	[FDT_OPEN] = { "filename", "flags" },
	[FDT_OPENAT] = { "dfd", "filename", "flags" },
	[FDT_OPENAT2] = { "dfd", "filename" },
	[FDT_CREAT] = { "pathname" },
	[FDT_MEMFD_CREATE] = { "uname", "flags" },
	[FDT_DUP] = { "fildes" },
	[FDT_DUP2] = { "oldfd", "newfd" },
	[FDT_DUP3] = { "oldfd", "newfd", "flags" },
	[FDT_FCNTL] = { "fd", "cmd", "arg" },
	[FDT_CLOSE] = { "fd" },
	[FDT_CLOSE_RANGE] = { "fd", "max_fd", "flags" },
};

static const int path_arg[FDT_NR_OPS] = {
	[FDT_OPEN] = 0, [FDT_OPENAT] = 1, [FDT_OPENAT2] = 1, [FDT_CREAT] = 0,
	[FDT_MEMFD_CREATE] = 0, [FDT_DUP] = -1, [FDT_DUP2] = -1, [FDT_DUP3] = -1,
	[FDT_FCNTL] = -1, [FDT_CLOSE] = -1, [FDT_CLOSE_RANGE] = -1,
};

int fdt_op_by_name(const char *name)
{
	for (int op = 0; op < FDT_NR_OPS; op++)
		if (!strcmp(op_names[op], name))
			return op;
	return -1;
}

const char *fdt_op_name(enum fdt_op op)
{
	return op >= 0 && op < FDT_NR_OPS ? op_names[op] : "?";
}

const char *const *fdt_op_args(enum fdt_op op)
{
	return op_args[op];
}

int fdt_op_path_arg(enum fdt_op op)
{
	return path_arg[op];
}

struct fd_tables *fdt_alloc(struct cmn_db *db, int64_t capture_id)
{
	struct fd_tables *fds = calloc(1, sizeof(*fds));

	if (!fds) {
		cmn_db_fail(db, "out of memory");
		return NULL;
	}
	fds->db = db;
	fds->capture_id = capture_id;
	if (pid_table_init(&fds->procs, sizeof(struct fproc)) < 0) {
		free(fds);
		cmn_db_fail(db, "out of memory");
		return NULL;
	}
	fds->next_fd_id = cmn_db_max_id(db, "fd_history") + 1;
	fds->next_file_id = cmn_db_max_id(db, "vma_file") + 1;
	if (fds->next_fd_id < 1 || fds->next_file_id < 1)
		return fdt_free(fds);
	fds->insert_fd = cmn_db_prepare(db, "INSERT INTO fd_history (id, capture_id, pid, fd, tid, cause,"
				    " cause_id, ts_from, ts_to, end_cause, end_cause_id, origin_id,"
				    " opened_id, kind, path, path_source, cloexec) VALUES (?, ?, ?, ?,"
				    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	fds->insert_file = cmn_db_prepare(db, "INSERT INTO vma_file (id, capture_id, pid, ts, addr, len,"
				      " fd, map_call, map_call_id, fd_id, opened_id, fd_kind, path,"
				      " path_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!fds->insert_fd || !fds->insert_file)
		return fdt_free(fds);
	return fds;
}

struct fd_tables *fdt_free(struct fd_tables *fds)
{
	struct fproc *p;

	if (!fds)
		return NULL;
	for (size_t i = 0; (p = pid_table_next(&fds->procs, &i));) {
		for (size_t k = 0; k < p->nr; k++)
			free(p->v[k].path);
		free(p->v);
	}
	pid_table_release(&fds->procs);
	sqlite3_finalize(fds->insert_fd);
	sqlite3_finalize(fds->insert_file);
	free(fds);
	return NULL;
}

void fdt_set_queue(struct fd_tables *fds, struct row_queue *q)
{
	fds->q = q;
}

/* A row id, or NULL for none (0). */
static void queue_id_or_null(struct row_queue *q, int64_t id)
{
	row_queue_int_or_null(q, id, id > 0);
}

/* The row of a life that ended at @ts by @end_cause (NULL: still open at the end). */
static int emit(struct fd_tables *fds, int pid, const struct fd_row *r, uint64_t ts,
		const char *end_cause, int64_t end_cause_id)
{
	struct row_queue *q = fds->q;

	row_queue_begin(q, &fds->insert_fd);
	row_queue_int(q, r->id);
	row_queue_int(q, fds->capture_id);
	row_queue_int(q, pid);
	row_queue_int(q, r->fd);
	queue_id_or_null(q, r->tid);
	row_queue_text(q, r->cause, strlen(r->cause));
	queue_id_or_null(q, r->cause_id);
	row_queue_int(q, (int64_t)r->ts_from);
	if (end_cause) {
		row_queue_int(q, (int64_t)ts);
		row_queue_text(q, end_cause, strlen(end_cause));
		queue_id_or_null(q, end_cause_id);
	} else {
		row_queue_null(q);
		row_queue_null(q);
		row_queue_null(q);
	}
	queue_id_or_null(q, r->origin_id);
	queue_id_or_null(q, r->opened_id);
	row_queue_text_or_null(q, r->kind, -1);
	row_queue_text_or_null(q, r->path, -1);
	row_queue_text_or_null(q, r->path ? r->path_source : NULL, -1);
	row_queue_int_or_null(q, r->cloexec, r->cloexec >= 0);
	return row_queue_end(q);
}

static struct fproc *proc_get(struct fd_tables *fds, int pid, bool create)
{
	return create ? pid_table_get(&fds->procs, pid, NULL) : pid_table_find(&fds->procs, pid);
}

/* Index of descriptor @fd in @p, or where it would go. */
static size_t find(const struct fproc *p, int fd, bool *found)
{
	size_t lo = 0, hi = p->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->v[mid].fd < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < p->nr && p->v[lo].fd == fd;
	return lo;
}

static struct fd_row *lookup(struct fproc *p, int fd)
{
	bool found;
	size_t i = p ? find(p, fd, &found) : 0;

	return p && found ? &p->v[i] : NULL;
}

/* End the life at index @i of @p. */
static int close_at(struct fd_tables *fds, struct fproc *p, size_t i, uint64_t ts,
		    const char *cause, int64_t cause_id)
{
	int ret = emit(fds, p->key.pid, &p->v[i], ts, cause, cause_id);

	free(p->v[i].path);
	memmove(&p->v[i], &p->v[i + 1], (p->nr - i - 1) * sizeof(*p->v));
	p->nr--;
	return ret;
}

static int close_fd(struct fd_tables *fds, struct fproc *p, int fd, uint64_t ts,
		    const char *cause, int64_t cause_id)
{
	bool found;
	size_t i = find(p, fd, &found);

	return found ? close_at(fds, p, i, ts, cause, cause_id) : 0;
}

/*
 * A new life @r (id assigned here, path copied) for descriptor r->fd of @p: a
 * descriptor open under that number ends first (dup2 over it, or a close the
 * capture missed).
 */
static int open_fd(struct fd_tables *fds, struct fproc *p, struct fd_row r, uint64_t ts,
		   int64_t *id)
{
	bool found;
	size_t i;

	if (close_fd(fds, p, r.fd, ts, r.cause, r.cause_id) < 0)
		return -1;
	i = find(p, r.fd, &found);
	if (p->nr == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct fd_row *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return cmn_db_fail(fds->db, "out of memory");
		p->v = v;
		p->cap = cap;
	}
	r.id = fds->next_fd_id++;
	if (!r.opened_id)
		r.opened_id = r.origin_id ? 0 : r.id;
	r.path = r.path ? strdup(r.path) : NULL;
	memmove(&p->v[i + 1], &p->v[i], (p->nr - i) * sizeof(*p->v));
	p->v[i] = r;
	p->nr++;
	if (id)
		*id = r.id;
	return 0;
}

/* A copy of @from as descriptor @fd, made by @c. */
static int copy_fd(struct fd_tables *fds, struct fproc *p, const struct fdt_call *c, int from,
		   int fd, int cloexec)
{
	struct fd_row *src = lookup(p, from), r;

	if (!src) {
		/* Copied from a descriptor the capture never saw made: a life of its own. */
		r = (struct fd_row){ .fd = fd, .cloexec = cloexec };
	} else {
		r = *src;
		r.origin_id = src->id;
		r.cloexec = cloexec;
	}
	r.fd = fd;
	r.tid = c->tid;
	r.cause = fdt_op_name(c->op);
	r.cause_id = c->id;
	r.ts_from = c->ts;
	return open_fd(fds, p, r, c->ts, NULL);
}

static bool failed(const struct fdt_call *c)
{
	return c->ret < 0 && c->ret >= -MAX_ERRNO;
}

/* The calls' arguments are stored as the kernel's unsigned longs: a descriptor is an int. */
static int arg_fd(const struct fdt_call *c, int i)
{
	return (int)(int32_t)c->args[i];
}

int fdt_call(struct fd_tables *fds, const struct fdt_call *c)
{
	struct fproc *p;
	struct fd_row r = { .tid = c->tid, .cause_id = c->id, .ts_from = c->ts, .cloexec = -1 };
	int64_t flags = 0;
	bool has_flags = false;

	if (c->op < 0 || c->op >= FDT_NR_OPS)
		return 0;
	/* close releases the number even when it fails, but for a descriptor that was not open. */
	if (c->op == FDT_CLOSE ? c->ret == -EBADF_ERRNO : failed(c))
		return 0;
	p = proc_get(fds, c->pid, true);
	if (!p)
		return cmn_db_fail(fds->db, "out of memory");
	r.cause = fdt_op_name(c->op);
	r.fd = (int)c->ret;
	switch (c->op) {
	case FDT_OPEN:
	case FDT_OPENAT:
	case FDT_OPENAT2:
	case FDT_CREAT:
	case FDT_MEMFD_CREATE:
		r.kind = c->op == FDT_MEMFD_CREATE ? "memfd" : "file";
		if (c->path) {
			r.path = (char *)c->path;
			r.path_source = "call";
		}
		if (c->op == FDT_OPEN || c->op == FDT_OPENAT || c->op == FDT_MEMFD_CREATE) {
			int at = c->op == FDT_OPENAT ? 2 : 1;

			has_flags = c->have & (1u << at);
			flags = c->args[at];
		}
		if (c->op == FDT_CREAT)
			r.cloexec = 0;
		else if (has_flags)
			r.cloexec = c->op == FDT_MEMFD_CREATE ? !!(flags & MFD_CLOEXEC_FLAG) :
								!!(flags & O_CLOEXEC_FLAG);
		return open_fd(fds, p, r, c->ts, NULL);
	case FDT_DUP:
		return (c->have & 1) ? copy_fd(fds, p, c, arg_fd(c, 0), (int)c->ret, 0) : 0;
	case FDT_DUP2:
	case FDT_DUP3:
		if ((c->have & 3) != 3 || arg_fd(c, 0) == (int)c->ret)
			return 0;	/* dup2(fd, fd) changes nothing */
		return copy_fd(fds, p, c, arg_fd(c, 0), (int)c->ret,
			       c->op == FDT_DUP2 ? 0 : (c->have & 4) ?
			       !!(c->args[2] & O_CLOEXEC_FLAG) : -1);
	case FDT_FCNTL:
		if ((c->have & 3) != 3)
			return 0;
		if (c->args[1] == F_DUPFD_CMD || c->args[1] == F_DUPFD_CLOEXEC_CMD)
			return copy_fd(fds, p, c, arg_fd(c, 0), (int)c->ret,
				       c->args[1] == F_DUPFD_CLOEXEC_CMD);
		if (c->args[1] == F_SETFD_CMD && (c->have & 4)) {
			struct fd_row *f = lookup(p, arg_fd(c, 0));

			if (f)
				f->cloexec = !!(c->args[2] & FD_CLOEXEC_BIT);
		}
		return 0;
	case FDT_CLOSE:
		return (c->have & 1) ? close_fd(fds, p, arg_fd(c, 0), c->ts, r.cause, c->id) : 0;
	case FDT_CLOSE_RANGE: {
		uint32_t lo = (uint32_t)c->args[0], hi = (uint32_t)c->args[1];
		bool cloexec = (c->have & 4) && (c->args[2] & CLOSE_RANGE_CLOEXEC_FLAG);

		if ((c->have & 3) != 3 || (c->have & 4) == 0)
			return 0;
		for (size_t i = 0; i < p->nr;) {
			uint32_t fd = (uint32_t)p->v[i].fd;

			if (fd < lo || fd > hi) {
				i++;
			} else if (cloexec) {
				p->v[i++].cloexec = 1;
			} else if (close_at(fds, p, i, c->ts, r.cause, c->id) < 0) {
				return -1;
			}
		}
		return 0;
	}
	default:
		return 0;
	}
}

int fdt_fork(struct fd_tables *fds, int parent, int child, uint64_t ts, int64_t event_id)
{
	struct fproc *c = proc_get(fds, child, true), *p;

	if (!c)
		return cmn_db_fail(fds->db, "out of memory");
	/* A pid reused without an exit seen: what it held is gone. */
	if (fdt_exit(fds, child, ts, event_id) < 0)
		return -1;
	p = proc_get(fds, parent, false);	/* after: making the child may move the table */
	for (size_t i = 0; p && i < p->nr; i++) {
		struct fd_row r = p->v[i];

		r.origin_id = p->v[i].id;
		r.cause = "fork";
		r.cause_id = event_id;
		r.ts_from = ts;
		r.tid = child;
		if (open_fd(fds, c, r, ts, NULL) < 0)
			return -1;
		c = proc_get(fds, child, false);
		p = proc_get(fds, parent, false);
	}
	return 0;
}

int fdt_exec(struct fd_tables *fds, int pid, uint64_t ts, int64_t event_id)
{
	struct fproc *p = proc_get(fds, pid, false);

	for (size_t i = 0; p && i < p->nr;) {
		if (p->v[i].cloexec != 1)
			i++;
		else if (close_at(fds, p, i, ts, "exec", event_id) < 0)
			return -1;
	}
	return 0;
}

int fdt_exit(struct fd_tables *fds, int pid, uint64_t ts, int64_t event_id)
{
	struct fproc *p = proc_get(fds, pid, false);

	while (p && p->nr)
		if (close_at(fds, p, p->nr - 1, ts, "exit", event_id) < 0)
			return -1;
	return 0;
}

int fdt_seen_fd(struct fd_tables *fds, int pid, int fd, const char *path, uint64_t ts,
		int64_t event_id)
{
	struct fproc *p = proc_get(fds, pid, true);
	struct fd_row *f;
	struct fd_row r = { .fd = fd, .cause = "snapshot", .cause_id = event_id, .ts_from = ts,
			    .cloexec = -1, .path_source = "snapshot" };

	if (!p)
		return cmn_db_fail(fds->db, "out of memory");
	f = lookup(p, fd);
	if (f) {
		if (!f->path && path && *path) {
			f->path = strdup(path);
			f->path_source = "snapshot";
		}
		return 0;
	}
	r.path = path && *path ? (char *)path : NULL;
	if (path && (!strncmp(path, "/memfd:", 7) || !strncmp(path, "memfd:", 6)))
		r.kind = "memfd";
	return open_fd(fds, p, r, ts, NULL);
}

static int64_t insert_file(struct fd_tables *fds, int pid, uint64_t ts, uint64_t addr,
			   uint64_t len, int fd, const char *call, int64_t call_id,
			   const struct fd_row *f, const char *path, const char *source)
{
	struct row_queue *q = fds->q;
	int64_t id = fds->next_file_id++;

	row_queue_begin(q, &fds->insert_file);
	row_queue_int(q, id);
	row_queue_int(q, fds->capture_id);
	row_queue_int(q, pid);
	row_queue_int(q, (int64_t)ts);
	row_queue_int(q, (int64_t)addr);
	row_queue_int(q, (int64_t)len);
	row_queue_int_or_null(q, fd, fd >= 0);
	row_queue_text(q, call, strlen(call));
	queue_id_or_null(q, call_id);
	queue_id_or_null(q, f ? f->id : 0);
	queue_id_or_null(q, f ? f->opened_id : 0);
	row_queue_text_or_null(q, f ? f->kind : NULL, -1);
	row_queue_text_or_null(q, path, -1);
	row_queue_text_or_null(q, path ? source : NULL, -1);
	return row_queue_end(q) < 0 ? -1 : id;
}

int64_t fdt_mapped(struct fd_tables *fds, int pid, int fd, const char *call, int64_t call_id,
		   uint64_t ts, uint64_t addr, uint64_t len)
{
	const struct fd_row *f = lookup(proc_get(fds, pid, false), fd);
	/* The descriptor's name, told apart from the mapping's own (fdt_resolve) */
	const char *source = !f || !f->path ? NULL :
			     !strcmp(f->path_source, "call") ? "fd call" : "fd snapshot";

	return insert_file(fds, pid, ts, addr, len, fd, call, call_id, f, f ? f->path : NULL,
			   source);
}

int64_t fdt_seen_file(struct fd_tables *fds, int pid, const char *path, uint64_t ts,
		      int64_t event_id, uint64_t addr, uint64_t len)
{
	return insert_file(fds, pid, ts, addr, len, -1, "snapshot", event_id, NULL, path,
			   "snapshot");
}

int fdt_finish(struct fd_tables *fds)
{
	struct fproc *p;

	for (size_t i = 0; (p = pid_table_next(&fds->procs, &i));) {
		for (size_t k = 0; k < p->nr; k++) {
			if (emit(fds, p->key.pid, &p->v[k], 0, NULL, 0) < 0)
				return -1;
			free(p->v[k].path);
		}
		p->nr = 0;
	}
	return 0;
}

int fdt_resolve(struct cmn_db *db, int64_t capture_id)
{
	/*
	 * What the recorder found behind the mapping (maptrail:file, matched
	 * by process and address: the first record after the mmap, unless a
	 * later mmap at that address came before it) comes first: it is the
	 * mapping's own name.  A name the recorder read from the descriptor
	 * (how 'fd': the mapping was gone from maps) counts only if no later
	 * descriptor of that number was made before the record: ld.so opens a
	 * library as fd 3, maps and closes it, a memfd_create right after gets
	 * fd 3 too, and a recorder 70 ms behind named the library's mappings
	 * after the memfd (an exec-memfd, high, on libc).  Then the
	 * descriptor's life, or the life of the descriptor its file was opened
	 * as.  "gone" says the recorder looked and the process or mapping was
	 * already gone.  What kind of file and place it is follows from that
	 * name.
	 *
	 * Last, where the opening call's own path was fetched as a string (a
	 * kprobe capture: fd_history.path_source 'call') and names the file by
	 * itself -- an absolute path, or a memfd's name -- it becomes the name
	 * ('fd call'): what the process asked for, read at the call, rather
	 * than what /proc said later (a rename, a symlink resolved).  The kind
	 * and place stay as found: "/tmp/x.so" opened, then unlinked, is
	 * deleted.  A relative path (to a directory descriptor or the working
	 * directory) yields to /proc's name, and names the file only when
	 * nothing else does.
	 */
	return cmn_db_exec(db,
		/* the later-mmap lookups go through vma_file_addr (layout.sql) */
		"UPDATE vma_file AS v SET (path, path_source) = (SELECT r.path, 'recorder ' || r.how"
		"  FROM mmap_file AS r WHERE r.capture_id = v.capture_id AND r.addr = v.addr"
		"   AND (r.tgid = v.pid OR r.tid = v.pid) AND r.ts >= v.ts"
		"   AND (r.fd IS NULL OR v.fd IS NULL OR r.fd = v.fd)"
		"   AND NOT EXISTS (SELECT 1 FROM vma_file AS w WHERE w.capture_id = v.capture_id"
		"        AND w.pid = v.pid AND w.addr = v.addr AND w.map_call != 'snapshot'"
		"        AND w.ts > v.ts AND w.ts <= r.ts)"
		"   AND (r.how IS NOT 'fd' OR NOT EXISTS (SELECT 1 FROM fd_history AS o"
		"        JOIN fd_history AS g ON g.capture_id = o.capture_id AND g.pid = o.pid"
		"         AND g.fd = o.fd AND g.ts_from > o.ts_from AND g.ts_from <= r.ts"
		"        WHERE o.id = v.fd_id))"
		"  ORDER BY r.ts LIMIT 1)"
		" WHERE v.capture_id = %lld AND v.map_call != 'snapshot' AND EXISTS (SELECT 1 FROM"
		"  mmap_file AS r WHERE r.capture_id = v.capture_id AND r.addr = v.addr"
		"   AND (r.tgid = v.pid OR r.tid = v.pid) AND r.ts >= v.ts);"
		"UPDATE vma_file AS v SET (path, path_source) = (SELECT f.path, 'fd ' || f.path_source"
		"  FROM fd_history AS f WHERE f.id = v.fd_id)"
		" WHERE v.capture_id = %lld AND (v.path IS NULL OR v.path = '') AND EXISTS (SELECT 1"
		"  FROM fd_history AS f WHERE f.id = v.fd_id AND f.path IS NOT NULL);"
		"UPDATE vma_file AS v SET (path, path_source) = (SELECT f.path, 'fd ' || f.path_source"
		"  FROM fd_history AS f WHERE f.id = v.opened_id)"
		" WHERE v.capture_id = %lld AND (v.path IS NULL OR v.path = '') AND EXISTS (SELECT 1"
		"  FROM fd_history AS f WHERE f.id = v.opened_id AND f.path IS NOT NULL);"
		"UPDATE vma_file SET path = NULL WHERE capture_id = %lld AND path = '';"
		"UPDATE vma_file SET"
		"  memfd = (path LIKE '/memfd:%%' OR path LIKE 'memfd:%%' OR fd_kind IS 'memfd'),"
		"  deleted = (path LIKE '%% (deleted)' AND NOT (path LIKE '/memfd:%%'"
		"             OR path LIKE 'memfd:%%' OR fd_kind IS 'memfd')),"
		"  place = CASE WHEN path LIKE '/dev/shm/%%' THEN '/dev/shm'"
		"               WHEN path LIKE '/run/shm/%%' THEN '/run/shm'"
		"               WHEN path LIKE '/tmp/%%' THEN '/tmp'"
		"               WHEN path LIKE '/var/tmp/%%' THEN '/var/tmp'"
		"               WHEN path LIKE '/run/user/%%' THEN '/run/user'"
		"               WHEN path LIKE '/dev/mqueue/%%' THEN '/dev/mqueue' END"
		" WHERE capture_id = %lld;"
		"WITH fetched AS (SELECT x.id, coalesce("
		"   (SELECT f.path FROM fd_history AS f WHERE f.id = x.fd_id AND f.path_source = 'call'"
		"     AND f.path != '' AND (f.path LIKE '/%%' OR f.kind IS 'memfd')),"
		"   (SELECT f.path FROM fd_history AS f WHERE f.id = x.opened_id AND f.path_source = 'call'"
		"     AND f.path != '' AND (f.path LIKE '/%%' OR f.kind IS 'memfd'))) AS path"
		"   FROM vma_file AS x WHERE x.capture_id = %lld AND x.map_call != 'snapshot')"
		"UPDATE vma_file AS v SET path = fetched.path, path_source = 'fd call' FROM fetched"
		" WHERE v.id = fetched.id AND fetched.path IS NOT NULL",
		(long long)capture_id, (long long)capture_id, (long long)capture_id,
		(long long)capture_id, (long long)capture_id, (long long)capture_id);
}
