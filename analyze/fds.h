/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_FDS_H
#define MAPTRAIL_FDS_H

/*
 * fds: the file descriptor table of each process, rebuilt from the calls
 * that make, copy and close descriptors (open, openat, openat2, creat,
 * memfd_create, dup, dup2, dup3, fcntl F_DUPFD / F_DUPFD_CLOEXEC / F_SETFD,
 * close, close_range), copied at fork, emptied of its close-on-exec
 * descriptors at exec and of all at exit, and completed by the descriptors
 * the recorder's snapshots saw (identity.h).
 *
 * Each descriptor's life is one `fd_history` row, written when it ends (or
 * at the end of the capture): which call made it, the row it was copied from
 * (dup, fork) and the row of the call that opened the file it refers to.
 * Each mmap of a descriptor becomes a `vma_file` row that points at that
 * life, which the address-space history (history.h) carries with the
 * mapping's ranges through splits, moves and forks; its path is filled in
 * at the end (fdt_resolve) from what the recorder wrote about the mapping,
 * or what the descriptor's life knows.
 *
 * As in history.c, nothing is invented: a descriptor the capture never saw
 * made has no row until a snapshot lists it, and an mmap of it points at no
 * life (fd_id NULL).  Memory grows with the descriptors open at one time.
 *
 *	struct fd_tables *fds = fdt_alloc(db, capture_id);	// before the queue starts
 *	fdt_set_queue(fds, q);
 *	fdt_call(fds, &call);		// each call of an fdt_op, in exit order
 *	fdt_fork(...); fdt_exec(...); fdt_exit(...);
 *	id = fdt_mapped(fds, ...);	// an mmap of an fd: its vma_file row
 *	fdt_finish(fds);		// the live descriptors, before the queue finishes
 *	fdt_resolve(db, capture_id);	// once the queue is done: paths
 *	fdt_free(fds);
 */

#include <stdint.h>

#include "sql.h"

struct row_queue;
struct fd_tables;

/* The calls fds understands; their names are the call tables'. */
enum fdt_op {
	FDT_OPEN,
	FDT_OPENAT,
	FDT_OPENAT2,
	FDT_CREAT,
	FDT_MEMFD_CREATE,
	FDT_DUP,
	FDT_DUP2,
	FDT_DUP3,
	FDT_FCNTL,
	FDT_CLOSE,
	FDT_CLOSE_RANGE,
	FDT_NR_OPS,
};

#define FDT_MAX_ARGS 4

/* One call with both halves; args in the order fdt_op_args() names them. */
struct fdt_call {
	enum fdt_op op;
	int64_t id;			/* its row in its call table */
	uint64_t ts;			/* its exit */
	int pid, tid;			/* its process (tgid, or the thread when unknown) and thread */
	int64_t args[FDT_MAX_ARGS];
	unsigned int have;		/* bit i: args[i] is known */
	int64_t ret;
	const char *path;		/* the path argument when the capture has it as a string */
};

/* fdt_op_by_name - the op of call table @name, or -1. */
int fdt_op_by_name(const char *name);

/* fdt_op_name - the call table name of @op. */
const char *fdt_op_name(enum fdt_op op);

/* fdt_op_args - the schema argument names @op reads, NULL-terminated.  Must not be freed. */
const char *const *fdt_op_args(enum fdt_op op);

/* fdt_op_path_arg - the index in fdt_op_args() of @op's path argument, or -1. */
int fdt_op_path_arg(enum fdt_op op);

/*
 * fdt_alloc - empty tables for capture @capture_id; prepares its inserts on
 * @db (so before a row queue owns it).  NULL with db->err set; free with fdt_free().
 */
struct fd_tables *fdt_alloc(struct cmn_db *db, int64_t capture_id);

/* fdt_free - accepts NULL, returns NULL.  Live descriptors not finished are dropped. */
struct fd_tables *fdt_free(struct fd_tables *fds);

/* fdt_set_queue - the row queue rows go to (analyze's loader queue). */
void fdt_set_queue(struct fd_tables *fds, struct row_queue *q);

/* fdt_call - apply @call (a failed call changes nothing).  Returns 0 or -1. */
int fdt_call(struct fd_tables *fds, const struct fdt_call *call);

/* fdt_fork - a new process @child of @parent at @ts (fork event row @event_id).  0 or -1. */
int fdt_fork(struct fd_tables *fds, int parent, int child, uint64_t ts, int64_t event_id);

/* fdt_exec - @pid executed a program: its close-on-exec descriptors close.  0 or -1. */
int fdt_exec(struct fd_tables *fds, int pid, uint64_t ts, int64_t event_id);

/* fdt_exit - @pid ended: every descriptor closes.  0 or -1. */
int fdt_exit(struct fd_tables *fds, int pid, uint64_t ts, int64_t event_id);

/*
 * fdt_seen_fd - a snapshot (event row @event_id at @ts) saw descriptor @fd of
 * @pid open on @path: a descriptor the tables do not know gets a life from
 * the snapshot; one they know learns its path if it had none.  0 or -1.
 */
int fdt_seen_fd(struct fd_tables *fds, int pid, int fd, const char *path, uint64_t ts,
		int64_t event_id);

/*
 * fdt_mapped - @call (table name, a string that outlives @fds) row @call_id of
 * process @pid mapped descriptor @fd at [@addr, @addr + @len) at @ts: a new
 * vma_file row, pointing at the descriptor's life when the tables know it.
 * Returns its id, or -1.
 */
int64_t fdt_mapped(struct fd_tables *fds, int pid, int fd, const char *call, int64_t call_id,
		   uint64_t ts, uint64_t addr, uint64_t len);

/*
 * fdt_seen_file - a snapshot (event row @event_id at @ts) saw @path mapped at
 * [@addr, @addr + @len) of @pid: a vma_file row for it.  Returns its id, or -1.
 */
int64_t fdt_seen_file(struct fd_tables *fds, int pid, const char *path, uint64_t ts,
		      int64_t event_id, uint64_t addr, uint64_t len);

/* fdt_finish - write the descriptors still open.  Returns 0 or -1. */
int fdt_finish(struct fd_tables *fds);

/*
 * fdt_resolve - after the rows are written: each vma_file of capture
 * @capture_id gets its path (what the recorder found behind the mapping,
 * else its descriptor's), and how it is known, and what kind of place it
 * is (memfd, deleted, a world-writable or tmpfs directory).  0 or -1.
 */
int fdt_resolve(struct cmn_db *db, int64_t capture_id);

#endif
