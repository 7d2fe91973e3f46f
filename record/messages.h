/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REC_MESSAGES_H
#define MAPTRAIL_REC_MESSAGES_H

/*
 * messages: how record's modules say what went wrong or what they did.  The
 * library never prints: a failure is one line handed up in *err, a notice
 * (a fallback, leftovers removed) goes to the caller's rec_notice_fn.
 */

/* rec_notice_fn - receives one notice line; the line must not be kept. */
typedef void (*rec_notice_fn)(void *arg, const char *msg);

/*
 * rec_fail - set *@err to the printf-style message unless one is set already
 * (the first failure is the one worth telling); returns -@e.
 */
int rec_fail(char **err, int e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* rec_notify - format one notice and hand it to @notice (which may be NULL). */
void rec_notify(rec_notice_fn notice, void *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
