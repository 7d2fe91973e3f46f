/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CMN_UTC_H
#define MAPTRAIL_CMN_UTC_H

/*
 * utc: a capture's timestamps on the wall clock, the one C form of the
 * capture table's utc_* columns (analyze/layout.sql, whose views finding_utc
 * and memory_call_utc say the same in SQL):
 *
 *	UTC ns since 1970 = ts + utc_offset + (long long)((ts - utc_offset_ts) * utc_drift)
 *
 * and the text forms of a time a person gives or reads: ISO 8601 in UTC
 * with nanoseconds ("2026-12-07T16:03:52.101512244Z"), trace-cmd's seconds
 * ("658.582899"), and plain nanoseconds.  Pure functions, plus the loader of
 * a database's clocks; nothing here prints.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sqlite3.h>

/* One capture's clock: its row of capture, when utc_offset is not NULL. */
struct cmn_utc_clock {
	int64_t capture_id;
	int64_t offset, offset_ts;
	double drift;
};

/* The clocks of a database's captures (those that have one). */
struct cmn_utc {
	int nr;
	struct cmn_utc_clock *clocks;
	int nr_captures;		/* with a clock or not */
};

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (31) and its NUL, with room the compiler can see */
#define CMN_UTC_TEXT_SIZE 64

/*
 * cmn_utc_load - the clocks of @db's captures into *@u (release with
 * cmn_utc_release()).  A database without the columns (an older layout) has
 * none.  Returns 0, or -1 on ENOMEM.
 */
int cmn_utc_load(sqlite3 *db, struct cmn_utc *u);

/* cmn_utc_release - free what cmn_utc_load() allocated; accepts a zeroed @u. */
void cmn_utc_release(struct cmn_utc *u);

/*
 * cmn_utc_clock_of - the clock of capture @capture_id (< 0: the row does not
 * say), or NULL.  Without a capture id the one clock of a database whose
 * every capture shares it is the answer; several differing clocks are none.
 */
const struct cmn_utc_clock *cmn_utc_clock_of(const struct cmn_utc *u, int64_t capture_id);

/* cmn_utc_of_ts - @ts of the capture of @c on the wall clock: ns since 1970. */
int64_t cmn_utc_of_ts(const struct cmn_utc_clock *c, int64_t ts);

/* cmn_utc_to_ts - the inverse: the ts of @c at @utc_ns. */
int64_t cmn_utc_to_ts(const struct cmn_utc_clock *c, int64_t utc_ns);

/* cmn_utc_text - @utc_ns as ISO 8601 UTC with nanoseconds into @buf. */
void cmn_utc_text(int64_t utc_ns, char buf[CMN_UTC_TEXT_SIZE]);

/* What a time a person typed is. */
enum cmn_time_kind {
	CMN_TIME_NS,		/* "658582899000": nanoseconds of the trace clock (a ts) */
	CMN_TIME_SECONDS,	/* "658.582899": trace-cmd's seconds of the trace clock */
	CMN_TIME_UTC,		/* "2026-12-07T16:03:52.1015Z": a wall-clock time */
};

/*
 * cmn_time_parse - @s as one of the three forms: *@kind, and *@ns (a ts for
 * NS and SECONDS, ns since 1970 for UTC).  ISO 8601: a date, 'T' or a space,
 * hh:mm[:ss[.fraction]], then 'Z', '+hh:mm', '-hh:mm' or nothing (UTC).
 * Returns 0, or -1 when @s is none of them (or out of range).
 */
int cmn_time_parse(const char *s, enum cmn_time_kind *kind, int64_t *ns);

#endif
