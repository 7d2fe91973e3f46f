/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_HISTORY_H
#define MAPTRAIL_HISTORY_H

/*
 * history: the address space of each process, rebuilt from its memory calls.
 *
 * Calls are applied in the order they took effect (their exits' timestamps,
 * the order the capture delivers them in), each to the map of its process.
 * A map is a sorted set of live ranges; every change closes the ranges it
 * touches and opens new ones, and each closed range becomes one row
 * (struct hist_row) handed to the caller's emit function, with the interval
 * it held, the call that made it and the call that ended it.  Ranges still
 * live when the capture ends are emitted by hist_finish() with no end.
 *
 * The history never invents a prior state.  A range the capture never saw
 * mapped (it was mapped before the capture began) gets a row only when a call
 * touches it, and that row says "unknown before": no prior row, no prior
 * protection, and for what the call does not set (mprotect sets the
 * protection, nothing else), unknown state.
 *
 * Memory grows with the ranges live at one time, never with the calls.
 * No SQL here: analyze/history-table.c stores the rows, tests feed calls by hand.
 *
 *	struct history *h = hist_alloc(4096, emit, arg);
 *	hist_call(h, &call);		// for each call with both halves, in exit order
 *	hist_fork(h, ...);		// and the process lifecycle events, in the same order
 *	hist_finish(h, last_ts);	// the live ranges
 *	hist_free(h);
 */

#include <stdbool.h>
#include <stdint.h>

/* The calls history understands; their names are the call tables'. */
enum hist_op {
	HIST_MMAP,
	HIST_MMAP2,
	HIST_MPROTECT,
	HIST_PKEY_MPROTECT,
	HIST_MUNMAP,
	HIST_MREMAP,
	HIST_REMAP_FILE_PAGES,
	HIST_BRK,
	HIST_NR_OPS,
	/* What else begins or ends a range: the process lifecycle. */
	HIST_FORK = HIST_NR_OPS,
	HIST_EXEC,
	HIST_EXIT,
	HIST_SNAPSHOT,		/* the recorder's copy of /proc/PID/maps (identity.h) */
	HIST_NR_CAUSES,
};

/* How a range's state began. */
enum hist_change {
	HIST_MAPPED,		/* mmap, mmap2, brk growth, mremap growth */
	HIST_PROTECTED,		/* mprotect, pkey_mprotect */
	HIST_MOVED,		/* mremap moved these pages here */
	HIST_REMAPPED,		/* remap_file_pages */
	HIST_SPLIT,		/* the untouched rest of a range a call changed in part */
	HIST_INHERITED,		/* copied from the parent at fork */
	HIST_SNAPSHOT_SEEN,	/* "snapshot": what the recorder's snapshot saw, and the capture had not */
	HIST_NR_CHANGES,
};

#define HIST_MAX_ARGS 6

/* One call, with both halves: its arguments in the schema's order (hist_op_args()). */
struct hist_call {
	enum hist_op op;
	int64_t id;			/* the call's row in its call table */
	uint64_t ts;			/* when it took effect: its exit */
	uint64_t entered;		/* its entry: the call row's ts */
	int pid;			/* its process: the tgid, or the thread id when unknown */
	int64_t args[HIST_MAX_ARGS];
	unsigned int have;		/* bit i: args[i] is known */
	int64_t ret;
	int64_t file_id;		/* mmap of an fd: its vma_file row (fds.h); 0: none */
};

/* What a range held; a field is meaningful only when its bit is in @known. */
struct vma_state {
	int64_t prot, map_flags, fd, pgoff, pkey;
	int64_t file_id;		/* the vma_file row of what is mapped (fds.h) */
	unsigned int known;
};
#define VMA_PROT	0x01
#define VMA_FLAGS	0x02
#define VMA_FD		0x04
#define VMA_PGOFF	0x08
#define VMA_PKEY	0x10
#define VMA_FILE	0x20

/* One row of the history: range [start, end) of @pid held @state over [ts_from, ts_to). */
struct hist_row {
	int64_t id;
	int pid;
	uint64_t start, end;
	struct vma_state state;
	enum hist_change change;
	enum hist_op cause;		/* a call, or HIST_FORK */
	int64_t cause_id;		/* its row: call table, or the fork event's table */
	uint64_t ts_from, ts_to;
	bool live;			/* still so at the end: ts_to, end_* are meaningless */
	enum hist_op end_cause;		/* a call, HIST_EXEC or HIST_EXIT */
	int64_t end_cause_id;
	int64_t prior_id;		/* the row these pages were in before; 0: unknown */
	int64_t prior_prot;
	bool prior_prot_known;
};

/* Receives each finished row; returns 0, or -1 to stop (hist_* then return -1). */
typedef int (*hist_emit_fn)(void *arg, const struct hist_row *row);

/*
 * Receives each row a protection change (mprotect, pkey_mprotect) opens, as
 * the call is applied: @row holds what it became and what it was before
 * (prior_*), @call the call.  The same rows reach emit later, when they end;
 * returns 0, or -1 to stop.
 */
typedef int (*hist_protect_fn)(void *arg, const struct hist_call *call, const struct hist_row *row);

struct history;

/*
 * hist_alloc - an empty history for pages of @page_size bytes; rows get ids
 * from @first_id on and go to @emit.  NULL on ENOMEM; free with hist_free().
 */
struct history *hist_alloc(uint64_t page_size, int64_t first_id, hist_emit_fn emit, void *arg);

/* hist_watch_protect - @fn (NULL: none) sees every protection change as it is applied. */
void hist_watch_protect(struct history *h, hist_protect_fn fn, void *arg);

/* hist_free - accepts NULL, returns NULL.  Live ranges not finished are dropped. */
struct history *hist_free(struct history *h);

/* hist_op_name - "mmap", ..., "fork", "exec", "exit"; the call table name for calls. */
const char *hist_op_name(enum hist_op op);

/* hist_op_by_name - the op of call table @name, or -1 when history does not use it. */
int hist_op_by_name(const char *name);

/*
 * hist_op_args - the argument names @op reads, in the order of hist_call.args:
 * the schema's names (schema_arg), NULL-terminated.  Must not be freed.
 */
const char *const *hist_op_args(enum hist_op op);

/* hist_change_name - "mapped", "protected", ... */
const char *hist_change_name(enum hist_change change);

/*
 * hist_call - apply @call (a failed call changes nothing; one whose arguments
 * are missing is skipped).  Returns 0, or -1 on ENOMEM or when emit failed.
 */
int hist_call(struct history *h, const struct hist_call *call);

/*
 * hist_fork - @child_pid was forked by @parent_pid at @ts (event row @event_id).
 * A new process gets a copy of its parent's map; call only for processes,
 * not for threads (they share the map).  Returns 0 or -1.
 */
int hist_fork(struct history *h, int parent_pid, int child_pid, uint64_t ts, int64_t event_id);

/* hist_exec - process @pid executed a program at @ts: its map is gone.  Returns 0 or -1. */
int hist_exec(struct history *h, int pid, uint64_t ts, int64_t event_id);

/* hist_exit - process @pid ended at @ts: its map is gone.  Returns 0 or -1. */
int hist_exit(struct history *h, int pid, uint64_t ts, int64_t event_id);

/*
 * hist_seen - the recorder's snapshot (event row @event_id, at @ts) saw
 * [@start, @end) of process @pid holding @state.  What the history does not
 * know there -- no row, or a row whose protection, flags or file it never
 * learned -- becomes a 'snapshot' row with what the snapshot says; what it
 * knows from the calls stays (the calls' timestamps are exact, the
 * snapshot's read of /proc a little older than its record).  Returns 0 or -1.
 */
int hist_seen(struct history *h, int pid, uint64_t start, uint64_t end,
	      const struct vma_state *state, uint64_t ts, int64_t event_id);

/* hist_finish - emit every live range, with no end.  Returns 0 or -1. */
int hist_finish(struct history *h);

/* Counters, for the capture's notes. */
struct hist_stats {
	uint64_t applied;	/* calls that changed the maps */
	uint64_t failed;	/* calls that returned an error: no change */
	uint64_t skipped;	/* calls whose arguments the capture lacks */
	uint64_t rows;		/* rows emitted */
};
const struct hist_stats *hist_stats(const struct history *h);

#endif
