/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REP_MODEL_H
#define MAPTRAIL_REP_MODEL_H

/*
 * The report's content, read from the database once (report.c) and then
 * rendered by the writers (report-text.c, report-md.c, report-html.c, with
 * report-svg.c for the pictures).  Internal to report/: the writers never
 * touch the database, so each rendering shows exactly the same numbers.
 *
 * Every string is owned by the model and freed by rep_model_free().  Strings
 * are as the database holds them: each writer escapes them for its format.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

#include "utc.h"

/* Bounds on what is shown: the rest is counted in a "... and K more" note. */
/*
 * Findings shown with their evidence, per group (one detection at one
 * severity): a bound per group, not overall, so that one detection's flood
 * never hides another's findings; each group counts the rest exactly.
 */
#define REP_MAX_PER_GROUP	20
#define REP_MAX_EVIDENCE	12	/* evidence rows per finding */
#define REP_MAX_PROCESSES	50	/* rows of the per-process table */
#define REP_MAX_CHARTS		12	/* processes drawn in "calls over time" */
#define REP_MAX_TIMELINES	6	/* processes drawn in "address-space timeline" */
#define REP_MAX_LANES		32	/* address ranges (lanes) per timeline */
#define REP_BINS		60	/* time bins of "calls over time" */
#define REP_SLOTS		760	/* time resolution of a timeline (its width in pixels) */
#define REP_MAX_CALLS		12	/* call types (tables) told apart */

struct rep_cpu {
	char *buffer;		/* "" for the top buffer */
	int cpu;
	int64_t events, lost, lost_unknown;
	bool has_stats;		/* the recorder's per_cpu stats were in the file */
	int64_t overrun, commit_overrun, dropped;
};

struct rep_unpaired {
	const char *call;	/* points into rep_model.calls */
	int64_t calls, no_exit, no_entry;
};

/*
 * What the report says where a section has nothing to show, decided by the
 * model (rep_model_load) and worded once (rep_statement): the writers only
 * render it, in their own register and style.
 */
enum rep_say {
	REP_SAY_NOTHING,	/* the section has content: nothing to say instead */
	REP_SAY_NOT_IN_DB,	/* the section's table is missing (an older database) */
	REP_SAY_NO_CALLS,	/* no memory-mapping call at all */
	REP_SAY_NO_FINDINGS,
	REP_SAY_NO_CHART,	/* no calls to draw */
	REP_SAY_NO_TIMELINES,	/* no process with findings to draw */
	REP_SAY_NOT_RECORDED,	/* no recorder's plan: not maptrail record's capture */
	REP_SAY_PLAN_PROSE,	/* the plan as an older recorder stored it: prose, no rows */
	REP_SAY_ALL_HOOKED,	/* the plan hooked every event */
	REP_SAY_ALL_PAIRED,	/* every call has its entry and its exit */
	REP_SAY_UNPAIRED,	/* what "no exit" and "no entry" mean */
};

enum rep_tone {
	REP_TONE_PLAIN,
	REP_TONE_OK,		/* good news */
	REP_TONE_MUTED,		/* an aside: nothing to see here */
};

struct rep_statement {
	const char *sentence;	/* "No process has findings." */
	const char *aside;	/* "(no process with findings)": the terse form, NULL: none */
	enum rep_tone tone;
};

/* rep_statement - the wording of @say; never NULL (REP_SAY_NOTHING: empty strings) */
const struct rep_statement *rep_statement(enum rep_say say);

/* Events of the recorder's plan that share something, in the plan's order: one line each. */
struct rep_event_group {
	char *what;		/* the backend ("NOT RECORDED" when not), or the reason */
	char *events;		/* "mremap, mmap" */
};

/* A flight recorder's dump (analyze's flight table). */
struct rep_flight {
	char *reason, *trigger, *event, *filter, *comm, *dumped_at;
	int64_t dump, keep, ts, tid, start, complete, end, events, overwritten;
	double after;
	bool has_trigger;	/* a trigger fired: ts, tid, comm, event, filter are its */
	bool has_window;	/* start, complete, end known */
};

struct rep_capture {
	int64_t id;
	struct rep_flight *flight;	/* NULL: not a flight recorder's dump */
	char *path, *sha256, *host, *uname, *clock, *compression, *analyzed_at, *version;
	int64_t size, file_version, cpus;
	int64_t first_ts, last_ts, events, lost, lost_unknown;
	bool has_span;		/* first_ts/last_ts known (the capture has events) */
	bool ns;		/* ts counts nanoseconds (the clock says so) */
	bool has_utc;		/* the capture has a wall clock: utc turns a ts into UTC */
	struct cmn_utc_clock utc;
	struct rep_cpu *cpu;
	int nr_cpu;
	struct rep_unpaired *unpaired;	/* one per call table */
	int nr_unpaired;
	char *plan;		/* the recorder's plan as text, NULL when absent */
	bool plan_rows;		/* it came as rows (capture_plan): the fields below are filled */
	char *plan_summary;	/* its first line */
	struct rep_event_group *plan_backends;	/* what recorded each event, one per backend */
	int nr_plan_backends;
	struct rep_event_group *not_hooked;	/* what could not be hooked, one per reason */
	int nr_not_hooked;
	enum rep_say plan_say;		/* REP_SAY_NOT_RECORDED without a plan */
	enum rep_say hooked_say;	/* REP_SAY_ALL_HOOKED when nothing is in not_hooked */
	enum rep_say paired_say;	/* REP_SAY_ALL_PAIRED, or REP_SAY_UNPAIRED to explain */
};

struct rep_evidence {
	char *call;
	int64_t call_id;
	bool found;		/* the call row exists */
	int64_t ts, tid;
	char *args;		/* "addr=0x7f.. len=4096 prot=PROT_READ|PROT_EXEC" */
	char *ret;		/* as decoded ("0x7f..", "0"), NULL: no exit */
	char *err;		/* errno name, NULL: success */
};

struct rep_finding {
	int64_t id, capture_id;
	char *detection, *title, *severity, *mitre, *comm, *summary;
	int rank;
	int64_t ts, pid, tid, addr, len;
	bool has_ts, has_pid, has_tid, has_addr, has_len;
	/* the process (NULL / has_ppid false: the capture does not tell) */
	char *exe, *cmdline;
	int64_t ppid;
	bool has_ppid;
	/* the calls grouped in this finding: ts is the first's entry, last_ts the last's */
	int64_t calls, last_ts;
	bool has_last_ts;
	/* the judgement: NULL lowered_by: severity is the detection's own */
	char *detection_severity, *lowered_by;
	int64_t group_total;	/* findings of its group (detection and severity), shown or not */
	struct rep_evidence *ev;
	int nr_ev;
	int64_t more_ev;	/* evidence rows not shown */
	const struct rep_capture *capture;	/* NULL when its capture row is missing */
	bool froze;		/* its evidence holds the call that froze a flight capture */
};

/*
 * A group: the findings of one detection at one severity, counted -- the
 * overview before the details.  A detection whose findings a known runtime
 * lowered in part makes two groups.
 */
struct rep_detection {
	char *detection, *title;
	int rank;		/* the group's severity */
	int64_t count, processes;
	int64_t calls;		/* calls behind its findings (findings.calls) */
	int64_t lowered;	/* of its findings, those a known runtime or baseline lowered */
	int64_t first_id;	/* its first finding (shown: every group shows some); 0 none */
};

struct rep_span {
	int64_t from, to;	/* [from, to), ts; to = the capture's end when still mapped */
	int prot;		/* PROT_* bits, -1 unknown */
	bool merged;		/* several states in one time slot: the most notable is shown */
};

struct rep_lane {
	int64_t start, end;	/* [start, end) */
	bool in_finding;	/* overlaps the range of one of the process's findings */
	struct rep_span *spans;
	int nr_spans, alloc_spans;
};

struct rep_process {
	int64_t capture_id, pid;
	const struct rep_capture *capture;
	char *comm;
	char *exe, *cmdline;		/* process_context; NULL: the capture does not tell */
	int64_t calls[REP_MAX_CALLS];	/* per rep_model.calls */
	int64_t total, failures, bytes_mapped, exec_bytes;
	int64_t first_ts, last_ts;
	int32_t bins[REP_BINS][REP_MAX_CALLS];
	int nr_findings, max_rank;	/* max_rank -1: no finding */
	/* the address-space timeline, when drawn */
	struct rep_lane *lanes;
	int nr_lanes;
	int64_t more_lanes;
	bool timeline;
};

struct rep_model {
	const char *db_name;
	char *version;		/* maptrail that wrote the report */
	char *calls[REP_MAX_CALLS];	/* call tables, in a fixed order (colours follow it) */
	int nr_calls;
	struct rep_capture *captures;
	int nr_captures;
	/* findings: NULL and has_findings false when the table is missing */
	bool has_findings;
	struct rep_finding *findings;
	int nr_findings;
	int64_t total_findings, by_rank[4];	/* all of them, shown or not */
	int64_t total_lowered;	/* of which a known runtime or a baseline lowered */
	struct rep_detection *detections;	/* groups, most severe first */
	int nr_detections;
	/* processes, most notable first: findings (by severity), then calls */
	bool has_calls;		/* memory_call existed */
	bool has_history;	/* vma_history existed */
	struct rep_process *procs;
	int nr_procs;
	int nr_timelines;	/* procs[0..] with timeline set, at most REP_MAX_TIMELINES */
	int64_t more_timelines;	/* processes with findings not drawn */
	int64_t total_calls, total_failures;
	char *notes[8];		/* sections skipped and why */
	int nr_notes;
	/* what each section says instead of its content, REP_SAY_NOTHING when it has some */
	enum rep_say findings_say, procs_say, chart_say, timelines_say;
};

/* report.c */
int rep_model_load(sqlite3 *db, struct rep_model *m, char **err);
void rep_model_free(struct rep_model *m);
int rep_call_index(const struct rep_model *m, const char *call);
/* rep_group_end - past the findings from @i on of the same detection and severity */
int rep_group_end(const struct rep_model *m, int i);
/* rep_same_process - @a and @b (may be NULL: false) are findings of one process */
bool rep_same_process(const struct rep_finding *a, const struct rep_finding *b);
/* rep_group_more - of the group that @f (its first shown finding) begins, those not shown */
int64_t rep_group_more(const struct rep_finding *f, int shown);

/* report-flight.c: a flight capture's row and its triggering call's findings */
int rep_flight_load(sqlite3 *db, struct rep_model *m, char **err);
void rep_flight_free(struct rep_flight *f);
/* rep_flight_text - one paragraph for people: trigger, call, window.  free(). */
char *rep_flight_text(const struct rep_capture *c);

/* report-fmt.c: text helpers shared by the writers; each returns @buf */
char *rep_fmt_dur(char *buf, size_t n, int64_t dt, bool ns);	/* "1.234 ms", "17 ticks" */
/* "2026-12-07T16:03:57.346766727Z" where the capture has a wall clock, else "+1.234 ms" */
char *rep_fmt_rel(char *buf, size_t n, const struct rep_capture *c, int64_t ts);
/* rep_capture_clocks - has_utc and utc of @m's captures from @db (common/utc.h); 0 or -1 (ENOMEM) */
int rep_capture_clocks(sqlite3 *db, struct rep_model *m);
char *rep_fmt_bytes(char *buf, size_t n, int64_t bytes);	/* "4 KiB", "1.5 MiB" */
char *rep_fmt_count(char *buf, size_t n, int64_t v);		/* "2,000,000" */
char *rep_fmt_hex(char *buf, size_t n, int64_t v);		/* "0x7ffa20df2000" */
/* a process as tables show it: "4242", or "2:4242" (capture 2) when the database has several */
char *rep_fmt_pid(char *buf, size_t n, const struct rep_model *m, const struct rep_process *p);
const char *rep_prot_name(int prot);		/* "R", "RW", "RX", "RWX", "---", "?" (-1) */
int rep_prot_class(int prot);			/* 0 unknown, 1 none, 2 R, 3 RW, 4 RX, 5 RWX */
const char *rep_prot_class_name(int cls);
const char *rep_severity_name(int rank);	/* 3 "high" ... 0 "info" */
int64_t rep_capture_end(const struct rep_capture *c);	/* last_ts, or first_ts + 1 */
int64_t rep_nice_step(int64_t span, int max_ticks);	/* 1, 2, 5 x 10^k */
char *rep_fmt_tick(char *buf, size_t n, int64_t t, int64_t step, int64_t span, bool ns); /* "1.5 ms" */
const char *rep_call_colour(int i);
const char *rep_prot_colour(int cls);

/* the writers */
int rep_write_text(const struct rep_model *m, FILE *out);
int rep_write_md(const struct rep_model *m, FILE *out);
int rep_write_html(const struct rep_model *m, FILE *out);

/* report-svg.c: the pictures, as inline <svg> elements */
void rep_svg_calls(const struct rep_model *m, const struct rep_process *p, FILE *out);
void rep_svg_calls_legend(const struct rep_model *m, FILE *out);
void rep_svg_timeline(const struct rep_model *m, const struct rep_process *p, FILE *out);
void rep_svg_prot_legend(FILE *out);
void rep_html_escape(FILE *out, const char *s);

/* report-text.c: the ASCII pictures (also in Markdown code blocks) */
void rep_ascii_calls(const struct rep_model *m, FILE *out, const char *indent);
void rep_ascii_timeline(const struct rep_model *m, const struct rep_process *p, FILE *out,
			const char *indent);

#endif
