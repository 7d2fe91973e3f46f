// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "error-line.h"

int cmn_vfail(char **err, const char *fmt, va_list ap)
{
	if (*err)
		return -1;
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	return -1;
}

int cmn_fail(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmn_vfail(err, fmt, ap);
	va_end(ap);
	return -1;
}

int cmn_fail_path(char **err, const char *path, const char *fmt, ...)
{
	char *what = NULL;
	va_list ap;

	if (*err)
		return -1;
	va_start(ap, fmt);
	cmn_vfail(&what, fmt, ap);
	va_end(ap);
	cmn_fail(err, "%s: %s", path, what ? what : "out of memory");
	free(what);
	return -1;
}
