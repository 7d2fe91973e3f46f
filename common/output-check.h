/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CMN_OUTPUT_CHECK_H
#define MAPTRAIL_CMN_OUTPUT_CHECK_H

/*
 * output-check: what maptrail may find at an output path, for both ways of
 * writing one (output-renamed.h, output-linked.h).  Only a regular file may
 * be replaced (with --force), or a symbolic link, which is replaced itself
 * and never followed.  A directory, a device (/dev/null), a FIFO or a socket
 * is never replaced, whatever the options: renaming a file over /dev/null
 * would turn the machine's /dev/null into that file.
 */

#include <stdbool.h>
#include <sys/stat.h>

/*
 * cmn_out_existing - look at @path: 0 when nothing is there, 1 when a file
 * that may be replaced is (*@st: what it points to when it is a symbolic link
 * to a regular file, else its own lstat()), -1 with *@reason (free()) for
 * anything else, or a symbolic link to a directory.
 */
int cmn_out_existing(const char *path, struct stat *st, char **reason);

#endif
