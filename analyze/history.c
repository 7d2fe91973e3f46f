// SPDX-License-Identifier: MIT
/*
 * The address-space history (history.h).  What each call does to a map
 * follows the kernel (mm/mmap.c, mm/mprotect.c, mm/mremap.c); where the
 * capture cannot tell what happened, the range is written as unknown rather
 * than guessed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "pid-table.h"

#define PROT_ACCESS_BITS	0x0f		/* READ, WRITE, EXEC, SEM: the vma's protection */
#define MAP_ANONYMOUS_FLAG	0x20
#define MAP_PRIVATE_ANON	0x22		/* what brk's heap is */
#define MREMAP_FIXED_FLAG	0x02
#define MREMAP_DONTUNMAP_FLAG	0x04
#define MMAP2_UNIT		4096		/* mmap2's offset unit, whatever the page size */
#define MAX_ERRNO		4095

/* A process's map: its live rows, sorted by address, never overlapping. */
struct proc {
	struct pid_key key;
	struct hist_row *rows;
	size_t nr, cap;
	bool brk_known;
	uint64_t brk;
};

/* A part of a range a call touches: the live row that held it, or a gap (row_id 0). */
struct piece {
	uint64_t start, end;
	struct vma_state state;
	int64_t row_id;
};

struct pieces {
	struct piece *v;
	size_t nr, cap;
};

struct history {
	uint64_t page;
	int64_t next_id;
	hist_emit_fn emit;
	void *arg;
	hist_protect_fn on_protect;	/* NULL: nobody watches */
	void *protect_arg;
	struct pid_table procs;		/* of struct proc */
	struct pieces taken, moving;	/* scratch, reused */
	struct hist_stats stats;
};

static const char *const op_names[HIST_NR_CAUSES] = {
	[HIST_MMAP] = "mmap", [HIST_MMAP2] = "mmap2", [HIST_MPROTECT] = "mprotect",
	[HIST_PKEY_MPROTECT] = "pkey_mprotect", [HIST_MUNMAP] = "munmap", [HIST_MREMAP] = "mremap",
	[HIST_REMAP_FILE_PAGES] = "remap_file_pages", [HIST_BRK] = "brk",
	[HIST_FORK] = "fork", [HIST_EXEC] = "exec", [HIST_EXIT] = "exit",
	[HIST_SNAPSHOT] = "snapshot",
};

/* The schema's argument names (schema/10-events.sql), in the order history reads them. */
static const char *const op_args[HIST_NR_OPS][HIST_MAX_ARGS + 1] = {
	[HIST_MMAP] = { "addr", "len", "prot", "flags", "fd", "off" },
	[HIST_MMAP2] = { "addr", "length", "prot", "flags", "fd", "pgoffset" },
	[HIST_MPROTECT] = { "addr", "len", "prot" },
	[HIST_PKEY_MPROTECT] = { "start", "len", "prot", "pkey" },
	[HIST_MUNMAP] = { "addr", "len" },
	[HIST_MREMAP] = { "old_address", "old_size", "new_size", "flags", "new_address" },
	[HIST_REMAP_FILE_PAGES] = { "addr", "size", "prot", "pgoff", "flags" },
	[HIST_BRK] = { "brk" },
};

/* Arguments a call cannot be applied without (new_address is read only with MREMAP_FIXED). */
static const unsigned int op_needs[HIST_NR_OPS] = {
	[HIST_MMAP] = 0x3f, [HIST_MMAP2] = 0x3f, [HIST_MPROTECT] = 0x07,
	[HIST_PKEY_MPROTECT] = 0x0f, [HIST_MUNMAP] = 0x03, [HIST_MREMAP] = 0x0f,
	[HIST_REMAP_FILE_PAGES] = 0x0f, [HIST_BRK] = 0x00,
};

static const char *const change_names[HIST_NR_CHANGES] = {
	[HIST_MAPPED] = "mapped", [HIST_PROTECTED] = "protected", [HIST_MOVED] = "moved",
	[HIST_REMAPPED] = "remapped", [HIST_SPLIT] = "split", [HIST_INHERITED] = "inherited",
	[HIST_SNAPSHOT_SEEN] = "snapshot",
};

const char *hist_op_name(enum hist_op op)
{
	return op >= 0 && op < HIST_NR_CAUSES ? op_names[op] : "?";
}

int hist_op_by_name(const char *name)
{
	for (int op = 0; op < HIST_NR_OPS; op++)
		if (!strcmp(op_names[op], name))
			return op;
	return -1;
}

const char *const *hist_op_args(enum hist_op op)
{
	return op_args[op];
}

const char *hist_change_name(enum hist_change change)
{
	return change >= 0 && change < HIST_NR_CHANGES ? change_names[change] : "?";
}

const struct hist_stats *hist_stats(const struct history *h)
{
	return &h->stats;
}

struct history *hist_alloc(uint64_t page_size, int64_t first_id, hist_emit_fn emit, void *arg)
{
	struct history *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	if (pid_table_init(&h->procs, sizeof(struct proc)) < 0) {
		free(h);
		return NULL;
	}
	/* A page size that is not a power of two would be a damaged capture: use 4 KiB. */
	h->page = page_size && !(page_size & (page_size - 1)) ? page_size : 4096;
	h->next_id = first_id > 0 ? first_id : 1;
	h->emit = emit;
	h->arg = arg;
	return h;
}

void hist_watch_protect(struct history *h, hist_protect_fn fn, void *arg)
{
	h->on_protect = fn;
	h->protect_arg = arg;
}

struct history *hist_free(struct history *h)
{
	struct proc *p;

	if (!h)
		return NULL;
	for (size_t i = 0; (p = pid_table_next(&h->procs, &i));)
		free(p->rows);
	pid_table_release(&h->procs);
	free(h->taken.v);
	free(h->moving.v);
	free(h);
	return NULL;
}

static uint64_t page_up(const struct history *h, uint64_t x)
{
	return (x + h->page - 1) & ~(h->page - 1);
}

/* Whether [@start, @start + @len rounded up to pages) runs past the end of the address space. */
static bool wraps(const struct history *h, uint64_t start, uint64_t len)
{
	uint64_t pages = page_up(h, len);

	return pages < len || start + pages < start;
}

static uint64_t page_down(const struct history *h, uint64_t x)
{
	return x & ~(h->page - 1);
}

/* --- processes ------------------------------------------------------------ */

/* The map of @pid; with @create, an empty one when there is none.  NULL: none, or ENOMEM. */
static struct proc *proc_get(struct history *h, int pid, bool create)
{
	return create ? pid_table_get(&h->procs, pid, NULL) : pid_table_find(&h->procs, pid);
}

/* Index of the first live row of @p that ends after @addr. */
static size_t first_after(const struct proc *p, uint64_t addr)
{
	size_t lo = 0, hi = p->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->rows[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* --- rows ----------------------------------------------------------------- */

/* The state of the part of @row from @addr on: a file offset moves with the address. */
static struct vma_state state_at(const struct history *h, const struct vma_state *st,
				 uint64_t row_start, uint64_t addr)
{
	struct vma_state s = *st;

	if (s.known & VMA_PGOFF)
		s.pgoff += (int64_t)((addr - row_start) / h->page);
	return s;
}

static int close_row(struct history *h, struct hist_row *r, uint64_t ts, enum hist_op cause,
		     int64_t cause_id)
{
	r->live = false;
	r->ts_to = ts;
	r->end_cause = cause;
	r->end_cause_id = cause_id;
	h->stats.rows++;
	return h->emit(h->arg, r);
}

/* Insert @r into @p's map; its range is free (the caller took it). */
static int put(struct history *h, struct proc *p, const struct hist_row *r)
{
	size_t at = first_after(p, r->start);

	if (p->nr == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct hist_row *rows = realloc(p->rows, cap * sizeof(*rows));

		if (!rows)
			return -1;
		p->rows = rows;
		p->cap = cap;
	}
	memmove(&p->rows[at + 1], &p->rows[at], (p->nr - at) * sizeof(*p->rows));
	p->rows[at] = *r;
	p->nr++;
	return 0;
}

/*
 * A new live row of @p: [@start, @end) holding @state since @ts, begun by
 * @change of @cause (@cause_id), from the pages of @prior (NULL: unknown).
 * A protection change is shown to the watcher, with @call.
 */
static int open_row(struct history *h, struct proc *p, uint64_t start, uint64_t end,
		    const struct vma_state *state, enum hist_change change, enum hist_op cause,
		    int64_t cause_id, uint64_t ts, const struct piece *prior,
		    const struct hist_call *call)
{
	struct hist_row r = {
		.id = h->next_id++, .pid = p->key.pid, .start = start, .end = end,
		.state = *state, .change = change, .cause = cause, .cause_id = cause_id,
		.ts_from = ts, .live = true,
	};

	if (start >= end)
		return 0;
	if (prior && prior->row_id) {
		r.prior_id = prior->row_id;
		r.prior_prot = prior->state.prot;
		r.prior_prot_known = prior->state.known & VMA_PROT;
	}
	if (change == HIST_PROTECTED && h->on_protect && h->on_protect(h->protect_arg, call, &r) < 0)
		return -1;
	return put(h, p, &r);
}

static int pieces_add(struct pieces *ps, uint64_t start, uint64_t end, const struct vma_state *st,
		      int64_t row_id)
{
	if (start >= end)
		return 0;
	if (ps->nr == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		struct piece *v = realloc(ps->v, cap * sizeof(*v));

		if (!v)
			return -1;
		ps->v = v;
		ps->cap = cap;
	}
	ps->v[ps->nr++] = (struct piece){ .start = start, .end = end, .row_id = row_id,
					  .state = st ? *st : (struct vma_state){ 0 } };
	return 0;
}

/*
 * What [@start, @end) of @p holds, in address order, into @ps: the parts of
 * live rows, and the gaps between them (row_id 0, nothing known).
 */
static int peek(struct history *h, struct proc *p, uint64_t start, uint64_t end,
		struct pieces *ps)
{
	uint64_t at = start;

	ps->nr = 0;
	for (size_t i = first_after(p, start); i < p->nr && p->rows[i].start < end; i++) {
		const struct hist_row *r = &p->rows[i];
		uint64_t from = r->start > start ? r->start : start;
		uint64_t to = r->end < end ? r->end : end;
		struct vma_state st = state_at(h, &r->state, r->start, from);

		if (pieces_add(ps, at, from, NULL, 0) < 0 || pieces_add(ps, from, to, &st, r->id) < 0)
			return -1;
		at = to;
	}
	return pieces_add(ps, at, end, NULL, 0);
}

/*
 * @cause (@cause_id) at @ts changes [@start, @end) of @p: the live rows there
 * end, their parts outside the range live on as new 'split' rows, and the
 * range is left free for the caller to fill.  What the range held goes to
 * @ps (may be NULL) as peek() gives it.
 */
static int take(struct history *h, struct proc *p, uint64_t start, uint64_t end, uint64_t ts,
		enum hist_op cause, int64_t cause_id, struct pieces *ps)
{
	size_t i = first_after(p, start), j = i;
	struct hist_row left = { 0 }, right = { 0 };
	bool has_left, has_right;

	if (ps && peek(h, p, start, end, ps) < 0)
		return -1;
	while (j < p->nr && p->rows[j].start < end)
		j++;
	if (i == j)
		return 0;
	has_left = p->rows[i].start < start;
	has_right = p->rows[j - 1].end > end;
	if (has_left)
		left = p->rows[i];
	if (has_right)
		right = p->rows[j - 1];
	for (size_t k = i; k < j; k++)
		if (close_row(h, &p->rows[k], ts, cause, cause_id) < 0)
			return -1;
	memmove(&p->rows[i], &p->rows[j], (p->nr - j) * sizeof(*p->rows));
	p->nr -= j - i;

	/* The rest of a row cut in two is unchanged, but begins a row of its own. */
	if (has_left) {
		struct piece was = { .row_id = left.id, .state = left.state };

		if (open_row(h, p, left.start, start, &left.state, HIST_SPLIT, cause, cause_id, ts,
			     &was, NULL) < 0)
			return -1;
	}
	if (has_right) {
		struct vma_state st = state_at(h, &right.state, right.start, end);
		struct piece was = { .row_id = right.id, .state = right.state };

		if (open_row(h, p, end, right.end, &st, HIST_SPLIT, cause, cause_id, ts, &was,
			     NULL) < 0)
			return -1;
	}
	return 0;
}

/*
 * Close every live row of @p (exec, exit, a fork over a reused pid), and
 * free them: a system-wide capture sees thousands of short processes, each
 * a copy of its parent's map, and memory must not grow with them.
 */
static int take_all(struct history *h, struct proc *p, uint64_t ts, enum hist_op cause,
		    int64_t cause_id)
{
	for (size_t k = 0; k < p->nr; k++)
		if (close_row(h, &p->rows[k], ts, cause, cause_id) < 0)
			return -1;
	free(p->rows);
	p->rows = NULL;
	p->nr = p->cap = 0;
	p->brk_known = false;
	return 0;
}

/* --- the calls ------------------------------------------------------------ */

static bool failed(const struct hist_call *c)
{
	switch (c->op) {
	case HIST_MMAP:
	case HIST_MMAP2:
	case HIST_MREMAP:
		/* An address, or -errno. */
		return c->ret < 0 && c->ret >= -MAX_ERRNO;
	case HIST_BRK:
		return false;	/* brk answers the break it has, moved or not */
	default:
		return c->ret != 0;
	}
}

static int do_mmap(struct history *h, struct proc *p, const struct hist_call *c)
{
	uint64_t start = (uint64_t)c->ret, end = start + page_up(h, (uint64_t)c->args[1]);
	int64_t flags = c->args[3];
	struct vma_state st = {
		.prot = c->args[2] & PROT_ACCESS_BITS, .map_flags = flags, .pkey = 0,
		.known = VMA_PROT | VMA_FLAGS | VMA_PKEY,
	};

	if (!(flags & MAP_ANONYMOUS_FLAG)) {
		st.fd = c->args[4];
		st.pgoff = c->op == HIST_MMAP2 ? c->args[5] * MMAP2_UNIT / (int64_t)h->page :
						 c->args[5] / (int64_t)h->page;
		st.known |= VMA_FD | VMA_PGOFF;
		if (c->file_id > 0) {
			st.file_id = c->file_id;
			st.known |= VMA_FILE;
		}
	}
	/* MAP_FIXED over live rows replaces them: they end with this call. */
	if (take(h, p, start, end, c->ts, c->op, c->id, NULL) < 0)
		return -1;
	return open_row(h, p, start, end, &st, HIST_MAPPED, c->op, c->id, c->ts, NULL, c);
}

/*
 * mprotect, pkey_mprotect and remap_file_pages change a range in place: each
 * part keeps what it held but what the call sets -- the protection (and
 * key), or which pages of its file it shows -- and remembers the row it came
 * from, so the protection it had: a range may span several mappings, or
 * memory the capture never saw mapped.
 */
static int do_in_place(struct history *h, struct proc *p, const struct hist_call *c)
{
	uint64_t start = page_down(h, (uint64_t)c->args[0]);
	uint64_t end = page_up(h, (uint64_t)c->args[0] + (uint64_t)c->args[1]);
	enum hist_change change = c->op == HIST_REMAP_FILE_PAGES ? HIST_REMAPPED : HIST_PROTECTED;

	if (take(h, p, start, end, c->ts, c->op, c->id, &h->taken) < 0)
		return -1;
	for (size_t i = 0; i < h->taken.nr; i++) {
		const struct piece *pc = &h->taken.v[i];
		struct vma_state st = pc->state;

		if (change == HIST_REMAPPED) {
			st.pgoff = c->args[3] + (int64_t)((pc->start - start) / h->page);
			st.known |= VMA_PGOFF;
		} else {
			st.prot = c->args[2] & PROT_ACCESS_BITS;
			st.known |= VMA_PROT;
		}
		if (c->op == HIST_PKEY_MPROTECT) {
			st.pkey = c->args[3];
			st.known |= VMA_PKEY;
		}
		if (open_row(h, p, pc->start, pc->end, &st, change, c->op, c->id, c->ts, pc,
			     c) < 0)
			return -1;
	}
	return 0;
}

static int do_munmap(struct history *h, struct proc *p, const struct hist_call *c)
{
	uint64_t start = (uint64_t)c->args[0];

	return take(h, p, start, start + page_up(h, (uint64_t)c->args[1]), c->ts, c->op, c->id,
		    NULL);
}

/* The state of the page before @addr, for a range grown after it; nothing known: unknown. */
static struct vma_state state_before(struct history *h, struct proc *p, uint64_t addr)
{
	size_t i = first_after(p, addr - 1);

	if (i < p->nr && p->rows[i].start < addr)
		return state_at(h, &p->rows[i].state, p->rows[i].start, addr);
	return (struct vma_state){ 0 };
}

static int do_mremap(struct history *h, struct proc *p, const struct hist_call *c)
{
	uint64_t old = (uint64_t)c->args[0], to = (uint64_t)c->ret;
	uint64_t old_size = page_up(h, (uint64_t)c->args[1]), new_size = page_up(h, (uint64_t)c->args[2]);
	int64_t flags = c->args[3];
	struct vma_state grown;

	if (to == old && !(flags & MREMAP_FIXED_FLAG)) {
		/* In place: a shrink unmaps the tail, a growth maps more of the last mapping. */
		if (new_size < old_size)
			return take(h, p, old + new_size, old + old_size, c->ts, c->op, c->id, NULL);
		grown = state_before(h, p, old + old_size);
		if (take(h, p, old + old_size, old + new_size, c->ts, c->op, c->id, NULL) < 0)
			return -1;
		return open_row(h, p, old + old_size, old + new_size, &grown, HIST_MAPPED, c->op, c->id,
				c->ts, NULL, c);
	}

	/*
	 * Moved: the pages leave the old range (which stays mapped, emptied, with
	 * MREMAP_DONTUNMAP, and stays as it is when old_size is 0: a duplicate of a
	 * shared mapping), and whatever was at the new range is gone, silently
	 * replaced when MREMAP_FIXED pointed at a live mapping.
	 */
	if (old_size == 0) {
		grown = state_before(h, p, old + h->page);
		if (take(h, p, to, to + new_size, c->ts, c->op, c->id, NULL) < 0)
			return -1;
		return open_row(h, p, to, to + new_size, &grown, HIST_MAPPED, c->op, c->id, c->ts,
				NULL, c);
	}
	if (flags & MREMAP_DONTUNMAP_FLAG) {
		if (peek(h, p, old, old + old_size, &h->moving) < 0)
			return -1;
	} else if (take(h, p, old, old + old_size, c->ts, c->op, c->id, &h->moving) < 0) {
		return -1;
	}
	if (take(h, p, to, to + new_size, c->ts, c->op, c->id, NULL) < 0)
		return -1;
	for (size_t i = 0; i < h->moving.nr; i++) {
		const struct piece *pc = &h->moving.v[i];
		uint64_t off = pc->start - old, len = pc->end - pc->start;

		if (off >= new_size)
			break;
		/* A growth is more of the last mapping: one range with it, as in the kernel. */
		if (len > new_size - off || i == h->moving.nr - 1)
			len = new_size - off;
		if (open_row(h, p, to + off, to + off + len, &pc->state, HIST_MOVED, c->op, c->id,
			     c->ts, pc, c) < 0)
			return -1;
	}
	return 0;
}

/* brk: the heap is [start_brk, brk); a call moves its end, and answers where it is now. */
static int do_brk(struct history *h, struct proc *p, const struct hist_call *c)
{
	uint64_t now = (uint64_t)c->ret, was = p->brk;
	bool knew = p->brk_known;

	p->brk = now;
	p->brk_known = true;
	if (!knew || page_up(h, now) == page_up(h, was))
		return 0;
	if (now < was)
		return take(h, p, page_up(h, now), page_up(h, was), c->ts, c->op, c->id, NULL);

	struct vma_state heap = { .prot = 3, .map_flags = MAP_PRIVATE_ANON, .pkey = 0,
				  .known = VMA_PROT | VMA_FLAGS | VMA_PKEY };

	if (take(h, p, page_up(h, was), page_up(h, now), c->ts, c->op, c->id, NULL) < 0)
		return -1;
	return open_row(h, p, page_up(h, was), page_up(h, now), &heap, HIST_MAPPED, c->op, c->id,
			c->ts, NULL, c);
}

int hist_call(struct history *h, const struct hist_call *c)
{
	struct proc *p;
	uint64_t start, len;
	int ret;

	if (c->op < 0 || c->op >= HIST_NR_OPS || (c->have & op_needs[c->op]) != op_needs[c->op] ||
	    (c->op == HIST_MREMAP && (c->args[3] & MREMAP_FIXED_FLAG) && !(c->have & 0x10))) {
		h->stats.skipped++;
		return 0;
	}
	if (failed(c)) {
		h->stats.failed++;
		return 0;
	}
	/*
	 * A range that wraps around the address space was refused by the kernel:
	 * the one the call names, and the one an mmap or a moving mremap answers
	 * with (only a damaged or made-up capture holds one).
	 */
	start = (uint64_t)c->args[0];
	len = c->op == HIST_BRK ? 0 : (uint64_t)c->args[c->op == HIST_MREMAP ? 2 : 1];
	if (wraps(h, start, len) ||
	    (c->op == HIST_MREMAP && wraps(h, start, (uint64_t)c->args[1])) ||
	    ((c->op == HIST_MMAP || c->op == HIST_MMAP2 || c->op == HIST_MREMAP) &&
	     wraps(h, (uint64_t)c->ret, len))) {
		h->stats.skipped++;
		return 0;
	}
	p = proc_get(h, c->pid, true);
	if (!p)
		return -1;
	switch (c->op) {
	case HIST_MMAP:
	case HIST_MMAP2:
		ret = do_mmap(h, p, c);
		break;
	case HIST_MPROTECT:
	case HIST_PKEY_MPROTECT:
	case HIST_REMAP_FILE_PAGES:
		ret = do_in_place(h, p, c);
		break;
	case HIST_MUNMAP:
		ret = do_munmap(h, p, c);
		break;
	case HIST_MREMAP:
		ret = do_mremap(h, p, c);
		break;
	case HIST_BRK:
		ret = do_brk(h, p, c);
		break;
	default:
		ret = 0;
	}
	if (!ret)
		h->stats.applied++;
	return ret;
}

/* --- the lifecycle -------------------------------------------------------- */

int hist_fork(struct history *h, int parent_pid, int child_pid, uint64_t ts, int64_t event_id)
{
	struct proc *child = proc_get(h, child_pid, true), *parent;

	if (!child)
		return -1;
	/* A pid reused without an exit seen: what it held is gone. */
	if (take_all(h, child, ts, HIST_FORK, event_id) < 0)
		return -1;
	/* Looked up after: creating the child may have moved the table. */
	parent = proc_get(h, parent_pid, false);
	if (!parent)
		return 0;
	child->brk = parent->brk;
	child->brk_known = parent->brk_known;
	for (size_t i = 0; i < parent->nr; i++) {
		const struct hist_row *r = &parent->rows[i];
		struct piece was = { .row_id = r->id, .state = r->state };

		if (open_row(h, child, r->start, r->end, &r->state, HIST_INHERITED, HIST_FORK, event_id,
			     ts, &was, NULL) < 0)
			return -1;
	}
	return 0;
}

int hist_exec(struct history *h, int pid, uint64_t ts, int64_t event_id)
{
	struct proc *p = proc_get(h, pid, false);

	return p ? take_all(h, p, ts, HIST_EXEC, event_id) : 0;
}

int hist_exit(struct history *h, int pid, uint64_t ts, int64_t event_id)
{
	struct proc *p = proc_get(h, pid, false);

	return p ? take_all(h, p, ts, HIST_EXIT, event_id) : 0;
}

/* What the snapshot adds to a row: the fields the row does not know. */
static bool fill_unknown(struct vma_state *st, const struct vma_state *seen)
{
	static const unsigned int bits[] = { VMA_PROT, VMA_FLAGS, VMA_PGOFF, VMA_FILE };
	unsigned int before = st->known;

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if ((st->known & bits[i]) || !(seen->known & bits[i]))
			continue;
		switch (bits[i]) {
		case VMA_PROT:
			st->prot = seen->prot;
			break;
		case VMA_FLAGS:
			st->map_flags = seen->map_flags;
			break;
		case VMA_PGOFF:
			st->pgoff = seen->pgoff;
			break;
		case VMA_FILE:
			st->file_id = seen->file_id;
			break;
		}
		st->known |= bits[i];
	}
	return st->known != before;
}

int hist_seen(struct history *h, int pid, uint64_t start, uint64_t end,
	      const struct vma_state *state, uint64_t ts, int64_t event_id)
{
	struct proc *p;

	start = page_down(h, start);
	end = page_up(h, end);
	if (start >= end)
		return 0;
	p = proc_get(h, pid, true);
	if (!p || peek(h, p, start, end, &h->taken) < 0)
		return -1;
	/*
	 * Piece by piece, from the highest address down: opening rows moves
	 * nothing below the piece, and each piece is taken alone, so that
	 * what the calls know next to it stays as it is.
	 */
	for (size_t i = h->taken.nr; i-- > 0;) {
		struct piece pc = h->taken.v[i];
		struct vma_state st = pc.state;

		struct vma_state seen = state_at(h, state, start, pc.start);

		if (!pc.row_id)
			st = seen;
		else if (!fill_unknown(&st, &seen))
			continue;
		if (take(h, p, pc.start, pc.end, ts, HIST_SNAPSHOT, event_id, NULL) < 0 ||
		    open_row(h, p, pc.start, pc.end, &st, HIST_SNAPSHOT_SEEN, HIST_SNAPSHOT, event_id,
			     ts, &pc, NULL) < 0)
			return -1;
	}
	return 0;
}

int hist_finish(struct history *h)
{
	struct proc *p;

	for (size_t i = 0; (p = pid_table_next(&h->procs, &i));) {
		for (size_t k = 0; k < p->nr; k++) {
			h->stats.rows++;
			if (h->emit(h->arg, &p->rows[k]) < 0)
				return -1;
		}
		p->nr = 0;
	}
	return 0;
}
