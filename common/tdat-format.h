/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CMN_TDAT_FORMAT_H
#define MAPTRAIL_CMN_TDAT_FORMAT_H

/*
 * tdat-format: the trace.dat constants that maptrail's writer
 * (record/tdat-writer.c) and reader (analyze/trace-meta*.c) must agree on,
 * defined once.  The format is trace-cmd's: man 5 trace-cmd.dat.v6 and
 * trace-cmd.dat.v7.
 */

/* The first bytes of every trace.dat: "\027\010D" then "tracing". */
#define TDAT_MAGIC_BYTES	{ 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' }
#define TDAT_MAGIC_SIZE		10

/* Option ids, shared by v6 and v7 (trace-cmd.dat.v7(5), "OPTIONS SECTION"). */
enum tdat_option {
	TDAT_OPT_DONE		= 0,
	TDAT_OPT_DATE		= 1,
	TDAT_OPT_CPUSTAT	= 2,
	TDAT_OPT_BUFFER		= 3,
	TDAT_OPT_TRACECLOCK	= 4,
	TDAT_OPT_UNAME		= 5,
	TDAT_OPT_HOOK		= 6,
	TDAT_OPT_OFFSET		= 7,
	TDAT_OPT_CPUCOUNT	= 8,
	TDAT_OPT_VERSION	= 9,
	TDAT_OPT_PROCMAPS	= 10,
	TDAT_OPT_TRACEID	= 11,
	TDAT_OPT_TIME_SHIFT	= 12,
	TDAT_OPT_GUEST		= 13,
	TDAT_OPT_TSC2NSEC	= 14,
	TDAT_OPT_STRINGS	= 15,
	TDAT_OPT_HEADER_INFO	= 16,
	TDAT_OPT_FTRACE_EVENTS	= 17,
	TDAT_OPT_EVENT_FORMATS	= 18,
	TDAT_OPT_KALLSYMS	= 19,
	TDAT_OPT_PRINTK		= 20,
	TDAT_OPT_CMDLINES	= 21,
	TDAT_OPT_BUFFER_TEXT	= 22,
	TDAT_OPT_MAX,		/* trace-cmd's own end here */
	/*
	 * maptrail record's own.  Readers skip ids they do not know (trace-cmd 3.1
	 * does), so they sit far above trace-cmd's.
	 */
	TDAT_OPT_MAPTRAIL_PLAN	= 0x4d50,	/* the probe plan as text, for a person */
	/* the probe plan as rows, for programs (common/plan-rows.h, cmn_plan_encode()) */
	TDAT_OPT_MAPTRAIL_PLAN_ROWS = 0x4d53,
	/* a flight recorder's dump: "key=value" lines (record/flight.h, analyze/flight.h) */
	TDAT_OPT_MAPTRAIL_FLIGHT = 0x4d51,
	/*
	 * The trace clock against CLOCK_REALTIME (record/wallclock.h writes it,
	 * analyze/trace-meta-options.c reads it): "key=value" lines, every number in ns,
	 *	clock=mono			the instance's trace clock
	 *	start_ts=N			the trace clock at the first sample
	 *	start_realtime=N		CLOCK_REALTIME then (since 1970, UTC)
	 *	start_uncertainty=N		± of that pairing
	 *	end_ts= end_realtime= end_uncertainty=	the same at the end, when taken
	 * A reader ignores keys it does not know.
	 */
	TDAT_OPT_MAPTRAIL_WALLCLOCK = 0x4d52,
};

/* v7 sections */
#define TDAT_SEC_FL_COMPRESS	1
#define TDAT_SEC_HEADER_SIZE	16	/* id u16, flags u16, description u32, size u64 */

#endif
