/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_ANALYZE_H
#define MAPTRAIL_ANALYZE_H

/*
 * analyze: one trace.dat into one SQLite database.
 *
 * The database is written under a temporary name next to the output and
 * renamed into place only when complete, so a failed or interrupted run leaves
 * the output path as it was.  With --append the existing database is copied to
 * the temporary first, so it too is untouched until the new one is whole.
 */

#include <stdbool.h>
#include <stdint.h>

/*
 * A detection: a question whose rows become findings.  They are queries
 * (queries/<name>.sql, kind: detection) and maptrail query runs them too, so
 * queries/ holds them and the caller passes them in.  Each returns the
 * columns capture_id, severity, ts, pid, tid, comm, addr, len, summary,
 * evidence (README "maptrail query").
 */
struct analyze_detection {
	const char *name;	/* "wx-mapping": findings.detection */
	const char *title;	/* NULL: the name */
	const char *mitre;	/* NULL: none */
	const char *sql;
};

struct analyze_options {
	const char *input;
	const char *output;
	bool append;		/* add a capture to an existing maptrail database */
	bool force;		/* replace an existing output */
	bool again;		/* --append a capture whose sha256 the database already holds */
	const char *const *schema_files;	/* extra schema files (SQL rows), NULL-terminated, or NULL */
	const struct analyze_detection *detections;	/* run after the load, in this order */
	int nr_detections;
	/* --baseline files: severity rules of the analyst's (finding-context.h), NULL-terminated */
	const char *const *baselines;
	/*
	 * Called now and then while loading, and once with @done at the end; may
	 * be NULL.  @percent: of the event pages read, -1 when not known (the
	 * files libtracecmd reads).
	 */
	void (*progress)(void *arg, uint64_t events, int percent, bool done);
	void *progress_arg;
	/* Called as each phase after the load begins ("indexing", ...); may be NULL. */
	void (*phase)(void *arg, const char *what);
	/* A line to tell now (a killed run's temporary files removed); may be NULL. */
	void (*notice)(void *arg, const char *line);
};

struct analyze_loss {
	char *buffer;		/* "" for the top buffer */
	int cpu;
	int64_t lost;		/* events reported lost */
	int64_t unknown;	/* pages that lost an unknown number of events */
};

struct analyze_summary {
	int64_t capture_id;
	uint64_t events;
	uint64_t calls;		/* rows of the call tables */
	int event_tables;
	uint64_t history_rows;	/* vma_history rows of this capture */
	int64_t findings;	/* rows of findings, all captures of the database */
	int64_t high_findings;	/* of which high severity (after lowering) */
	int64_t findings_by_rank[4];	/* of which info, low, medium, high (after lowering) */
	int64_t lowered;	/* of which a known runtime or a baseline lowered */
	/*
	 * Wall seconds of each phase: opening (formats, schema), loading, indexing,
	 * detections (the mapped files, the findings and their context), closing
	 * (the capture's totals, the database closed and renamed into place).
	 */
	double open_s, load_s, index_s, findings_s, close_s;
	/* Wall seconds of each of opts->detections, in its order; NULL when none ran. */
	double *detection_s;
	int nr_losses;		/* CPUs that lost events */
	struct analyze_loss *losses;
};

/*
 * analyze_run - analyze opts->input into opts->output.
 * Returns 0 and fills *@summary (release with analyze_summary_release()), or
 * a negative value and sets *@reason to one line naming the file at fault,
 * e.g. "capture.dat: truncated: CPU 1 data ends at byte 9 of 8" (free()).
 * A stop asked for with cmn_stop_request() (common/stop.h, from a SIGINT
 * handler) ends it within a fraction of a second, whatever the phase: -1,
 * "CAPTURE: interrupted", and nothing left beside the output.
 */
int analyze_run(const struct analyze_options *opts, struct analyze_summary *summary,
		char **reason);

/* analyze_summary_release - free what analyze_run() put in @summary. */
void analyze_summary_release(struct analyze_summary *summary);

/* analyze_default_output - CAPTURE.dat -> CAPTURE.db (free()); NULL on ENOMEM. */
char *analyze_default_output(const char *input);

#endif
