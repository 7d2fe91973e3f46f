// SPDX-License-Identifier: MIT
/*
 * capture: per-CPU readers of the instance's raw ring buffers.
 *
 * A thread per CPU keeps the copy cheap and prompt: it sleeps in select()
 * until the kernel says the buffer is filled to buffer_percent, then splices
 * whole pages to its file without copying them through user space.  The
 * threads never touch tracefs state: the main thread turns tracing on and
 * off, and only then flushes what the splice reads left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"

struct cpu_reader {
	struct rec_capture *c;
	int cpu;
	struct tracefs_cpu *tcpu;
	int fd;			/* the temporary file */
	uint64_t size;		/* bytes in it */
	pthread_t thread;
	bool running;
	int error;		/* errno that stopped the thread, 0 */
};

struct rec_capture {
	int nr_cpus;
	struct cpu_reader *cpus;
	atomic_bool stop;
	atomic_int failed;	/* first errno of any reader */
};

/* An unnamed file in @dir: same file system as the output, gone on any exit. */
static int temp_file(const char *dir)
{
	char *path;
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	/* file systems without O_TMPFILE: a named file, unlinked at once */
	if (asprintf(&path, "%s/.maptrail-cpu.XXXXXX", dir) < 0)
		return -1;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	free(path);
	return fd;
}

int rec_capture_open(struct tracefs_instance *instance, int nr_cpus, const char *dir,
		     struct rec_capture **out, char **err)
{
	struct rec_capture *c = calloc(1, sizeof(*c));
	int ret = -ENOMEM;

	*err = NULL;
	if (!c || !(c->cpus = calloc(nr_cpus, sizeof(*c->cpus))))
		goto out_err;
	c->nr_cpus = nr_cpus;
	for (int i = 0; i < nr_cpus; i++) {
		struct cpu_reader *r = &c->cpus[i];

		r->c = c;
		r->cpu = i;
		r->fd = -1;
	}
	for (int i = 0; i < nr_cpus; i++) {
		struct cpu_reader *r = &c->cpus[i];

		r->fd = temp_file(dir);
		if (r->fd < 0) {
			ret = -errno;
			if (asprintf(err, "%s: cannot create a temporary file: %s", dir,
				     strerror(errno)) < 0)
				*err = NULL;
			goto out_err;
		}
		/* blocking: the threads sleep in the kernel, not in a polling loop */
		r->tcpu = tracefs_cpu_open(instance, i, false);
		if (!r->tcpu) {
			ret = errno ? -errno : -EIO;
			if (asprintf(err, "cannot open per_cpu/cpu%d/trace_pipe_raw of instance %s: %s",
				     i, tracefs_instance_get_name(instance), strerror(-ret)) < 0)
				*err = NULL;
			goto out_err;
		}
	}
	*out = c;
	return 0;
out_err:
	if (!*err)
		*err = strdup("out of memory");
	rec_capture_free(c);
	return ret;
}

static void *reader(void *arg)
{
	struct cpu_reader *r = arg;
	struct rec_capture *c = r->c;

	while (!atomic_load(&c->stop)) {
		int n = tracefs_cpu_write(r->tcpu, r->fd, false);

		if (n > 0) {
			r->size += n;
			continue;
		}
		/* 0, EAGAIN, EINTR: woken up (by rec_capture_stop()) or nothing yet */
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			int none = 0;

			r->error = errno;
			atomic_compare_exchange_strong(&c->failed, &none, r->error);
			break;
		}
	}
	return NULL;
}

int rec_capture_start(struct rec_capture *c, char **err)
{
	sigset_t all, old;
	int ret = 0;

	*err = NULL;
	/* signals are the main thread's business */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < c->nr_cpus && !ret; i++) {
		ret = pthread_create(&c->cpus[i].thread, NULL, reader, &c->cpus[i]);
		c->cpus[i].running = !ret;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret && asprintf(err, "cannot start a reader thread: %s", strerror(ret)) < 0)
		*err = NULL;
	return -ret;
}

int rec_capture_error(struct rec_capture *c, char **err)
{
	int e = atomic_load(&c->failed);

	if (!e)
		return 0;
	for (int i = 0; i < c->nr_cpus; i++) {
		if (c->cpus[i].error) {
			if (asprintf(err, "writing the data of CPU %d: %s", i,
				     strerror(c->cpus[i].error)) < 0)
				*err = NULL;
			return -c->cpus[i].error;
		}
	}
	if (asprintf(err, "writing the ring-buffer data: %s", strerror(e)) < 0)
		*err = NULL;
	return -e;
}

static void join_all(struct rec_capture *c)
{
	atomic_store(&c->stop, true);
	/*
	 * tracefs_cpu_stop() wakes a reader in select() through its control
	 * pipe, and one blocked inside splice with the ioctl that recent kernels
	 * answer by waking the ring buffer's waiters.
	 */
	for (int i = 0; i < c->nr_cpus; i++)
		if (c->cpus[i].running && c->cpus[i].tcpu)
			tracefs_cpu_stop(c->cpus[i].tcpu);
	for (int i = 0; i < c->nr_cpus; i++) {
		if (!c->cpus[i].running)
			continue;
		pthread_join(c->cpus[i].thread, NULL);
		c->cpus[i].running = false;
	}
}

int rec_capture_stop(struct rec_capture *c, char **err)
{
	int ret;

	*err = NULL;
	join_all(c);
	ret = rec_capture_error(c, err);
	if (ret)
		return ret;
	return rec_capture_flush(c, err);
}

int rec_capture_flush(struct rec_capture *c, char **err)
{
	int ret;

	*err = NULL;
	for (int i = 0; i < c->nr_cpus; i++) {
		struct cpu_reader *r = &c->cpus[i];
		int n;

		/* read() hands out the last, partly filled page too */
		while ((n = tracefs_cpu_flush_write(r->tcpu, r->fd)) > 0)
			r->size += n;
		if (n < 0) {
			ret = -errno;
			if (asprintf(err, "flushing the data of CPU %d: %s", i, strerror(errno)) < 0)
				*err = NULL;
			return ret;
		}
	}
	return 0;
}

int rec_capture_fd(const struct rec_capture *c, int cpu)
{
	return c->cpus[cpu].fd;
}

uint64_t rec_capture_size(const struct rec_capture *c, int cpu)
{
	return c->cpus[cpu].size;
}

struct rec_capture *rec_capture_free(struct rec_capture *c)
{
	if (!c)
		return NULL;
	if (c->cpus) {
		join_all(c);
		for (int i = 0; i < c->nr_cpus; i++) {
			if (c->cpus[i].tcpu)
				tracefs_cpu_close(c->cpus[i].tcpu);
			if (c->cpus[i].fd >= 0)
				close(c->cpus[i].fd);
		}
	}
	free(c->cpus);
	free(c);
	return NULL;
}
