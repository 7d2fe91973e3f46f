/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REC_MARKER_H
#define MAPTRAIL_REC_MARKER_H

/*
 * marker: the identity records the recorder writes into its instance's
 * trace_marker, so they travel in the ring buffer, time-ordered with the
 * calls, as ftrace:print events that trace-cmd report shows as text.
 *
 * One write() is one record, one line:
 *
 *	maptrail:<kind> v1<TAB>field<TAB>field...
 *
 * Inside a field, '\', TAB, LF and every byte < 0x20 or 0x7f are escaped as
 * "\\", "\t", "\n", "\xHH".  The kinds and their fields are the contract with
 * analyze (/work/wt/contract-13.md, README "Identity records").  A record is
 * kept under REC_MARKER_MAX bytes: a field that would not fit is cut and ends
 * in "\x00", which no path or name can hold, so a reader knows it was cut.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tracefs.h>

/* Under the kernel's trace_marker limit with room to spare (the contract says 3 KiB). */
#define REC_MARKER_MAX 3000

/* The record version every kind carries now. */
#define REC_MARKER_VERSION "v1"

struct rec_marker;

/* One record being built; lives on the stack. */
struct rec_line {
	char buf[REC_MARKER_MAX + 8];
	size_t len;
	bool cut;		/* a field was cut to fit */
};

/*
 * rec_marker_open - open @instance's trace_marker for writing.  Returns the
 * writer (rec_marker_free()), or NULL with errno set.
 */
struct rec_marker *rec_marker_open(struct tracefs_instance *instance);

/* rec_marker_free - close; accepts NULL, returns NULL. */
struct rec_marker *rec_marker_free(struct rec_marker *m);

/* rec_line_start - begin a record "maptrail:@kind v1". */
void rec_line_start(struct rec_line *l, const char *kind);

/* rec_line_str - add a field: @len bytes of @s (-1: up to its NUL), escaped. */
void rec_line_str(struct rec_line *l, const char *s, ptrdiff_t len);

/* rec_line_fmt - add a field formatted by printf (numbers: nothing to escape). */
void rec_line_fmt(struct rec_line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * rec_marker_send - write @l as one record.  0, or a negative errno (the
 * record is lost; rec_marker_failed() counts them).
 */
int rec_marker_send(struct rec_marker *m, const struct rec_line *l);

/* rec_marker_sent / rec_marker_failed - records written and records lost so far. */
uint64_t rec_marker_sent(const struct rec_marker *m);
uint64_t rec_marker_failed(const struct rec_marker *m);

/*
 * rec_marker_escape - @len bytes of @s escaped as a field, into @out (at
 * most @cap bytes, NUL-terminated).  Returns the escaped length, or -1 when it
 * did not fit (@out then holds what fitted, without a broken escape).
 */
ptrdiff_t rec_marker_escape(const char *s, size_t len, char *out, size_t cap);

#endif
