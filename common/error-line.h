/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CMN_ERROR_LINE_H
#define MAPTRAIL_CMN_ERROR_LINE_H

/*
 * error-line: how every library tells a failure.  Libraries never print: they
 * hand one line up in a char * the caller owns (free() it), and only cli/
 * prints it.  The first failure is the cause, so a line already set is kept:
 * later failures while unwinding do not replace it.  When even the line
 * cannot be allocated it stays NULL; callers then say "out of memory".
 *
 *	char *err = NULL;
 *	if (parse(..., &err) < 0)	// parse: return cmn_fail(err, "bad %s", what);
 *		cli_error("%s", err ? err : "out of memory");
 *	free(err);
 */

#include <stdarg.h>

/* cmn_fail - set *@err to the printf-style line unless one is set; returns -1. */
int cmn_fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cmn_vfail - cmn_fail() with a va_list, for helpers of a module's own; returns -1. */
int cmn_vfail(char **err, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* cmn_fail_path - the line about a file: "PATH: what", printf-style; returns -1. */
int cmn_fail_path(char **err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
