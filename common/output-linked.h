/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CMN_OUTPUT_LINKED_H
#define MAPTRAIL_CMN_OUTPUT_LINKED_H

/*
 * output-linked: a file that has no name until it is complete.  It is
 * written as an O_TMPFILE in the output's directory and linked at its path
 * (linkat) only at the end, so a crash or SIGKILL leaves nothing behind, not
 * even a temporary name.  Where the filesystem has no O_TMPFILE, a hidden
 * named temporary beside the output stands in.  Used for captures, which
 * are written by one process and never reopened (record/).
 *
 * Its sibling output-renamed.h builds under a visible temporary name that is
 * renamed into place: that one can start from a copy of the existing file
 * (--append) and be reopened by name (SQLite needs a path).
 */

#include <stdbool.h>

struct cmn_out_linked {
	const char *path;	/* where the file goes (not owned) */
	char *dir;		/* its directory (owned) */
	char *named;		/* a named temporary, when O_TMPFILE is unsupported (owned) */
	int fd;			/* write here; -1 when not open */
};

/*
 * cmn_out_linked_open - check @path (nothing but a regular file or a
 * symbolic link may stand there: output-check.h; not an existing one unless
 * @force) and open the unnamed file in its directory.  Returns 0, or a
 * negative errno with *@err set (free()).  Call cmn_out_linked_close() in
 * both cases.
 */
int cmn_out_linked_open(struct cmn_out_linked *o, const char *path, bool force, char **err);

/*
 * cmn_out_linked_publish - fsync and link the complete file at its path:
 * refused if a file appeared there meanwhile, unless @force (then it is
 * replaced, atomically).  Returns 0 or a negative errno with *@err set.
 */
int cmn_out_linked_publish(struct cmn_out_linked *o, bool force, char **err);

/* cmn_out_linked_close - close and free; removes the named temporary unless @published. */
void cmn_out_linked_close(struct cmn_out_linked *o, bool published);

#endif
