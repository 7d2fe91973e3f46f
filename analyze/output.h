/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_OUTPUT_H
#define MAPTRAIL_OUTPUT_H

/*
 * output: the database file, written where a failure cannot hurt.
 *
 * The database is built in a temporary file beside the output (same
 * directory, so publishing it is one atomic rename); with --append the
 * existing database is copied there first.  Until output_publish() the
 * output path is exactly as the user left it.
 */

#include <stdbool.h>
#include <sys/stat.h>

struct output {
	const char *path;	/* where the database goes (not owned) */
	char *tmp;		/* where it is being written (owned) */
};

/*
 * output_prepare - check @path (not a directory, not the capture @input, not
 * an existing file unless @append or @force) and create out->tmp, a copy of
 * @path when appending.  Returns 0, or -1 with *@reason set (free()).
 */
int output_prepare(struct output *out, const char *path, bool append, bool force,
		   const struct stat *input, char **reason);

/* output_publish - rename the finished database into place.  Returns 0 or -1 with *@reason. */
int output_publish(struct output *out, char **reason);

/* output_discard - remove the temporary file, if any; safe to call after a publish. */
void output_discard(struct output *out);

#endif
