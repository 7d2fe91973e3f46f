/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REC_TDAT_WRITER_H
#define MAPTRAIL_REC_TDAT_WRITER_H

/*
 * tdat-writer: a trace.dat version 6 file, as man 5 trace-cmd.dat.v6
 * describes it, from the running kernel's tracefs and the per-CPU pages
 * record captured.  libtracecmd has no public writer, hence this one.
 *
 * Layout: magic, "6", endianness, long size, page size; header_page and
 * header_event; the ftrace formats; the formats of the recorded systems;
 * kallsyms; printk formats; saved cmdlines; CPU count; options (TRACECLOCK,
 * UNAME, one CPUSTAT per CPU, CPUCOUNT, maptrail's plan, flight and
 * wallclock); "flyrecord" with each CPU's offset and size, the trace clock,
 * and the pages of each CPU at page-aligned offsets.
 */

#include <stdbool.h>
#include <stdint.h>

struct rec_tdat_cpu {
	int fd;			/* this CPU's ring-buffer pages, read from offset 0 */
	uint64_t size;		/* bytes, a multiple of the page size */
	const char *stats;	/* text of per_cpu/cpuN/stats at the end, or NULL */
};

struct rec_tdat {
	const char *tracing_dir;	/* formats, kallsyms, printk formats, cmdlines from here */
	const char *const *systems;	/* event systems whose formats go in; NULL-terminated */
	const char *trace_clock;	/* text of the instance's trace_clock ("[local] global ...") */
	int page_size;			/* ring-buffer sub-buffer size */
	int nr_cpus;
	const struct rec_tdat_cpu *cpus;
	const char *plan;		/* the recorder's probe plan, as text, or NULL */
	const char *plan_rows;		/* the same plan as rows (cmn_plan_encode()), or NULL */
	const char *flight;		/* a flight recorder's dump: what and when (flight.h), or NULL */
	const char *wallclock;		/* the trace clock against UTC (wallclock.h), or NULL */
	/* rec_tdat_prelude()'s bytes, written in place of reading them again, or NULL */
	const void *prelude;
	size_t prelude_len;
};

/* What the pages of one CPU hold, counted while they are copied. */
struct rec_tdat_count {
	uint64_t events;
	uint64_t missed;	/* events the pages say the ring buffer lost */
	uint64_t missed_pages;	/* pages that lost an unknown number of events */
};

/*
 * rec_tdat_prelude - the part of the file that does not depend on the
 * recording's data (the headers, the formats, kallsyms, printk formats), read
 * from tracefs and /proc now, for rec_tdat_write() to copy later.  The flight
 * recorder renders it when it arms, so that a dump writes in a few ms what
 * would take hundreds (some 700 syscall formats) to read.  Returns 0 and
 * *@data (free()) and *@len, or a negative errno with *@err.
 */
int rec_tdat_prelude(const struct rec_tdat *in, void **data, size_t *len, char **err);

/*
 * rec_tdat_write - write the file to @fd (at its current offset 0, a new
 * regular file).  Fills @counts (in->nr_cpus entries) and *@size.  Returns 0
 * or a negative errno with *@err set to one line (free()); ENOSPC means the
 * disk filled up.
 */
int rec_tdat_write(int fd, const struct rec_tdat *in, struct rec_tdat_count *counts,
		   uint64_t *size, char **err);

#endif
