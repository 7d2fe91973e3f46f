// SPDX-License-Identifier: MIT
/*
 * tracefs-setup: build and tear down one recording's tracefs state.
 *
 * Everything made here is named so that it can be found again after a
 * SIGKILL: the instance carries the recorder's pid, the kprobes the maptrail
 * group.  Destroy runs in the reverse order of create (tracing off, instance
 * removed -- which disables its events -- then the probes, which the kernel
 * refuses to remove while an instance has them enabled).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracefs-setup.h"
#include "wallclock.h"
#include "error-line.h"

__attribute__((format(printf, 2, 3)))
static int fail(char **err, const char *fmt, ...)
{
	int saved = errno ? errno : EINVAL;
	va_list ap;

	va_start(ap, fmt);
	cmn_vfail(err, fmt, ap);
	va_end(ap);
	return -saved;
}

/* The line of error_log that says what the kernel disliked, without its timestamp. */
static char *kernel_error(void)
{
	char *log = tracefs_error_last(NULL), *line, *save = NULL, *found = NULL;

	if (!log)
		return strdup("no reason in error_log");
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *e = strstr(line, "error:");

		if (e) {
			char *colon = strstr(line, "] ");

			found = strdup(colon && colon < e ? colon + 2 : line);
			break;
		}
	}
	free(log);
	return found ? found : strdup("no reason in error_log");
}

static int count_cpus(struct tracefs_instance *inst)
{
	char *dir = tracefs_instance_get_file(inst, "per_cpu");
	char name[32];
	int n = 0;

	if (!dir)
		return 0;
	for (;;) {
		char *path;
		bool there;

		snprintf(name, sizeof(name), "cpu%d", n);
		if (asprintf(&path, "%s/%s", dir, name) < 0)
			break;
		there = access(path, F_OK) == 0;
		free(path);
		if (!there)
			break;
		n++;
	}
	tracefs_put_tracing_file(dir);
	return n;
}

static int add_probe(struct rec_tracefs *t, struct tracefs_dynevent *p)
{
	struct tracefs_dynevent **tmp = realloc(t->probes, (t->nr_probes + 1) * sizeof(*tmp));

	if (!tmp)
		return -ENOMEM;
	t->probes = tmp;
	t->probes[t->nr_probes++] = p;
	return 0;
}

/* Remove the probes from index @from on (an event whose kprobes were refused). */
static void drop_probes(struct rec_tracefs *t, int from)
{
	while (t->nr_probes > from) {
		struct tracefs_dynevent *p = t->probes[--t->nr_probes];

		tracefs_dynevent_destroy(p, false);
		tracefs_dynevent_free(p);
	}
}

/* Remove one probe by name, for a probe libtracefs could not hand back. */
static void remove_raw(const char *event)
{
	char *cmd;

	if (asprintf(&cmd, "-:%s/%s\n", REC_GROUP, event) < 0)
		return;
	tracefs_instance_file_append(NULL, "kprobe_events", cmd);
	free(cmd);
}

/*
 * Create @src's entry kprobe and kretprobe.  Returns 0, -ENOMEM, or 1 with
 * *@why set (free()) when the kernel refused one: the definition and
 * error_log's reason, side by side.
 *
 * The definitions go to kprobe_events exactly as rec_kprobe_definition()
 * writes them (the strings the unit tests check): libtracefs 1.6's
 * tracefs_kretprobe_alloc() with a MAXACTIVE writes "r128::group/event",
 * which the kernel refuses.  libtracefs then hands back each probe as a
 * tracefs_dynevent, and removes it with tracefs_dynevent_destroy().
 */
static int create_kprobes(struct rec_tracefs *t, const struct rec_source *src, char **why)
{
	for (int ret = 0; ret < 2; ret++) {
		const char *event = ret ? src->exit_event : src->enter_event;
		char *def = rec_kprobe_definition(src, ret), *line = NULL;
		struct tracefs_dynevent *p;

		if (!def || asprintf(&line, "%s\n", def) < 0) {
			free(def);
			return -ENOMEM;
		}
		if (tracefs_instance_file_append(NULL, "kprobe_events", line) < 0) {
			char *reason = kernel_error();

			if (asprintf(why, "'%s': %s", def, reason ? reason : "?") < 0)
				*why = NULL;
			free(reason);
			free(line);
			free(def);
			return 1;
		}
		free(line);
		free(def);
		p = tracefs_dynevent_get(ret ? TRACEFS_DYNEVENT_KRETPROBE : TRACEFS_DYNEVENT_KPROBE,
					 REC_GROUP, event);
		if (!p || add_probe(t, p)) {
			if (p) {
				tracefs_dynevent_destroy(p, false);
				tracefs_dynevent_free(p);
			} else {
				remove_raw(event);
			}
			return -ENOMEM;
		}
	}
	return 0;
}

static int make_kprobes(struct rec_tracefs *t, struct rec_plan *plan,
			const struct rec_tracefs_options *o, char **err)
{
	for (int i = 0; i < plan->nr_events; i++) {
		struct rec_event_plan *ev = &plan->events[i];
		int first = t->nr_probes;
		char *why = NULL;
		int ret = 0;

		if (!ev->backend || strcmp(ev->backend, "kprobe"))
			continue;
		for (int j = 0; j < ev->nr_sources && !ret; j++)
			if (ev->sources[j].used && !strcmp(ev->sources[j].backend, "kprobe"))
				ret = create_kprobes(t, &ev->sources[j], &why);
		if (ret < 0) {
			errno = -ret;
			return fail(err, "cannot create the kprobes of %s: %s", ev->name,
				    strerror(-ret));
		}
		if (!ret)
			continue;
		drop_probes(t, first);
		if (rec_plan_fall_back(plan, ev, why ? why : "refused"))
			rec_notify(o->notice, o->notice_arg, "%s: the kernel refused kprobe %s; "
			       "recording it through syscall tracepoints", ev->name,
			       why ? why : "");
		else
			rec_notify(o->notice, o->notice_arg, "%s: the kernel refused kprobe %s; "
			       "%s is not recorded", ev->name, why ? why : "", ev->name);
		free(why);
	}
	return 0;
}

static int enable(struct rec_tracefs *t, const char *system, const char *event, char **err)
{
	if (tracefs_event_enable(t->instance, system, event) == 0)
		return 0;
	return fail(err, "cannot enable %s:%s in instance %s", system, event, t->name);
}

static int enable_events(struct rec_tracefs *t, const struct rec_plan *plan,
			 const struct rec_tracefs_options *o, char **err)
{
	const struct rec_source *s;
	int cursor = 0, ret;

	while ((s = rec_plan_next_used(plan, &cursor))) {
		ret = enable(t, s->enter_system, s->enter_event, err);
		if (!ret)
			ret = enable(t, s->exit_system, s->exit_event, err);
		if (ret)
			return ret;
	}
	for (int i = 0; i < plan->nr_context; i++) {
		char *sys = strdup(plan->context[i]), *ev = sys ? strchr(sys, ':') : NULL;

		if (!ev) {
			free(sys);
			return -ENOMEM;
		}
		*ev++ = '\0';
		/* names and lineage help, but a kernel without one is no reason to stop */
		if (tracefs_event_enable(t->instance, sys, ev))
			rec_notify(o->notice, o->notice_arg, "cannot enable %s:%s; task names may be "
			       "missing from the capture", sys, ev);
		free(sys);
	}
	return 0;
}

static char *pid_list(const int *pids, int n)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%d", i ? " " : "", pids[i]);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static int filter_pids(struct rec_tracefs *t, const struct rec_tracefs_options *o, char **err)
{
	char *list;
	int ret;

	if (!o->nr_pids) {
		if (o->exclude_pid > 0 && tracefs_file_exists(t->instance, "set_event_notrace_pid")) {
			char pid[16];

			snprintf(pid, sizeof(pid), "%d", o->exclude_pid);
			if (tracefs_instance_file_write(t->instance, "set_event_notrace_pid",
							pid) < 0)
				return fail(err, "cannot write set_event_notrace_pid of instance %s",
					    t->name);
		}
		return 0;
	}
	list = pid_list(o->pids, o->nr_pids);
	if (!list)
		return -ENOMEM;
	ret = tracefs_instance_file_write(t->instance, "set_event_pid", list);
	free(list);
	if (ret < 0)
		return fail(err, "cannot write set_event_pid of instance %s", t->name);
	/* event-fork: the kernel adds each child of a filtered task to the filter */
	if (tracefs_option_enable(t->instance, TRACEFS_OPTION_EVENT_FORK))
		return fail(err, "cannot turn on the event-fork option of instance %s", t->name);
	return 0;
}

/*
 * One sub-buffer is one page of the trace.dat; the instance must use the
 * system page size (the default), which the writer puts in the file header.
 */
static int check_subbuf(struct rec_tracefs *t, char **err)
{
	char want[16];
	long long kb;

	t->page_size = sysconf(_SC_PAGESIZE);
	if (!tracefs_file_exists(t->instance, "buffer_subbuf_size_kb"))
		return 0;
	if (tracefs_instance_file_read_number(t->instance, "buffer_subbuf_size_kb", &kb))
		return fail(err, "cannot read buffer_subbuf_size_kb of instance %s", t->name);
	if (kb * 1024 == t->page_size)
		return 0;
	snprintf(want, sizeof(want), "%d", t->page_size / 1024);
	if (tracefs_instance_file_write(t->instance, "buffer_subbuf_size_kb", want) < 0)
		return fail(err, "cannot set buffer_subbuf_size_kb of instance %s to %s",
			    t->name, want);
	return 0;
}

int rec_tracefs_create(struct rec_plan *plan, const struct rec_tracefs_options *o,
		       struct rec_tracefs **out, char **err)
{
	struct rec_tracefs *t = calloc(1, sizeof(*t));
	int ret;

	*err = NULL;
	if (!t || asprintf(&t->name, REC_INSTANCE_PREFIX "%d", (int)getpid()) < 0) {
		free(t);
		*err = strdup("out of memory");
		return -ENOMEM;
	}
	errno = 0;
	if (tracefs_instance_exists(t->name)) {
		/* our pid, so not a live recorder's: rec_tracefs_cleanup() missed it */
		ret = fail(err, "tracefs instance %s already exists (run maptrail record "
			   "--cleanup)", t->name);
		goto out_err;
	}
	t->instance = tracefs_instance_create(t->name);
	if (!t->instance) {
		ret = fail(err, "cannot create tracefs instance %s: %s", t->name,
			   strerror(errno ? errno : EIO));
		goto out_err;
	}
	t->created = true;
	/* a new instance traces from the start: off until every setting is in place */
	if (tracefs_trace_off(t->instance)) {
		ret = fail(err, "cannot turn tracing off in instance %s", t->name);
		goto out_err;
	}
	ret = check_subbuf(t, err);
	if (ret)
		goto out_err;
	if (o->buffer_kb > 0 &&
	    tracefs_instance_set_buffer_size(t->instance, o->buffer_kb, -1)) {
		ret = fail(err, "cannot set the ring buffer of instance %s to %d KB per CPU: %s",
			   t->name, o->buffer_kb, strerror(errno ? errno : EIO));
		goto out_err;
	}
	/*
	 * A trace clock a process can read too (wallclock.h): the file can then
	 * say when, in UTC, each event happened.  A kernel without it keeps its
	 * default, and the file has no wall-clock time.
	 */
	if (tracefs_instance_file_write(t->instance, "trace_clock", REC_TRACE_CLOCK) < 0)
		rec_notify(o->notice, o->notice_arg, "instance %s: trace clock '%s' refused, "
			   "kept the default: the capture will have no wall-clock time", t->name,
			   REC_TRACE_CLOCK);
	/* the kernel's default, but the flight recorder's window depends on it */
	if (o->overwrite && tracefs_option_enable(t->instance, TRACEFS_OPTION_OVERWRITE)) {
		ret = fail(err, "cannot turn on the overwrite option of instance %s", t->name);
		goto out_err;
	}
	t->nr_cpus = count_cpus(t->instance);
	if (!t->nr_cpus) {
		ret = fail(err, "instance %s has no per_cpu directories", t->name);
		goto out_err;
	}
	ret = filter_pids(t, o, err);
	if (!ret)
		ret = make_kprobes(t, plan, o, err);
	if (ret)
		goto out_err;
	if (!rec_plan_nr_recorded(plan)) {
		errno = ENOENT;
		ret = fail(err, "no event can be recorded on this kernel (see maptrail record "
			   "--plan)");
		goto out_err;
	}
	ret = enable_events(t, plan, o, err);
	if (ret)
		goto out_err;
	*out = t;
	return 0;
out_err:
	if (!*err)
		*err = strdup("out of memory");
	rec_tracefs_destroy(t, NULL, NULL);
	return ret < 0 ? ret : -EIO;
}

int rec_tracefs_on(struct rec_tracefs *t)
{
	return tracefs_trace_on(t->instance) ? -EIO : 0;
}

int rec_tracefs_off(struct rec_tracefs *t)
{
	return tracefs_trace_off(t->instance) ? -EIO : 0;
}

char *rec_tracefs_cpu_stats(struct rec_tracefs *t, int cpu)
{
	char file[64];

	snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", cpu);
	return tracefs_instance_file_read(t->instance, file, NULL);
}

long long rec_tracefs_kprobe_misses(struct rec_tracefs *t)
{
	char *text, *line, *save = NULL;
	long long misses = 0;

	if (!t->nr_probes || !(text = tracefs_instance_file_read(NULL, "kprobe_profile", NULL)))
		return 0;
	/* "  maptrail/mremap_x64    hits    misses" */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256];
		unsigned long long hits, missed;

		if (sscanf(line, " %255s %llu %llu", name, &hits, &missed) != 3 ||
		    strncmp(name, REC_GROUP "/", strlen(REC_GROUP) + 1))
			continue;
		for (int i = 0; i < t->nr_probes; i++) {
			char *event = NULL;

			tracefs_dynevent_info(t->probes[i], NULL, &event, NULL, NULL, NULL);
			if (event && !strcmp(event, name + strlen(REC_GROUP) + 1))
				misses += missed;
			free(event);
		}
	}
	free(text);
	return misses;
}

struct rec_tracefs *rec_tracefs_destroy(struct rec_tracefs *t, rec_notice_fn notice, void *arg)
{
	if (!t)
		return NULL;
	if (t->instance) {
		tracefs_trace_off(t->instance);
		if (t->created && tracefs_instance_destroy(t->instance))
			rec_notify(notice, arg, "could not remove tracefs instance %s: %s (maptrail "
			       "record --cleanup removes it)", t->name, strerror(errno));
		tracefs_instance_free(t->instance);
	}
	for (int i = t->nr_probes - 1; i >= 0; i--) {
		char *event = NULL;

		if (tracefs_dynevent_destroy(t->probes[i], false)) {
			tracefs_dynevent_info(t->probes[i], NULL, &event, NULL, NULL, NULL);
			rec_notify(notice, arg, "could not remove kprobe %s/%s (maptrail record "
			       "--cleanup removes it)", REC_GROUP, event ? event : "?");
			free(event);
		}
		tracefs_dynevent_free(t->probes[i]);
	}
	free(t->probes);
	free(t->name);
	free(t);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* What killed recordings left behind                                  */

/* Is @pid a running maptrail (a process with our own command name)? */
static bool recorder_alive(int pid)
{
	char path[64], comm[64] = "", self[64] = "";
	FILE *f;

	if (pid <= 0 || pid == getpid() || (kill(pid, 0) && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	f = fopen("/proc/self/comm", "re");
	if (f) {
		if (!fgets(self, sizeof(self), f))
			self[0] = '\0';
		fclose(f);
	}
	return *comm && !strcmp(comm, self);
}

/* Names of the instances maptrail-<pid> and maptrail-<pid>-watch (tracefs_list_free()); NULL when none. */
static char **our_instances(void)
{
	char *dir = tracefs_get_tracing_file("instances");
	DIR *d = dir ? opendir(dir) : NULL;
	char **names = NULL, **tmp;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		const char *pid = e->d_name + strlen(REC_INSTANCE_PREFIX);
		size_t digits = strspn(pid, "0123456789");

		if (strncmp(e->d_name, REC_INSTANCE_PREFIX, strlen(REC_INSTANCE_PREFIX)) ||
		    !digits || (pid[digits] && strcmp(pid + digits, REC_WATCH_SUFFIX)))
			continue;
		tmp = tracefs_list_add(names, e->d_name);
		if (!tmp)
			break;
		names = tmp;
	}
	if (d)
		closedir(d);
	tracefs_put_tracing_file(dir);
	return names;
}

int rec_tracefs_cleanup(rec_notice_fn notice, void *arg, char **err)
{
	char **names = our_instances();
	struct tracefs_dynevent **probes;
	int removed = 0, live = 0, ret = 0;

	*err = NULL;
	for (int i = 0; names && names[i]; i++) {
		int pid = atoi(names[i] + strlen(REC_INSTANCE_PREFIX));
		struct tracefs_instance *inst;

		if (recorder_alive(pid)) {
			live++;
			continue;
		}
		inst = tracefs_instance_alloc(NULL, names[i]);
		errno = 0;
		if (!inst || tracefs_instance_destroy(inst)) {
			int error = errno ? errno : ENOMEM;
			bool allocated = inst;

			tracefs_instance_free(inst);
			/* another recorder's cleanup removed it first: gone is what we wanted */
			if (allocated && !tracefs_instance_exists(names[i]))
				continue;
			ret = fail(err, "cannot remove tracefs instance %s left by a killed "
				   "recording: %s", names[i], strerror(error));
			goto out;
		}
		tracefs_instance_free(inst);
		rec_notify(notice, arg, "removed tracefs instance %s left by a killed recording "
		       "(pid %d is gone)", names[i], pid);
		removed++;
	}
	/* the group is shared: a live recorder may be using its probes */
	if (live)
		goto out;
	probes = tracefs_dynevent_get_all(TRACEFS_DYNEVENT_KPROBE | TRACEFS_DYNEVENT_KRETPROBE,
					  REC_GROUP);
	for (int i = 0; probes && probes[i]; i++) {
		char *event = NULL;

		tracefs_dynevent_info(probes[i], NULL, &event, NULL, NULL, NULL);
		errno = 0;
		if (tracefs_dynevent_destroy(probes[i], false)) {
			ret = fail(err, "cannot remove kprobe %s/%s left by a killed recording: %s",
				   REC_GROUP, event ? event : "?", strerror(errno ? errno : EBUSY));
			free(event);
			break;
		}
		rec_notify(notice, arg, "removed kprobe %s/%s left by a killed recording", REC_GROUP,
		       event ? event : "?");
		free(event);
		removed++;
	}
	tracefs_dynevent_list_free(probes);
out:
	tracefs_list_free(names);
	return ret ? ret : removed;
}
