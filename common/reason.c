// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "reason.h"

int reason_set(char **reason, const char *path, const char *fmt, ...)
{
	char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	if (asprintf(reason, "%s: %s", path, what ? what : "out of memory") < 0)
		*reason = NULL;
	free(what);
	return -1;
}
