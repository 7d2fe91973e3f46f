/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REC_PLAN_H
#define MAPTRAIL_REC_PLAN_H

/*
 * plan: which kernel events record enables for each schema event, and why.
 *
 * The schema (schema_source, schema_arg_source, schema_hook) says where each
 * event can be read: a syscall tracepoint pair, and kprobe/kretprobe pairs on
 * the pt_regs syscall wrappers of each architecture and ABI.  The plan checks
 * each of them against the running kernel (struct rec_kernel: does it have
 * kprobe_events, is the symbol in available_filter_functions or kallsyms, do
 * the tracepoints exist) and picks a backend per event.  Everything it decided
 * against keeps its reason, so the plan can say why an event or an ABI is not
 * recorded.
 *
 * The plan is memory only: creating the probes is tracefs-setup's job.
 */

#include <stdbool.h>
#include <sqlite3.h>

#include "plan-rows.h"

/* The kprobe group of maptrail's dynamic events (schema_source.enter_system). */
#define REC_GROUP "maptrail"

/*
 * Concurrent instances of one kretprobe per CPU the kernel may track: a thread
 * that sleeps inside mmap (page faults, mmap_lock) holds one until it returns,
 * and when all are taken the return is missed.  The kernel's default is
 * max(10, 2 * CPUs); a mapping storm from many threads needs more.
 */
#define REC_KRETPROBE_MAXACTIVE 128

enum rec_backend {
	REC_BACKEND_AUTO,
	REC_BACKEND_KPROBE,
	REC_BACKEND_TRACEPOINT,
};

/* Where a symbol was found. */
enum rec_sym {
	REC_SYM_NONE,		/* neither list has it */
	REC_SYM_FTRACE,		/* available_filter_functions */
	REC_SYM_KALLSYMS,	/* /proc/kallsyms only (not ftrace-able, still kprobe-able) */
};

/*
 * What the plan needs to know of the running kernel.  kernel.c fills it from
 * tracefs and /proc; tests fill it by hand.
 */
struct rec_kernel {
	const char *release;		/* uname release, for the plan's heading */
	const char *arch;		/* uname machine: "x86_64", "aarch64" (schema arch) */
	bool kprobes;			/* tracefs has kprobe_events */
	bool kprobe_user_fetch;		/* its README lists +|-[u]<offset>(<fetcharg>) */
	enum rec_sym (*symbol)(const struct rec_kernel *k, const char *name);
	bool (*has_event)(const struct rec_kernel *k, const char *system, const char *event);
	void *priv;
};

/* One way to read an event: a tracepoint pair or a kprobe/kretprobe pair. */
struct rec_source {
	char *backend;			/* "tracepoint" or "kprobe" */
	char *arch;			/* "any", "x86_64", "aarch64" */
	char *abi;			/* "native", "i386" */
	char *enter_system, *enter_event;
	char *exit_system, *exit_event;
	char *ret_field;
	char *symbol;			/* kprobe: the function probed; NULL for tracepoints */
	enum rec_sym found;		/* kprobe: where symbol was found */
	int nr_args;
	char **fields;			/* tracepoint field or kprobe field (= schema arg name) */
	char **fetches;			/* kprobe fetch argument; NULL for tracepoints */
	bool available;			/* usable on this kernel */
	bool used;			/* enabled by the plan */
	char *why;			/* when not used: why, one phrase; NULL otherwise */
};

/* A hook a seed page documents, and what it is on this kernel. */
struct rec_hook {
	char *documented;		/* "sys_mremap" */
	char *kind;			/* "kprobe+kretprobe" */
	char *status;			/* "renamed", "removed", ... */
	char *linux_symbol;		/* what stands for it, or NULL */
	enum rec_sym found;		/* of linux_symbol */
	char *note;
};

struct rec_event_plan {
	char *name;			/* schema_event.name */
	const char *backend;		/* "kprobe", "tracepoint", or NULL: not recorded */
	char *why;			/* fallback or unavailability, or NULL */
	int nr_hooks;
	struct rec_hook *hooks;
	int nr_sources;
	struct rec_source *sources;
};

struct rec_plan {
	char *arch;
	char *release;
	enum rec_backend backend;
	bool kprobes;
	int nr_events;
	struct rec_event_plan *events;
	/* Other events recorded for context (who forked, exec'd, renamed): "system:event". */
	int nr_context;
	char **context;
};

/*
 * rec_plan_build - plan the events named in @only (NULL-terminated, NULL: every
 * schema event) from the schema in @db for kernel @k and backend @backend.
 * Returns 0 and sets *@plan (free with rec_plan_free()), or a negative errno
 * and sets *@err to one line (free()): an unknown event name, a schema query
 * that failed.  A plan in which no event can be recorded is still returned:
 * rec_plan_nr_recorded() says so.
 */
int rec_plan_build(sqlite3 *db, const struct rec_kernel *k, enum rec_backend backend,
		   const char *const *only, struct rec_plan **plan, char **err);

/* rec_plan_free - accepts NULL, returns NULL. */
struct rec_plan *rec_plan_free(struct rec_plan *plan);

/* rec_plan_nr_recorded - how many events of @plan have a backend. */
int rec_plan_nr_recorded(const struct rec_plan *plan);

/*
 * rec_plan_next_used - the sources the plan records, one per call, in plan
 * order; NULL after the last.  @cursor starts at 0:
 *
 *	int cursor = 0;
 *	for (const struct rec_source *s; (s = rec_plan_next_used(plan, &cursor)); )
 *		enable(s->enter_system, s->enter_event);
 */
const struct rec_source *rec_plan_next_used(const struct rec_plan *plan, int *cursor);

/*
 * rec_plan_fall_back - the kernel refused @ev's kprobes (@why says how):
 * record it through its tracepoints if it has them (returns true), else mark
 * it not recorded (returns false).  Only for backend auto; for backend kprobe
 * the event is marked not recorded.
 */
bool rec_plan_fall_back(struct rec_plan *plan, struct rec_event_plan *ev, const char *why);

/*
 * rec_kprobe_definition - the kprobe_events line that creates @src's entry
 * probe (@ret false) or its kretprobe (@ret true), e.g.
 *   p:maptrail/mremap_x64 __x64_sys_mremap old_address=+0x70(%di):u64 ...
 *   r128:maptrail/mremap_x64_ret __x64_sys_mremap ret=$retval:s64
 * Returns a string to free(), or NULL (ENOMEM, or @src is no kprobe source).
 */
char *rec_kprobe_definition(const struct rec_source *src, bool ret);

/*
 * rec_kprobe_fetchargs - the FETCHARGS part alone ("old_address=+0x70(%di):u64 ...",
 * or "ret=$retval:s64" when @ret), as tracefs_kprobe_alloc() takes it.  free().
 */
char *rec_kprobe_fetchargs(const struct rec_source *src, bool ret);

/*
 * rec_plan_rows - @plan as rows (plan-rows.h): what it decided for each event,
 * hook and source, used or not and why, as the capture stores them.  Free
 * with cmn_plan_free(); NULL when out of memory.
 */
struct cmn_plan *rec_plan_rows(const struct rec_plan *plan);

/*
 * rec_plan_option - @plan's rows as the capture's option holds them
 * (TDAT_OPT_MAPTRAIL_PLAN_ROWS, cmn_plan_encode()).  free(); NULL when out of
 * memory.
 */
char *rec_plan_option(const struct rec_plan *plan);

/*
 * rec_plan_text - the plan as text for people, printed from its rows
 * (cmn_plan_text()): with @full, every hook, source and reason (maptrail
 * record --plan); without, one line per event.  free().
 */
char *rec_plan_text(const struct rec_plan *plan, bool full);

/* rec_backend_name - "auto", "kprobe", "tracepoint". */
const char *rec_backend_name(enum rec_backend backend);

#endif
