// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "messages.h"
#include "error-line.h"

int rec_fail(char **err, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmn_vfail(err, fmt, ap);
	va_end(ap);
	return -e;
}

void rec_notify(rec_notice_fn notice, void *arg, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	if (!notice)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg)
		notice(arg, msg);
	free(msg);
}
