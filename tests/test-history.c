// SPDX-License-Identifier: MIT
/*
 * history: hand-written call sequences and the rows they must give --
 * ranges spanning several mappings, prior states unknown, mremap over a live
 * mapping, fork/exec/exit -- and a random sequence checked page by page
 * against a model that knows nothing of ranges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "history.h"

#define PAGE	4096ull
#define BASE	0x7f0000000000ull
#define A(p)	(BASE + (uint64_t)(p) * PAGE)

#define PROT_R	1
#define PROT_W	2
#define PROT_X	4
#define MAP_PRIVATE_ANON 0x22
#define MAP_FIXED_ANON	 0x32

struct rows {
	struct hist_row *v;
	size_t nr, cap;
};

static int collect(void *arg, const struct hist_row *r)
{
	struct rows *rows = arg;

	if (rows->nr == rows->cap) {
		rows->cap = rows->cap ? rows->cap * 2 : 64;
		rows->v = realloc(rows->v, rows->cap * sizeof(*rows->v));
		assert_non_null(rows->v);
	}
	rows->v[rows->nr++] = *r;
	return 0;
}

static int64_t next_call_id = 1;

static void call(struct history *h, enum hist_op op, uint64_t ts, int pid, int64_t ret,
		 int nr_args, ...)
{
	struct hist_call c = { .op = op, .id = next_call_id++, .ts = ts, .pid = pid, .ret = ret };
	va_list ap;

	va_start(ap, nr_args);
	for (int i = 0; i < nr_args; i++) {
		c.args[i] = va_arg(ap, int64_t);
		c.have |= 1u << i;
	}
	va_end(ap);
	assert_int_equal(hist_call(h, &c), 0);
}

#define MMAP(h, ts, pid, addr, pages, prot, flags)					\
	call(h, HIST_MMAP, ts, pid, (int64_t)(addr), 6, (int64_t)(addr),		\
	     (int64_t)((pages) * PAGE), (int64_t)(prot), (int64_t)(flags), (int64_t)-1, (int64_t)0)
#define MPROTECT(h, ts, pid, addr, pages, prot)						\
	call(h, HIST_MPROTECT, ts, pid, 0, 3, (int64_t)(addr), (int64_t)((pages) * PAGE),	\
	     (int64_t)(prot))
#define MUNMAP(h, ts, pid, addr, pages)							\
	call(h, HIST_MUNMAP, ts, pid, 0, 2, (int64_t)(addr), (int64_t)((pages) * PAGE))
#define MREMAP(h, ts, pid, ret, old, old_pages, new_pages, flags, new)			\
	call(h, HIST_MREMAP, ts, pid, (int64_t)(ret), 5, (int64_t)(old),			\
	     (int64_t)((old_pages) * PAGE), (int64_t)((new_pages) * PAGE), (int64_t)(flags),	\
	     (int64_t)(new))

/* The row of @pid that held page @page at @ts; NULL when none did. */
static const struct hist_row *at(const struct rows *rows, int pid, uint64_t addr, uint64_t ts)
{
	const struct hist_row *found = NULL;

	for (size_t i = 0; i < rows->nr; i++) {
		const struct hist_row *r = &rows->v[i];

		if (r->pid != pid || addr < r->start || addr >= r->end || ts < r->ts_from ||
		    (!r->live && ts >= r->ts_to))
			continue;
		assert_null(found);	/* two rows at one page and time: the map overlaps */
		found = r;
	}
	return found;
}

static const struct hist_row *by_id(const struct rows *rows, int64_t id)
{
	for (size_t i = 0; i < rows->nr; i++)
		if (rows->v[i].id == id)
			return &rows->v[i];
	return NULL;
}

static struct history *new_history(struct rows *rows)
{
	struct history *h;

	memset(rows, 0, sizeof(*rows));
	h = hist_alloc(PAGE, 1, collect, rows);
	assert_non_null(h);
	return h;
}

/* Written, then made executable: one row, whose prior is the writable mapping. */
static void test_write_then_exec(void **state)
{
	struct rows rows;
	struct history *h = new_history(&rows);
	const struct hist_row *r, *prior;

	(void)state;
	MMAP(h, 10, 100, A(0), 3, PROT_R | PROT_W, MAP_PRIVATE_ANON);
	MPROTECT(h, 20, 100, A(0), 3, PROT_R | PROT_X);
	assert_int_equal(hist_finish(h), 0);
	assert_int_equal(rows.nr, 2);
	r = at(&rows, 100, A(1), 25);
	assert_non_null(r);
	assert_int_equal(r->change, HIST_PROTECTED);
	assert_int_equal(r->state.prot, PROT_R | PROT_X);
	assert_int_equal(r->start, A(0));
	assert_int_equal(r->end, A(3));
	assert_true(r->prior_prot_known);
	assert_int_equal(r->prior_prot, PROT_R | PROT_W);
	prior = by_id(&rows, r->prior_id);
	assert_non_null(prior);
	assert_int_equal(prior->change, HIST_MAPPED);
	assert_int_equal(prior->ts_to, 20);
	assert_int_equal(prior->end_cause, HIST_MPROTECT);
	assert_true(r->live);
	hist_free(h);
	free(rows.v);
}

/* One mprotect over two mappings and a hole: three parts, three priors. */
static void test_span(void **state)
{
	struct rows rows;
	struct history *h = new_history(&rows);
	const struct hist_row *rw, *ro, *hole;

	(void)state;
	MMAP(h, 10, 100, A(0), 2, PROT_R | PROT_W, MAP_PRIVATE_ANON);
	MMAP(h, 20, 100, A(2), 1, PROT_R, MAP_FIXED_ANON);
	/* A(3) was never seen: mapped before the capture, or mprotect would have failed. */
	MPROTECT(h, 30, 100, A(0), 4, PROT_R | PROT_W | PROT_X);
	assert_int_equal(hist_finish(h), 0);
	rw = at(&rows, 100, A(0), 30);
	ro = at(&rows, 100, A(2), 30);
	hole = at(&rows, 100, A(3), 30);
	assert_non_null(rw);
	assert_non_null(ro);
	assert_non_null(hole);
	assert_ptr_equal(at(&rows, 100, A(1), 30), rw);
	assert_int_equal(rw->prior_prot, PROT_R | PROT_W);
	assert_int_equal(ro->prior_prot, PROT_R);
	assert_true(rw->prior_prot_known && ro->prior_prot_known);
	assert_int_equal(hole->prior_id, 0);		/* unknown before */
	assert_false(hole->prior_prot_known);
	assert_int_equal(hole->state.known, VMA_PROT);	/* only what mprotect set */
	for (const struct hist_row *r = rw; r; r = r == rw ? ro : r == ro ? hole : NULL) {
		assert_int_equal(r->state.prot, 7);
		assert_int_equal(r->change, HIST_PROTECTED);
		assert_int_equal(r->cause, HIST_MPROTECT);
		assert_int_equal(r->ts_from, 30);
	}
	assert_null(at(&rows, 100, A(3), 29));	/* the history never invents a prior state */
	hist_free(h);
	free(rows.v);
}

/* A change in the middle of a mapping: the two ends live on as 'split' rows. */
static void test_split(void **state)
{
	struct rows rows;
	struct history *h = new_history(&rows);
	const struct hist_row *left, *mid, *right;

	(void)state;
	MMAP(h, 10, 100, A(0), 5, PROT_R | PROT_W, MAP_PRIVATE_ANON);
	MPROTECT(h, 20, 100, A(2), 1, PROT_R);
	MUNMAP(h, 30, 100, A(4), 1);
	assert_int_equal(hist_finish(h), 0);
	left = at(&rows, 100, A(1), 25);
	mid = at(&rows, 100, A(2), 25);
	right = at(&rows, 100, A(4), 25);
	assert_int_equal(left->change, HIST_SPLIT);
	assert_int_equal(left->state.prot, PROT_R | PROT_W);
	assert_int_equal(left->end, A(2));
	assert_int_equal(mid->change, HIST_PROTECTED);
	assert_int_equal(right->start, A(3));
	assert_int_equal(right->prior_id, left->prior_id);
	/* munmap of the last page cut the right part again. */
	assert_null(at(&rows, 100, A(4), 30));
	assert_int_equal(at(&rows, 100, A(3), 30)->end, A(4));
	assert_int_equal(right->end_cause, HIST_MUNMAP);
	hist_free(h);
	free(rows.v);
}

/* mremap MREMAP_MAYMOVE|MREMAP_FIXED onto a live mapping: the victim ends, the pages move. */
static void test_mremap_over(void **state)
{
	struct rows rows;
	struct history *h = new_history(&rows);
	const struct hist_row *victim, *moved, *grown;

	(void)state;
	MMAP(h, 10, 100, A(10), 2, PROT_R | PROT_W, MAP_PRIVATE_ANON);	/* the victim */
	MMAP(h, 20, 100, A(0), 2, PROT_R | PROT_X, MAP_PRIVATE_ANON);	/* the source */
	MREMAP(h, 30, 100, A(10), A(0), 2, 3, 3, A(10));
	MREMAP(h, 40, 100, A(10), A(10), 3, 1, 0, 0);	/* in place: shrink */
	assert_int_equal(hist_finish(h), 0);
	victim = at(&rows, 100, A(10), 25);
	assert_int_equal(victim->end_cause, HIST_MREMAP);
	assert_int_equal(victim->ts_to, 30);
	assert_null(at(&rows, 100, A(0), 30));		/* the source is gone */
	moved = at(&rows, 100, A(11), 30);
	assert_int_equal(moved->change, HIST_MOVED);
	assert_int_equal(moved->state.prot, PROT_R | PROT_X);
	assert_int_equal(by_id(&rows, moved->prior_id)->start, A(0));
	grown = at(&rows, 100, A(12), 30);		/* the growth: more of the same mapping */
	assert_ptr_equal(grown, moved);
	assert_int_equal(moved->start, A(10));
	assert_int_equal(moved->end, A(13));
	assert_null(at(&rows, 100, A(11), 40));
	/* What the shrink kept lives on unchanged, as a row of its own. */
	assert_int_equal(at(&rows, 100, A(10), 40)->change, HIST_SPLIT);
	assert_int_equal(at(&rows, 100, A(10), 40)->prior_id, at(&rows, 100, A(10), 35)->id);
	hist_free(h);
	free(rows.v);
}

static void test_failed_and_incomplete(void **state)
{
	struct rows rows;
	struct history *h = new_history(&rows);
	struct hist_call no_args = { .op = HIST_MPROTECT, .id = 99, .ts = 40, .pid = 100 };

	(void)state;
	MMAP(h, 10, 100, A(0), 1, PROT_R, MAP_PRIVATE_ANON);
	call(h, HIST_MPROTECT, 20, 100, -12, 3, (int64_t)A(0), (int64_t)PAGE, (int64_t)7);
	call(h, HIST_MMAP, 30, 100, -22, 6, (int64_t)A(5), (int64_t)PAGE, (int64_t)7, (int64_t)0x22,
	     (int64_t)-1, (int64_t)0);
	assert_int_equal(hist_call(h, &no_args), 0);
	assert_int_equal(hist_stats(h)->applied, 1);
	assert_int_equal(hist_stats(h)->failed, 2);
	assert_int_equal(hist_stats(h)->skipped, 1);
	assert_int_equal(hist_finish(h), 0);
	assert_int_equal(rows.nr, 1);
	assert_int_equal(rows.v[0].state.prot, PROT_R);
	hist_free(h);
	free(rows.v);
}

/* fork copies the parent's map, exec and exit end a process's. */
static void test_lifecycle(void **state)
{
	struct rows rows;
	struct history *h = new_history(&rows);
	const struct hist_row *child, *parent;

	(void)state;
	MMAP(h, 10, 100, A(0), 2, PROT_R | PROT_W, MAP_PRIVATE_ANON);
	assert_int_equal(hist_fork(h, 100, 200, 20, 555), 0);
	MPROTECT(h, 30, 200, A(0), 1, PROT_R);
	assert_int_equal(hist_exec(h, 100, 40, 556), 0);
	assert_int_equal(hist_exit(h, 200, 50, 557), 0);
	assert_int_equal(hist_finish(h), 0);
	child = at(&rows, 200, A(1), 25);
	parent = at(&rows, 100, A(1), 25);
	assert_int_equal(child->change, HIST_INHERITED);
	assert_int_equal(child->cause, HIST_FORK);
	assert_int_equal(child->cause_id, 555);
	assert_int_equal(child->prior_id, parent->id);
	assert_int_equal(at(&rows, 100, A(0), 35)->state.prot, PROT_R | PROT_W);	/* not shared */
	assert_int_equal(at(&rows, 200, A(0), 35)->state.prot, PROT_R);
	assert_int_equal(parent->end_cause, HIST_EXEC);
	assert_null(at(&rows, 100, A(0), 45));
	assert_null(at(&rows, 200, A(1), 55));
	for (size_t i = 0; i < rows.nr; i++)
		assert_false(rows.v[i].live);
	hist_free(h);
	free(rows.v);
}

static void test_brk(void **state)
{
	struct rows rows;
	struct history *h = new_history(&rows);
	uint64_t heap = A(100);

	(void)state;
	call(h, HIST_BRK, 10, 100, (int64_t)heap, 1, (int64_t)0);	/* where is it? */
	call(h, HIST_BRK, 20, 100, (int64_t)(heap + 3 * PAGE), 1, (int64_t)(heap + 3 * PAGE));
	call(h, HIST_BRK, 30, 100, (int64_t)(heap + PAGE), 1, (int64_t)(heap + PAGE));
	assert_int_equal(hist_finish(h), 0);
	assert_null(at(&rows, 100, heap, 15));
	assert_int_equal(at(&rows, 100, heap + 2 * PAGE, 25)->state.prot, PROT_R | PROT_W);
	assert_null(at(&rows, 100, heap + 2 * PAGE, 35));
	assert_non_null(at(&rows, 100, heap, 35));
	hist_free(h);
	free(rows.v);
}

/*
 * The model: per page, whether the capture knows it mapped, and with which
 * protection (-1: mapped, protection unknown).  Random successful calls over
 * 32 pages -- an mprotect over pages never seen says they were mapped before
 * the capture; a move of pages never seen maps them with what is unknown --
 * then every page at every step is checked against the rows.
 */
#define MODEL_PAGES 32
#define STEPS 400

struct model {
	bool mapped[MODEL_PAGES];
	int prot[MODEL_PAGES];
};

static void test_random_against_model(void **state)
{
	static struct model snap[STEPS];
	struct model m = { 0 };
	struct rows rows;
	struct history *h = new_history(&rows);

	(void)state;
	srand(42);
	for (int step = 0; step < STEPS; step++) {
		uint64_t ts = 100 + 10 * step;
		int start = rand() % MODEL_PAGES, len = 1 + rand() % 6, prot = rand() % 8;

		if (start + len > MODEL_PAGES)
			len = MODEL_PAGES - start;
		switch (rand() % 4) {
		case 0:		/* mmap MAP_FIXED */
			MMAP(h, ts, 7, A(start), len, prot, MAP_FIXED_ANON);
			for (int p = start; p < start + len; p++)
				m.mapped[p] = true, m.prot[p] = prot;
			break;
		case 1:
			MPROTECT(h, ts, 7, A(start), len, prot);
			for (int p = start; p < start + len; p++)
				m.mapped[p] = true, m.prot[p] = prot;
			break;
		case 2:
			MUNMAP(h, ts, 7, A(start), len);
			for (int p = start; p < start + len; p++)
				m.mapped[p] = false;
			break;
		case 3: {	/* move [start, +len) to a free-or-not place, MREMAP_FIXED */
			int to = rand() % (MODEL_PAGES - len + 1);
			struct model before = m;

			if (to < start + len && start < to + len)
				break;	/* the kernel refuses overlapping ranges */
			MREMAP(h, ts, 7, A(to), A(start), len, len, 3, A(to));
			for (int p = 0; p < len; p++) {
				m.mapped[to + p] = before.mapped[start + p];
				/* a hole moved: mapped, but the capture never saw with what */
				m.prot[to + p] = before.mapped[start + p] ? before.prot[start + p] : -1;
				m.mapped[to + p] = true;
				m.mapped[start + p] = false;
			}
			break;
		}
		}
		snap[step] = m;
	}
	assert_int_equal(hist_finish(h), 0);
	for (int step = 0; step < STEPS; step++) {
		uint64_t ts = 100 + 10 * step;

		for (int p = 0; p < MODEL_PAGES; p++) {
			const struct hist_row *r = at(&rows, 7, A(p), ts);

			if (!snap[step].mapped[p]) {
				assert_null(r);
				continue;
			}
			assert_non_null(r);
			if (snap[step].prot[p] < 0)
				assert_false(r->state.known & VMA_PROT);
			else
				assert_int_equal(r->state.prot, snap[step].prot[p]);
		}
	}
	hist_free(h);
	free(rows.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_then_exec),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_mremap_over),
		cmocka_unit_test(test_failed_and_incomplete),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_brk),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
