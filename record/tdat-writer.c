// SPDX-License-Identifier: MIT
/*
 * tdat-writer: trace.dat v6, section by section in file order.
 *
 * Every metadata part is a size followed by bytes copied from tracefs or
 * /proc as the kernel shows them, so each part is read whole into memory
 * first (tracefs files report no size).  Numbers are written in the host's
 * byte order, which the header declares.  The ring-buffer pages are copied
 * from the capture's files unchanged, and counted on the way with
 * libtraceevent's kbuffer, the page parser every trace.dat reader uses.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <traceevent/event-parse.h>
#include <traceevent/kbuffer.h>

#include "messages.h"
#include "tdat-format.h"
#include "tdat-writer.h"

/* Bytes copied at a time from a CPU's file. */
#define COPY_CHUNK	(1 << 20)

struct out {
	int fd;
	uint64_t pos;
	int error;		/* first errno; later writes are skipped */
	char **err;
};

static void put(struct out *o, const void *p, size_t n)
{
	const char *c = p;

	while (!o->error && n) {
		ssize_t w = write(o->fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			o->error = w < 0 ? errno : EIO;
			rec_fail(o->err, o->error, "writing the trace.dat: %s", strerror(o->error));
			return;
		}
		c += w;
		n -= w;
		o->pos += w;
	}
}

static void put_u16(struct out *o, uint16_t v)
{
	put(o, &v, sizeof(v));
}

static void put_u32(struct out *o, uint32_t v)
{
	put(o, &v, sizeof(v));
}

static void put_u64(struct out *o, uint64_t v)
{
	put(o, &v, sizeof(v));
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s) + 1);
}

/* A whole file (tracefs files say size 0, so read to the end).  free(). */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 65536, n = 0;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		ssize_t r;

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
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			buf = NULL;
			errno = e;
			break;
		}
		if (!r)
			break;
		n += r;
	}
	close(fd);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

/* A file's size (of @size_bytes) and contents.  Returns 0 or -errno. */
static int put_file(struct out *o, const char *path, int size_bytes)
{
	size_t len = 0;
	char *text = slurp(path, &len);

	if (!text)
		return rec_fail(o->err, errno ? errno : ENOMEM, "%s: %s", path,
			    strerror(errno ? errno : ENOMEM));
	if (size_bytes == 4)
		put_u32(o, len);
	else
		put_u64(o, len);
	put(o, text, len);
	free(text);
	return -o->error;
}

static int is_dir_entry(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/*
 * The formats of every event of system @sys, as the ftrace part (no name,
 * @with_name false) or an event-formats entry (name, count, formats).
 */
static int put_system(struct out *o, const char *dir, const char *sys, bool with_name)
{
	struct dirent **names = NULL;
	char *sysdir = NULL, **paths = NULL;
	int n, nr = 0, ret = 0;

	if (asprintf(&sysdir, "%s/events/%s", dir, sys) < 0)
		return rec_fail(o->err, ENOMEM, "out of memory");
	n = scandir(sysdir, &names, is_dir_entry, alphasort);
	if (n < 0) {
		ret = rec_fail(o->err, errno, "%s: %s", sysdir, strerror(errno));
		free(sysdir);
		return ret;
	}
	paths = calloc(n ? n : 1, sizeof(*paths));
	for (int i = 0; paths && i < n; i++) {
		char *p;

		/* entries without a format are the system's enable and filter files */
		if (asprintf(&p, "%s/%s/format", sysdir, names[i]->d_name) < 0)
			break;
		if (access(p, R_OK) == 0)
			paths[nr++] = p;
		else
			free(p);
	}
	if (with_name)
		put_str(o, sys);
	put_u32(o, nr);
	for (int i = 0; i < nr && !ret; i++)
		ret = put_file(o, paths[i], 8);
	for (int i = 0; i < n; i++)
		free(names[i]);
	for (int i = 0; i < nr; i++)
		free(paths[i]);
	free(names);
	free(paths);
	free(sysdir);
	if (!paths)
		return rec_fail(o->err, ENOMEM, "out of memory");
	return ret ? ret : -o->error;
}

static int put_headers(struct out *o, const struct rec_tdat *in)
{
	static const char magic[TDAT_MAGIC_SIZE] = TDAT_MAGIC_BYTES;
	uint16_t probe = 1;
	char path[4096];
	int ret;

	put(o, magic, sizeof(magic));
	put_str(o, "6");
	put(o, &(uint8_t){ *(uint8_t *)&probe == 0 }, 1);	/* 0: little endian */
	put(o, &(uint8_t){ sizeof(long) }, 1);
	put_u32(o, in->page_size);

	put(o, "header_page", 12);
	snprintf(path, sizeof(path), "%s/events/header_page", in->tracing_dir);
	ret = put_file(o, path, 8);
	if (ret)
		return ret;
	put(o, "header_event", 13);
	snprintf(path, sizeof(path), "%s/events/header_event", in->tracing_dir);
	return put_file(o, path, 8);
}

static int put_formats(struct out *o, const struct rec_tdat *in)
{
	int nr = 0, ret;

	ret = put_system(o, in->tracing_dir, "ftrace", false);
	if (ret)
		return ret;
	while (in->systems[nr])
		nr++;
	put_u32(o, nr);
	for (int i = 0; i < nr && !ret; i++)
		ret = put_system(o, in->tracing_dir, in->systems[i], true);
	return ret;
}

static int put_text_option(struct out *o, uint16_t id, const char *text)
{
	put_u16(o, id);
	put_u32(o, strlen(text) + 1);
	put_str(o, text);
	return -o->error;
}

static int put_options(struct out *o, const struct rec_tdat *in)
{
	struct utsname u;
	char *text;
	int ret;

	put(o, "options  ", 10);
	/* v6 readers take the clock from after the CPU table when this option is there */
	ret = put_text_option(o, TDAT_OPT_TRACECLOCK, in->trace_clock);
	if (ret)
		return ret;
	/* trace-cmd's form: "sysname nodename release machine" */
	if (uname(&u) == 0) {
		if (asprintf(&text, "%s %s %s %s", u.sysname, u.nodename, u.release,
			     u.machine) < 0)
			return rec_fail(o->err, ENOMEM, "out of memory");
		ret = put_text_option(o, TDAT_OPT_UNAME, text);
		free(text);
		if (ret)
			return ret;
	}
	for (int i = 0; i < in->nr_cpus; i++) {
		if (!in->cpus[i].stats)
			continue;
		if (asprintf(&text, "CPU: %d\n%s", i, in->cpus[i].stats) < 0)
			return rec_fail(o->err, ENOMEM, "out of memory");
		ret = put_text_option(o, TDAT_OPT_CPUSTAT, text);
		free(text);
		if (ret)
			return ret;
	}
	put_u16(o, TDAT_OPT_CPUCOUNT);
	put_u32(o, 4);
	put_u32(o, in->nr_cpus);
	if (in->plan) {
		ret = put_text_option(o, TDAT_OPT_MAPTRAIL_PLAN, in->plan);
		if (ret)
			return ret;
	}
	if (in->plan_rows) {
		ret = put_text_option(o, TDAT_OPT_MAPTRAIL_PLAN_ROWS, in->plan_rows);
		if (ret)
			return ret;
	}
	if (in->flight) {
		ret = put_text_option(o, TDAT_OPT_MAPTRAIL_FLIGHT, in->flight);
		if (ret)
			return ret;
	}
	if (in->wallclock) {
		ret = put_text_option(o, TDAT_OPT_MAPTRAIL_WALLCLOCK, in->wallclock);
		if (ret)
			return ret;
	}
	put_u16(o, TDAT_OPT_DONE);
	return -o->error;
}

/*
 * The page parser for this kernel's pages, set up as libtracecmd sets up its
 * own: the width of header_page's commit field is the kernel's long.
 * (tep_kbuffer() of libtraceevent 1.7.1 miscounts pages that follow a full one.)
 */
static struct kbuffer *page_parser(const struct rec_tdat *in)
{
	struct tep_handle *tep = tep_alloc();
	char path[4096], *text;
	struct kbuffer *kbuf = NULL;
	uint16_t probe = 1;
	size_t len;

	snprintf(path, sizeof(path), "%s/events/header_page", in->tracing_dir);
	text = slurp(path, &len);
	if (text && tep && !tep_parse_header_page(tep, text, len, sizeof(long)))
		kbuf = kbuffer_alloc(tep_get_header_page_size(tep) == 8 ? KBUFFER_LSIZE_8
									 : KBUFFER_LSIZE_4,
				     *(uint8_t *)&probe ? KBUFFER_ENDIAN_LITTLE : KBUFFER_ENDIAN_BIG);
	free(text);
	tep_free(tep);
	return kbuf;
}

static void count_page(struct kbuffer *kbuf, void *page, struct rec_tdat_count *c)
{
	unsigned long long ts;
	int missed;

	if (kbuffer_load_subbuffer(kbuf, page) < 0)
		return;
	missed = kbuffer_missed_events(kbuf);
	if (missed > 0)
		c->missed += missed;
	else if (missed < 0)
		c->missed_pages++;
	for (void *e = kbuffer_read_event(kbuf, &ts); e; e = kbuffer_next_event(kbuf, &ts))
		c->events++;
}

static int put_cpu_data(struct out *o, const struct rec_tdat *in, int cpu, struct kbuffer *kbuf,
			char *buf, struct rec_tdat_count *c)
{
	const struct rec_tdat_cpu *d = &in->cpus[cpu];
	uint64_t done = 0;

	memset(c, 0, sizeof(*c));
	while (done < d->size && !o->error) {
		size_t want = d->size - done < COPY_CHUNK ? d->size - done : COPY_CHUNK;
		ssize_t r = pread(d->fd, buf, want, done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return rec_fail(o->err, r < 0 ? errno : EIO, "reading the data of CPU %d: %s",
				    cpu, r < 0 ? strerror(errno) : "file ends early");
		for (ssize_t p = 0; p + in->page_size <= r; p += in->page_size)
			count_page(kbuf, buf + p, c);
		put(o, buf, r);
		done += r;
	}
	return -o->error;
}

/* Headers, formats, kallsyms and printk formats: what rec_tdat_prelude() keeps. */
static int put_prelude(struct out *o, const struct rec_tdat *in)
{
	char path[4096];
	int ret;

	if (in->prelude) {
		put(o, in->prelude, in->prelude_len);
		return -o->error;
	}
	ret = put_headers(o, in);
	if (!ret)
		ret = put_formats(o, in);
	if (!ret) {
		/* hidden or zeroed when kptr_restrict says so; written as the kernel shows it */
		ret = put_file(o, "/proc/kallsyms", 4);
	}
	if (!ret) {
		snprintf(path, sizeof(path), "%s/printk_formats", in->tracing_dir);
		ret = put_file(o, path, 4);
	}
	return ret;
}

int rec_tdat_prelude(const struct rec_tdat *in, void **data, size_t *len, char **err)
{
	struct rec_tdat copy = *in;
	struct out o = { .err = err };
	char *buf = NULL;
	int ret;

	*err = NULL;
	copy.prelude = NULL;
	o.fd = memfd_create("maptrail-prelude", MFD_CLOEXEC);
	if (o.fd < 0)
		return rec_fail(err, errno, "memfd_create: %s", strerror(errno));
	ret = put_prelude(&o, &copy);
	if (!ret && !(buf = malloc(o.pos ? o.pos : 1)))
		ret = rec_fail(err, ENOMEM, "out of memory");
	if (!ret && pread(o.fd, buf, o.pos, 0) != (ssize_t)o.pos)
		ret = rec_fail(err, EIO, "reading back the prelude: %s", strerror(errno));
	close(o.fd);
	if (ret) {
		free(buf);
		return ret;
	}
	*data = buf;
	*len = o.pos;
	return 0;
}

int rec_tdat_write(int fd, const struct rec_tdat *in, struct rec_tdat_count *counts,
		   uint64_t *size, char **err)
{
	struct out o = { .fd = fd, .err = err };
	struct kbuffer *kbuf = NULL;
	uint64_t offset;
	char path[4096], *buf = NULL;
	int ret;

	*err = NULL;
	for (int i = 0; i < in->nr_cpus; i++)
		if (in->cpus[i].size % in->page_size)
			return rec_fail(err, EINVAL, "CPU %d holds %llu bytes, not whole %d-byte pages",
				    i, (unsigned long long)in->cpus[i].size, in->page_size);

	ret = put_prelude(&o, in);
	if (!ret) {
		snprintf(path, sizeof(path), "%s/saved_cmdlines", in->tracing_dir);
		ret = put_file(&o, path, 8);
	}
	if (ret)
		goto out;
	put_u32(&o, in->nr_cpus);
	ret = put_options(&o, in);
	if (ret)
		goto out;

	put(&o, "flyrecord", 10);
	/* the CPU table, the clock, then data from the next page boundary */
	offset = o.pos + 16 * (uint64_t)in->nr_cpus + 8 + strlen(in->trace_clock);
	offset = (offset + in->page_size - 1) / in->page_size * in->page_size;
	for (int i = 0; i < in->nr_cpus; i++) {
		put_u64(&o, offset);
		put_u64(&o, in->cpus[i].size);
		offset += in->cpus[i].size;
	}
	put_u64(&o, strlen(in->trace_clock));
	put(&o, in->trace_clock, strlen(in->trace_clock));
	if (o.error)
		goto out;
	if (o.pos % in->page_size) {
		char zero[in->page_size];

		memset(zero, 0, sizeof(zero));
		put(&o, zero, in->page_size - o.pos % in->page_size);
	}

	kbuf = page_parser(in);
	if (!kbuf) {
		ret = rec_fail(err, EINVAL, "%s/events/header_page: cannot parse it", in->tracing_dir);
		goto out;
	}
	buf = malloc(COPY_CHUNK);
	if (!buf) {
		ret = rec_fail(err, ENOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < in->nr_cpus && !ret; i++)
		ret = put_cpu_data(&o, in, i, kbuf, buf, &counts[i]);
out:
	free(buf);
	kbuffer_free(kbuf);
	if (!ret && o.error)
		ret = -o.error;
	if (!ret)
		*size = o.pos;
	else if (!*err)
		*err = strdup("out of memory");
	return ret;
}
