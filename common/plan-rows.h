/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CMN_PLAN_ROWS_H
#define MAPTRAIL_CMN_PLAN_ROWS_H

/*
 * plan-rows: maptrail record's probe plan as rows -- what it decided for each
 * event, each documented hook and each source on the recording kernel, used
 * or not and why -- defined once for all who handle it: record/plan.c makes
 * the rows, the trace.dat writer stores them (TDAT_OPT_MAPTRAIL_PLAN_ROWS, in
 * cmn_plan_encode()'s form), analyze loads them into the table capture_plan
 * (its columns are cmn_plan_col_names, in this order) and the report reads
 * that table.  The prose a person reads (maptrail record --plan, the option
 * TDAT_OPT_MAPTRAIL_PLAN, capture.recorder_plan) is printed from the rows by
 * cmn_plan_text(): no module reads the prose back.
 *
 * A plan's rows, in the order the prose tells them: one "plan" row (the
 * kernel and the backend asked for), then per event its "event" row, its
 * "hook" rows and its "source" rows, then one "context" row per event recorded
 * beside the calls.  Every value is text (NULL: none); used and available
 * are "1" or "0".
 */

#include <stdbool.h>

enum cmn_plan_col {
	CMN_PLAN_KIND,		/* "plan", "event", "hook", "source", "context" */
	CMN_PLAN_EVENT,		/* event, hook, source: the schema event ("mremap") */
	CMN_PLAN_BACKEND,	/* plan: asked for ("auto"); event: chosen, NULL: not recorded;
				 * source: its own ("kprobe", "tracepoint") */
	CMN_PLAN_USED,		/* event: recorded; source, context: enabled */
	CMN_PLAN_AVAILABLE,	/* source: the kernel offers it; plan: it has kprobe_events */
	CMN_PLAN_REASON,	/* event: why recorded otherwise than asked, or not at all;
				 * source: why not used */
	CMN_PLAN_ARCH,		/* plan: the kernel's machine; source: the schema's ("any", "x86_64") */
	CMN_PLAN_ABI,		/* source: "native", "i386" */
	CMN_PLAN_RELEASE,	/* plan: the kernel release */
	CMN_PLAN_HOOK,		/* hook: the function the specification documents */
	CMN_PLAN_HOOK_KIND,	/* hook: "kprobe+kretprobe" */
	CMN_PLAN_STATUS,	/* hook: what it is on Linux ("renamed", "never existed") */
	CMN_PLAN_SYMBOL,	/* hook: the function that stands for it; kprobe source: the one probed */
	CMN_PLAN_FOUND,		/* of symbol: "available_filter_functions", "kallsyms", NULL: neither */
	CMN_PLAN_ENTER,		/* source: the entry event ("syscalls:sys_enter_mremap");
				 * context: the event ("sched:sched_process_fork") */
	CMN_PLAN_EXIT,		/* source: the exit event ("maptrail:mremap_x64_ret") */
	CMN_PLAN_FIELDS,	/* source: the entry's fields, blank-separated */
	CMN_PLAN_RET,		/* source: the exit's return field */
	CMN_PLAN_PROBES,	/* kprobe source: its kprobe_events lines, entry then return, LF between */
	CMN_PLAN_NR_COLS
};

/* The columns' names, as capture_plan (analyze/layout.sql) and the option's header name them. */
extern const char *const cmn_plan_col_names[CMN_PLAN_NR_COLS];

struct cmn_plan_row {
	char *col[CMN_PLAN_NR_COLS];	/* owned; NULL: no value (never "") */
};

/*
 * struct cmn_plan - rows built one at a time: cmn_plan_add() a row, then
 * cmn_plan_put() its values.  A failed allocation is remembered, not
 * returned, so a producer checks once at the end:
 *
 *	struct cmn_plan *p = cmn_plan_alloc();
 *	cmn_plan_add(p, "event");
 *	cmn_plan_put(p, CMN_PLAN_EVENT, "mremap");
 *	cmn_plan_putf(p, CMN_PLAN_USED, "%d", recorded);
 *	if (!cmn_plan_ok(p))
 *		p = cmn_plan_free(p);	(out of memory)
 */
struct cmn_plan {
	int nr;
	struct cmn_plan_row *rows;
	int cap;
	bool nomem;
};

/* cmn_plan_alloc - no rows yet; NULL when out of memory.  Free with cmn_plan_free(). */
struct cmn_plan *cmn_plan_alloc(void);

/* cmn_plan_free - accepts NULL, returns NULL. */
struct cmn_plan *cmn_plan_free(struct cmn_plan *p);

/* cmn_plan_ok - @p exists and every add and put since cmn_plan_alloc() succeeded. */
bool cmn_plan_ok(const struct cmn_plan *p);

/* cmn_plan_add - a new last row of kind @kind. */
void cmn_plan_add(struct cmn_plan *p, const char *kind);

/* cmn_plan_put - column @col of the last row: a copy of @value (NULL or "": none). */
void cmn_plan_put(struct cmn_plan *p, enum cmn_plan_col col, const char *value);

/* cmn_plan_putf - cmn_plan_put() of a printf-formatted value. */
void cmn_plan_putf(struct cmn_plan *p, enum cmn_plan_col col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* cmn_plan_is - row @r's column @col is @value ("1" for a true flag). */
bool cmn_plan_is(const struct cmn_plan_row *r, enum cmn_plan_col col, const char *value);

/*
 * cmn_plan_encode - @p as the option's text: a first line of the column
 * names, then a line per row, TAB between values, an empty value for NULL,
 * and "\\", "\t", "\n" for a backslash, TAB and LF inside one.  A reader
 * takes the columns by name and skips the ones it does not know, so a newer
 * recorder may add some.  Returns a string to free(), NULL when out of memory.
 */
char *cmn_plan_encode(const struct cmn_plan *p);

/*
 * cmn_plan_decode - the rows of cmn_plan_encode()'s @text.  Returns 0 and
 * *@out (free with cmn_plan_free()), or -1 and *@err (one line, free()): a
 * header without "kind", a row with another number of values than the
 * header, a row without a kind, out of memory.
 */
int cmn_plan_decode(const char *text, struct cmn_plan **out, char **err);

/*
 * cmn_plan_summary - the plan in a line: "Linux 6.1.0 x86_64, backend auto,
 * kprobes available; 7 of 8 events recorded".  free(); NULL when out of
 * memory.
 */
char *cmn_plan_summary(const struct cmn_plan *p);

/*
 * cmn_plan_text - the plan as text for people, "plan: " and the summary
 * first: with @full, every hook, source and reason (maptrail record --plan);
 * without, one line per event and each reason once.  free(); NULL when out of
 * memory.
 */
char *cmn_plan_text(const struct cmn_plan *p, bool full);

#endif
