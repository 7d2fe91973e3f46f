/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_TRACE_META_H
#define MAPTRAIL_TRACE_META_H

/*
 * trace-meta: what a trace.dat file says about itself, read straight from the
 * file per man 5 trace-cmd.dat.v6 / trace-cmd.dat.v7.
 *
 * libtracecmd's public API reads events but does not expose the file version,
 * compression, clock, uname or CPU statistics, and it crashes on damaged
 * files.  This module parses the headers and options itself, checks that every
 * section and every CPU's data lies inside the file, that every compressed
 * chunk's sizes are sane and that what tracecmd_open() decompresses (the
 * metadata sections, the first chunk of each CPU) decompresses, so a damaged
 * capture is refused with a reason before libtracecmd touches it, and returns
 * the facts that analyze stores in its `capture` and `buffer` tables.
 *
 * It never prints and never exits.
 */

#include <stdbool.h>
#include <stdint.h>

/*
 * A compressed chunk of CPU data claiming more than this uncompressed is
 * corrupt (trace-cmd writes chunks of ten pages or so); both readers refuse it.
 */
#define TRACE_META_MAX_CHUNK	(64u << 20)

/* Page sizes a kernel can have written: a power of two in this range. */
#define TRACE_META_MIN_PAGE	4096u
#define TRACE_META_MAX_PAGE	(1u << 30)

struct meta_cpu {
	int cpu;
	uint64_t offset;	/* of this CPU's ring-buffer pages in the file */
	uint64_t size;		/* bytes of pages (0: nothing recorded) */
};

struct meta_buffer {
	char *name;		/* "" for the top buffer */
	char *clock;		/* trace clock, NULL when the file does not say */
	int page_size;
	bool compressed;	/* v7: CPU data in compressed chunks (trace-cmd.dat.v7(5)) */
	int nr_cpus;
	struct meta_cpu *cpus;	/* nr_cpus entries */
};

struct meta_cmdline {
	int pid;
	char *comm;
};

/* One CPUSTAT option: the text of per_cpu/cpuN/stats as the recorder saw it. */
struct meta_cpustat {
	char *buffer;		/* "" for the top buffer, else the instance it belongs to */
	int cpu;		/* from the "CPU: N" line, -1 when absent */
	char *text;
	/* parsed from text; -1 when the line is absent */
	int64_t entries, overrun, commit_overrun, dropped_events, read_events;
};

struct trace_meta {
	int version;			/* 6 or 7 */
	bool big_endian;
	int long_size;			/* 4 or 8 */
	/*
	 * The ring-buffer page's commit field, 4 or 8: the kernel's long, which
	 * the header page describes and libtracecmd reads pages with (a 32-bit
	 * trace-cmd on a 64-bit kernel writes long_size 4 and 8 here).
	 */
	int page_long_size;
	int page_size;
	char *compression;		/* v7: algorithm name, NULL when "none" or v6 */
	char *compression_version;
	int nr_cpus;			/* CPUs of the top buffer */
	char *uname;			/* OPTION_UNAME text, NULL when absent */
	/*
	 * trace-cmd has no hostname or kernel option: its UNAME text is
	 * "sysname nodename release machine", these are its 2nd and 3rd words.
	 */
	char *kernel_version;		/* release from OPTION_UNAME, NULL when absent */
	char *hostname;			/* nodename from OPTION_UNAME, NULL when absent */
	char *tracecmd_version;		/* OPTION_VERSION: the trace-cmd that wrote the file */
	int cpu_count;			/* OPTION_CPUCOUNT: CPUs of the system, 0 when absent */
	char *clock;			/* clock of the top buffer (OPTION_TRACECLOCK or BUFFER) */
	char *data_kind;		/* "flyrecord" or "latency" */
	int64_t time_offset;		/* OPTION_OFFSET, and DATE in ns; 0 when absent */
	bool ts_is_utc;			/* DATE: time_offset makes ts CLOCK_REALTIME (ns since 1970) */
	char *recorder_plan;		/* maptrail record's plan (its private option), or NULL */
	char *recorder_plan_rows;	/* the same plan as rows (common/plan-rows.h), or NULL */
	char *recorder_flight;		/* a flight recorder's dump: its private option, or NULL */
	char *recorder_wallclock;	/* maptrail record's clock against UTC: its option, or NULL */
	bool time_sync;			/* TIME_SHIFT, TSC2NSEC or GUEST: timestamps need libtracecmd */
	int nr_buffers;			/* [0] is the top buffer, then instances in file order */
	struct meta_buffer *buffers;
	int nr_cpustats;
	struct meta_cpustat *cpustats;
	int nr_cmdlines;		/* the saved cmdlines section, parsed */
	struct meta_cmdline *cmdlines;
	uint64_t file_size;
};

/*
 * trace_meta_read - parse the headers and options of the trace.dat at @path.
 * On success returns 0 and sets *@meta (free with trace_meta_free()).
 * On failure returns a negative errno and sets *@reason to one short
 * human-readable line without the file name, e.g. "not a trace.dat file (bad magic)",
 * "truncated: CPU 1 data ends at byte 90112 of 65536", "empty file",
 * "is a directory", "Permission denied" (*@reason must be freed with free()).
 */
int trace_meta_read(const char *path, struct trace_meta **meta, char **reason);

/* trace_meta_free - free @meta and everything it owns; accepts NULL, returns NULL. */
struct trace_meta *trace_meta_free(struct trace_meta *meta);

/*
 * trace_meta_sha256 - hex SHA-256 of the file at @path into @hex (65 bytes).
 * Returns 0 or a negative errno.
 */
int trace_meta_sha256(const char *path, char hex[65]);

#endif
