// SPDX-License-Identifier: MIT
/*
 * trace-meta's buffers (the top one and each instance), where their CPU data
 * lies and what libtracecmd will read of it first, and the CPU statistics.
 * The ring-buffer pages are never read beyond the first of each CPU.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace-meta-internal.h"

/* Append a buffer named @name (taken over); returns it or NULL (reason set). */
struct meta_buffer *tm_add_buffer(struct parser *t, char *name, uint64_t off)
{
	struct trace_meta *m = t->meta;
	struct meta_buffer *b;
	uint64_t *offs;

	b = realloc(m->buffers, (m->nr_buffers + 1) * sizeof(*b));
	if (b)
		m->buffers = b;
	offs = realloc(t->buf_off, (m->nr_buffers + 1) * sizeof(*offs));
	if (offs)
		t->buf_off = offs;
	if (!b || !offs || !name) {
		free(name);
		tm_nomem(t);
		return NULL;
	}
	b = &m->buffers[m->nr_buffers];
	memset(b, 0, sizeof(*b));
	b->name = name;
	b->page_size = m->page_size;
	t->buf_off[m->nr_buffers++] = off;
	return b;
}

void tm_buffer_clear(struct meta_buffer *b)
{
	free(b->clock);
	free(b->cpus);
	b->clock = NULL;
	b->cpus = NULL;
	b->nr_cpus = 0;
}

/*
 * Where the data of one CPU really ends.  Compressed data is a chunk count and
 * chunks (compressed size, uncompressed size, bytes); trace-cmd's recorded size
 * does not always cover the count, so the chunk headers are walked.
 */
static uint64_t cpu_data_end(const struct parser *t, bool compressed, uint64_t off, uint64_t size)
{
	uint64_t end = sat_add(off, size);
	uint64_t count, pos, i;

	if (!compressed || !size)
		return end;
	if (off > t->size || t->size - off < 4)
		return end > sat_add(off, 4) ? end : sat_add(off, 4);
	count = get_num(t, t->map + off, 4);
	pos = off + 4;
	for (i = 0; i < count; i++) {
		if (t->size - pos < 8) {
			pos = sat_add(pos, 8);
			break;
		}
		pos += 8;
		size = get_num(t, t->map + pos - 8, 4);
		if (t->size - pos < size) {
			pos = sat_add(pos, size);
			break;
		}
		pos += size;
	}
	return end > pos ? end : pos;
}

/*
 * The page tracecmd_open() loads first on each CPU, as it reads it (the
 * commit field as long as the header page says): kbuffer reads the
 * lost-event count after the committed data before libtracecmd looks at the
 * size, and libtracecmd refuses a size past the page.  flyrecord.c checks
 * every page of its own reading again.
 */
static int check_first_page(struct parser *t, const struct meta_buffer *b, const uint8_t *page,
			    const char *what)
{
	int lsize = t->meta->page_long_size;
	uint64_t flags = get_num(t, page + 8, lsize);
	uint64_t commit = flags & ((1u << 27) - 1), room = b->page_size - 8 - lsize;

	if ((flags & (1ull << 31)) && (flags & (1ull << 30)))
		room -= lsize;	/* the count of lost events follows the data */
	if (commit > room)
		return tm_fail(t, -EINVAL, "corrupt: %s: the first page claims %" PRIu64 " bytes of"
			       " data in %" PRIu64, what, commit, room);
	return 0;
}

/*
 * The chunks of one CPU's compressed data, which lie in the file (checked
 * before): each must claim whole pages, no more than a reader can allocate,
 * and the first, which libtracecmd uncompresses as it opens the file, must
 * uncompress to exactly its size.  libtracecmd 3.1 checks neither and crashes
 * in its error path (tracecmd_close() from tracecmd_open_fd()); the later
 * chunks are uncompressed by whichever reader reads the events, each with its
 * reason.
 */
static int check_chunks(struct parser *t, const struct meta_buffer *b, const struct meta_cpu *cpu,
			const char *what)
{
	uint64_t count, pos = cpu->offset + 4, csize, usize, i;
	uint8_t *page;
	const char *why;
	int ret;

	count = get_num(t, t->map + cpu->offset, 4);
	for (i = 0; i < count; i++) {
		csize = get_num(t, t->map + pos, 4);
		usize = get_num(t, t->map + pos + 4, 4);
		if (usize > TRACE_META_MAX_CHUNK)
			return tm_fail(t, -EINVAL, "corrupt: %s: chunk %" PRIu64 " claims %" PRIu64
				       " bytes uncompressed", what, i, usize);
		/* trace-cmd.dat.v7(5): whole pages, "aligned with the trace page size" */
		if (usize % b->page_size)
			return tm_fail(t, -EINVAL, "corrupt: %s: chunk %" PRIu64 " of %" PRIu64
				       " bytes, not whole pages of %d", what, i, usize, b->page_size);
		if (!i) {
			if (!usize)
				return tm_fail(t, -EINVAL, "corrupt: %s: chunk 0 is empty", what);
			page = malloc(usize);
			if (!page)
				return tm_nomem(t);
			if (tm_uncompress_exact(t, t->map + pos + 8, csize, page, usize,
						&why) < 0) {
				free(page);
				return tm_fail(t, -EINVAL, "corrupt: %s: chunk 0 does not uncompress"
					       " (%s)", what, why);
			}
			ret = check_first_page(t, b, page, what);
			free(page);
			if (ret)
				return ret;
		}
		pos += 8 + csize;
	}
	return 0;
}

/* How a reason names one CPU's data: "CPU 1 data", "CPU 1 data (buffer NAME)". */
static void cpu_data_what(char *what, size_t n, const struct meta_buffer *b,
			  const struct meta_cpu *cpu)
{
	char name[72];

	if (*b->name)
		snprintf(what, n, "CPU %d data (buffer %s)", cpu->cpu,
			 tm_printable(name, sizeof(name), b->name));
	else
		snprintf(what, n, "CPU %d data", cpu->cpu);
}

int tm_check_cpu_data(struct parser *t, const struct meta_buffer *b, bool compressed)
{
	char what[128];
	uint64_t end;
	int i;

	for (i = 0; i < b->nr_cpus; i++) {
		const struct meta_cpu *cpu = &b->cpus[i];

		if (!cpu->size)
			continue;
		cpu_data_what(what, sizeof(what), b, cpu);
		end = cpu_data_end(t, compressed, cpu->offset, cpu->size);
		if (end > t->size)
			return tm_truncated(t, what, end);
	}
	return 0;
}

/*
 * What tracecmd_open() reads of each CPU's pages, checked before it does:
 * it fails on what it cannot read, and its error path crashes
 * (tracecmd_close() on CPUs it has not set up).  After the whole file is
 * parsed: v7 names the buffers before the header page that says how to read
 * their pages.
 */
int tm_check_pages(struct parser *t)
{
	char what[128];
	int ret;

	for (int i = 0; i < t->meta->nr_buffers; i++) {
		const struct meta_buffer *b = &t->meta->buffers[i];

		for (int j = 0; j < b->nr_cpus; j++) {
			const struct meta_cpu *cpu = &b->cpus[j];

			if (!cpu->size)
				continue;
			cpu_data_what(what, sizeof(what), b, cpu);
			if (b->compressed) {
				ret = check_chunks(t, b, cpu, what);
				if (ret)
					return ret;
				continue;
			}
			/*
			 * trace-cmd.dat.v6(5), v7(5): whole pages "at a page aligned
			 * position in the file"; libtracecmd maps them so (on a failed
			 * mmap() it prints "mmap: ..." whatever its log level) and reads
			 * a whole page wherever the data ends.
			 */
			if (cpu->offset % b->page_size)
				return tm_fail(t, -EINVAL, "corrupt: %s at byte %" PRIu64 ", not on a"
					       " page boundary", what, cpu->offset);
			if (cpu->size % b->page_size)
				return tm_fail(t, -EINVAL, "corrupt: %s: %" PRIu64 " bytes, not whole"
					       " pages of %d", what, cpu->size, b->page_size);
			ret = check_first_page(t, b, t->map + cpu->offset, what);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int cpustat_value(const char *text, const char *key, int64_t *v)
{
	size_t n = strlen(key);
	const char *line;

	for (line = text; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (!strncmp(line, key, n) && line[n] == ':') {
			*v = strtoll(line + n + 1, NULL, 10);
			return 1;
		}
	}
	return 0;
}

/*
 * One CPUSTAT option.  trace-cmd writes the top buffer's CPUs first, then for
 * each instance a marker "\nBuffer: name\n\n" followed by its CPUs; the
 * marker only tells whose statistics come next.
 */
int tm_add_cpustat(struct parser *t, const uint8_t *data, uint64_t size)
{
	struct trace_meta *m = t->meta;
	struct meta_cpustat *s;
	char *text = strndup((const char *)data, size);
	const char *mark;
	int64_t cpu;

	if (!text)
		return tm_nomem(t);
	mark = strstr(text, "Buffer: ");
	if (mark && (mark == text || mark[-1] == '\n') && !cpustat_value(text, "CPU", &cpu)) {
		free(t->stat_buffer);
		t->stat_buffer = strndup(mark + 8, strcspn(mark + 8, "\n"));
		free(text);
		return t->stat_buffer ? 0 : tm_nomem(t);
	}

	s = realloc(m->cpustats, (m->nr_cpustats + 1) * sizeof(*s));
	if (!s) {
		free(text);
		return tm_nomem(t);
	}
	m->cpustats = s;
	s = &m->cpustats[m->nr_cpustats];
	memset(s, 0, sizeof(*s));
	s->text = text;
	s->buffer = strdup(t->stat_buffer ? t->stat_buffer : "");
	if (!s->buffer) {
		free(text);
		return tm_nomem(t);
	}
	m->nr_cpustats++;
	s->cpu = cpustat_value(text, "CPU", &cpu) && cpu >= 0 && cpu < MAX_CPUS ? (int)cpu : -1;
	if (!cpustat_value(text, "entries", &s->entries))
		s->entries = -1;
	if (!cpustat_value(text, "overrun", &s->overrun))
		s->overrun = -1;
	if (!cpustat_value(text, "commit overrun", &s->commit_overrun))
		s->commit_overrun = -1;
	if (!cpustat_value(text, "dropped events", &s->dropped_events))
		s->dropped_events = -1;
	if (!cpustat_value(text, "read events", &s->read_events))
		s->read_events = -1;
	return 0;
}
