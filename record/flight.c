// SPDX-License-Identifier: MIT
/*
 * flight: the flight recorder's triggers, from the schema to the kernel and
 * back (see flight.h for how the trigger that fired is told).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <traceevent/event-parse.h>
#include <traceevent/kbuffer.h>

#include "flight.h"

static void trigger_release(struct rec_trigger *t)
{
	free(t->name);
	free(t->spec);
	free(t->system);
	free(t->event);
	free(t->filter);
	if (t->match)
		tep_filter_free(t->match);
}

struct rec_flight *rec_flight_free(struct rec_flight *f)
{
	if (!f)
		return NULL;
	for (int i = 0; i < f->nr; i++)
		trigger_release(&f->triggers[i]);
	for (int i = 0; i < f->nr_events; i++) {
		free(f->events[i].system);
		free(f->events[i].event);
		free(f->events[i].command);
	}
	free(f->triggers);
	free(f->events);
	if (f->tep)
		tep_free(f->tep);
	free(f);
	return NULL;
}

/* Add a trigger (copies every string); 0 or -ENOMEM. */
static int add_trigger(struct rec_flight *f, const char *name, const char *spec,
		       const char *system, const char *event, const char *filter)
{
	struct rec_trigger *tmp = realloc(f->triggers, (f->nr + 1) * sizeof(*tmp));
	struct rec_trigger *t;

	if (!tmp)
		return -ENOMEM;
	f->triggers = tmp;
	t = &f->triggers[f->nr];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	t->spec = strdup(spec);
	t->system = strdup(system);
	t->event = strdup(event);
	t->filter = filter && *filter ? strdup(filter) : NULL;
	if (!t->name || !t->spec || !t->system || !t->event || (filter && *filter && !t->filter)) {
		trigger_release(t);
		return -ENOMEM;
	}
	f->nr++;
	return 0;
}

/* "prot & 2 && prot & 4": every bit of @bits set in @field.  free(). */
static char *bits_filter(const char *field, long long bits)
{
	char *text = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);
	bool first = true;

	if (!m)
		return NULL;
	for (int b = 0; b < 63; b++) {
		if (!(bits & (1LL << b)))
			continue;
		fprintf(m, "%s%s & %lld", first ? "" : " && ", field, 1LL << b);
		first = false;
	}
	if (fclose(m)) {
		free(text);
		return NULL;
	}
	return text;
}

static const struct rec_event_plan *plan_event(const struct rec_plan *plan, const char *name)
{
	for (int i = 0; i < plan->nr_events; i++)
		if (!strcmp(plan->events[i].name, name))
			return &plan->events[i];
	return NULL;
}

/* A named trigger: its rows of schema_trigger, each on the plan's sources of its event. */
static int build_named(sqlite3 *db, const struct rec_plan *plan, struct rec_flight *f,
		       const char *name, rec_notice_fn notice, void *arg, bool *known, char **err)
{
	sqlite3_stmt *st = NULL;
	int before = f->nr, ret = 0, rc;

	*known = false;
	if (sqlite3_prepare_v2(db, "SELECT t.event, a.position, t.bits FROM schema_trigger t"
			       " LEFT JOIN schema_arg a ON a.event = t.event AND a.name = t.arg"
			       " WHERE t.name = ? ORDER BY t.event", -1, &st, NULL) != SQLITE_OK)
		return rec_fail(err, EINVAL, "the schema's triggers: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *event = (const char *)sqlite3_column_text(st, 0);
		bool every = sqlite3_column_type(st, 1) == SQLITE_NULL;
		int position = sqlite3_column_int(st, 1);
		long long bits = sqlite3_column_int64(st, 2);
		const struct rec_event_plan *ev = plan_event(plan, event);
		bool used = false;

		*known = true;
		for (int i = 0; ev && ev->backend && i < ev->nr_sources && !ret; i++) {
			const struct rec_source *s = &ev->sources[i];
			char *filter = NULL;

			if (!s->used || (!every && position >= s->nr_args))
				continue;
			if (!every && !(filter = bits_filter(s->fields[position], bits)))
				ret = -ENOMEM;
			if (!ret)
				ret = add_trigger(f, name, name, s->enter_system, s->enter_event, filter);
			free(filter);
			used = true;
		}
		if (!ret && !used)
			rec_notify(notice, arg, "trigger %s: %s is not recorded, so it cannot fire on "
				   "it", name, event);
	}
	if (!ret && rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = rec_fail(err, EINVAL, "the schema's triggers: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (ret == -ENOMEM)
		return rec_fail(err, ENOMEM, "out of memory");
	if (!ret && *known && f->nr == before)
		return rec_fail(err, ENOENT, "trigger %s: none of its events is recorded (see "
				"maptrail record --plan, and -e)", name);
	return ret;
}

/* Is system/event one the plan enables? */
static bool plan_records(const struct rec_plan *plan, const char *system, const char *event)
{
	const struct rec_source *s;
	int cursor = 0;

	while ((s = rec_plan_next_used(plan, &cursor)))
		if ((!strcmp(s->enter_system, system) && !strcmp(s->enter_event, event)) ||
		    (!strcmp(s->exit_system, system) && !strcmp(s->exit_event, event)))
			return true;
	for (int i = 0; i < plan->nr_context; i++) {
		size_t n = strlen(system);

		if (!strncmp(plan->context[i], system, n) && plan->context[i][n] == ':' &&
		    !strcmp(plan->context[i] + n + 1, event))
			return true;
	}
	return false;
}

/* "EVENT:FILTER": EVENT a tracefs system/event or a schema event's entry events. */
static int build_raw(const struct rec_plan *plan, struct rec_flight *f, const char *spec,
		     char **err)
{
	const char *colon = strchr(spec, ':');
	char *event = colon ? strndup(spec, colon - spec) : NULL;
	const char *filter = colon ? colon + 1 : NULL;
	char *slash = event ? strchr(event, '/') : NULL;
	int ret = 0;

	if (!event)
		return rec_fail(err, ENOMEM, "out of memory");
	while (filter && *filter == ' ')
		filter++;
	if (slash) {
		*slash = '\0';
		if (!plan_records(plan, event, slash + 1))
			ret = rec_fail(err, ENOENT, "--trigger '%s': %s/%s is not an event this "
				       "recording records", spec, event, slash + 1);
		else if (add_trigger(f, slash + 1, spec, event, slash + 1, filter))
			ret = rec_fail(err, ENOMEM, "out of memory");
	} else {
		const struct rec_event_plan *ev = plan_event(plan, event);
		int before = f->nr;

		for (int i = 0; ev && ev->backend && i < ev->nr_sources && !ret; i++)
			if (ev->sources[i].used &&
			    add_trigger(f, event, spec, ev->sources[i].enter_system,
					ev->sources[i].enter_event, filter))
				ret = rec_fail(err, ENOMEM, "out of memory");
		if (!ret && f->nr == before)
			ret = rec_fail(err, ENOENT, "--trigger '%s': '%s' is neither a trigger name "
				       "(maptrail record --flight --trigger list), a recorded event of "
				       "the schema, nor a tracefs SYSTEM/EVENT", spec, event);
	}
	free(event);
	return ret;
}

/* One traceoff trigger per event file: the filters of its triggers, joined. */
static int group_events(struct rec_flight *f)
{
	for (int i = 0; i < f->nr; i++) {
		struct rec_trigger *t = &f->triggers[i];
		struct rec_trigger_event *e = NULL;
		char *cmd;

		for (int j = 0; j < f->nr_events && !e; j++)
			if (!strcmp(f->events[j].system, t->system) &&
			    !strcmp(f->events[j].event, t->event))
				e = &f->events[j];
		if (!e) {
			struct rec_trigger_event *tmp = realloc(f->events, (f->nr_events + 1) *
								 sizeof(*tmp));

			if (!tmp)
				return -ENOMEM;
			f->events = tmp;
			e = &f->events[f->nr_events++];
			memset(e, 0, sizeof(*e));
			e->system = strdup(t->system);
			e->event = strdup(t->event);
			if (!e->system || !e->event)
				return -ENOMEM;
			if (asprintf(&e->command, "traceoff:%lld", REC_FLIGHT_COUNT) < 0) {
				e->command = NULL;
				return -ENOMEM;
			}
			if (t->filter) {
				cmd = e->command;
				if (asprintf(&e->command, "%s if (%s)", cmd, t->filter) < 0)
					e->command = NULL;
				free(cmd);
			}
		} else if (!strstr(e->command, " if ")) {
			/* this event fires on every call already */
			continue;
		} else if (!t->filter) {
			e->command[strcspn(e->command, " ")] = '\0';
			continue;
		} else {
			cmd = e->command;
			if (asprintf(&e->command, "%s || (%s)", cmd, t->filter) < 0)
				e->command = NULL;
			free(cmd);
		}
		if (!e->command)
			return -ENOMEM;
	}
	return 0;
}

/* libtraceevent's view of the triggers' events, to judge the frozen records. */
static int load_matchers(struct rec_flight *f, rec_notice_fn notice, void *arg)
{
	char **systems = NULL;
	struct tep_handle *tep;

	for (int i = 0; i < f->nr; i++) {
		bool have = false;

		for (int j = 0; systems && systems[j]; j++)
			have |= !strcmp(systems[j], f->triggers[i].system);
		if (!have) {
			char **tmp = tracefs_list_add(systems, f->triggers[i].system);

			if (!tmp) {
				tracefs_list_free(systems);
				return -ENOMEM;
			}
			systems = tmp;
		}
	}
	tep = tracefs_local_events_system(NULL, (const char *const *)systems);
	tracefs_list_free(systems);
	if (!tep)
		return -ENOMEM;
	f->tep = tep;
	for (int i = 0; i < f->nr; i++) {
		struct rec_trigger *t = &f->triggers[i];
		struct tep_event_filter *m = tep_filter_alloc(tep);
		char *text;
		int ret;

		if (!m || asprintf(&text, "%s/%s%s%s", t->system, t->event, t->filter ? ": " : "",
				   t->filter ? t->filter : "") < 0) {
			tep_filter_free(m);
			return -ENOMEM;
		}
		ret = tep_filter_add_filter_str(m, text);
		free(text);
		if (ret < 0) {
			/* the kernel judges the call; the dump then names the event's last call */
			rec_notify(notice, arg, "trigger %s: libtraceevent cannot evaluate '%s'; the "
				   "dump will name %s's last call as the trigger", t->spec,
				   t->filter ? t->filter : "", t->event);
			tep_filter_free(m);
			continue;
		}
		t->match = m;
	}
	return 0;
}

int rec_flight_build(sqlite3 *db, const struct rec_plan *plan, const char *const *specs,
		     rec_notice_fn notice, void *arg, struct rec_flight **out, char **err)
{
	struct rec_flight *f = calloc(1, sizeof(*f));
	int ret = 0;

	*err = NULL;
	if (!f)
		return rec_fail(err, ENOMEM, "out of memory");
	for (int i = 0; specs && specs[i] && !ret; i++) {
		bool known = false;

		if (strchr(specs[i], ':'))
			ret = build_raw(plan, f, specs[i], err);
		else if (!(ret = build_named(db, plan, f, specs[i], notice, arg, &known, err)) &&
			 !known)
			ret = rec_fail(err, ENOENT, "--trigger '%s': no such trigger (maptrail "
				       "record --flight --trigger list names them; a raw one is "
				       "'EVENT:FILTER')", specs[i]);
	}
	if (!ret && group_events(f))
		ret = rec_fail(err, ENOMEM, "out of memory");
	f->notice = notice;
	f->notice_arg = arg;
	if (ret) {
		rec_flight_free(f);
		return ret;
	}
	*out = f;
	return 0;
}

/* error_log's reason, without its timestamp, from @inst's log or the top one. */
static char *kernel_reason(struct tracefs_instance *inst)
{
	char *log = tracefs_error_last(inst), *line, *save = NULL, *found = NULL;

	if (!log)
		log = tracefs_error_last(NULL);
	for (line = log ? strtok_r(log, "\n", &save) : NULL; line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *e = strstr(line, "error:");

		if (e)
			found = strdup(e + strlen("error: ") + (strncmp(e + strlen("error: "), "error: ", 7) ? 0 : 7));
	}
	free(log);
	return found ? found : strdup("the kernel gave no reason in error_log");
}

int rec_flight_arm(struct rec_flight *f, struct tracefs_instance *inst, char **err)
{
	*err = NULL;
	if (f->nr && !f->tep && load_matchers(f, f->notice, f->notice_arg))
		return rec_fail(err, ENOMEM, "cannot read the formats of the triggers' events");
	for (int i = 0; i < f->nr_events; i++) {
		struct rec_trigger_event *e = &f->events[i];
		char *reason;
		int ret;

		if (e->armed)
			continue;
		tracefs_error_clear(inst);
		if (tracefs_event_file_write(inst, e->system, e->event, "trigger", e->command) >= 0) {
			e->armed = true;
			continue;
		}
		ret = errno ? -errno : -EINVAL;
		reason = kernel_reason(inst);
		rec_fail(err, -ret, "the kernel refused the trigger '%s' on %s/%s: %s", e->command,
			 e->system, e->event, reason ? reason : strerror(-ret));
		free(reason);
		return ret;
	}
	return 0;
}

void rec_flight_disarm(struct rec_flight *f, struct tracefs_instance *inst)
{
	for (int i = 0; i < f->nr_events; i++) {
		if (!f->events[i].armed)
			continue;
		/* removal matches the trigger's kind, not its filter or count */
		tracefs_event_file_write(inst, f->events[i].system, f->events[i].event, "trigger",
					 "!traceoff");
		f->events[i].armed = false;
	}
}

/* The count left in @e's trigger file ("traceoff:count=999 if ..."), -1 if unreadable. */
static long long trigger_count(struct tracefs_instance *inst, const struct rec_trigger_event *e)
{
	char *text = tracefs_event_file_read(inst, e->system, e->event, "trigger", NULL);
	char *c = text ? strstr(text, "traceoff:count=") : NULL;
	long long n = c ? strtoll(c + strlen("traceoff:count="), NULL, 10) : -1;

	free(text);
	return n;
}

static bool trigger_of_event(const struct rec_trigger *t, const struct tep_event *ev)
{
	return ev && !strcmp(t->event, ev->name) && !strcmp(t->system, ev->system);
}

/* Each CPU's pages: the window, and the last matching call of a fired event. */
static int scan_cpu(struct rec_flight *f, struct kbuffer *kbuf, int cpu, int fd, uint64_t frozen,
		    uint64_t all, int page_size, struct rec_flight_hit *best,
		    struct rec_flight_window *w, bool *cpu_has_data)
{
	struct tep_handle *tep = f->tep;
	struct rec_flight_hit last = { .trigger = -1 };
	void *page = malloc(page_size);
	uint64_t first = 0;
	bool any = false;

	if (!page)
		return -ENOMEM;
	for (uint64_t off = 0; off + page_size <= all; off += page_size) {
		unsigned long long ts;
		ssize_t n = pread(fd, page, page_size, off);

		if (n != page_size) {
			free(page);
			return n < 0 ? -errno : -EIO;
		}
		if (kbuffer_load_subbuffer(kbuf, page) < 0)
			continue;
		for (void *data = kbuffer_read_event(kbuf, &ts); data;
		     data = kbuffer_next_event(kbuf, &ts)) {
			struct tep_record rec = {
				.ts = ts, .cpu = cpu, .data = data,
				.size = kbuffer_event_size(kbuf),
			};
			struct tep_event *ev;

			if (!any)
				first = ts;
			any = true;
			w->events++;
			if (ts > w->last_ts)
				w->last_ts = ts;
			if (off >= frozen || !tep)
				continue;
			ev = tep_find_event(tep, tep_data_type(tep, &rec));
			for (int i = 0; i < f->nr; i++) {
				struct rec_trigger *t = &f->triggers[i];

				if (!t->fired || !trigger_of_event(t, ev))
					continue;
				if (t->match && tep_filter_match(t->match, &rec) != TEP_ERRNO__FILTER_MATCH)
					continue;
				last = (struct rec_flight_hit){ .trigger = i, .ts = ts, .cpu = cpu,
								.tid = tep_data_pid(tep, &rec) };
				break;
			}
		}
	}
	free(page);
	if (any) {
		*cpu_has_data = true;
		if (!w->first_ts || first < w->first_ts)
			w->first_ts = first;
		if (first > w->complete_ts)
			w->complete_ts = first;
	}
	/* several CPUs fired at once: the first to fire stopped the buffer */
	if (last.trigger >= 0 && (best->trigger < 0 || last.ts < best->ts))
		*best = last;
	return 0;
}

/*
 * The name of the thread that fired: the live thread's (it called a moment
 * ago), else what saved_cmdlines remembers of it.
 */
static void find_comm(struct rec_flight *f, struct rec_flight_hit *hit)
{
	char path[64], *cmdlines;
	const char *comm;
	FILE *p;

	snprintf(path, sizeof(path), "/proc/%d/comm", hit->tid);
	if ((p = fopen(path, "re"))) {
		if (fgets(hit->comm, sizeof(hit->comm), p))
			hit->comm[strcspn(hit->comm, "\n")] = '\0';
		fclose(p);
	}
	if (hit->comm[0] || !f->tep)
		return;
	cmdlines = tracefs_instance_file_read(NULL, "saved_cmdlines", NULL);
	if (cmdlines && !tep_parse_saved_cmdlines(f->tep, cmdlines) &&
	    (comm = tep_data_comm_from_pid(f->tep, hit->tid)) && strcmp(comm, "<...>"))
		snprintf(hit->comm, sizeof(hit->comm), "%s", comm);
	free(cmdlines);
}

int rec_flight_fired(struct rec_flight *f, struct tracefs_instance *inst)
{
	int n = 0;

	for (int j = 0; j < f->nr; j++)
		f->triggers[j].fired = false;
	for (int i = 0; i < f->nr_events; i++) {
		long long left = f->events[i].armed ? trigger_count(inst, &f->events[i]) : -1;

		if (left < 0 || left >= REC_FLIGHT_COUNT)
			continue;
		for (int j = 0; j < f->nr; j++)
			if (!strcmp(f->triggers[j].system, f->events[i].system) &&
			    !strcmp(f->triggers[j].event, f->events[i].event)) {
				f->triggers[j].fired = true;
				n++;
			}
	}
	return n;
}

char *rec_flight_suspect_all(struct rec_flight *f, struct tracefs_instance *inst)
{
	char *text = NULL;

	for (int j = 0; j < f->nr; j++)
		f->triggers[j].fired = true;
	for (int i = 0; i < f->nr_events && !text; i++)
		if (f->events[i].armed)
			text = tracefs_event_file_read(inst, f->events[i].system, f->events[i].event,
						       "trigger", NULL);
	if (text)
		text[strcspn(text, "\n")] = '\0';
	return text;
}

int rec_flight_find(struct rec_flight *f, int nr_cpus, const int *fds, const uint64_t *sizes,
		    const uint64_t *all_sizes, int page_size, struct rec_flight_hit *hit,
		    struct rec_flight_window *w, char **err)
{
	struct kbuffer *kbuf;
	bool any = false;
	int ret = 0;

	*err = NULL;
	memset(hit, 0, sizeof(*hit));
	memset(w, 0, sizeof(*w));
	hit->trigger = -1;
	for (int j = 0; j < f->nr; j++)
		any |= f->triggers[j].fired;
	{
		uint16_t probe = 1;
		int lsize = f->tep ? tep_get_header_page_size(f->tep) : (int)sizeof(long);

		kbuf = kbuffer_alloc(lsize == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4,
				     *(uint8_t *)&probe ? KBUFFER_ENDIAN_LITTLE : KBUFFER_ENDIAN_BIG);
	}
	if (!kbuf)
		return rec_fail(err, ENOMEM, "out of memory");
	for (int cpu = 0; cpu < nr_cpus && !ret; cpu++) {
		bool has = false;

		ret = scan_cpu(f, kbuf, cpu, fds[cpu], any ? sizes[cpu] : 0, all_sizes[cpu],
			       page_size, hit, w, &has);
		if (ret)
			rec_fail(err, -ret, "reading the dump's pages of CPU %d: %s", cpu,
				 strerror(-ret));
	}
	if (!ret && hit->trigger >= 0)
		find_comm(f, hit);
	kbuffer_free(kbuf);
	return ret;
}

char *rec_flight_option(const struct rec_flight *f, const struct rec_flight_dump *d)
{
	const struct rec_flight_hit *h = d->hit;
	const struct rec_flight_window *w = d->window;
	const struct rec_trigger *t = h && h->trigger >= 0 ? &f->triggers[h->trigger] : NULL;
	char *text = NULL, when[32];
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);
	time_t at = d->dumped_at;
	struct tm tm;

	if (!m)
		return NULL;
	gmtime_r(&at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(m, "dump=%d\nkeep=%d\nreason=%s\ndumped_at=%s\n", d->number, d->keep, d->reason,
		when);
	if (t) {
		fprintf(m, "trigger=%s\ntrigger_spec=%s\ntrigger_event=%s/%s\n", t->name, t->spec,
			t->system, t->event);
		fprintf(m, "trigger_filter=%s\n", t->filter ? t->filter : "");
		fprintf(m, "trigger_ts=%llu\ntrigger_cpu=%d\ntrigger_tid=%d\ntrigger_comm=%s\n",
			(unsigned long long)h->ts, h->cpu, h->tid, h->comm);
	}
	if (w && w->events)
		fprintf(m, "window_start=%llu\nwindow_complete=%llu\nwindow_end=%llu\n",
			(unsigned long long)w->first_ts, (unsigned long long)w->complete_ts,
			(unsigned long long)w->last_ts);
	fprintf(m, "window_events=%llu\noverwritten=%llu\nafter_seconds=%.3f\nbuffer_kb=%d\n",
		(unsigned long long)(w ? w->events : 0), (unsigned long long)d->overwritten,
		d->after, d->buffer_kb);
	fprintf(m, "armed_seconds=%.3f\narmed_cpu_seconds=%.6f\n", d->armed_seconds,
		d->armed_cpu_seconds);
	for (int i = 0; i < f->nr_events; i++)
		fprintf(m, "armed=%s/%s %s\n", f->events[i].system, f->events[i].event,
			f->events[i].command);
	if (fclose(m)) {
		free(text);
		return NULL;
	}
	return text;
}

char *rec_flight_describe(const struct rec_flight *f)
{
	char *text = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);

	if (!m)
		return NULL;
	for (int i = 0; i < f->nr_events; i++)
		fprintf(m, "  %s/%s: %s\n", f->events[i].system, f->events[i].event,
			f->events[i].command);
	if (fclose(m)) {
		free(text);
		return NULL;
	}
	return text;
}

char *rec_flight_names(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	char *text = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);

	if (!m)
		return NULL;
	if (sqlite3_prepare_v2(db, "SELECT name, min(description), group_concat(event, ', ')"
			       " FROM (SELECT * FROM schema_trigger ORDER BY name, event)"
			       " GROUP BY name ORDER BY name", -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW)
			fprintf(m, "  %-18s %s (%s)\n", sqlite3_column_text(st, 0),
				sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	if (fclose(m)) {
		free(text);
		return NULL;
	}
	return text;
}
