/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REC_TRACEFS_SETUP_H
#define MAPTRAIL_REC_TRACEFS_SETUP_H

/*
 * tracefs-setup: the kernel state one recording owns, and its removal.
 *
 * A recording works in a tracefs instance of its own, "maptrail-<pid>" (the
 * pid of the recorder, so a leftover can be told from a live one), and, for
 * the kprobe backend, in dynamic events of the "maptrail" group.  Nothing at
 * the top level is written apart from those dynamic event definitions, which
 * the kernel keeps in one global list.
 *
 * rec_tracefs_create() and rec_tracefs_destroy() are symmetric: create fails
 * through the same destroy that normal teardown uses, and destroy copes with
 * whatever part was built.
 */

#include <stdbool.h>
#include <tracefs.h>

#include "messages.h"
#include "plan.h"

#define REC_INSTANCE_PREFIX "maptrail-"
/* The recorder's second instance, "maptrail-<pid>-watch" (watch.h); removed like the first. */
#define REC_WATCH_SUFFIX "-watch"


struct rec_tracefs_options {
	const int *pids;		/* threads to record (set_event_pid), forks followed */
	int nr_pids;			/* 0: the whole system */
	int exclude_pid;		/* whole system: a task to leave out (the recorder), 0: none */
	int buffer_kb;			/* ring buffer per CPU, 0: the instance's default */
	rec_notice_fn notice;
	void *notice_arg;
};

struct rec_tracefs {
	char *name;			/* instance name */
	struct tracefs_instance *instance;
	bool created;			/* the instance directory is ours to remove */
	int nr_probes;
	struct tracefs_dynevent **probes;	/* created kprobes/kretprobes, ours to remove */
	int page_size;			/* ring-buffer sub-buffer size */
	int nr_cpus;			/* per_cpu/cpuN directories of the instance */
};

/*
 * rec_tracefs_create - make the instance for @plan: buffer size, pid filter,
 * the plan's kprobes (a kprobe the kernel refuses makes the plan fall back,
 * see rec_plan_fall_back(), with a notice quoting error_log), its events
 * enabled, tracing off.  Returns 0 and sets *@out (remove with
 * rec_tracefs_destroy()), or a negative errno with *@err set (free()) and
 * everything it made removed.
 */
int rec_tracefs_create(struct rec_plan *plan, const struct rec_tracefs_options *opts,
		       struct rec_tracefs **out, char **err);

/* rec_tracefs_on / rec_tracefs_off - tracing_on of the instance.  0 or -errno. */
int rec_tracefs_on(struct rec_tracefs *t);
int rec_tracefs_off(struct rec_tracefs *t);

/*
 * rec_tracefs_cpu_stats - the text of per_cpu/cpu@cpu/stats of the instance
 * (free()), or NULL.
 */
char *rec_tracefs_cpu_stats(struct rec_tracefs *t, int cpu);

/*
 * rec_tracefs_kprobe_misses - sum of the "misses" column of kprobe_profile
 * for the probes of @t: hits the kernel could not record (a kretprobe without
 * a free instance, a recursion).  0 when there are no probes.
 */
long long rec_tracefs_kprobe_misses(struct rec_tracefs *t);

/*
 * rec_tracefs_destroy - tracing off, the instance removed, the kprobes
 * removed; accepts NULL and half-built objects; returns NULL.  Failures are
 * passed to @notice (they leave something behind that --cleanup removes).
 */
struct rec_tracefs *rec_tracefs_destroy(struct rec_tracefs *t, rec_notice_fn notice, void *arg);

/*
 * rec_tracefs_cleanup - remove what killed recordings left: instances
 * maptrail-<pid> whose recorder is gone, and, when no live recorder remains,
 * the dynamic events of the maptrail group.  Each removal is passed to
 * @notice.  Returns how many things were removed, or a negative errno with
 * *@err set (free()) when one could not be removed.
 */
int rec_tracefs_cleanup(rec_notice_fn notice, void *arg, char **err);

#endif
