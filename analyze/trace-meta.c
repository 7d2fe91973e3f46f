// SPDX-License-Identifier: MIT
/*
 * trace-meta: the headers, options and sections of a trace.dat file, read
 * straight from its bytes as man 5 trace-cmd.dat.v6 and trace-cmd.dat.v7
 * describe them.
 *
 * The file is mapped read-only and every read goes through a cursor that knows
 * how many bytes it may touch, so a damaged file ends in a reason and never in
 * a read outside the mapping.  Every loop over a count read from the file
 * consumes bytes on each turn, so a corrupt count runs into the end of the data
 * instead of spinning.  The ring-buffer pages themselves are never read: only
 * their place in the file is checked (and, when compressed, the chunk headers
 * that say how far the data really reaches).
 *
 * This file: the v6 and v7 layouts, and the public functions.  What the
 * parts share is trace-meta-internal.h; which file reads what is listed there.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sha2.h>

#include "trace-meta-internal.h"
#include "stop.h"

static const uint8_t trace_magic[TDAT_MAGIC_SIZE] = TDAT_MAGIC_BYTES;

/* v6: "flyrecord\0" was read; the CPU table and, with TRACECLOCK, the clock. */
static int read_cpu_table_v6(struct parser *t, struct cur *c, struct meta_buffer *b, uint64_t nr)
{
	uint64_t i, len;
	const uint8_t *p;
	char *text;
	int ret;

	ret = tm_cur_need(t, c, nr * 16);
	if (ret)
		return ret;
	tm_buffer_clear(b);
	if (nr) {
		b->cpus = calloc(nr, sizeof(*b->cpus));
		if (!b->cpus)
			return tm_nomem(t);
	}
	b->nr_cpus = nr;
	for (i = 0; i < nr; i++) {
		b->cpus[i].cpu = i;
		(void)tm_cur_num(t, c, 8, &b->cpus[i].offset);
		(void)tm_cur_num(t, c, 8, &b->cpus[i].size);
	}
	/*
	 * Early trace-cmd could write a damaged clock here and libtracecmd then
	 * falls back to the TRACECLOCK option; so does this.
	 */
	if (t->has_traceclock && c->len - c->pos >= 8) {
		len = get_num(t, c->p + c->pos, 8);
		if (len && len <= 256 && c->len - c->pos - 8 >= len) {
			p = c->p + c->pos + 8;
			text = strndup((const char *)p, len);
			if (!text)
				return tm_nomem(t);
			b->clock = tm_selected_clock(text);
			free(text);
		}
	}
	if (!b->clock && t->traceclock) {
		b->clock = strdup(t->traceclock);
		if (!b->clock)
			return tm_nomem(t);
	}
	return 0;
}

static int parse_v6(struct parser *t, struct cur *c)
{
	struct trace_meta *m = t->meta;
	uint64_t cpus, nr;
	const uint8_t *tag;
	char what[96], name[64];
	size_t i;
	int ret;

	for (i = 0; i < tm_nr_metadata; i++) {
		c->what = tm_metadata[i].name;
		ret = tm_metadata[i].walk(t, c);
		if (ret)
			return ret;
	}
	c->what = "CPU count";
	ret = tm_cur_num(t, c, 4, &cpus);
	if (ret)
		return ret;
	if (cpus > MAX_CPUS)
		return tm_fail(t, -EINVAL, "corrupt: %" PRIu64 " CPUs", cpus);

	c->what = "options";
	ret = tm_cur_take(t, c, 10, &tag);
	if (!ret && !memcmp(tag, "options", 7)) {
		ret = tm_parse_options(t, c, NULL);
		if (!ret)
			ret = tm_cur_take(t, c, 10, &tag);
	}
	if (ret)
		return ret;

	if (!memcmp(tag, "latency", 7)) {
		t->latency = true;
		m->nr_cpus = cpus;
		return 0;
	}
	if (memcmp(tag, "flyrecord", 9))
		return tm_fail(t, -EINVAL, "corrupt: no flyrecord or latency data after the options");

	/* as libtracecmd: a CPUCOUNT option overrides the count before the options */
	nr = t->cpucount_seen ? (uint64_t)m->cpu_count : cpus;
	c->what = "flyrecord CPU table";
	ret = read_cpu_table_v6(t, c, &m->buffers[0], nr);
	if (ret)
		return ret;
	m->nr_cpus = nr;

	for (i = 1; i < (size_t)m->nr_buffers; i++) {
		struct meta_buffer *b = &m->buffers[i];
		struct cur bc;

		snprintf(what, sizeof(what), "flyrecord CPU table of buffer %s",
			 tm_printable(name, sizeof(name), b->name));
		if (t->buf_off[i] > t->size)
			return tm_truncated(t, what, sat_add(t->buf_off[i], 10));
		bc = tm_file_cur(t, t->buf_off[i], what);
		ret = tm_cur_tag(t, &bc, "flyrecord", 10);
		if (!ret)
			ret = read_cpu_table_v6(t, &bc, b, nr);
		if (ret)
			return ret;
	}
	for (i = 0; i < (size_t)m->nr_buffers; i++) {
		ret = tm_check_cpu_data(t, &m->buffers[i], false);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_v7(struct parser *t, struct cur *c)
{
	struct trace_meta *m = t->meta;
	const char *name = NULL, *version = NULL;
	uint64_t off, first, next, *seen = NULL;
	int nr_seen = 0, i, ret;
	char what[64], buf[64];
	struct cur sc;
	uint8_t *owned;

	ret = tm_cur_str(t, c, &name);
	if (!ret)
		ret = tm_cur_str(t, c, &version);
	if (!ret)
		ret = tm_cur_num(t, c, 8, &off);
	if (ret)
		return ret;
	first = off;
	if (!strcmp(name, "zstd"))
		t->comp = COMP_ZSTD;
	else if (!strcmp(name, "zlib"))
		t->comp = COMP_ZLIB;
	else if (strcmp(name, "none"))
		return tm_fail(t, -EINVAL, "corrupt: unknown compression algorithm \"%s\"",
			       tm_printable(buf, sizeof(buf), name));
	if (t->comp != COMP_NONE) {
		m->compression = strdup(name);
		m->compression_version = strdup(version);
		if (!m->compression || !m->compression_version)
			return tm_nomem(t);
	}

	/* The options sections form a chain through their DONE options. */
	seen = calloc(MAX_OPTION_SECTIONS, sizeof(*seen));
	if (!seen)
		return tm_nomem(t);
	for (; off; off = next) {
		for (i = 0; i < nr_seen; i++)
			if (seen[i] == off)
				break;
		if (i < nr_seen) {
			ret = tm_fail(t, -EINVAL, "corrupt: options sections loop back to byte %llu",
				      (unsigned long long)off);
			break;
		}
		if (nr_seen == MAX_OPTION_SECTIONS) {
			ret = tm_fail(t, -EINVAL, "corrupt: more than %d options sections",
				      MAX_OPTION_SECTIONS);
			break;
		}
		seen[nr_seen++] = off;
		ret = tm_open_section(t, off, 0, "options section", &sc, &owned);
		if (!ret) {
			next = 0;
			ret = tm_parse_options(t, &sc, &next);
		}
		free(owned);
		if (ret)
			break;
	}
	free(seen);
	if (ret)
		return ret;
	if (!nr_seen)
		return tm_fail(t, -EINVAL, "corrupt: no options section");
	/* bounds first: a cut file is refused before anything is uncompressed */
	ret = tm_walk_sections(t, first);
	if (ret)
		return ret;

	for (i = 0; i < (int)tm_nr_metadata; i++) {
		if (!t->sec_off[tm_metadata[i].id])
			continue;
		snprintf(what, sizeof(what), "%s section", tm_metadata[i].name);
		ret = tm_open_section(t, t->sec_off[tm_metadata[i].id], tm_metadata[i].id, what,
				      &sc, &owned);
		if (!ret)
			ret = tm_metadata[i].walk(t, &sc);
		free(owned);
		if (ret)
			return ret;
	}
	m->nr_cpus = m->buffers[0].nr_cpus;
	return 0;
}

static int parse(struct parser *t)
{
	struct trace_meta *m = t->meta;
	struct cur c = tm_file_cur(t, 0, "file header");
	const char *version = NULL, *s;
	uint64_t endian, long_size, page_size;
	char buf[32];
	long v = 0;
	int ret;

	if (t->size < sizeof(trace_magic) && !memcmp(t->map, trace_magic, t->size))
		return tm_cur_need(t, &c, sizeof(trace_magic));
	if (t->size < sizeof(trace_magic) || memcmp(t->map, trace_magic, sizeof(trace_magic)))
		return tm_fail(t, -EINVAL, "not a trace.dat file (bad magic)");
	c.pos = sizeof(trace_magic);

	ret = tm_cur_str(t, &c, &version);
	if (ret)
		return ret;
	for (s = version; *s >= '0' && *s <= '9' && v < 1000000; s++)
		v = v * 10 + (*s - '0');
	if (s == version || *s)
		return tm_fail(t, -EINVAL, "corrupt: version \"%s\"",
			       tm_printable(buf, sizeof(buf), version));
	if (v != 6 && v != 7)
		return tm_fail(t, -EINVAL, "unsupported trace.dat version %ld", v);
	t->version = m->version = v;

	ret = tm_cur_num(t, &c, 1, &endian);
	if (!ret)
		ret = tm_cur_num(t, &c, 1, &long_size);
	if (ret)
		return ret;
	if (endian > 1)
		return tm_fail(t, -EINVAL, "corrupt: endian flag %" PRIu64, endian);
	if (long_size != 4 && long_size != 8)
		return tm_fail(t, -EINVAL, "corrupt: long size %" PRIu64, long_size);
	t->be = m->big_endian = endian;
	m->long_size = long_size;
	ret = tm_cur_num(t, &c, 4, &page_size);
	if (ret)
		return ret;
	if (!page_size_ok(page_size))
		return tm_fail(t, -EINVAL, "corrupt: page size %" PRIu64, page_size);
	m->page_size = page_size;

	/* buffers[0] is the top buffer even when the file does not describe it */
	if (!tm_add_buffer(t, strdup(""), 0))
		return -ENOMEM;
	ret = t->version == 6 ? parse_v6(t, &c) : parse_v7(t, &c);
	if (!ret && !t->meta->page_long_size)
		ret = tm_fail(t, -EINVAL, "corrupt: no header page");
	if (!ret)
		ret = tm_check_pages(t);
	if (ret)
		return ret;

	if (!m->buffers[0].clock && t->traceclock) {
		m->buffers[0].clock = strdup(t->traceclock);
		if (!m->buffers[0].clock)
			return tm_nomem(t);
	}
	if (m->buffers[0].clock) {
		m->clock = strdup(m->buffers[0].clock);
		if (!m->clock)
			return tm_nomem(t);
	}
	m->data_kind = strdup(t->latency ? "latency" : "flyrecord");
	return m->data_kind ? 0 : tm_nomem(t);
}

/**
 * trace_meta_read - parse the headers, options and sections of a trace.dat file
 * @path: the file
 * @meta: set on success; free with trace_meta_free()
 * @reason: set on failure to one line without the file name; free with free()
 *
 * Checks that every section and every CPU's data lies within the file, without
 * reading the data itself.  The file is mapped, so it must not shrink while it
 * is read.
 *
 * Returns 0, or a negative errno: that of open() or mmap(), -EISDIR, -EINVAL
 * for anything wrong with the format, -ENOMEM.
 */
int trace_meta_read(const char *path, struct trace_meta **meta, char **reason)
{
	struct parser t = { .map = MAP_FAILED };
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		tm_fail(&t, ret, "%s", strerror(-ret));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		tm_fail(&t, ret, "%s", strerror(-ret));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = tm_fail(&t, -EISDIR, "is a directory");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = tm_fail(&t, -EINVAL, "not a regular file");
		goto out;
	}
	if (!st.st_size) {
		ret = tm_fail(&t, -EINVAL, "empty file");
		goto out;
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		ret = tm_fail(&t, -EFBIG, "%s", strerror(EFBIG));
		goto out;
	}
	t.size = st.st_size;
	t.map = mmap(NULL, t.size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (t.map == MAP_FAILED) {
		ret = -errno;
		tm_fail(&t, ret, "%s", strerror(-ret));
		goto out;
	}
	t.meta = calloc(1, sizeof(*t.meta));
	if (!t.meta) {
		ret = tm_nomem(&t);
		goto out;
	}
	t.meta->file_size = t.size;
	ret = parse(&t);
out:
	if (t.map != MAP_FAILED)
		munmap((void *)t.map, t.size);
	if (fd >= 0)
		close(fd);
	free(t.traceclock);
	free(t.buf_off);
	free(t.stat_buffer);
	if (ret) {
		trace_meta_free(t.meta);
		if (reason)
			*reason = t.reason ? t.reason : strdup("out of memory");
		else
			free(t.reason);
		return ret;
	}
	free(t.reason);
	*meta = t.meta;
	return 0;
}

/**
 * trace_meta_free - free what trace_meta_read() returned
 * @meta: may be NULL
 *
 * Returns NULL, for "meta = trace_meta_free(meta);".
 */
struct trace_meta *trace_meta_free(struct trace_meta *meta)
{
	int i;

	if (!meta)
		return NULL;
	free(meta->compression);
	free(meta->compression_version);
	free(meta->uname);
	free(meta->recorder_plan);
	free(meta->recorder_plan_rows);
	free(meta->recorder_flight);
	free(meta->recorder_wallclock);
	free(meta->kernel_version);
	free(meta->tracecmd_version);
	free(meta->hostname);
	free(meta->clock);
	free(meta->data_kind);
	for (i = 0; i < meta->nr_buffers; i++) {
		free(meta->buffers[i].name);
		free(meta->buffers[i].clock);
		free(meta->buffers[i].cpus);
	}
	free(meta->buffers);
	for (i = 0; i < meta->nr_cpustats; i++) {
		free(meta->cpustats[i].buffer);
		free(meta->cpustats[i].text);
	}
	free(meta->cpustats);
	for (i = 0; i < meta->nr_cmdlines; i++)
		free(meta->cmdlines[i].comm);
	free(meta->cmdlines);
	free(meta);
	return NULL;
}

/**
 * trace_meta_sha256 - SHA-256 of a file, as 64 lowercase hex digits
 * @path: a regular file
 * @hex: receives the digits and a NUL
 *
 * Returns 0, or a negative errno (-EISDIR, -EINVAL for a file that is not
 * regular, that of open() or read()); @hex is set only on success.
 */
int trace_meta_sha256(const char *path, char hex[65])
{
	uint8_t buf[1 << 16];
	SHA2_CTX ctx;
	struct stat st;
	ssize_t r;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		ret = -errno;
	else if (S_ISDIR(st.st_mode))
		ret = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		ret = -EINVAL;
	if (ret) {
		close(fd);
		return ret;
	}

	SHA256Init(&ctx);
	for (;;) {
		if (cmn_stop_signal()) {	/* SIGINT: a big capture takes seconds */
			ret = -EINTR;
			break;
		}
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			break;
		}
		if (!r)
			break;
		SHA256Update(&ctx, buf, r);
	}
	close(fd);
	if (!ret)
		SHA256End(&ctx, hex);
	return ret;
}
