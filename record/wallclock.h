/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REC_WALLCLOCK_H
#define MAPTRAIL_REC_WALLCLOCK_H

/*
 * wallclock: how the recording's trace clock relates to CLOCK_REALTIME, so
 * that analyze can put every call on the wall clock (UTC).
 *
 * The recorder's instance runs on a trace clock that has a twin a process can
 * read: REC_TRACE_CLOCK, "mono", is ktime_get_mono_fast_ns(), the kernel's
 * CLOCK_MONOTONIC (the same timekeeper, read without its lock).  Not "boot"
 * (CLOCK_BOOTTIME, which would also count a suspend): trace-cmd report
 * prints "boot" timestamps as raw numbers, "mono" ones in seconds as for the
 * default "local" (which no process can read).  A sample
 * reads CLOCK_REALTIME, the twin, CLOCK_REALTIME back to back, keeps the
 * tightest of a few tries, and says how tight it was: the offset is exact
 * within ±uncertainty (the two realtime reads' distance / 2).  Samples at the
 * start and at the end bound the drift between them (NTP slewing, a clock
 * set by hand); the file carries both in its TDAT_OPT_MAPTRAIL_WALLCLOCK
 * option (common/tdat-format.h says its form).
 */

#include <stdbool.h>
#include <stdint.h>

/* The trace clock the recorder sets in its instance: it has a twin, CLOCK_MONOTONIC. */
#define REC_TRACE_CLOCK "mono"

struct rec_wallclock_sample {
	int64_t trace_ns;	/* the trace clock (its twin) */
	int64_t realtime_ns;	/* CLOCK_REALTIME at the same moment: ns since 1970 UTC */
	int64_t uncertainty_ns;	/* ± of realtime_ns */
};

struct rec_wallclock {
	char clock[32];		/* the instance's trace clock, "" before rec_wallclock_start() */
	bool twin;		/* the clock has a twin: the samples mean something */
	struct rec_wallclock_sample start, end;
	bool has_start, has_end;
};

/*
 * rec_wallclock_start - note the instance's selected trace clock (the
 * bracketed word of trace_clock's text, "[mono] ..." or "mono") and take the
 * start sample when it has a twin.  Resets @wc.
 */
void rec_wallclock_start(struct rec_wallclock *wc, const char *trace_clock);

/* rec_wallclock_end - take the end sample (again: the latest one counts). */
void rec_wallclock_end(struct rec_wallclock *wc);

/*
 * rec_wallclock_option - the option's text (common/tdat-format.h), or NULL
 * when there is nothing to say (no twin, no sample) or on ENOMEM (errno set).
 * Must be freed with free().
 */
char *rec_wallclock_option(const struct rec_wallclock *wc);

#endif
