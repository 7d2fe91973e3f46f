/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REP_REPORT_H
#define MAPTRAIL_REP_REPORT_H

/*
 * report: what a maptrail database holds, as a person reads it.
 *
 * In this order: what was captured (and how completely), the findings by
 * severity with their evidence, per-process summaries, and pictures: calls
 * over time per process and the address-space timeline of the processes with
 * findings.  Three renderings of the same content: aligned plain text for a
 * terminal (100 columns), Markdown, and one self-contained HTML file (inline
 * CSS and SVG, no script, nothing fetched from anywhere).
 *
 * Sections whose tables an older database lacks (findings, vma_history,
 * memory_call) are replaced by a note, not an error.  What is drawn is
 * bounded (processes, lanes, findings): a capture of millions of events still
 * gives a small report quickly, with "... and K more" where something was cut.
 */

#include <stdio.h>
#include <sqlite3.h>

enum rep_format {
	REP_TEXT,
	REP_MARKDOWN,
	REP_HTML,
};

struct rep_options {
	enum rep_format format;
	const char *db_name;	/* how the database is named in the heading (e.g. its path) */
};

/*
 * rep_format_for_path - the format an output file name asks for: .html or .htm
 * is REP_HTML, .md REP_MARKDOWN (case does not matter); -1 for anything else.
 */
int rep_format_for_path(const char *path);

/*
 * rep_write - write the report of @db (opened by the caller, read only is enough)
 * to @out.  Returns 0, or -1 with *@err set to one line (free() it) when @db is
 * not a maptrail database or a query fails.  Nothing is written to @out before
 * the database has been read, so on a failure @out holds nothing.  Write errors
 * on @out are the caller's to check (ferror, fclose).
 */
int rep_write(sqlite3 *db, FILE *out, const struct rep_options *opt, char **err);

#endif
