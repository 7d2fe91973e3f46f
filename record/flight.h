/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REC_FLIGHT_H
#define MAPTRAIL_REC_FLIGHT_H

/*
 * flight: the triggers of the flight recorder (maptrail record --flight), and
 * what a dump says about itself.
 *
 * A trigger is a tracefs event trigger "traceoff:COUNT if FILTER" on the
 * entry event of a recorded call, in the recording's instance: the kernel
 * records the call (traceoff is a post-trigger: the event is committed
 * first) and stops the instance's whole ring buffer, inside the system call,
 * before the call has done anything.  Named triggers come from the schema
 * (schema_trigger: an event, an argument, bits), their filter built per
 * backend from schema_arg_source; a raw trigger is "EVENT:FILTER" as the
 * user wrote it.
 *
 * The kernel takes one traceoff trigger per event file, so the triggers on
 * one event share it, their filters joined with ||.  Which one fired:
 *   - the event: its trigger's count, read back from the trigger file, is
 *     lower than the one armed (the kernel decrements it when it stops the
 *     buffer);
 *   - the call: the last record of that event in the frozen buffer that
 *     matches one of the filters (libtraceevent evaluates the same filter
 *     text), the earliest such call when several CPUs fired at once;
 *   - the trigger: the first of the event's triggers whose filter matches it.
 *
 * Nothing here prints: failures are one line in *err, the rest goes to the
 * notice callback.
 */

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <tracefs.h>

#include "messages.h"
#include "plan.h"

/*
 * The count armed in each trigger: large enough never to run out (it is
 * re-armed after every dump), small enough to read back exactly.
 */
#define REC_FLIGHT_COUNT 1000000000LL

/* One trigger, on one kernel event. */
struct rec_trigger {
	char *name;		/* "wx", or the event name of a raw trigger ("sys_enter_mprotect") */
	char *spec;		/* as the user gave it: "wx", "syscalls/sys_enter_mprotect:prot & 4" */
	char *system, *event;	/* the kernel event it is set on */
	char *filter;		/* tracefs filter text; NULL: every call fires */
	void *match;		/* libtraceevent's filter of it (struct tep_event_filter), or NULL */
	bool fired;		/* set by rec_flight_fired() */
};

/* The triggers set on one kernel event file (they share its traceoff trigger). */
struct rec_trigger_event {
	char *system, *event;
	char *command;		/* "traceoff:COUNT if (f1) || (f2)" as written to its trigger file */
	bool armed;
};

struct rec_flight {
	int nr;
	struct rec_trigger *triggers;
	int nr_events;
	struct rec_trigger_event *events;
	void *tep;		/* struct tep_handle of the triggers' systems, for matching */
	rec_notice_fn notice;
	void *notice_arg;
};

/* What rec_flight_find() found in a dump. */
struct rec_flight_hit {
	int trigger;		/* index in triggers, -1: none found */
	uint64_t ts;		/* the triggering record */
	int cpu;
	int tid;		/* common_pid: the thread */
	char comm[32];
};

/* The span of a dump's data, from its pages. */
struct rec_flight_window {
	uint64_t first_ts;	/* oldest event kept, any CPU */
	uint64_t complete_ts;	/* from here on every CPU that has data has all of it */
	uint64_t last_ts;
	uint64_t events;
};

/*
 * rec_flight_build - the triggers @specs (NULL-terminated; NULL or empty:
 * none) for the recording @plan, with the schema in @db.  A spec is a name
 * of schema_trigger or "EVENT:FILTER", EVENT a tracefs "system/event" or a
 * schema event (its entry events in the plan); the event must be one the
 * plan records.  A named trigger's events that the plan does not record are
 * skipped with a notice; a trigger with none left is an error.  Returns 0 and
 * *@out (rec_flight_free()), or a negative errno and *@err (free()).
 */
int rec_flight_build(sqlite3 *db, const struct rec_plan *plan, const char *const *specs,
		     rec_notice_fn notice, void *arg, struct rec_flight **out, char **err);

/* rec_flight_free - accepts NULL, returns NULL (memory only: disarm first). */
struct rec_flight *rec_flight_free(struct rec_flight *f);

/*
 * rec_flight_arm - write every trigger into @inst.  The first time, also
 * reads the formats of the triggers' events (the kprobes exist by then).  A trigger the kernel
 * refuses is an error naming it with error_log's reason; what was armed
 * before it stays armed (rec_flight_disarm() or removing the instance
 * removes it).  0 or a negative errno.
 */
int rec_flight_arm(struct rec_flight *f, struct tracefs_instance *inst, char **err);

/* rec_flight_disarm - remove the armed triggers from @inst (best effort). */
void rec_flight_disarm(struct rec_flight *f, struct tracefs_instance *inst);

/*
 * rec_flight_fired - read back the counts of the armed triggers in @inst
 * (before disarming them) and mark the triggers of each event whose count
 * moved.  Returns how many triggers are marked.
 */
int rec_flight_fired(struct rec_flight *f, struct tracefs_instance *inst);

/*
 * rec_flight_suspect_all - the buffer stopped but no count moved (a kernel
 * that does not count, or two triggers racing): mark every trigger, so that
 * rec_flight_find() names the last call matching any filter.  Returns the
 * text of the first armed trigger file, for the notice (free()), or NULL.
 */
char *rec_flight_suspect_all(struct rec_flight *f, struct tracefs_instance *inst);

/*
 * rec_flight_find - the call that fired, in a dump's pages: per CPU, @fds
 * read from offset 0, the frozen buffer in the first @sizes bytes (the call
 * is looked for there), all of the dump in @all_sizes bytes (*@w covers it),
 * pages of @page_size.  Sets *@hit (trigger -1: none fired, e.g. a dump on
 * demand) and *@w.  0 or a negative errno with *@err.
 */
int rec_flight_find(struct rec_flight *f, int nr_cpus, const int *fds, const uint64_t *sizes,
		    const uint64_t *all_sizes, int page_size, struct rec_flight_hit *hit,
		    struct rec_flight_window *w, char **err);

/* One dump, as its file describes itself. */
struct rec_flight_dump {
	int number, keep;		/* this is dump @number of at most @keep */
	const char *reason;		/* "trigger", "usr1", "sigint", "sigterm", "duration", "exit" */
	const struct rec_flight_hit *hit;
	const struct rec_flight_window *window;
	double after;			/* seconds recorded after the trigger (--after) */
	uint64_t overwritten;		/* events the overwrite dropped before the window */
	int buffer_kb;
	double armed_seconds;		/* armed to frozen */
	double armed_cpu_seconds;	/* the recorder's CPU time in that while */
	long long dumped_at;		/* UTC seconds since the epoch */
};

/*
 * rec_flight_option - the text of the file's flight option
 * (TDAT_OPT_MAPTRAIL_FLIGHT, common/tdat-format.h): "key=value" lines, keys as analyze's flight
 * table names its columns.  free().
 */
char *rec_flight_option(const struct rec_flight *f, const struct rec_flight_dump *d);

/* rec_flight_describe - the armed triggers, one line each, for people.  free(). */
char *rec_flight_describe(const struct rec_flight *f);

/* rec_flight_names - the named triggers of the schema in @db, "name: description" lines.  free(). */
char *rec_flight_names(sqlite3 *db);

#endif
