// SPDX-License-Identifier: MIT
/*
 * record: the life of one recording.
 *
 *   checks (root, tracefs, output) -> leftovers of killed runs removed ->
 *   plan -> command forked, waiting -> instance and probes -> readers ->
 *   tracing on -> command released -> wait (command end, -p processes gone,
 *   --duration, SIGINT/SIGTERM) -> tracing off -> flush -> trace.dat written
 *   -> teardown -> output linked into place.
 *
 * Every step after the checks fails forward to one exit that undoes what was
 * done, in reverse; the output is an unnamed file until it is complete.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>

#include "capture.h"
#include "flight.h"
#include "kernel.h"
#include "marker.h"
#include "messages.h"
#include "output-linked.h"
#include "record.h"
#include "schema.h"
#include "tdat-writer.h"
#include "wallclock.h"

/* How often the main thread looks at the command, the clock and the readers. */
#define TICK_NS		(100 * 1000 * 1000L)
/* How long a signalled command gets to exit before it is reported as running. */
#define REAP_GRACE_S	2.0

/* A failure while writing, said of the output: "FILE: the disk is full (...)". */
static void name_output(char **err, const char *output, int ret)
{
	char *was = *err, *msg = NULL;

	if (ret == -ENOSPC)
		ret = asprintf(&msg, "%s: the disk is full (%s)", output, was ? was : "");
	else
		ret = asprintf(&msg, "%s: %s", output, was ? was : strerror(-ret));
	if (ret < 0)
		return;
	free(was);
	*err = msg;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* tracefs                                                             */

/*
 * Root, and tracefs mounted (mounted here if it was not: *@mounted names the
 * mount point to unmount at the end).
 */
static int tracefs_ready(const char **dir, const char **mounted, char **err)
{
	const char *path = NULL;
	int ret;

	*mounted = NULL;
	if (geteuid() != 0)
		return rec_fail(err, EPERM, "recording needs root: tracefs and its probes belong to "
			    "root (run it with sudo)");
	ret = tracefs_tracing_dir_is_mounted(false, &path);
	if (ret == 0) {
		if (tracefs_tracing_dir_is_mounted(true, &path) < 0)
			return rec_fail(err, ENODEV, "tracefs is not mounted and cannot be mounted on "
				    "%s: %s", path ? path : "/sys/kernel/tracing",
				    strerror(errno ? errno : ENODEV));
		*mounted = path;
	} else if (ret < 0) {
		return rec_fail(err, ENODEV, "tracefs is not available (kernel without tracing?)");
	}
	*dir = tracefs_tracing_dir();
	if (!*dir)
		return rec_fail(err, ENODEV, "tracefs is not available (kernel without tracing?)");
	return 0;
}

static void tracefs_release(const char *mounted)
{
	/* put the machine back as found: tracefs was not mounted before us */
	if (mounted)
		umount2(mounted, MNT_DETACH);
}

/*
 * The plan, and with @flight the flight recorder's triggers for it (*@fl),
 * both from the schema.
 */
static int make_plan(const char *dir, enum rec_backend backend, const char *const *events,
		     const struct rec_options *flight, struct rec_plan **plan,
		     struct rec_flight **fl, char **err)
{
	struct rec_kernel *k = rec_kernel_open(dir);
	sqlite3 *db = NULL;
	int ret;

	if (!k)
		return rec_fail(err, ENOMEM, "out of memory");
	if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
		ret = rec_fail(err, ENOMEM, "cannot open an in-memory database: %s",
			   db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	if (schema_load(db, NULL, err) < 0) {
		ret = -EINVAL;
		goto out;
	}
	ret = rec_plan_build(db, k, backend, events, plan, err);
	if (!ret && flight && rec_plan_nr_recorded(*plan))
		ret = rec_flight_build(db, *plan, flight->flight->triggers, flight->notice,
				       flight->notice_arg, fl, err);
out:
	sqlite3_close(db);
	rec_kernel_free(k);
	return ret;
}

int rec_plan_describe(enum rec_backend backend, const char *const *events, char **text,
		      char **err)
{
	const char *dir, *mounted;
	struct rec_plan *plan = NULL;
	int ret;

	*err = NULL;
	ret = tracefs_ready(&dir, &mounted, err);
	if (ret)
		return ret;
	ret = make_plan(dir, backend, events, NULL, &plan, NULL, err);
	if (!ret) {
		*text = rec_plan_text(plan, true);
		if (!*text)
			ret = rec_fail(err, ENOMEM, "out of memory");
	}
	rec_plan_free(plan);
	tracefs_release(mounted);
	return ret;
}

int rec_flight_list(char **text, char **err)
{
	sqlite3 *db = NULL;
	int ret = 0;

	*err = NULL;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		ret = rec_fail(err, ENOMEM, "cannot open an in-memory database");
	else if (schema_load(db, NULL, err) < 0)
		ret = -EINVAL;
	else if (!(*text = rec_flight_names(db)))
		ret = rec_fail(err, ENOMEM, "out of memory");
	sqlite3_close(db);
	return ret;
}

int rec_cleanup(rec_notice_fn notice, void *arg, char **err)
{
	const char *dir, *mounted;
	int ret;

	*err = NULL;
	ret = tracefs_ready(&dir, &mounted, err);
	if (ret)
		return ret;
	ret = rec_tracefs_cleanup(notice, arg, err);
	tracefs_release(mounted);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The command and the processes to follow                            */

struct command {
	pid_t pid;
	int go;			/* write end: one byte releases the command */
	int exec_err;		/* read end: an errno if exec failed, EOF if it worked */
	bool done;
	int status;
};

/*
 * Fork the command; it waits for rec_command_release() so that its very
 * first system call (the exec) is recorded.
 */
static int command_fork(struct command *c, char *const *argv, char **err)
{
	int go[2], ex[2];

	if (pipe2(go, O_CLOEXEC))
		return rec_fail(err, errno, "pipe: %s", strerror(errno));
	if (pipe2(ex, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return rec_fail(err, errno, "pipe: %s", strerror(errno));
	}
	c->pid = fork();
	if (c->pid < 0) {
		int e = errno;

		close(go[0]);
		close(go[1]);
		close(ex[0]);
		close(ex[1]);
		return rec_fail(err, e, "cannot start %s: %s", argv[0], strerror(e));
	}
	if (c->pid == 0) {
		sigset_t none;
		char byte;
		int e;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		close(go[1]);
		close(ex[0]);
		if (read(go[0], &byte, 1) != 1)
			_exit(127);	/* the recorder gave up */
		execvp(argv[0], argv);
		e = errno;
		if (write(ex[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ex[1]);
	c->go = go[1];
	c->exec_err = ex[0];
	return 0;
}

/* Let the command go; 0 once it has exec'd, or the errno of its failed exec. */
static int command_release(struct command *c)
{
	int e = 0;
	ssize_t n;

	if (write(c->go, "g", 1) != 1)
		return errno;
	close(c->go);
	c->go = -1;
	do
		n = read(c->exec_err, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(c->exec_err);
	c->exec_err = -1;
	return n == sizeof(e) ? e : 0;
}

static void command_poll(struct command *c)
{
	if (c->pid > 0 && !c->done && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->done = true;
}

/* Not released: closing the pipe makes it exit at once. */
static void command_abandon(struct command *c)
{
	if (c->go >= 0)
		close(c->go);
	if (c->exec_err >= 0)
		close(c->exec_err);
	c->go = c->exec_err = -1;
	if (c->pid > 0 && !c->done && waitpid(c->pid, &c->status, 0) == c->pid)
		c->done = true;
}

struct pid_list {
	int *pids;
	int nr, cap;
};

static int pid_add(struct pid_list *l, int pid)
{
	for (int i = 0; i < l->nr; i++)
		if (l->pids[i] == pid)
			return 0;
	if (l->nr == l->cap) {
		int *tmp = realloc(l->pids, (l->cap ? l->cap * 2 : 16) * sizeof(*tmp));

		if (!tmp)
			return -ENOMEM;
		l->pids = tmp;
		l->cap = l->cap ? l->cap * 2 : 16;
	}
	l->pids[l->nr++] = pid;
	return 0;
}

/* The threads of process @pid (set_event_pid filters threads). */
static int add_threads(struct pid_list *l, int pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int ret = pid_add(l, pid);

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	while (!ret && dir && (d = readdir(dir)))
		if (d->d_name[0] >= '1' && d->d_name[0] <= '9')
			ret = pid_add(l, atoi(d->d_name));
	if (dir)
		closedir(dir);
	return ret;
}

static int parent_of(int pid)
{
	char path[64], buf[512], *paren;
	int ppid = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and parentheses */
	paren = strrchr(buf, ')');
	if (!paren || sscanf(paren + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

/*
 * -p: each process, its threads, and the processes already forked below it
 * (those forked later are followed by the kernel's event-fork).
 */
static int gather_pids(const int *roots, int nr_roots, struct pid_list *out,
		       struct pid_list *procs_out, char **err)
{
	struct pid_list procs = { 0 };
	struct dirent *d;
	DIR *proc;
	int ret = 0;
	bool grew;

	for (int i = 0; i < nr_roots; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d", roots[i]);
		if (roots[i] <= 0 || access(path, F_OK))
			return rec_fail(err, ESRCH, "-p %d: no such process", roots[i]);
		if (pid_add(&procs, roots[i]))
			goto nomem;
	}
	/* descendants: repeat until no process of /proc has a parent in the set */
	do {
		grew = false;
		proc = opendir("/proc");
		while (proc && (d = readdir(proc))) {
			int pid = atoi(d->d_name), ppid, before = procs.nr;

			if (pid <= 0 || !(ppid = parent_of(pid)))
				continue;
			for (int i = 0; i < before; i++) {
				if (procs.pids[i] == ppid) {
					if (pid_add(&procs, pid)) {
						closedir(proc);
						goto nomem;
					}
					grew |= procs.nr > before;
					break;
				}
			}
		}
		if (proc)
			closedir(proc);
	} while (grew);
	for (int i = 0; i < procs.nr && !ret; i++)
		ret = add_threads(out, procs.pids[i]);
	*procs_out = procs;
	return ret ? rec_fail(err, ENOMEM, "out of memory") : 0;
nomem:
	free(procs.pids);
	return rec_fail(err, ENOMEM, "out of memory");
}

static bool any_alive(const int *pids, int n)
{
	for (int i = 0; i < n; i++)
		if (kill(pids[i], 0) == 0 || errno == EPERM)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* The recording                                                       */

/* Add @len bytes of @name to @list unless there; returns the list or NULL (ENOMEM). */
static char **add_system(char **list, const char *name, size_t len)
{
	char *copy;
	char **tmp;

	for (int i = 0; list && list[i]; i++)
		if (strlen(list[i]) == len && !strncmp(list[i], name, len))
			return list;
	copy = strndup(name, len);
	tmp = copy ? tracefs_list_add(list, copy) : NULL;
	free(copy);
	if (!tmp)
		tracefs_list_free(list);
	return tmp;
}

/* The event systems of the plan, each once: their formats go in the file. */
static char **plan_systems(const struct rec_plan *plan)
{
	const struct rec_source *s;
	char **list = NULL;
	int cursor = 0;

	while ((s = rec_plan_next_used(plan, &cursor))) {
		list = add_system(list, s->enter_system, strlen(s->enter_system));
		if (list)
			list = add_system(list, s->exit_system, strlen(s->exit_system));
		if (!list)
			return NULL;
	}
	for (int i = 0; i < plan->nr_context; i++) {
		list = add_system(list, plan->context[i], strcspn(plan->context[i], ":"));
		if (!list)
			return NULL;
	}
	return list;
}

static long long stat_value(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, key, n) && l[n] == ':')
			return strtoll(l + n + 1, NULL, 10);
	return -1;
}

/* Wait for the end: the command, the -p processes, --duration, a signal, a reader failing. */
static int wait_for_end(const struct rec_options *o, struct command *cmd, const int *pids,
			int nr_pids, struct rec_capture *cap, double start,
			struct rec_summary *sum, char **err)
{
	for (;;) {
		double left = o->duration > 0 ? start + o->duration - now() : 1.0;
		struct timespec tick = { 0, TICK_NS };
		int ret;

		if (o->interrupted && *o->interrupted) {
			sum->interrupted = true;
			/* a Ctrl-C reached the command too; a kill(1) of ours did not */
			if (cmd->pid > 0 && !cmd->done)
				kill(cmd->pid, *o->interrupted);
			return 0;
		}
		if (left <= 0) {
			sum->timed_out = true;
			return 0;
		}
		command_poll(cmd);
		if (cmd->done)
			return 0;
		if (!cmd->pid && nr_pids && !any_alive(pids, nr_pids))
			return 0;
		ret = rec_capture_error(cap, err);
		if (ret)
			return ret;
		if (left < TICK_NS / 1e9)
			tick.tv_nsec = left * 1e9;
		nanosleep(&tick, NULL);
	}
}

/* The start sample of the wall clock, on the instance's trace clock (wallclock.h). */
static void wallclock_start(struct rec_tracefs *t, struct rec_wallclock *wc)
{
	char *clock = tracefs_instance_file_read(t->instance, "trace_clock", NULL);

	rec_wallclock_start(wc, clock ? clock : "");
	free(clock);
}

static int write_capture(const struct rec_options *o, const char *dir, struct rec_plan *plan,
			 struct rec_tracefs *t, struct rec_capture *cap, struct cmn_out_linked *out,
			 const char *flight, struct rec_wallclock *wc, const void *prelude,
			 size_t prelude_len, struct rec_summary *sum, char **err)
{
	struct rec_tdat_cpu *cpus = calloc(t->nr_cpus, sizeof(*cpus));
	struct rec_tdat_count *counts = calloc(t->nr_cpus, sizeof(*counts));
	char **systems = plan_systems(plan);
	char *clock = tracefs_instance_file_read(t->instance, "trace_clock", NULL);
	char *plan_text = NULL, *wallclock = NULL;
	struct rec_tdat in = {
		.tracing_dir = dir,
		.systems = (const char *const *)systems,
		.page_size = t->page_size,
		.nr_cpus = t->nr_cpus,
		.cpus = cpus,
		.flight = flight,
		.prelude = prelude,
		.prelude_len = prelude_len,
	};
	char *plan_rows = NULL;
	int ret;

	free(sum->cpus);	/* a flight recorder's earlier dump */
	sum->cpus = calloc(t->nr_cpus, sizeof(*sum->cpus));
	if (!cpus || !counts || !systems || !clock || !sum->cpus) {
		ret = rec_fail(err, ENOMEM, "out of memory");
		goto out;
	}
	clock[strcspn(clock, "\n")] = '\0';
	in.trace_clock = clock;
	sum->nr_cpus = t->nr_cpus;
	for (int i = 0; i < t->nr_cpus; i++) {
		char *stats = rec_tracefs_cpu_stats(t, i);

		cpus[i].fd = rec_capture_fd(cap, i);
		cpus[i].size = rec_capture_size(cap, i);
		cpus[i].stats = stats;
		sum->cpus[i].overrun = stats ? stat_value(stats, "overrun") : -1;
		sum->cpus[i].commit_overrun = stats ? stat_value(stats, "commit overrun") : -1;
		sum->cpus[i].dropped = stats ? stat_value(stats, "dropped events") : -1;
	}
	sum->kprobe_misses = rec_tracefs_kprobe_misses(t);
	/* As rows (plan-rows.h) for analyze to load; the prose below is printed from them. */
	in.plan_rows = plan_rows = rec_plan_option(plan);
	/* The plan travels in the file, so analyze can say how it was recorded. */
	in.plan = plan_text = rec_plan_text(plan, true);
	/* the end sample bounds the drift since the start one */
	rec_wallclock_end(wc);
	in.wallclock = wallclock = rec_wallclock_option(wc);
	sum->wallclock = *wc;
	ret = rec_tdat_write(out->fd, &in, counts, &sum->file_size, err);
	if (ret)
		name_output(err, out->path, ret);
	for (int i = 0; !ret && i < t->nr_cpus; i++) {
		sum->cpus[i].events = counts[i].events;
		sum->cpus[i].missed = counts[i].missed;
		sum->cpus[i].missed_pages = counts[i].missed_pages;
	}
out:
	for (int i = 0; cpus && i < t->nr_cpus; i++)
		free((char *)cpus[i].stats);
	free(cpus);
	free(counts);
	free(clock);
	free(plan_rows);
	free(plan_text);
	free(wallclock);
	tracefs_list_free(systems);
	return ret;
}

/*
 * The identity records (watch.h): the recording's trace_marker and the watch
 * instance.  -p follows the threads found and snapshots their processes at
 * the start; -- COMMAND follows the command, snapshotted at its exec; the
 * whole system is snapshotted at the start.
 */
static int watch_open(const struct rec_options *o, struct rec_tracefs *t,
		      const struct pid_list *pids, const struct pid_list *procs,
		      struct rec_marker **marker, struct rec_watch **watch, char **err)
{
	struct rec_watch_options wo = {
		.main = t->instance,
		.name = t->name,
		.pids = pids->pids,
		.nr_pids = pids->nr,
		.attach = procs->pids,
		.nr_attach = procs->nr,
		.follow_tracers = o->nr_pids > 0 || o->command,
		.notice = o->notice,
		.notice_arg = o->notice_arg,
	};

	*marker = rec_marker_open(t->instance);
	if (!*marker)
		return rec_fail(err, errno ? errno : EIO, "cannot open trace_marker of instance %s: %s",
				t->name, strerror(errno ? errno : EIO));
	wo.marker = *marker;
	return rec_watch_create(&wo, watch, err);
}

/* ------------------------------------------------------------------ */
/* The flight recorder                                                 */

/* How often an armed recorder looks at tracing_on, the command and the clock. */
#define FLIGHT_TICK_NS	(200 * 1000 * 1000L)

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

struct flight {
	const struct rec_options *o;
	const char *tracing_dir;
	struct rec_plan *plan;
	struct rec_flight *fl;
	struct rec_tracefs *t;
	struct command *cmd;
	struct rec_summary *sum;
	double start;			/* first armed */
	double armed_at, armed_cpu;	/* this arming */
	long long *overrun;		/* per CPU, stats at this arming */
	int keep;
	const char *end;		/* set once the recording is to end: the last dump's reason */
	bool release;			/* the command waits for the first arming */
	void *prelude;			/* rec_tdat_prelude() of this arming */
	size_t prelude_len;
	struct rec_wallclock wallclock;	/* sampled at this arming and at the dump */
};

static long long cpu_overrun(struct rec_tracefs *t, int cpu)
{
	char *stats = rec_tracefs_cpu_stats(t, cpu);
	long long v = stats ? stat_value(stats, "overrun") : -1;

	free(stats);
	return v;
}

/* The file's unchanging part, read now rather than when the trigger fires. */
static int flight_prelude(struct flight *f, char **err)
{
	char **systems = plan_systems(f->plan);
	struct rec_tdat in = {
		.tracing_dir = f->tracing_dir,
		.systems = (const char *const *)systems,
		.page_size = f->t->page_size,
	};
	int ret;

	if (!systems)
		return rec_fail(err, ENOMEM, "out of memory");
	free(f->prelude);
	f->prelude = NULL;
	ret = rec_tdat_prelude(&in, &f->prelude, &f->prelude_len, err);
	tracefs_list_free(systems);
	return ret;
}

static int flight_arm(struct flight *f, char **err)
{
	/* kallsyms and the formats as they are at this arming (modules may come later) */
	int ret = flight_prelude(f, err);

	if (!ret)
		ret = rec_flight_arm(f->fl, f->t->instance, err);
	if (ret)
		return ret;
	for (int i = 0; i < f->t->nr_cpus; i++)
		f->overrun[i] = cpu_overrun(f->t, i);
	f->armed_at = now();
	f->armed_cpu = cpu_seconds();
	wallclock_start(f->t, &f->wallclock);
	if (rec_tracefs_on(f->t))
		return rec_fail(err, EIO, "cannot turn tracing on in instance %s", f->t->name);
	return 0;
}

/* The end of the recording, if it has come: its reason ("sigint", ...), else NULL. */
static const char *flight_ending(struct flight *f)
{
	const struct rec_options *o = f->o;

	if (o->interrupted && *o->interrupted) {
		int sig = *o->interrupted;

		f->sum->interrupted = true;
		if (f->cmd->pid > 0 && !f->cmd->done)
			kill(f->cmd->pid, sig);
		return sig == SIGTERM ? "sigterm" : sig == SIGHUP ? "sighup" : "sigint";
	}
	if (o->duration > 0 && now() >= f->start + o->duration) {
		f->sum->timed_out = true;
		return "duration";
	}
	command_poll(f->cmd);
	if (f->cmd->done || (!f->cmd->pid && o->nr_pids && !any_alive(o->pids, o->nr_pids)))
		return "exit";
	return NULL;
}

/* Armed: wait, reading nothing, for a trigger, SIGUSR1 or the end.  Returns the reason. */
static const char *flight_wait(struct flight *f)
{
	for (;;) {
		struct timespec tick = { 0, FLIGHT_TICK_NS };
		double left = f->o->duration > 0 ? f->start + f->o->duration - now() : 1.0;
		long long on = 1;

		if ((f->end = flight_ending(f)))
			return f->end;
		if (f->o->dump_requested && *f->o->dump_requested) {
			*f->o->dump_requested = 0;
			return "usr1";
		}
		/* one small read: the kernel's traceoff trigger turned it to 0 */
		if (!tracefs_instance_file_read_number(f->t->instance, "tracing_on", &on) && !on)
			return "trigger";
		if (left < FLIGHT_TICK_NS / 1e9)
			tick.tv_nsec = left > 0 ? left * 1e9 : 1;
		nanosleep(&tick, NULL);
	}
}

/*
 * --after: record what follows the trigger.  The frozen window is in @cap's
 * files already (flushed), so nothing new can overwrite it; readers follow
 * the new events as in an ordinary recording.
 */
static int flight_after(struct flight *f, struct rec_capture *cap, char **err)
{
	double until = now() + f->o->flight->after;
	int ret = rec_capture_start(cap, err);

	if (ret)
		return ret;
	if (rec_tracefs_on(f->t))
		return rec_fail(err, EIO, "cannot turn tracing on in instance %s", f->t->name);
	while (now() < until && !(f->end = flight_ending(f))) {
		double left = until - now();
		struct timespec tick = { 0, left < TICK_NS / 1e9 ? (long)(left * 1e9) + 1 : TICK_NS };

		ret = rec_capture_error(cap, err);
		if (ret)
			return ret;
		nanosleep(&tick, NULL);
	}
	rec_tracefs_off(f->t);
	return rec_capture_stop(cap, err);
}

/* DIR/maptrail-20261202T051200Z-wx.dat, -2, -3 ... when that second has one already. */
static char *dump_path(const char *dir, const char *name, int attempt)
{
	char when[32], *path;
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	if ((attempt ? asprintf(&path, "%s/maptrail-%s-%s-%d.dat", dir, when, name, attempt + 1)
		     : asprintf(&path, "%s/maptrail-%s-%s.dat", dir, when, name)) < 0)
		return NULL;
	return path;
}

/* A trigger's name as a file name part: letters, digits, '-' and '_' only. */
static void file_part(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			*s = '_';
}

/* One dump: the frozen buffer (and --after's) as a trace.dat in the directory. */
static int flight_dump(struct flight *f, const char *reason, char **err)
{
	const struct rec_options *o = f->o;
	struct rec_tracefs *t = f->t;
	int n = t->nr_cpus;
	double frozen = now(), armed_cpu = cpu_seconds() - f->armed_cpu;
	uint64_t *sizes = calloc(n, sizeof(*sizes)), *all = calloc(n, sizeof(*all));
	int *fds = calloc(n, sizeof(*fds));
	struct rec_flight_window w;
	struct rec_flight_hit hit;
	struct rec_capture *cap = NULL;
	struct cmn_out_linked out = { .fd = -1 };
	struct rec_flight_dump d = {
		.number = f->sum->dumps + 1, .keep = f->keep, .reason = reason, .hit = &hit,
		.window = &w, .buffer_kb = o->buffer_kb > 0 ? o->buffer_kb : REC_DEFAULT_BUFFER_KB,
		.armed_seconds = frozen - f->armed_at, .armed_cpu_seconds = armed_cpu,
	};
	char *text = NULL, *name = NULL, *path = NULL;
	bool published = false, triggered = !strcmp(reason, "trigger");
	int ret;

	rec_tracefs_off(t);
	f->sum->armed_seconds += d.armed_seconds;
	f->sum->armed_cpu_seconds += armed_cpu;
	if (!sizes || !all || !fds) {
		ret = rec_fail(err, ENOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		long long v = cpu_overrun(t, i);

		if (v > f->overrun[i] && f->overrun[i] >= 0)
			d.overwritten += v - f->overrun[i];
	}
	/* a trigger that fired as the command ended is still the reason for this dump */
	if (rec_flight_fired(f->fl, t->instance)) {
		reason = d.reason = "trigger";
		triggered = true;
	} else if (triggered) {
		char *file = rec_flight_suspect_all(f->fl, t->instance);

		rec_notify(o->notice, o->notice_arg, "tracing stopped but no trigger's count moved "
			   "(%s): the trigger is told by the last call matching a filter",
			   file ? file : "trigger file unreadable");
		free(file);
	}
	ret = rec_capture_open(t->instance, n, o->output, &cap, err);
	if (!ret)
		ret = rec_capture_flush(cap, err);
	if (ret)
		goto out;
	for (int i = 0; i < n; i++) {
		fds[i] = rec_capture_fd(cap, i);
		sizes[i] = rec_capture_size(cap, i);
	}
	rec_flight_disarm(f->fl, t->instance);
	if (triggered && o->flight->after > 0 && !f->end) {
		double began = now();

		ret = flight_after(f, cap, err);
		if (ret)
			goto out;
		d.after = now() - began;
	}
	for (int i = 0; i < n; i++)
		all[i] = rec_capture_size(cap, i);
	ret = rec_flight_find(f->fl, n, fds, sizes, all, t->page_size, &hit, &w, err);
	if (ret)
		goto out;
	name = strdup(hit.trigger >= 0 ? f->fl->triggers[hit.trigger].name :
		      triggered ? "traceoff" : reason);
	if (!name) {
		ret = rec_fail(err, ENOMEM, "out of memory");
		goto out;
	}
	file_part(name);
	d.dumped_at = time(NULL);
	text = rec_flight_option(f->fl, &d);
	if (!text) {
		ret = rec_fail(err, ENOMEM, "out of memory");
		goto out;
	}
	for (int attempt = 0; !published && attempt < 100; attempt++) {
		free(path);
		path = dump_path(o->output, name, attempt);
		if (!path) {
			ret = rec_fail(err, ENOMEM, "out of memory");
			goto out;
		}
		if (attempt == 0) {
			/* the name is checked when the complete file is linked */
			ret = cmn_out_linked_open(&out, path, true, err);
			if (!ret)
				ret = write_capture(o, f->tracing_dir, f->plan, t, cap, &out, text,
						    &f->wallclock, f->prelude, f->prelude_len,
						    f->sum, err);
			if (ret)
				goto out;
		}
		out.path = path;
		ret = cmn_out_linked_publish(&out, false, err);
		if (ret == -EEXIST) {
			free(*err);
			*err = NULL;
			continue;
		}
		if (ret)
			goto out;
		published = true;
	}
	if (!published) {
		ret = rec_fail(err, EEXIST, "%s: cannot find a free name for the dump", path);
		goto out;
	}
	f->sum->dumps++;
	{
		uint64_t events = 0;
		const struct rec_trigger *tr = hit.trigger >= 0 ? &f->fl->triggers[hit.trigger] : NULL;

		for (int i = 0; i < f->sum->nr_cpus; i++)
			events += f->sum->cpus[i].events;
		rec_notify(o->notice, o->notice_arg, "dump %d of at most %d: %s: %s%s%s%s%s; %llu "
			   "events over %.3f s (%llu older ones overwritten before it), %llu "
			   "bytes; %.3f s from the freeze to the file; armed %.1f s, recorder CPU "
			   "%.4f s (%.4f%%)", d.number, f->keep, path,
			   tr ? "trigger " : reason, tr ? tr->name : "",
			   tr ? " on " : "", tr ? tr->event : "",
			   tr ? "" : "", (unsigned long long)events,
			   w.events ? (w.last_ts - w.first_ts) / 1e9 : 0.0,
			   (unsigned long long)d.overwritten, (unsigned long long)f->sum->file_size,
			   now() - frozen - d.after, d.armed_seconds, armed_cpu,
			   d.armed_seconds > 0 ? 100 * armed_cpu / d.armed_seconds : 0.0);
		if (tr)
			rec_notify(o->notice, o->notice_arg, "dump %d: the call: %s (tid %d) on CPU %d "
				   "at %llu, filter '%s'", d.number, hit.comm[0] ? hit.comm : "?",
				   hit.tid, hit.cpu, (unsigned long long)hit.ts,
				   tr->filter ? tr->filter : "(every call)");
		else if (triggered)
			rec_notify(o->notice, o->notice_arg, "dump %d: tracing stopped but no trigger "
				   "of ours fired (another tool wrote tracing_on?)", d.number);
	}
out:
	rec_capture_free(cap);
	cmn_out_linked_close(&out, published);
	free(text);
	free(name);
	free(path);
	free(sizes);
	free(all);
	free(fds);
	return ret;
}

/* The dumps' directory: there, and ours to write in. */
static int dumps_dir(const char *dir, char **err)
{
	struct stat st;

	if (stat(dir, &st))
		return rec_fail(err, errno, "%s: %s (--flight -o names the directory of the dumps)",
				dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return rec_fail(err, ENOTDIR, "%s: not a directory (--flight -o names the "
				"directory of the dumps)", dir);
	if (access(dir, W_OK | X_OK))
		return rec_fail(err, errno, "%s: cannot write in it: %s", dir, strerror(errno));
	return 0;
}

/*
 * Arm for the first time: a trigger the kernel refuses ends the recording
 * before it starts; then the command is released and the plan told.
 */
static int flight_start(struct flight *f, char **err)
{
	const struct rec_options *o = f->o;
	int ret;

	/* the kernel checks each filter now, before anything is recorded */
	ret = rec_flight_arm(f->fl, f->t->instance, err);
	if (ret)
		return ret;
	if (o->interrupted && *o->interrupted)
		return rec_fail(err, EINTR, "interrupted before the recording started");
	/* the command waits for tracing on: run_flight() arms and turns it on first */
	f->release = o->command != NULL;
	return 0;
}

/* Once armed the first time: the plan and the triggers, as an ordinary recording tells its plan. */
static void flight_tell(struct flight *f)
{
	const struct rec_options *o = f->o;
	char *text = rec_plan_text(f->plan, false);

	if (text)
		rec_notify(o->notice, o->notice_arg, "%s", text);
	free(text);
	text = rec_flight_describe(f->fl);
	if (text)
		rec_notify(o->notice, o->notice_arg, "flight recorder armed, %d KB per CPU, %s:\n%s",
			   o->buffer_kb > 0 ? o->buffer_kb : REC_DEFAULT_BUFFER_KB,
			   *text ? "triggers" : "no trigger (SIGUSR1 and the end dump)", text);
	free(text);
}

/* Armed, frozen, dumped, re-armed, up to --keep dumps or the end. */
static int run_flight(struct flight *f, char **err)
{
	int ret = 0;

	f->keep = f->o->flight->keep > 0 ? f->o->flight->keep : 1;
	f->overrun = calloc(f->t->nr_cpus, sizeof(*f->overrun));
	if (!f->overrun)
		return rec_fail(err, ENOMEM, "out of memory");
	f->start = now();
	ret = flight_arm(f, err);
	if (!ret && f->release) {
		int e = command_release(f->cmd);

		f->release = false;
		if (e)
			ret = rec_fail(err, e, "%s: %s", f->o->command[0], strerror(e));
	}
	if (!ret)
		flight_tell(f);
	while (!ret) {
		const char *reason = flight_wait(f);

		ret = flight_dump(f, reason, err);
		if (ret || f->end || f->sum->dumps >= f->keep)
			break;
		ret = flight_arm(f, err);
	}
	rec_tracefs_off(f->t);
	rec_flight_disarm(f->fl, f->t->instance);
	f->sum->seconds = now() - f->start;
	free(f->overrun);
	free(f->prelude);
	return ret;
}

int rec_run(const struct rec_options *o, struct rec_summary *sum, char **err)
{
	struct rec_tracefs_options topts = {
		.buffer_kb = o->buffer_kb > 0 ? o->buffer_kb : REC_DEFAULT_BUFFER_KB,
		.notice = o->notice,
		.notice_arg = o->notice_arg,
	};
	struct cmn_out_linked out = { .fd = -1 };
	struct command cmd = { .go = -1, .exec_err = -1 };
	struct pid_list pids = { 0 }, procs = { 0 };
	struct rec_marker *marker = NULL;
	struct rec_watch *watch = NULL;
	struct rec_plan *plan = NULL;
	struct rec_tracefs *t = NULL;
	struct rec_capture *cap = NULL;
	struct rec_flight *fl = NULL;
	struct rec_wallclock wallclock = { 0 };
	const char *dir, *mounted = NULL;
	bool published = false;
	struct rusage ru;
	double start = 0;
	char *text;
	int ret;

	*err = NULL;
	memset(sum, 0, sizeof(*sum));
	ret = tracefs_ready(&dir, &mounted, err);
	if (ret)
		return ret;
	ret = o->flight ? dumps_dir(o->output, err) :
			  cmn_out_linked_open(&out, o->output, o->force, err);
	if (ret)
		goto out;
	if (rec_tracefs_cleanup(o->notice, o->notice_arg, err) < 0) {
		ret = -EBUSY;
		goto out;
	}
	ret = make_plan(dir, o->backend, o->events, o->flight ? o : NULL, &plan, &fl, err);
	if (ret)
		goto out;
	if (!rec_plan_nr_recorded(plan)) {
		ret = rec_fail(err, ENOENT, "no event can be recorded on this kernel: %s: %s (see "
			   "maptrail record --plan)", plan->nr_events ? plan->events[0].name : "-",
			   plan->nr_events && plan->events[0].why ? plan->events[0].why : "?");
		goto out;
	}

	if (o->nr_pids) {
		ret = gather_pids(o->pids, o->nr_pids, &pids, &procs, err);
		if (ret)
			goto out;
	}
	if (o->command) {
		ret = command_fork(&cmd, o->command, err);
		if (ret)
			goto out;
		sum->command_pid = cmd.pid;
		if (pid_add(&pids, cmd.pid)) {
			ret = rec_fail(err, ENOMEM, "out of memory");
			goto out;
		}
	}
	topts.pids = pids.pids;
	topts.nr_pids = pids.nr;
	/* the whole system, but not the recorder's own page-splicing */
	topts.exclude_pid = pids.nr ? 0 : getpid();
	topts.overwrite = o->flight;
	ret = rec_tracefs_create(plan, &topts, &t, err);
	if (ret)
		goto out;
	if (o->flight) {
		struct flight f = { .o = o, .tracing_dir = dir, .plan = plan, .fl = fl, .t = t,
				    .cmd = &cmd, .sum = sum };

		ret = flight_start(&f, err);
		if (!ret)
			ret = run_flight(&f, err);
		goto out;
	}

	ret = rec_capture_open(t->instance, t->nr_cpus, out.dir, &cap, err);
	if (!ret)
		ret = rec_capture_start(cap, err);
	if (ret)
		goto out;
	if (!o->no_identity) {
		ret = watch_open(o, t, &pids, &procs, &marker, &watch, err);
		if (ret)
			goto out;
	}
	if (o->interrupted && *o->interrupted) {
		ret = rec_fail(err, EINTR, "interrupted before the recording started");
		goto out;
	}
	if (rec_tracefs_on(t)) {
		ret = rec_fail(err, EIO, "cannot turn tracing on in instance %s", t->name);
		goto out;
	}
	start = now();
	wallclock_start(t, &wallclock);
	/* the resolver writes into trace_marker, which takes writes only while tracing */
	if (watch && (ret = rec_watch_start(watch, err)))
		goto out;
	if (o->command) {
		int e = command_release(&cmd);

		if (e) {
			ret = rec_fail(err, e, "%s: %s", o->command[0], strerror(e));
			goto out;
		}
	}
	/* once recording: a failure before it is one line; refused kprobes changed it */
	text = rec_plan_text(plan, false);
	if (text)
		rec_notify(o->notice, o->notice_arg, "%s", text);
	free(text);
	ret = wait_for_end(o, &cmd, o->pids, o->nr_pids, cap, start, sum, err);
	/* what the watch still holds is acted on while the recording still takes records */
	if (watch) {
		rec_watch_stop(watch, &sum->identity_stats);
		sum->identity = true;
	}
	rec_tracefs_off(t);
	sum->seconds = now() - start;
	if (!ret)
		ret = rec_capture_stop(cap, err);
	if (ret) {
		name_output(err, o->output, ret);
		goto out;
	}
	ret = write_capture(o, dir, plan, t, cap, &out, NULL, &wallclock, NULL, 0, sum, err);
	if (ret)
		goto out;
	watch = rec_watch_free(watch);
	/* an open trace_marker keeps the instance busy: closed before its removal */
	marker = rec_marker_free(marker);
	cap = rec_capture_free(cap);
	t = rec_tracefs_destroy(t, o->notice, o->notice_arg);
	ret = cmn_out_linked_publish(&out, o->force, err);
	published = !ret;
	if (!getrusage(RUSAGE_SELF, &ru))
		sum->cpu_seconds = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
				   ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
out:
	rec_watch_free(watch);
	rec_marker_free(marker);
	rec_capture_free(cap);
	rec_tracefs_destroy(t, o->notice, o->notice_arg);
	cmn_out_linked_close(&out, published);
	if (cmd.pid > 0) {
		if (cmd.go >= 0) {
			command_abandon(&cmd);
		} else {
			/* a signalled command gets a moment to exit, so its status can be told */
			double until = now() + (sum->interrupted || ret ? REAP_GRACE_S : 0);

			for (command_poll(&cmd); !cmd.done && now() < until; command_poll(&cmd))
				nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
		}
		sum->command_done = cmd.done;
		sum->command_status = cmd.status;
	}
	free(pids.pids);
	free(procs.pids);
	rec_flight_free(fl);
	rec_plan_free(plan);
	tracefs_release(mounted);
	if (ret)
		rec_summary_release(sum);
	return ret;
}

void rec_summary_release(struct rec_summary *sum)
{
	free(sum->cpus);
	sum->cpus = NULL;
	sum->nr_cpus = 0;
}

uint64_t rec_summary_lost(const struct rec_summary *sum)
{
	uint64_t lost = sum->kprobe_misses > 0 ? sum->kprobe_misses : 0;

	for (int i = 0; i < sum->nr_cpus; i++) {
		const struct rec_cpu_summary *c = &sum->cpus[i];
		/* overwritten events show both in the stats and as marks in the pages */
		uint64_t overrun = c->overrun > 0 ? c->overrun : 0;

		lost += overrun > c->missed ? overrun : c->missed;
		lost += c->missed_pages;
		lost += c->commit_overrun > 0 ? c->commit_overrun : 0;
		lost += c->dropped > 0 ? c->dropped : 0;
	}
	return lost;
}
