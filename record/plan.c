// SPDX-License-Identifier: MIT
/*
 * plan: from the schema's sources to the kernel events one recording enables.
 *
 * Per event, backend auto takes kprobes when the kernel has kprobe_events and
 * the native entry point resolves (every other ABI entry point that resolves
 * comes along: __ia32_sys_* sees 32-bit callers that syscall tracepoints never
 * see), and the syscall tracepoints otherwise.  Backends kprobe and tracepoint
 * take only their own sources.  Nothing is dropped quietly: every source not
 * used and every event not recorded carries its reason.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error-line.h"
#include "sql.h"
#include "plan.h"

/* Events recorded beside the calls: they name tasks and tie threads to processes. */
static const char *const context_events[][2] = {
	{ "sched", "sched_process_fork" },
	{ "sched", "sched_process_exec" },
	{ "sched", "sched_process_exit" },
	{ "task", "task_newtask" },
	{ "task", "task_rename" },
};

const char *rec_backend_name(enum rec_backend backend)
{
	switch (backend) {
	case REC_BACKEND_KPROBE:
		return "kprobe";
	case REC_BACKEND_TRACEPOINT:
		return "tracepoint";
	default:
		return "auto";
	}
}

__attribute__((format(printf, 2, 3)))
static int set_err(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmn_vfail(err, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

__attribute__((format(printf, 2, 3)))
static void set_why(char **why, const char *fmt, ...)
{
	va_list ap;

	free(*why);
	va_start(ap, fmt);
	if (vasprintf(why, fmt, ap) < 0)
		*why = NULL;
	va_end(ap);
}

static void source_clear(struct rec_source *s)
{
	for (int i = 0; i < s->nr_args; i++) {
		free(s->fields[i]);
		if (s->fetches)
			free(s->fetches[i]);
	}
	free(s->fields);
	free(s->fetches);
	free(s->backend);
	free(s->arch);
	free(s->abi);
	free(s->enter_system);
	free(s->enter_event);
	free(s->exit_system);
	free(s->exit_event);
	free(s->ret_field);
	free(s->symbol);
	free(s->why);
}

static void event_clear(struct rec_event_plan *ev)
{
	for (int i = 0; i < ev->nr_hooks; i++) {
		free(ev->hooks[i].documented);
		free(ev->hooks[i].kind);
		free(ev->hooks[i].status);
		free(ev->hooks[i].linux_symbol);
		free(ev->hooks[i].note);
	}
	for (int i = 0; i < ev->nr_sources; i++)
		source_clear(&ev->sources[i]);
	free(ev->hooks);
	free(ev->sources);
	free(ev->name);
	free(ev->why);
}

struct rec_plan *rec_plan_free(struct rec_plan *plan)
{
	if (!plan)
		return NULL;
	for (int i = 0; i < plan->nr_events; i++)
		event_clear(&plan->events[i]);
	for (int i = 0; i < plan->nr_context; i++)
		free(plan->context[i]);
	free(plan->context);
	free(plan->events);
	free(plan->arch);
	free(plan->release);
	free(plan);
	return NULL;
}

int rec_plan_nr_recorded(const struct rec_plan *plan)
{
	int n = 0;

	for (int i = 0; i < plan->nr_events; i++)
		n += plan->events[i].backend != NULL;
	return n;
}

/* The arguments of one source, in schema order. */
static int load_args(sqlite3_stmt *st, struct rec_source *s)
{
	int cap = 0;

	while (sqlite3_step(st) == SQLITE_ROW) {
		if (s->nr_args == cap) {
			char **f, **x;

			cap = cap ? cap * 2 : 8;
			f = realloc(s->fields, cap * sizeof(*f));
			if (f)
				s->fields = f;
			x = realloc(s->fetches, cap * sizeof(*x));
			if (x)
				s->fetches = x;
			if (!f || !x)
				return -ENOMEM;
		}
		s->fields[s->nr_args] = cmn_db_text_dup(st, 0);
		s->fetches[s->nr_args] = cmn_db_text_dup(st, 1);
		s->nr_args++;
		if (!s->fields[s->nr_args - 1])
			return -ENOMEM;
	}
	sqlite3_reset(st);
	return 0;
}

/* Does the kernel offer @s?  Sets s->available, s->found, and s->why when not. */
static void check_source(const struct rec_kernel *k, struct rec_source *s)
{
	if (!strcmp(s->backend, "tracepoint")) {
		if (!k->has_event(k, s->enter_system, s->enter_event))
			set_why(&s->why, "no tracepoint %s:%s in this kernel", s->enter_system,
				s->enter_event);
		else if (!k->has_event(k, s->exit_system, s->exit_event))
			set_why(&s->why, "no tracepoint %s:%s in this kernel", s->exit_system,
				s->exit_event);
		else
			s->available = true;
		return;
	}
	s->found = s->symbol ? k->symbol(k, s->symbol) : REC_SYM_NONE;
	if (!k->kprobes) {
		set_why(&s->why, "this kernel has no kprobe_events (built without "
			"CONFIG_KPROBE_EVENTS)");
		return;
	}
	if (s->found == REC_SYM_NONE) {
		set_why(&s->why, "%s is in neither available_filter_functions nor kallsyms",
			s->symbol ? s->symbol : "(no symbol)");
		return;
	}
	for (int i = 0; i < s->nr_args; i++) {
		const char *f = s->fetches[i];

		if (!f) {
			set_why(&s->why, "the schema gives no fetch argument for %s", s->fields[i]);
			return;
		}
		if ((strstr(f, "+u") || strstr(f, "-u")) && !k->kprobe_user_fetch) {
			set_why(&s->why, "%s=%s reads user memory (+u<offset>), which this "
				"kernel's kprobes cannot", s->fields[i], f);
			return;
		}
	}
	s->available = true;
}

static struct rec_source *native_kprobe(struct rec_event_plan *ev)
{
	for (int i = 0; i < ev->nr_sources; i++)
		if (!strcmp(ev->sources[i].backend, "kprobe") &&
		    !strcmp(ev->sources[i].abi, "native"))
			return &ev->sources[i];
	return NULL;
}

static struct rec_source *tracepoint_source(struct rec_event_plan *ev)
{
	for (int i = 0; i < ev->nr_sources; i++)
		if (!strcmp(ev->sources[i].backend, "tracepoint"))
			return &ev->sources[i];
	return NULL;
}

static void use_backend(struct rec_event_plan *ev, const char *backend)
{
	ev->backend = NULL;
	for (int i = 0; i < ev->nr_sources; i++) {
		struct rec_source *s = &ev->sources[i];

		s->used = s->available && !strcmp(s->backend, backend);
		if (s->used)
			ev->backend = s->backend;
		else if (!s->why)
			set_why(&s->why, "%s backend chosen for this event", backend);
	}
	if (!ev->backend)
		return;
	for (int i = 0; i < ev->nr_sources; i++) {
		struct rec_source *s = &ev->sources[i];

		if (s->used) {
			free(s->why);
			s->why = NULL;
		}
	}
}

/* Every reason of every source of @ev, joined: why nothing could be used. */
static void why_none(struct rec_event_plan *ev, const char *backend)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	int n = 0;

	if (!f)
		return;
	for (int i = 0; i < ev->nr_sources; i++) {
		struct rec_source *s = &ev->sources[i];

		if (backend && strcmp(s->backend, backend))
			continue;
		fprintf(f, "%s%s %s/%s: %s", n++ ? "; " : "", s->backend, s->arch, s->abi,
			s->why ? s->why : "unavailable");
	}
	if (!n)
		fprintf(f, "the schema has no %s source for this event%s", backend ? backend : "",
			backend ? "" : " on this architecture");
	fclose(f);
	free(ev->why);
	ev->why = text;
}

static void choose(struct rec_event_plan *ev, enum rec_backend backend)
{
	struct rec_source *native = native_kprobe(ev), *tp = tracepoint_source(ev);
	bool any_kprobe = false;

	for (int i = 0; i < ev->nr_sources; i++)
		if (ev->sources[i].available && !strcmp(ev->sources[i].backend, "kprobe"))
			any_kprobe = true;

	switch (backend) {
	case REC_BACKEND_KPROBE:
		use_backend(ev, "kprobe");
		if (!ev->backend)
			why_none(ev, "kprobe");
		return;
	case REC_BACKEND_TRACEPOINT:
		use_backend(ev, "tracepoint");
		if (!ev->backend)
			why_none(ev, "tracepoint");
		return;
	case REC_BACKEND_AUTO:
		break;
	}
	/*
	 * kprobes when the native entry point works; an event without a native
	 * source at all (mmap2: i386 only) takes whatever kprobes work.
	 */
	if (any_kprobe && ((native && native->available) || !tp || !tp->available)) {
		use_backend(ev, "kprobe");
		return;
	}
	if (tp && tp->available) {
		use_backend(ev, "tracepoint");
		if (native)
			set_why(&ev->why, "kprobe: %s; syscall tracepoints instead (they do not "
				"see 32-bit callers)", native->why ? native->why : "unavailable");
		return;
	}
	for (int i = 0; i < ev->nr_sources; i++)
		ev->sources[i].used = false;
	why_none(ev, NULL);
}

static int load_event(sqlite3_stmt *src_st, sqlite3_stmt *arg_st, sqlite3_stmt *hook_st,
		      const struct rec_kernel *k, enum rec_backend backend,
		      struct rec_event_plan *ev)
{
	int cap = 0, ret;

	sqlite3_bind_text(src_st, 1, ev->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(src_st, 2, k->arch, -1, SQLITE_STATIC);
	while (sqlite3_step(src_st) == SQLITE_ROW) {
		struct rec_source *s;

		if (ev->nr_sources == cap) {
			cap = cap ? cap * 2 : 4;
			s = realloc(ev->sources, cap * sizeof(*s));
			if (!s)
				goto nomem;
			ev->sources = s;
		}
		s = &ev->sources[ev->nr_sources++];
		memset(s, 0, sizeof(*s));
		s->backend = cmn_db_text_dup(src_st, 0);
		s->arch = cmn_db_text_dup(src_st, 1);
		s->abi = cmn_db_text_dup(src_st, 2);
		s->enter_system = cmn_db_text_dup(src_st, 3);
		s->enter_event = cmn_db_text_dup(src_st, 4);
		s->exit_system = cmn_db_text_dup(src_st, 5);
		s->exit_event = cmn_db_text_dup(src_st, 6);
		s->ret_field = cmn_db_text_dup(src_st, 7);
		s->symbol = cmn_db_text_dup(src_st, 8);
		if (!s->backend || !s->arch || !s->abi || !s->enter_system || !s->enter_event ||
		    !s->exit_system || !s->exit_event || !s->ret_field)
			goto nomem;
		sqlite3_bind_text(arg_st, 1, ev->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(arg_st, 2, s->backend, -1, SQLITE_STATIC);
		sqlite3_bind_text(arg_st, 3, s->arch, -1, SQLITE_STATIC);
		sqlite3_bind_text(arg_st, 4, s->abi, -1, SQLITE_STATIC);
		ret = load_args(arg_st, s);
		if (ret)
			goto nomem;
		check_source(k, s);
	}
	sqlite3_reset(src_st);

	cap = 0;
	sqlite3_bind_text(hook_st, 1, ev->name, -1, SQLITE_STATIC);
	while (sqlite3_step(hook_st) == SQLITE_ROW) {
		struct rec_hook *h;

		if (ev->nr_hooks == cap) {
			cap = cap ? cap * 2 : 4;
			h = realloc(ev->hooks, cap * sizeof(*h));
			if (!h)
				goto nomem;
			ev->hooks = h;
		}
		h = &ev->hooks[ev->nr_hooks++];
		memset(h, 0, sizeof(*h));
		h->documented = cmn_db_text_dup(hook_st, 0);
		h->kind = cmn_db_text_dup(hook_st, 1);
		h->status = cmn_db_text_dup(hook_st, 2);
		h->linux_symbol = cmn_db_text_dup(hook_st, 3);
		h->note = cmn_db_text_dup(hook_st, 4);
		if (!h->documented || !h->kind || !h->status || !h->note)
			goto nomem;
		h->found = h->linux_symbol ? k->symbol(k, h->linux_symbol) : REC_SYM_NONE;
	}
	sqlite3_reset(hook_st);
	choose(ev, backend);
	return 0;
nomem:
	sqlite3_reset(src_st);
	sqlite3_reset(arg_st);
	sqlite3_reset(hook_st);
	return -ENOMEM;
}

static bool wanted(const char *name, const char *const *only)
{
	if (!only)
		return true;
	for (; *only; only++)
		if (!strcmp(*only, name))
			return true;
	return false;
}

int rec_plan_build(sqlite3 *db, const struct rec_kernel *k, enum rec_backend backend,
		   const char *const *only, struct rec_plan **out, char **err)
{
	sqlite3_stmt *ev_st, *src_st, *arg_st, *hook_st, *one_st;
	struct cmn_db sql = { .sql = db };
	struct rec_plan *plan = calloc(1, sizeof(*plan));
	int ret = -ENOMEM, cap = 0;

	*err = NULL;
	ev_st = cmn_db_prepare(&sql, "SELECT name FROM schema_event ORDER BY rowid");
	/* tracepoints first, then the native ABI, so plans read the same everywhere */
	src_st = cmn_db_prepare(&sql, "SELECT backend, arch, abi, enter_system, enter_event,"
				" exit_system, exit_event, ret_field, symbol FROM schema_source"
				" WHERE event = ?1 AND (arch = 'any' OR arch = ?2)"
				" ORDER BY backend = 'kprobe', abi <> 'native', abi");
	arg_st = cmn_db_prepare(&sql, "SELECT field, fetch FROM schema_arg_source WHERE event = ?1"
				" AND backend = ?2 AND arch = ?3 AND abi = ?4 ORDER BY position");
	hook_st = cmn_db_prepare(&sql, "SELECT documented, kind, status, linux_symbol, note FROM"
				 " schema_hook WHERE event = ? ORDER BY rowid");
	one_st = cmn_db_prepare(&sql, "SELECT 1 FROM schema_event WHERE name = ?");
	if (!ev_st || !src_st || !arg_st || !hook_st || !one_st) {
		cmn_fail(err, "schema: %s", sql.err ? sql.err : "out of memory");
		free(sql.err);
		ret = -EINVAL;
		goto out;
	}
	if (!plan)
		goto out;
	plan->backend = backend;
	plan->kprobes = k->kprobes;
	plan->arch = strdup(k->arch ? k->arch : "unknown");
	plan->release = strdup(k->release ? k->release : "unknown");
	if (!plan->arch || !plan->release)
		goto out;

	for (const char *const *o = only; o && *o; o++) {
		sqlite3_bind_text(one_st, 1, *o, -1, SQLITE_STATIC);
		if (sqlite3_step(one_st) != SQLITE_ROW) {
			sqlite3_reset(one_st);
			ret = set_err(err, "'%s' is not an event of the schema (see maptrail schema)",
				      *o);
			goto out;
		}
		sqlite3_reset(one_st);
	}

	while (sqlite3_step(ev_st) == SQLITE_ROW) {
		struct rec_event_plan *ev;
		const char *name = (const char *)sqlite3_column_text(ev_st, 0);

		if (!wanted(name, only))
			continue;
		if (plan->nr_events == cap) {
			cap = cap ? cap * 2 : 8;
			ev = realloc(plan->events, cap * sizeof(*ev));
			if (!ev)
				goto out;
			plan->events = ev;
		}
		ev = &plan->events[plan->nr_events++];
		memset(ev, 0, sizeof(*ev));
		ev->name = strdup(name);
		if (!ev->name || load_event(src_st, arg_st, hook_st, k, backend, ev))
			goto out;
	}

	plan->context = calloc(sizeof(context_events) / sizeof(context_events[0]),
			       sizeof(*plan->context));
	if (!plan->context)
		goto out;
	for (size_t i = 0; i < sizeof(context_events) / sizeof(context_events[0]); i++) {
		if (!k->has_event(k, context_events[i][0], context_events[i][1]))
			continue;
		if (asprintf(&plan->context[plan->nr_context], "%s:%s", context_events[i][0],
			     context_events[i][1]) < 0)
			goto out;
		plan->nr_context++;
	}
	*out = plan;
	plan = NULL;
	ret = 0;
out:
	if (ret == -ENOMEM && !*err)
		*err = strdup("out of memory");
	sqlite3_finalize(ev_st);
	sqlite3_finalize(src_st);
	sqlite3_finalize(arg_st);
	sqlite3_finalize(hook_st);
	sqlite3_finalize(one_st);
	rec_plan_free(plan);
	return ret;
}

const struct rec_source *rec_plan_next_used(const struct rec_plan *plan, int *cursor)
{
	/* The cursor counts every source of every event, used or not. */
	for (int i = 0, n = 0; i < plan->nr_events; i++) {
		const struct rec_event_plan *ev = &plan->events[i];

		for (int j = 0; j < ev->nr_sources; j++, n++) {
			if (n < *cursor)
				continue;
			(*cursor)++;
			if (ev->backend && ev->sources[j].used)
				return &ev->sources[j];
		}
	}
	return NULL;
}

bool rec_plan_fall_back(struct rec_plan *plan, struct rec_event_plan *ev, const char *why)
{
	struct rec_source *tp = tracepoint_source(ev);

	for (int i = 0; i < ev->nr_sources; i++) {
		struct rec_source *s = &ev->sources[i];

		if (!strcmp(s->backend, "kprobe") && s->used) {
			s->used = false;
			s->available = false;
			set_why(&s->why, "rejected by the kernel: %s", why);
		}
	}
	if (plan->backend == REC_BACKEND_AUTO && tp && tp->available) {
		use_backend(ev, "tracepoint");
		set_why(&ev->why, "kprobes rejected (%s); syscall tracepoints instead", why);
		return true;
	}
	ev->backend = NULL;
	set_why(&ev->why, "kprobes rejected: %s", why);
	return false;
}

/* ------------------------------------------------------------------ */
/* kprobe definitions (Documentation/trace/kprobetrace.rst)           */

char *rec_kprobe_fetchargs(const struct rec_source *src, bool ret)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	if (!src->symbol || strcmp(src->backend, "kprobe"))
		return NULL;
	f = open_memstream(&text, &size);
	if (!f)
		return NULL;
	if (ret) {
		/* $retval is a long: signed, so -errno reads as the sys_exit ret does */
		fprintf(f, "%s=$retval:s64", src->ret_field);
	} else {
		for (int i = 0; i < src->nr_args; i++)
			fprintf(f, "%s%s=%s", i ? " " : "", src->fields[i],
				src->fetches[i] ? src->fetches[i] : "");
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

char *rec_kprobe_definition(const struct rec_source *src, bool ret)
{
	char *args = rec_kprobe_fetchargs(src, ret), *def = NULL;
	int n;

	if (!args)
		return NULL;
	if (ret)
		n = asprintf(&def, "r%d:%s/%s %s %s", REC_KRETPROBE_MAXACTIVE, src->exit_system,
			     src->exit_event, src->symbol, args);
	else
		n = asprintf(&def, "p:%s/%s %s %s", src->enter_system, src->enter_event,
			     src->symbol, args);
	free(args);
	return n < 0 ? NULL : def;
}

/* ------------------------------------------------------------------ */
/* The plan as rows (plan-rows.h), and the text printed from them      */

static const char *found_name(enum rec_sym s)
{
	switch (s) {
	case REC_SYM_FTRACE:
		return "available_filter_functions";
	case REC_SYM_KALLSYMS:
		return "kallsyms";
	default:
		return NULL;
	}
}

static void put_flag(struct cmn_plan *p, enum cmn_plan_col col, bool value)
{
	cmn_plan_put(p, col, value ? "1" : "0");
}

static void put_hook(struct cmn_plan *p, const char *event, const struct rec_hook *h)
{
	cmn_plan_add(p, "hook");
	cmn_plan_put(p, CMN_PLAN_EVENT, event);
	cmn_plan_put(p, CMN_PLAN_HOOK, h->documented);
	cmn_plan_put(p, CMN_PLAN_HOOK_KIND, h->kind);
	cmn_plan_put(p, CMN_PLAN_STATUS, h->status);
	cmn_plan_put(p, CMN_PLAN_SYMBOL, h->linux_symbol);
	cmn_plan_put(p, CMN_PLAN_FOUND, h->linux_symbol ? found_name(h->found) : NULL);
}

static void put_source(struct cmn_plan *p, const char *event, const struct rec_source *s)
{
	sqlite3_str *fields = sqlite3_str_new(NULL);
	char *text;

	cmn_plan_add(p, "source");
	cmn_plan_put(p, CMN_PLAN_EVENT, event);
	cmn_plan_put(p, CMN_PLAN_BACKEND, s->backend);
	put_flag(p, CMN_PLAN_USED, s->used);
	put_flag(p, CMN_PLAN_AVAILABLE, s->available);
	cmn_plan_put(p, CMN_PLAN_REASON, s->why);
	cmn_plan_put(p, CMN_PLAN_ARCH, s->arch);
	cmn_plan_put(p, CMN_PLAN_ABI, s->abi);
	cmn_plan_putf(p, CMN_PLAN_ENTER, "%s:%s", s->enter_system, s->enter_event);
	cmn_plan_putf(p, CMN_PLAN_EXIT, "%s:%s", s->exit_system, s->exit_event);
	for (int i = 0; i < s->nr_args; i++)
		sqlite3_str_appendf(fields, "%s%s", i ? " " : "", s->fields[i]);
	text = sqlite3_str_finish(fields);
	cmn_plan_put(p, CMN_PLAN_FIELDS, text);
	if (!text && s->nr_args)
		p->nomem = true;
	sqlite3_free(text);
	cmn_plan_put(p, CMN_PLAN_RET, s->ret_field);
	cmn_plan_put(p, CMN_PLAN_SYMBOL, s->symbol);
	if (s->symbol) {
		char *entry = rec_kprobe_definition(s, false);
		char *ret = rec_kprobe_definition(s, true);

		cmn_plan_put(p, CMN_PLAN_FOUND, found_name(s->found));
		cmn_plan_putf(p, CMN_PLAN_PROBES, "%s\n%s", entry ? entry : "?", ret ? ret : "?");
		free(entry);
		free(ret);
	}
}

struct cmn_plan *rec_plan_rows(const struct rec_plan *plan)
{
	struct cmn_plan *p = cmn_plan_alloc();

	if (!p)
		return NULL;
	cmn_plan_add(p, "plan");
	cmn_plan_put(p, CMN_PLAN_BACKEND, rec_backend_name(plan->backend));
	put_flag(p, CMN_PLAN_AVAILABLE, plan->kprobes);
	cmn_plan_put(p, CMN_PLAN_ARCH, plan->arch);
	cmn_plan_put(p, CMN_PLAN_RELEASE, plan->release);
	for (int i = 0; i < plan->nr_events; i++) {
		const struct rec_event_plan *ev = &plan->events[i];

		cmn_plan_add(p, "event");
		cmn_plan_put(p, CMN_PLAN_EVENT, ev->name);
		cmn_plan_put(p, CMN_PLAN_BACKEND, ev->backend);
		put_flag(p, CMN_PLAN_USED, ev->backend != NULL);
		cmn_plan_put(p, CMN_PLAN_REASON, ev->why);
		for (int j = 0; j < ev->nr_hooks; j++)
			put_hook(p, ev->name, &ev->hooks[j]);
		for (int j = 0; j < ev->nr_sources; j++)
			put_source(p, ev->name, &ev->sources[j]);
	}
	for (int i = 0; i < plan->nr_context; i++) {
		cmn_plan_add(p, "context");
		cmn_plan_put(p, CMN_PLAN_ENTER, plan->context[i]);
		put_flag(p, CMN_PLAN_USED, true);
	}
	if (!cmn_plan_ok(p))
		return cmn_plan_free(p);
	return p;
}

char *rec_plan_option(const struct rec_plan *plan)
{
	struct cmn_plan *rows = rec_plan_rows(plan);
	char *text = rows ? cmn_plan_encode(rows) : NULL;

	cmn_plan_free(rows);
	return text;
}

char *rec_plan_text(const struct rec_plan *plan, bool full)
{
	struct cmn_plan *rows = rec_plan_rows(plan);
	char *text = rows ? cmn_plan_text(rows, full) : NULL;

	cmn_plan_free(rows);
	return text;
}
