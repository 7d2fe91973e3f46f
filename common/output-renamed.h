/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CMN_OUTPUT_RENAMED_H
#define MAPTRAIL_CMN_OUTPUT_RENAMED_H

/*
 * output-renamed: a file built under a temporary name and renamed into place.
 *
 * The file is built in a named temporary beside the output,
 * ".NAME.maptrail-XXXXXX" (same directory, so publishing it is one atomic
 * rename); with --append the existing file is copied there first.  Until cmn_out_renamed_publish() the output path is
 * exactly as the user left it.  For writers that need a path to open
 * (SQLite: analyze's database) or start from a copy; the report's file
 * follows the same rules.
 *
 * Its sibling output-linked.h writes an unnamed O_TMPFILE and links it at the
 * end, so that even a SIGKILL leaves no temporary name behind (record/).
 */

#include <stdbool.h>
#include <sys/stat.h>

struct cmn_out_renamed {
	const char *path;	/* where the file goes (not owned) */
	char *tmp;		/* where it is being written (owned) */
	int lock_fd;		/* tmp, locked (flock) while it lives: the run that owns it */
	/*
	 * One line for the user, or NULL: the temporaries of runs that were
	 * killed, which prepare removed (owned; freed by discard).
	 */
	char *note;
};

/* What a command allows its output to be. */
struct cmn_out_rules {
	bool append;		/* add to an existing file: work on a copy of it */
	bool force;		/* replace an existing file */
	bool can_append;	/* the command has --append (its refusal says so) */
	const char *input;	/* what the input is called: "capture", "database" */
};

/*
 * cmn_out_renamed_prepare - check @path (nothing but a regular file or a
 * symbolic link may stand there: output-check.h; not the @input file itself;
 * not an existing file unless appending or forced) and create out->tmp, a
 * copy of @path when appending.  Temporaries of killed runs for the same
 * path, whose owner's lock is gone, are removed first (out->note says so).
 * Returns 0, or -1 with *@reason set (free()); call
 * cmn_out_renamed_discard() in both cases.
 */
int cmn_out_renamed_prepare(struct cmn_out_renamed *out, const char *path,
			    const struct cmn_out_rules *rules, const struct stat *input,
			    char **reason);

/* cmn_out_renamed_publish - rename the finished file into place.  0, or -1 with *@reason. */
int cmn_out_renamed_publish(struct cmn_out_renamed *out, char **reason);

/* cmn_out_renamed_discard - remove the temporary file, if any, and free; safe after a publish. */
void cmn_out_renamed_discard(struct cmn_out_renamed *out);

#endif
