// SPDX-License-Identifier: MIT
/*
 * The protection-change detections, judged as the history replays
 * (replayed-detections.h).  Each predicate, kind and summary below is the
 * one of queries/<name>.sql, in C: change one, change the other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-identity.h"
#include "hash.h"
#include "hash-index.h"
#include "range-set.h"
#include "replayed-detections.h"

#define PROT_WRITE_BIT		2
#define PROT_EXEC_BIT		4
#define MAP_ANONYMOUS_FLAG	0x20
#define PRIOR_UNKNOWN		-1

enum detection { EXEC_AFTER_WRITE, MADE_EXECUTABLE, CODE_PATCHING, NR_DETECTIONS };

static const char *const detection_names[NR_DETECTIONS] = {
	[EXEC_AFTER_WRITE] = "exec-after-write",
	[MADE_EXECUTABLE] = "made-executable",
	[CODE_PATCHING] = "code-patching",
};

/*
 * The ids of one call table's calls in a group, in the order they came:
 * each as the zigzag varint of its difference to the one before (a byte or
 * two for calls close in time), so that 300,000 calls of a flipping JIT take
 * well under a megabyte instead of growing analyze's memory with them.
 */
struct id_stream {
	uint8_t *bytes;
	size_t len, cap;
	size_t n;			/* ids in it */
	int64_t last;			/* the last id put */
};

/* The call tables a protection change comes from, each with its stream. */
enum { IDS_MPROTECT, IDS_PKEY_MPROTECT, NR_ID_STREAMS };

/*
 * The rows of one process, detection, severity and transition (prior and new
 * protection, and what is mapped): one group here.  Groups of different
 * files with the same path are one finding, merged when written.
 */
struct group {
	enum detection det;
	int pid;
	const char *severity;
	int prior;			/* prot & 7 before; PRIOR_UNKNOWN */
	int prot;			/* prot & 7 after */
	int64_t file_id;		/* vma_file row; 0: anonymous */
	uint64_t hash;
	/* the first row (earliest entry; the first seen of equals), which describes the finding */
	uint64_t ts, last_ts;
	uint64_t start, end;		/* its part of the address space */
	struct rdet_call first_call;
	int64_t first_addr, first_len;	/* the range that call named */
	/* every row's call (a call's repeats next to each other skipped), and its range */
	struct id_stream ids[NR_ID_STREAMS];
	struct range_set ranges;
};

struct replayed_detections {
	int64_t capture_id;
	struct group *groups;
	size_t nr, cap;
	struct hash_index index;
};

static uint64_t key_hash(enum detection det, int pid, const char *severity, int prior, int prot,
			 int64_t file_id)
{
	uint64_t h = hash_mix(hash_mix(hash_mix(0, det), (uint64_t)pid), (uint64_t)severity[0]);

	return hash_mix(hash_mix(hash_mix(h, (uint64_t)prior), (uint64_t)prot), (uint64_t)file_id);
}

struct replayed_detections *rdet_alloc(int64_t capture_id)
{
	struct replayed_detections *rd = calloc(1, sizeof(*rd));

	if (rd)
		rd->capture_id = capture_id;
	return rd;
}

struct replayed_detections *rdet_free(struct replayed_detections *rd)
{
	if (!rd)
		return NULL;
	for (size_t i = 0; i < rd->nr; i++) {
		for (int k = 0; k < NR_ID_STREAMS; k++)
			free(rd->groups[i].ids[k].bytes);
		range_set_release(&rd->groups[i].ranges);
	}
	free(rd->groups);
	hash_index_release(&rd->index);
	free(rd);
	return NULL;
}

int64_t rdet_capture(const struct replayed_detections *rd)
{
	return rd->capture_id;
}

bool rdet_computes(const char *detection)
{
	for (int d = 0; d < NR_DETECTIONS; d++)
		if (!strcmp(detection, detection_names[d]))
			return true;
	return false;
}

/* hash_index_hash_of for the groups: every one is indexed. */
static bool group_hash_of(const void *vec, size_t i, uint64_t *hash)
{
	*hash = ((const struct group *)vec)[i].hash;
	return true;
}

/* The group of this key, a new one when there is none; NULL on ENOMEM. */
static struct group *group_of(struct replayed_detections *rd, enum detection det, int pid,
			      const char *severity, int prior, int prot, int64_t file_id)
{
	uint64_t hash = key_hash(det, pid, severity, prior, prot, file_id);
	struct group *g;
	size_t slot;

	if (hash_index_reserve(&rd->index, rd->nr, group_hash_of, rd->groups) < 0)
		return NULL;
	for (slot = hash_index_start(&rd->index, hash); rd->index.slot[slot];
	     slot = hash_index_next(&rd->index, slot)) {
		g = &rd->groups[rd->index.slot[slot] - 1];
		if (g->hash == hash && g->det == det && g->pid == pid && !strcmp(g->severity, severity) &&
		    g->prior == prior && g->prot == prot && g->file_id == file_id)
			return g;
	}
	if (rd->nr == rd->cap) {
		size_t cap = rd->cap ? rd->cap * 2 : 16;
		struct group *v = realloc(rd->groups, cap * sizeof(*v));

		if (!v)
			return NULL;
		rd->groups = v;
		rd->cap = cap;
	}
	g = &rd->groups[rd->nr++];
	*g = (struct group){ .det = det, .pid = pid, .severity = severity, .prior = prior,
			     .prot = prot, .file_id = file_id, .hash = hash };
	rd->index.slot[slot] = (uint32_t)rd->nr;
	return g;
}

/* Appends @id to @s.  0, or -1 on ENOMEM. */
static int ids_put(struct id_stream *s, int64_t id)
{
	uint64_t d = (uint64_t)id - (uint64_t)s->last;
	uint64_t zigzag = (d << 1) ^ (uint64_t)((int64_t)d >> 63);

	if (s->len + 10 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		uint8_t *v = realloc(s->bytes, cap);

		if (!v)
			return -1;
		s->bytes = v;
		s->cap = cap;
	}
	do {
		s->bytes[s->len++] = (uint8_t)(zigzag & 0x7f) | (zigzag > 0x7f ? 0x80 : 0);
		zigzag >>= 7;
	} while (zigzag);
	s->last = id;
	s->n++;
	return 0;
}

/* The ids of @s, as calls of @op, onto @out (room for s->n more). */
static void ids_get(const struct id_stream *s, enum hist_op op, struct rdet_call *out)
{
	int64_t id = 0;

	for (size_t at = 0, i = 0; i < s->n; i++) {
		uint64_t zigzag = 0;
		int shift = 0;
		uint8_t b;

		do {
			b = s->bytes[at++];
			zigzag |= (uint64_t)(b & 0x7f) << shift;
			shift += 7;
		} while (b & 0x80);
		id = (int64_t)((uint64_t)id + ((zigzag >> 1) ^ (0 - (zigzag & 1))));
		out[i] = (struct rdet_call){ .id = id, .op = op };
	}
}

static enum hist_op stream_op(int k)
{
	return k == IDS_PKEY_MPROTECT ? HIST_PKEY_MPROTECT : HIST_MPROTECT;
}

/* One row of @det's query: into its group. */
static int add_row(struct replayed_detections *rd, enum detection det, const char *severity,
		   const struct hist_call *c, const struct hist_row *r, int prior, int64_t file_id)
{
	struct group *g = group_of(rd, det, r->pid, severity, prior, (int)(r->state.prot & 7),
				   file_id);
	struct id_stream *ids;
	bool fresh;

	if (!g)
		return -1;
	fresh = !g->ids[IDS_MPROTECT].n && !g->ids[IDS_PKEY_MPROTECT].n;	/* no row yet */
	ids = &g->ids[c->op == HIST_PKEY_MPROTECT ? IDS_PKEY_MPROTECT : IDS_MPROTECT];
	/* a call's rows (the mappings it spans) come one after another: its id once */
	if ((!ids->n || ids->last != c->id) && ids_put(ids, c->id) < 0)
		return -1;
	if (range_set_add(&g->ranges, c->args[0], c->args[1]) < 0)
		return -1;
	/* the earliest entry describes the group; of equals, the first seen (the query's scan order) */
	if (fresh || c->entered < g->ts) {
		g->ts = c->entered;
		g->start = r->start;
		g->end = r->end;
		g->first_call = (struct rdet_call){ .id = c->id, .op = c->op };
		g->first_addr = c->args[0];
		g->first_len = c->args[1];
	}
	if (fresh || c->entered > g->last_ts)
		g->last_ts = c->entered;
	return 0;
}

int rdet_protect(void *arg, const struct hist_call *c, const struct hist_row *r)
{
	struct replayed_detections *rd = arg;
	int64_t prot = r->state.prot;
	bool prior_known = r->prior_id && r->prior_prot_known;
	int64_t prior = r->prior_prot;
	int64_t file_id = (r->state.known & VMA_FILE) ? r->state.file_id : 0;
	int prior_key = prior_known ? (int)(prior & 7) : PRIOR_UNKNOWN;
	bool anonymous_flag = !(r->state.known & VMA_FLAGS) ||
			      (r->state.map_flags & MAP_ANONYMOUS_FLAG);

	if (!(r->state.known & VMA_PROT))
		return 0;
	/* exec-after-write: writable, not executable before, executable now */
	if ((prot & PROT_EXEC_BIT) && prior_known && (prior & PROT_WRITE_BIT) &&
	    !(prior & PROT_EXEC_BIT) &&
	    add_row(rd, EXEC_AFTER_WRITE, "high", c, r, prior_key, file_id) < 0)
		return -1;
	/*
	 * made-executable: executable now, neither writable nor executable before
	 * (or unknown), and not anonymous rwx (wx-mapping's)
	 */
	if ((prot & PROT_EXEC_BIT) && (!prior_known || !(prior & (PROT_WRITE_BIT | PROT_EXEC_BIT))) &&
	    !((prot & PROT_WRITE_BIT) && !file_id && anonymous_flag) &&
	    add_row(rd, MADE_EXECUTABLE, prior_known ? "low" : "medium", c, r, prior_key,
		    file_id) < 0)
		return -1;
	/* code-patching: executable code made writable */
	if (prior_known && (prior & PROT_EXEC_BIT) && (prot & PROT_WRITE_BIT) &&
	    !(prior & PROT_WRITE_BIT) &&
	    add_row(rd, CODE_PATCHING, (prot & PROT_EXEC_BIT) ? "high" : "medium", c, r,
		    prior_key, file_id) < 0)
		return -1;
	return 0;
}

/* --- writing -------------------------------------------------------------- */

static const char *rwx(int prot)
{
	static const char *const names[8] = { "---", "r--", "-w-", "rw-", "--x", "r-x", "-wx",
					      "rwx" };

	return names[prot & 7];
}

/* A group about to be written, with its kind (of one process and severity: one finding). */
struct entry {
	struct group *g;
	char *kind;
};

/* "rw- -> r-x anonymous": the query's kind (NULL with db->err set). */
static char *kind_of(struct cmn_db *db, sqlite3_stmt *path, const struct group *g)
{
	const char *what = "anonymous";
	char *kind;

	if (g->file_id) {
		sqlite3_bind_int64(path, 1, g->file_id);
		what = sqlite3_step(path) == SQLITE_ROW && sqlite3_column_type(path, 0) != SQLITE_NULL ?
		       (const char *)sqlite3_column_text(path, 0) : "an unnamed file";
	}
	if (asprintf(&kind, "%s -> %s %s", g->prior == PRIOR_UNKNOWN ? "unknown" : rwx(g->prior),
		     rwx(g->prot), what) < 0)
		kind = NULL;
	sqlite3_reset(path);
	if (!kind)
		cmn_db_fail(db, "out of memory");
	return kind;
}

/* 0: @x and @y are of one finding (the query's key: process, severity, kind). */
static int by_finding_key(const struct entry *x, const struct entry *y)
{
	if (x->g->pid != y->g->pid)
		return x->g->pid < y->g->pid ? -1 : 1;
	int c = strcmp(x->g->severity, y->g->severity);

	return c ? c : strcmp(x->kind, y->kind);
}

/* Entries of one finding side by side, each finding's in the order the groups were made. */
static int by_finding(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = by_finding_key(x, y);

	return c ? c : (x->g < y->g ? -1 : x->g > y->g);
}

/* A finding: entries [at, at + n); its first group, the earliest (of equals, the first made). */
struct finding {
	size_t at, n;
	const struct group *first;
};

static int by_first_call(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	if (x->first->ts != y->first->ts)
		return x->first->ts < y->first->ts ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * One finding from the entries @e[0 .. n) (one group, or several of one
 * path): its first call's thread from its call table, the query's summary.
 */
static int write_finding(struct replayed_detections *rd, struct cmn_db *db, sqlite3_stmt **thread,
			 const struct entry *e, size_t n, const struct group *first,
			 rdet_finding_fn fn, void *arg)
{
	struct rdet_finding f = {
		.capture_id = rd->capture_id, .pid = first->pid, .severity = first->severity,
		.ts = first->ts, .last_ts = first->last_ts, .tid = -1, .kind = e[0].kind,
		.addr = first->first_addr, .len = first->first_len,
	};
	const struct rdet_call *call = &first->first_call;
	struct range_set merged = { 0 };
	const struct range_set *ranges = &first->ranges;
	struct rdet_call *calls = NULL;
	sqlite3_stmt **st = &thread[call->op == HIST_PKEY_MPROTECT];
	char *summary = NULL;
	int ret = -1;

	/* every call, decoded for the writer (one finding's at a time) */
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < NR_ID_STREAMS; k++)
			f.nr_calls += e[i].g->ids[k].n;
		if (e[i].g->last_ts > f.last_ts)
			f.last_ts = e[i].g->last_ts;
	}
	calls = malloc((f.nr_calls ? f.nr_calls : 1) * sizeof(*calls));
	if (!calls)
		goto oom;
	f.nr_calls = 0;
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < NR_ID_STREAMS; k++) {
			ids_get(&e[i].g->ids[k], stream_op(k), calls + f.nr_calls);
			f.nr_calls += e[i].g->ids[k].n;
		}
	f.calls = calls;
	/* groups of one path: their ranges counted once */
	if (n > 1) {
		for (size_t i = 0; i < n; i++)
			if (range_set_merge(&merged, &e[i].g->ranges) < 0)
				goto oom;
		ranges = &merged;
	}
	f.ranges = (int64_t)ranges->nr;
	f.bytes = ranges->bytes;
	/* its table has rows: the call came from it */
	if (!*st && !(*st = cmn_db_prepare(db, "SELECT tid, comm FROM \"%w\" WHERE id = ?",
					  hist_op_name(call->op))))
		goto out;
	sqlite3_bind_int64(*st, 1, call->id);
	if (sqlite3_step(*st) == SQLITE_ROW) {
		if (sqlite3_column_type(*st, 0) != SQLITE_NULL)
			f.tid = sqlite3_column_int64(*st, 0);
		if (sqlite3_column_type(*st, 1) != SQLITE_NULL)
			f.comm = (const char *)sqlite3_column_text(*st, 1);
	}
	if (asprintf(&summary, "%s(0x%llx, %lld, %s): 0x%llx-0x%llx was %s", hist_op_name(call->op),
		     (unsigned long long)f.addr, (long long)f.len, rwx(first->prot),
		     (unsigned long long)first->start, (unsigned long long)first->end,
		     first->prior != PRIOR_UNKNOWN ? rwx(first->prior) :
						     "unknown (before the capture)") < 0) {
		summary = NULL;
		sqlite3_reset(*st);
		goto oom;
	}
	f.summary = summary;
	ret = fn(arg, &f);
	sqlite3_reset(*st);
	goto out;
oom:
	cmn_db_fail(db, "%s: out of memory", detection_names[first->det]);
out:
	free(summary);
	free(calls);
	range_set_release(&merged);
	return ret;
}

int rdet_findings(struct replayed_detections *rd, struct cmn_db *db, const char *detection,
		  rdet_finding_fn fn, void *arg)
{
	sqlite3_stmt *path = cmn_db_prepare(db, "SELECT path FROM vma_file WHERE id = ?");
	sqlite3_stmt *thread[2] = { NULL, NULL };	/* mprotect's, pkey_mprotect's */
	struct finding *fs = NULL;
	struct entry *e = NULL;
	size_t n = 0, nr_fs = 0;
	int det = -1, ret = -1;

	for (int d = 0; d < NR_DETECTIONS; d++)
		if (!strcmp(detection, detection_names[d]))
			det = d;
	if (det < 0) {
		cmn_db_fail(db, "%s: not a replayed detection", detection);
		goto out;
	}
	if (!path)
		goto out;
	e = calloc(rd->nr ? rd->nr : 1, sizeof(*e));
	fs = calloc(rd->nr ? rd->nr : 1, sizeof(*fs));
	if (!e || !fs) {
		cmn_db_fail(db, "%s: out of memory", detection);
		goto out;
	}
	for (size_t i = 0; i < rd->nr; i++) {
		if (rd->groups[i].det != (enum detection)det)
			continue;
		e[n].g = &rd->groups[i];
		if (!(e[n].kind = kind_of(db, path, e[n].g)))
			goto out;
		n++;
	}
	qsort(e, n, sizeof(*e), by_finding);
	for (size_t i = 0; i < n; i++) {
		struct finding *f = nr_fs ? &fs[nr_fs - 1] : NULL;

		if (f && !by_finding_key(&e[f->at], &e[i])) {
			f->n++;
			if (e[i].g->ts < f->first->ts)
				f->first = e[i].g;
		} else {
			fs[nr_fs++] = (struct finding){ .at = i, .n = 1, .first = e[i].g };
		}
	}
	qsort(fs, nr_fs, sizeof(*fs), by_first_call);
	ret = 0;
	for (size_t i = 0; i < nr_fs && !ret; i++)
		ret = write_finding(rd, db, thread, &e[fs[i].at], fs[i].n, fs[i].first, fn, arg);
out:
	for (size_t i = 0; i < n; i++)
		free(e[i].kind);
	free(e);
	free(fs);
	sqlite3_finalize(path);
	sqlite3_finalize(thread[0]);
	sqlite3_finalize(thread[1]);
	return ret;
}
