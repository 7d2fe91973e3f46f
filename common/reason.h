/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REASON_H
#define MAPTRAIL_REASON_H

/*
 * reason_set - the one line a failure is told in: "PATH: what", printf-style.
 * Sets *@reason (free() it; NULL if even that allocation failed) and returns -1,
 * so a caller can `return reason_set(...)`.
 */
int reason_set(char **reason, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
