/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_RECORD_H
#define MAPTRAIL_RECORD_H

/*
 * record: one recording from start to end -- plan, tracefs setup, the
 * command, the capture loop, the trace.dat, teardown.
 *
 * The output is written to an unnamed file in the output's directory and
 * linked into place only when complete, so no failure (SIGKILL included)
 * leaves a partial file at the output path.  Tracefs state is removed on
 * every exit path this process controls; a SIGKILLed recording's leftovers are
 * removed by the next one (rec_cleanup()).
 *
 * Nothing here prints: messages go to opts->notice, failures to *err.
 */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "plan.h"
#include "tracefs-setup.h"
#include "wallclock.h"
#include "watch.h"

/*
 * The flight recorder (--flight): the instance's ring buffer in overwrite
 * mode, read by nobody while armed; in-kernel triggers (flight.h) freeze it
 * at the suspicious call, and each freeze, SIGUSR1 (dump_requested) and the
 * end of the recording dump it as a complete trace.dat in the output
 * directory, named by UTC time and reason: maptrail-20261202T051200Z-wx.dat.
 */
struct rec_flight_options {
	const char *const *triggers;	/* names or "EVENT:FILTER", NULL-terminated; NULL: none */
	int keep;			/* at most this many dumps, then stop; 0: 1 */
	double after;			/* seconds recorded after a trigger before the dump */
};

struct rec_options {
	const char *output;		/* trace.dat path; with flight, the dumps' directory */
	bool force;			/* replace an existing output */
	const char *const *events;	/* schema events to record, NULL-terminated; NULL: all */
	enum rec_backend backend;
	const int *pids;		/* -p: processes to record, with their threads and children */
	int nr_pids;
	double duration;		/* seconds; 0: until the command ends or a signal */
	int buffer_kb;			/* ring buffer per CPU; 0: REC_DEFAULT_BUFFER_KB */
	char *const *command;		/* argv of the command to run and record, or NULL */
	bool no_identity;		/* no process snapshots, file lookups, tracers (watch.h) */
	/* Set to the signal number asynchronously (SIGINT, SIGTERM): stop cleanly. */
	volatile sig_atomic_t *interrupted;
	const struct rec_flight_options *flight;	/* NULL: an ordinary recording */
	volatile sig_atomic_t *dump_requested;	/* flight: set asynchronously (SIGUSR1) to dump now */
	rec_notice_fn notice;		/* the short plan, fallbacks, leftovers removed */
	void *notice_arg;
};

/*
 * Default ring buffer per CPU.  The readers are woken at the kernel's
 * buffer_percent (half full), so half of it must absorb a burst while a reader
 * waits for a CPU: 2 MB is ~40k mapping-call events, and bench/record.sh loses
 * none at a million calls a second with even the kernel's 1.4 MB.  Kernel
 * memory is this times the CPUs, hence not more.
 */
#define REC_DEFAULT_BUFFER_KB 4096

struct rec_cpu_summary {
	uint64_t events;		/* written to the file */
	uint64_t missed;		/* lost, as the data pages say */
	uint64_t missed_pages;		/* pages that lost an unknown number */
	/* per_cpu/cpuN/stats at the end; -1 when absent */
	long long overrun, commit_overrun, dropped;
};

struct rec_summary {
	int nr_cpus;
	struct rec_cpu_summary *cpus;
	long long kprobe_misses;	/* kprobe_profile misses of our probes */
	uint64_t file_size;
	double seconds;			/* tracing on to tracing off */
	double cpu_seconds;		/* the recorder's own CPU time (all its threads, user + system) */
	bool interrupted;		/* ended by a signal */
	int dumps;			/* flight: files written (each told through notice) */
	double armed_seconds;		/* flight: time armed, all dumps */
	double armed_cpu_seconds;	/* flight: the recorder's CPU time in that time */
	bool timed_out;			/* ended by --duration */
	pid_t command_pid;		/* 0: no command */
	bool command_done;		/* it was reaped */
	int command_status;		/* its wait status, when command_done */
	bool identity;			/* the watch ran: identity holds its counts */
	struct rec_watch_stats identity_stats;
	struct rec_wallclock wallclock;	/* the trace clock against UTC, as the (last) file has it */
};

/*
 * rec_run - record per @opts.  Returns 0 with *@sum filled (release with
 * rec_summary_release()), or a negative errno with *@err set to one line
 * (free()), everything undone and no file at the output path.
 */
int rec_run(const struct rec_options *opts, struct rec_summary *sum, char **err);

/* rec_summary_release - free what rec_run() put in @sum. */
void rec_summary_release(struct rec_summary *sum);

/* rec_summary_lost - events lost on all CPUs, by any count. */
uint64_t rec_summary_lost(const struct rec_summary *sum);

/*
 * rec_plan_describe - the full plan for @backend and @events (see
 * rec_plan_text()), without recording.  Returns 0 and sets *@text (free()),
 * or a negative errno and *@err.
 */
int rec_plan_describe(enum rec_backend backend, const char *const *events, char **text,
		      char **err);

/*
 * rec_flight_list - the named triggers of the schema, one "name description
 * (events)" line each.  Needs no root.  0 and *@text (free()), or a negative
 * errno and *@err.
 */
int rec_flight_list(char **text, char **err);

/*
 * rec_cleanup - remove what killed recordings left in tracefs; each removal
 * goes to @notice.  Returns how many things were removed, or a negative errno
 * with *@err set.
 */
int rec_cleanup(rec_notice_fn notice, void *arg, char **err);

#endif
