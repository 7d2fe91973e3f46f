// SPDX-License-Identifier: MIT
/*
 * watch: the resolver thread and its instance.
 *
 * The resolver does all the /proc reading of a recording, so that the
 * records of one snapshot never interleave with another snapshot of the same
 * process, and so that one task id, excluded from the events, does it all.
 * It runs beside the capture's reader threads and never touches their
 * buffers: the capture path stays a splice.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <traceevent/event-parse.h>
#include <traceevent/kbuffer.h>

#include "snapshot.h"
#include "tracefs-setup.h"
#include "watch.h"

/* How long the resolver sleeps when the watch instance is empty. */
#define POLL_NS		(5 * 1000 * 1000L)
/* Ring buffer of the watch instance per CPU: its events are few and small. */
#define WATCH_BUFFER_KB	1024
/* Slots of the mmap pairing table (enter seen, exit not yet, per thread). */
#define PENDING_SLOTS	16384

#define CLONE_THREAD_FLAG 0x00010000
#define MAP_ANONYMOUS_FLAG 0x20

enum watch_event {
	EV_NEWTASK,
	EV_EXEC,
	EV_MMAP_ENTER,
	EV_MMAP_EXIT,
	EV_PTRACE,
	EV_VM_WRITEV,
	EV_COUNT
};

static const struct {
	const char *system, *name;
	const char *filter;		/* a tracefs filter, or NULL */
	bool tracers_only;		/* only with -p */
} events[EV_COUNT] = {
	[EV_NEWTASK] = { "task", "task_newtask", NULL, false },
	[EV_EXEC] = { "sched", "sched_process_exec", NULL, false },
	/* MAP_ANONYMOUS ignores the descriptor: only mmaps of a file matter */
	[EV_MMAP_ENTER] = { "syscalls", "sys_enter_mmap", "!(flags & 32)", false },
	[EV_MMAP_EXIT] = { "syscalls", "sys_exit_mmap", NULL, false },
	[EV_PTRACE] = { "syscalls", "sys_enter_ptrace", NULL, true },
	[EV_VM_WRITEV] = { "syscalls", "sys_enter_process_vm_writev", NULL, true },
};

struct pending {
	int tid;
	bool have_enter, have_exit;
	unsigned long long enter_ts, exit_ts;
	uint64_t len, off, ret;
	int fd;
};

/* tid -> tgid of the followed threads (open addressing; keys > 0; never shrinks). */
struct followed {
	int *keys, *vals;
	size_t cap, nr;
};

struct rec_watch {
	struct rec_watch_options o;
	char *name;
	struct tracefs_instance *instance;
	bool created;
	int nr_cpus;
	struct tracefs_cpu **cpus;
	struct tep_handle *tep;
	struct kbuffer *kbuf;
	int ids[EV_COUNT];
	struct tep_format_field *f_pid, *f_flags, *f_clone, *f_fd, *f_len, *f_off, *f_ret;
	struct tep_format_field *f_ptrace_req, *f_ptrace_pid, *f_vm_pid;
	void *page;
	int page_size;
	struct pending *pending;
	struct followed follow;		/* -p and -- COMMAND only */
	bool system_wide;
	pthread_t thread;
	bool running;
	atomic_bool stop;
	struct rec_watch_stats stats;
};

/* ------------------------------------------------------------------ */
/* the followed set                                                    */

static size_t slot_of(const struct followed *f, int key)
{
	size_t i = ((unsigned)key * 2654435761u) & (f->cap - 1);

	while (f->keys[i] && f->keys[i] != key)
		i = (i + 1) & (f->cap - 1);
	return i;
}

static int follow_get(const struct followed *f, int tid)
{
	if (!f->cap || tid <= 0)
		return 0;
	return f->keys[slot_of(f, tid)] == tid ? f->vals[slot_of(f, tid)] : 0;
}

static int follow_add(struct followed *f, int tid, int tgid)
{
	size_t i;

	if (tid <= 0)
		return 0;
	if ((f->nr + 1) * 2 > f->cap) {
		struct followed g = { .cap = f->cap ? f->cap * 2 : 1024 };

		g.keys = calloc(g.cap, sizeof(int));
		g.vals = calloc(g.cap, sizeof(int));
		if (!g.keys || !g.vals) {
			free(g.keys);
			free(g.vals);
			return -ENOMEM;
		}
		for (size_t j = 0; j < f->cap; j++)
			if (f->keys[j]) {
				size_t k = slot_of(&g, f->keys[j]);

				g.keys[k] = f->keys[j];
				g.vals[k] = f->vals[j];
				g.nr++;
			}
		free(f->keys);
		free(f->vals);
		*f = g;
	}
	i = slot_of(f, tid);
	if (!f->keys[i])
		f->nr++;
	f->keys[i] = tid;
	f->vals[i] = tgid > 0 ? tgid : tid;
	return 0;
}

/* ------------------------------------------------------------------ */
/* the event formats                                                   */

static char *slurp_file(const char *path, size_t *len)
{
	size_t cap = 8192, n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
		if (n == cap) {
			char *tmp = realloc(buf, cap * 2 + 1);

			if (!tmp) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = tmp;
			cap *= 2;
		}
	}
	close(fd);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

static int load_formats(struct rec_watch *w, char **err)
{
	const char *dir = tracefs_tracing_dir();
	uint16_t probe = 1;
	char path[4096], *text;
	size_t len;

	w->tep = tep_alloc();
	if (!w->tep || !dir)
		return rec_fail(err, ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/events/header_page", dir);
	text = slurp_file(path, &len);
	if (!text || tep_parse_header_page(w->tep, text, len, sizeof(long))) {
		free(text);
		return rec_fail(err, EINVAL, "%s: cannot parse it", path);
	}
	free(text);
	/* as the trace.dat writer does: the commit field's width is the kernel's long */
	w->kbuf = kbuffer_alloc(tep_get_header_page_size(w->tep) == 8 ? KBUFFER_LSIZE_8
								   : KBUFFER_LSIZE_4,
				*(uint8_t *)&probe ? KBUFFER_ENDIAN_LITTLE : KBUFFER_ENDIAN_BIG);
	if (!w->kbuf)
		return rec_fail(err, ENOMEM, "out of memory");
	for (int i = 0; i < EV_COUNT; i++) {
		struct tep_event *ev = NULL;

		w->ids[i] = -1;
		if (events[i].tracers_only && !w->o.follow_tracers)
			continue;
		snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, events[i].system,
			 events[i].name);
		text = slurp_file(path, &len);
		if (!text)
			continue;	/* the kernel lacks it: what it would tell is not recorded */
		if (tep_parse_format(w->tep, &ev, text, len, events[i].system) == 0 && ev)
			w->ids[i] = ev->id;
		free(text);
	}
#define FIELD(ev, name) (w->ids[ev] >= 0 ? tep_find_field(tep_find_event(w->tep, w->ids[ev]), name) : NULL)
	w->f_pid = FIELD(EV_NEWTASK, "pid");
	w->f_clone = FIELD(EV_NEWTASK, "clone_flags");
	w->f_flags = FIELD(EV_MMAP_ENTER, "flags");
	w->f_fd = FIELD(EV_MMAP_ENTER, "fd");
	w->f_len = FIELD(EV_MMAP_ENTER, "len");
	w->f_off = FIELD(EV_MMAP_ENTER, "off");
	w->f_ret = FIELD(EV_MMAP_EXIT, "ret");
	w->f_ptrace_req = FIELD(EV_PTRACE, "request");
	w->f_ptrace_pid = FIELD(EV_PTRACE, "pid");
	w->f_vm_pid = FIELD(EV_VM_WRITEV, "pid");
#undef FIELD
	return 0;
}

/* ------------------------------------------------------------------ */
/* the instance                                                        */

int rec_watch_create(const struct rec_watch_options *o, struct rec_watch **out, char **err)
{
	struct rec_watch *w = calloc(1, sizeof(*w));
	char pid[24];
	int ret;

	*err = NULL;
	if (!w)
		return rec_fail(err, ENOMEM, "out of memory");
	w->o = *o;
	w->system_wide = !o->nr_pids;
	for (int i = 0; i < o->nr_pids; i++)
		if (follow_add(&w->follow, o->pids[i], 0)) {
			ret = rec_fail(err, ENOMEM, "out of memory");
			goto out_err;
		}
	if (asprintf(&w->name, "%s" REC_WATCH_SUFFIX, o->name) < 0) {
		w->name = NULL;
		ret = rec_fail(err, ENOMEM, "out of memory");
		goto out_err;
	}
	ret = load_formats(w, err);
	if (ret)
		goto out_err;
	errno = 0;
	w->instance = tracefs_instance_create(w->name);
	if (!w->instance) {
		ret = rec_fail(err, errno ? errno : EIO, "cannot create tracefs instance %s: %s",
			       w->name, strerror(errno ? errno : EIO));
		goto out_err;
	}
	w->created = true;
	tracefs_trace_off(w->instance);
	if (tracefs_instance_set_buffer_size(w->instance, WATCH_BUFFER_KB, -1)) {
		ret = rec_fail(err, errno ? errno : EIO, "cannot size the ring buffer of instance %s",
			       w->name);
		goto out_err;
	}
	/* the recorder's own /proc reading and marker writes are not the system's */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (tracefs_file_exists(w->instance, "set_event_notrace_pid"))
		tracefs_instance_file_write(w->instance, "set_event_notrace_pid", pid);
	for (int i = 0; i < EV_COUNT; i++) {
		if (w->ids[i] < 0)
			continue;
		if (events[i].filter &&
		    tracefs_event_file_write(w->instance, events[i].system, events[i].name, "filter",
					     events[i].filter) < 0) {
			ret = rec_fail(err, EINVAL, "cannot set the filter '%s' of %s:%s in instance %s",
				       events[i].filter, events[i].system, events[i].name, w->name);
			goto out_err;
		}
		if (tracefs_event_enable(w->instance, events[i].system, events[i].name)) {
			ret = rec_fail(err, EIO, "cannot enable %s:%s in instance %s",
				       events[i].system, events[i].name, w->name);
			goto out_err;
		}
	}
	for (w->nr_cpus = 0;; w->nr_cpus++) {
		char file[64];

		snprintf(file, sizeof(file), "per_cpu/cpu%d", w->nr_cpus);
		if (!tracefs_dir_exists(w->instance, file))
			break;
	}
	w->cpus = calloc(w->nr_cpus ? w->nr_cpus : 1, sizeof(*w->cpus));
	w->pending = calloc(PENDING_SLOTS, sizeof(*w->pending));
	if (!w->cpus || !w->pending) {
		ret = rec_fail(err, ENOMEM, "out of memory");
		goto out_err;
	}
	for (int i = 0; i < w->nr_cpus; i++) {
		w->cpus[i] = tracefs_cpu_open(w->instance, i, true);
		if (!w->cpus[i]) {
			ret = rec_fail(err, errno ? errno : EIO, "cannot open per_cpu/cpu%d of instance %s",
				       i, w->name);
			goto out_err;
		}
		if (tracefs_cpu_read_size(w->cpus[i]) > w->page_size)
			w->page_size = tracefs_cpu_read_size(w->cpus[i]);
	}
	w->page = malloc(w->page_size > 0 ? w->page_size : 4096);
	if (!w->page) {
		ret = rec_fail(err, ENOMEM, "out of memory");
		goto out_err;
	}
	if (tracefs_trace_on(w->instance)) {
		ret = rec_fail(err, EIO, "cannot turn tracing on in instance %s", w->name);
		goto out_err;
	}
	*out = w;
	return 0;
out_err:
	rec_watch_free(w);
	return ret;
}

struct rec_watch *rec_watch_free(struct rec_watch *w)
{
	if (!w)
		return NULL;
	if (w->running)
		rec_watch_stop(w, NULL);
	for (int i = 0; w->cpus && i < w->nr_cpus; i++)
		if (w->cpus[i])
			tracefs_cpu_close(w->cpus[i]);
	if (w->instance) {
		tracefs_trace_off(w->instance);
		if (w->created && tracefs_instance_destroy(w->instance))
			rec_notify(w->o.notice, w->o.notice_arg, "could not remove tracefs instance %s: "
				   "%s (maptrail record --cleanup removes it)", w->name,
				   strerror(errno));
		tracefs_instance_free(w->instance);
	}
	kbuffer_free(w->kbuf);
	tep_free(w->tep);
	free(w->follow.keys);
	free(w->follow.vals);
	free(w->pending);
	free(w->cpus);
	free(w->page);
	free(w->name);
	free(w);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* acting on the events                                                */

static void count_snapshot(struct rec_watch *w, int n)
{
	if (n > 0) {
		w->stats.snapshots++;
		w->stats.records += n;
	}
}

static void snapshot(struct rec_watch *w, int tgid, const char *reason)
{
	count_snapshot(w, rec_snapshot_process(w->o.marker, tgid, reason));
}

/*
 * Follow @tid and every other thread of @tgid (-p): they are the process the
 * kernel filters by tid.  One write adds them all to the main instance's
 * set_event_pid: each write waits for an RCU grace period (~36 ms here), and
 * a tracer's calls go unrecorded until it is done.
 */
static void follow_threads(struct rec_watch *w, int tid, int tgid)
{
	char path[64], text[4096];
	size_t len = 0;
	struct dirent *d;
	DIR *dir;

	if (!follow_get(&w->follow, tid)) {
		follow_add(&w->follow, tid, tgid);
		len += snprintf(text, sizeof(text), "%d", tid);
	}
	snprintf(path, sizeof(path), "/proc/%d/task", tgid);
	dir = tgid ? opendir(path) : NULL;
	while (dir && (d = readdir(dir))) {
		int t = atoi(d->d_name);

		if (t <= 0 || follow_get(&w->follow, t))
			continue;
		follow_add(&w->follow, t, tgid);
		if (len + 24 < sizeof(text))
			len += snprintf(text + len, sizeof(text) - len, " %d", t);
	}
	if (dir)
		closedir(dir);
	/* appending (no O_TRUNC) adds to the kernel's list */
	if (len)
		tracefs_instance_file_append(w->o.main, "set_event_pid", text);
}

static void on_newtask(struct rec_watch *w, int parent, void *data)
{
	unsigned long long child = 0, flags = 0;
	int tgid;

	if (!w->f_pid || tep_read_number_field(w->f_pid, data, &child) ||
	    (w->f_clone && tep_read_number_field(w->f_clone, data, &flags)))
		return;
	if (!w->system_wide) {
		int ptgid = follow_get(&w->follow, parent);

		if (!ptgid)
			return;
		follow_add(&w->follow, child, flags & CLONE_THREAD_FLAG ? ptgid : (int)child);
	}
	if (flags & CLONE_THREAD_FLAG) {
		tgid = w->system_wide ? rec_proc_tgid(parent) : follow_get(&w->follow, parent);
		if (tgid && !rec_snapshot_thread(w->o.marker, tgid, child))
			w->stats.records++;
		return;
	}
	snapshot(w, child, REC_SNAP_NEW);
}

static void on_exec(struct rec_watch *w, int pid)
{
	if (!w->system_wide && !follow_get(&w->follow, pid))
		return;
	snapshot(w, pid, REC_SNAP_EXEC);
}

static void lookup(struct rec_watch *w, struct pending *p)
{
	/* an error return (-4095..-1) mapped nothing */
	if (p->ret >= (uint64_t)-4095)
		return;
	if (!rec_snapshot_file(w->o.marker, p->tid, p->ret, p->len, p->fd, p->off)) {
		w->stats.files++;
		w->stats.records++;
	}
}

/*
 * The enter and the exit of one thread's mmap may sit on two CPUs, read in
 * either order: each half waits in the thread's slot for the other, and they
 * pair when the enter came first.
 */
static void on_mmap(struct rec_watch *w, int tid, bool is_exit, unsigned long long ts, void *data)
{
	struct pending *p = &w->pending[(unsigned)tid % PENDING_SLOTS];
	unsigned long long v;

	if (!w->system_wide && !follow_get(&w->follow, tid))
		return;
	if (p->tid != tid)
		memset(p, 0, sizeof(*p));
	p->tid = tid;
	if (is_exit) {
		if (!w->f_ret || tep_read_number_field(w->f_ret, data, &v))
			return;
		p->have_exit = true;
		p->exit_ts = ts;
		p->ret = v;
	} else {
		if (!w->f_fd || tep_read_number_field(w->f_fd, data, &v))
			return;
		p->fd = (int)v;
		p->len = w->f_len && !tep_read_number_field(w->f_len, data, &v) ? v : 0;
		p->off = w->f_off && !tep_read_number_field(w->f_off, data, &v) ? v : 0;
		p->have_enter = true;
		p->enter_ts = ts;
		if (p->have_exit && p->exit_ts < ts)
			p->have_exit = false;	/* an older call's exit */
	}
	if (p->have_enter && p->have_exit && p->enter_ts <= p->exit_ts) {
		lookup(w, p);
		memset(p, 0, sizeof(*p));
	}
}

/*
 * -p: a call by @tid aimed at @target; a tracer that is not followed joins.
 * Its snapshot comes first: a tracer like `gdb -batch` may be gone a few
 * hundred milliseconds after its first ptrace, and what /proc knows of it is
 * lost with it, while following its threads costs an RCU grace period.
 */
static void on_target(struct rec_watch *w, int tid, const char *call, long long target,
		      long long request)
{
	struct rec_line l;
	int tgid;

	if (!follow_get(&w->follow, (int)target) || follow_get(&w->follow, tid))
		return;
	tgid = rec_proc_tgid(tid);
	rec_line_start(&l, "tracer");
	rec_line_fmt(&l, "%d", tgid);
	rec_line_fmt(&l, "%d", tid);
	rec_line_fmt(&l, "%lld", target);
	rec_line_str(&l, call, -1);
	if (request >= 0)
		rec_line_fmt(&l, "%lld", request);
	else
		rec_line_str(&l, "", 0);
	if (!rec_marker_send(w->o.marker, &l))
		w->stats.records++;
	if (tgid)
		snapshot(w, tgid, REC_SNAP_TRACER);
	follow_threads(w, tid, tgid);
	w->stats.tracers++;
	rec_notify(w->o.notice, w->o.notice_arg, "process %d called %s on recorded process %lld: "
		   "recording it too", tgid ? tgid : tid, call, target);
}

static void dispatch(struct rec_watch *w, void *data, int size, unsigned long long ts)
{
	struct tep_record rec = { .ts = ts, .data = data, .size = size };
	int type = tep_data_type(w->tep, &rec), pid = tep_data_pid(w->tep, &rec);
	unsigned long long a = 0, b = 0;

	w->stats.events++;
	if (type == w->ids[EV_NEWTASK])
		on_newtask(w, pid, data);
	else if (type == w->ids[EV_EXEC])
		on_exec(w, pid);
	else if (type == w->ids[EV_MMAP_ENTER])
		on_mmap(w, pid, false, ts, data);
	else if (type == w->ids[EV_MMAP_EXIT])
		on_mmap(w, pid, true, ts, data);
	else if (type == w->ids[EV_PTRACE] && w->f_ptrace_pid &&
		 !tep_read_number_field(w->f_ptrace_pid, data, &a) &&
		 !tep_read_number_field(w->f_ptrace_req, data, &b))
		on_target(w, pid, "ptrace", (long long)a, (long long)b);
	else if (type == w->ids[EV_VM_WRITEV] && w->f_vm_pid &&
		 !tep_read_number_field(w->f_vm_pid, data, &a))
		on_target(w, pid, "process_vm_writev", (long long)a, -1);
}

/* Read every CPU of the watch instance until empty.  Returns the events read. */
static uint64_t drain(struct rec_watch *w)
{
	uint64_t before = w->stats.events;

	for (int cpu = 0; cpu < w->nr_cpus; cpu++) {
		for (;;) {
			unsigned long long ts;
			int n = tracefs_cpu_read(w->cpus[cpu], w->page, true), missed;

			if (n <= 0 || kbuffer_load_subbuffer(w->kbuf, w->page) < 0)
				break;
			missed = kbuffer_missed_events(w->kbuf);
			if (missed > 0)
				w->stats.lost += missed;
			else if (missed < 0)
				w->stats.lost++;
			for (void *e = kbuffer_read_event(w->kbuf, &ts); e;
			     e = kbuffer_next_event(w->kbuf, &ts))
				dispatch(w, e, kbuffer_event_size(w->kbuf), ts);
		}
	}
	return w->stats.events - before;
}

/* The processes there at the start: all (system-wide) or the -p ones. */
static void start_snapshots(struct rec_watch *w)
{
	int mounts = rec_snapshot_mounts(w->o.marker);

	if (mounts > 0)
		w->stats.records += mounts;
	if (!w->system_wide) {
		for (int i = 0; i < w->o.nr_attach; i++)
			snapshot(w, w->o.attach[i], REC_SNAP_ATTACH);
		return;
	}
	DIR *proc = opendir("/proc");
	struct dirent *d;

	while (proc && (d = readdir(proc))) {
		int pid = atoi(d->d_name);

		if (pid > 0)
			snapshot(w, pid, REC_SNAP_START);
		/* meanwhile the watch buffer fills: keep the lookups prompt */
		if (pid > 0 && drain(w))
			continue;
	}
	if (proc)
		closedir(proc);
}

static void *resolver(void *arg)
{
	struct rec_watch *w = arg;
	char tid[24];

	/* this thread's own calls (its /proc reads) are not the recording's */
	snprintf(tid, sizeof(tid), "%d", (int)syscall(SYS_gettid));
	if (tracefs_file_exists(w->instance, "set_event_notrace_pid"))
		tracefs_instance_file_append(w->instance, "set_event_notrace_pid", tid);
	if (w->system_wide && tracefs_file_exists(w->o.main, "set_event_notrace_pid"))
		tracefs_instance_file_append(w->o.main, "set_event_notrace_pid", tid);
	start_snapshots(w);
	while (!atomic_load(&w->stop)) {
		if (!drain(w))
			nanosleep(&(struct timespec){ 0, POLL_NS }, NULL);
	}
	/* what happened up to the stop */
	drain(w);
	return NULL;
}

int rec_watch_start(struct rec_watch *w, char **err)
{
	sigset_t all, old;
	int ret;

	*err = NULL;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(&w->thread, NULL, resolver, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return rec_fail(err, ret, "cannot start the resolver thread: %s", strerror(ret));
	w->running = true;
	return 0;
}

void rec_watch_stop(struct rec_watch *w, struct rec_watch_stats *stats)
{
	if (w->running) {
		atomic_store(&w->stop, true);
		pthread_join(w->thread, NULL);
		w->running = false;
	}
	w->stats.records_lost = rec_marker_failed(w->o.marker);
	if (stats)
		*stats = w->stats;
}
