/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REC_WATCH_H
#define MAPTRAIL_REC_WATCH_H

/*
 * watch: the recorder's own eyes on the running system, for the identity
 * records (snapshot.h).
 *
 * The capture splices whole ring-buffer pages into files without looking at
 * them, and does so only when a CPU's buffer is half full: far too late to
 * read a process's /proc before it exits.  So the recorder watches a second,
 * small instance of its own, "maptrail-<pid>-watch", that holds only the few
 * events it must act on promptly:
 *
 *	task:task_newtask          a new process (snapshot) or thread (thread record)
 *	sched:sched_process_exec   a followed process exec'd (snapshot)
 *	syscalls:sys_enter_mmap    filtered in the kernel to mmaps of a descriptor
 *	syscalls:sys_exit_mmap     the address such an mmap returned (file lookup)
 *	syscalls:sys_enter_ptrace, sys_enter_process_vm_writev   (-p only) who
 *	                           targets a recorded process
 *
 * A resolver thread reads it every few milliseconds (non-blocking reads of
 * trace_pipe_raw, parsed with kbuffer and libtraceevent), and writes what it
 * finds into the recording's trace_marker.  Nothing of the watch instance goes
 * into the trace.dat: the calls are there already, from the main instance.
 *
 * With -p, set_event_pid keeps every event of other processes out of the main
 * instance, per-event filters included (the kernel checks the pid list first),
 * so a tracer's calls cannot be let in by a filter on their target argument.
 * The watch instance has no pid list: when it sees ptrace or process_vm_writev
 * aimed at a followed process by one that is not, it writes a maptrail:tracer
 * record of that call, snapshots the tracer (reason "tracer") and adds its
 * threads to the main instance's set_event_pid, so its next calls are recorded.
 */

#include <stdbool.h>
#include <stdint.h>

#include <tracefs.h>

#include "marker.h"
#include "messages.h"

struct rec_watch_options {
	struct rec_marker *marker;		/* where records go */
	struct tracefs_instance *main;		/* the recording's instance (its pid lists) */
	const char *name;			/* the main instance's name; the watch adds REC_WATCH_SUFFIX */
	/* -p and -- COMMAND: the threads followed at the start; NULL: the whole system */
	const int *pids;
	int nr_pids;
	/* processes to snapshot at the start with reason "attach" (-p); ignored system-wide */
	const int *attach;
	int nr_attach;
	bool follow_tracers;			/* -p: tracers join the recording */
	rec_notice_fn notice;
	void *notice_arg;
};

struct rec_watch_stats {
	uint64_t events;		/* watch events read */
	uint64_t lost;			/* watch events the kernel dropped (lookups not made) */
	uint64_t snapshots;		/* process snapshots taken */
	uint64_t files;			/* maptrail:file records */
	uint64_t tracers;		/* processes that joined as tracers */
	uint64_t records;		/* identity records written */
	uint64_t records_lost;		/* identity records the marker refused */
};

struct rec_watch;

/*
 * rec_watch_create - make the watch instance (tracing on, so that it sees
 * everything from before the recording's own start).  Returns 0 and sets
 * *@out (rec_watch_free()), or a negative errno and *@err, everything undone.
 */
int rec_watch_create(const struct rec_watch_options *o, struct rec_watch **out, char **err);

/*
 * rec_watch_start - start the resolver: the start snapshots, then the events.
 * Call once the recording's tracing is on (trace_marker drops writes while it
 * is off).  0 or a negative errno with *@err set.
 */
int rec_watch_start(struct rec_watch *w, char **err);

/*
 * rec_watch_stop - read what the watch instance still holds, act on it, and
 * stop the resolver.  Call before the recording's tracing goes off.
 */
void rec_watch_stop(struct rec_watch *w, struct rec_watch_stats *stats);

/* rec_watch_free - stop if running, remove the instance; accepts NULL, returns NULL. */
struct rec_watch *rec_watch_free(struct rec_watch *w);

#endif
