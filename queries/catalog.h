/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_QRY_CATALOG_H
#define MAPTRAIL_QRY_CATALOG_H

/*
 * The canned queries: the files of queries/ (one question per file, name =
 * file name without .sql), compiled into the binary by tools/embed and parsed
 * once, on first use.
 *
 * A file starts with a header of "--" comment lines, "-- key: value"; a value
 * goes on over the following lines that start with "--" and then at least two
 * spaces (or a tab).  Keys: title, severity, kind, mitre, params, means, why;
 * others are ignored, and when a key comes twice the last one wins.  The
 * header ends at the first line that is not a "--" comment; the rest of the
 * file is the statement.
 */

struct qry_info {
	const char *name;	/* "wx-mapping" */
	const char *title, *severity, *kind, *mitre, *params, *means, *why; /* NULL when absent */
	const char *sql;	/* the statement: the file after its header */
	const char *text;	/* the whole file */
};

/* qry_catalog_count - how many queries are compiled in. */
int qry_catalog_count(void);

/*
 * qry_catalog_get - query @i (0 .. count-1), in name order; NULL out of range.
 * The catalog owns it: never freed by callers, valid until the program ends.
 */
const struct qry_info *qry_catalog_get(int i);

/* qry_catalog_find - the query named @name, NULL when there is no such query. */
const struct qry_info *qry_catalog_find(const char *name);

/*
 * qry_info_parse - parse @text (a query file named @name, with or without
 * ".sql") into @info.  Every string of @info is allocated (@info->text is a
 * copy of @text): release them with qry_info_clear().  Returns 0, or -ENOMEM
 * with @info cleared.  The catalog uses it; exposed for tests and for
 * callers that read a query file of their own.
 */
int qry_info_parse(const char *name, const char *text, struct qry_info *info);

/* qry_info_clear - free what qry_info_parse() allocated and zero @info; NULL is fine. */
void qry_info_clear(struct qry_info *info);

#endif
