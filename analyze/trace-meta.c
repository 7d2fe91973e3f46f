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
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sha2.h>
#include <traceevent/event-parse.h>
#include <zlib.h>
#include <zstd.h>

#include "tdat-format.h"
#include "trace-meta.h"
#include "error-line.h"
#include "stop.h"


/* A cursor base for bytes that are not the file's (decompressed sections, option data). */
#define NOT_IN_FILE		UINT64_MAX

/*
 * Limits that only a corrupt file reaches.  A metadata section is a few MB
 * (kallsyms of a large kernel); refusing bigger claims keeps a flipped size from
 * becoming a huge allocation.
 */
#define MAX_UNCOMPRESSED	(256u << 20)
#define MAX_CPUS		65536
#define MAX_OPTION_SECTIONS	4096

static const uint8_t trace_magic[TDAT_MAGIC_SIZE] = TDAT_MAGIC_BYTES;

enum compression { COMP_NONE, COMP_ZLIB, COMP_ZSTD };

/* Parser state of one trace_meta_read() call. */
struct parser {
	const uint8_t *map;
	uint64_t size;
	bool be;
	int version;
	enum compression comp;
	struct trace_meta *meta;
	char *reason;			/* the first failure; later ones are not recorded */

	uint64_t sec_off[TDAT_OPT_MAX];	/* v7: section offsets named by options, 0 if absent */
	bool has_traceclock;		/* v6: a clock string follows each CPU table */
	char *traceclock;		/* clock selected in OPTION_TRACECLOCK */
	uint64_t *buf_off;		/* v6: flyrecord table of each buffer, as meta->buffers */
	char *stat_buffer;		/* named by the last "Buffer:" CPUSTAT; NULL: top */
	bool cpucount_seen;
	bool latency;			/* the data is latency text, not ring-buffer pages */
};

/* A window on bytes the parser may read: [p, p + len), read up to pos. */
struct cur {
	const uint8_t *p;
	uint64_t len;
	uint64_t pos;
	uint64_t base;			/* file offset of p[0], or NOT_IN_FILE */
	const char *what;		/* names the data in reasons */
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

__attribute__((format(printf, 3, 4)))
static int tm_fail(struct parser *t, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmn_vfail(&t->reason, fmt, ap);
	va_end(ap);
	return err;
}

static int tm_nomem(struct parser *t)
{
	return tm_fail(t, -ENOMEM, "out of memory");
}

/* @what needs the file to reach byte @end. */
static int truncated(struct parser *t, const char *what, uint64_t end)
{
	return tm_fail(t, -EINVAL, "truncated: %s ends at byte %llu of %llu", what,
		       (unsigned long long)end, (unsigned long long)t->size);
}

/*
 * A string from the file, made safe to put in a one-line reason: control bytes
 * become '?' and long names are cut.
 */
static const char *printable(char *buf, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

static uint64_t get_num(const struct parser *t, const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t)p[t->be ? bytes - 1 - i : i] << (8 * i);
	return v;
}

static struct cur file_cur(const struct parser *t, uint64_t off, const char *what)
{
	struct cur c = { .p = t->map + off, .len = t->size - off, .base = off, .what = what };

	return c;
}

static struct cur mem_cur(const uint8_t *p, uint64_t len, const char *what)
{
	struct cur c = { .p = p, .len = len, .base = NOT_IN_FILE, .what = what };

	return c;
}

/* Ensure @n more bytes; a window that ends with the file means the file was cut short. */
static int cur_need(struct parser *t, struct cur *c, uint64_t n)
{
	if (n <= c->len - c->pos)
		return 0;
	if (c->base != NOT_IN_FILE && c->base + c->len == t->size)
		return truncated(t, c->what, sat_add(c->base + c->pos, n));
	return tm_fail(t, -EINVAL, "corrupt: %s ends early", c->what);
}

static int cur_take(struct parser *t, struct cur *c, uint64_t n, const uint8_t **out)
{
	int ret = cur_need(t, c, n);

	if (ret)
		return ret;
	if (out)
		*out = c->p + c->pos;
	c->pos += n;
	return 0;
}

static int cur_num(struct parser *t, struct cur *c, int bytes, uint64_t *v)
{
	const uint8_t *p;
	int ret = cur_take(t, c, bytes, &p);

	if (!ret)
		*v = get_num(t, p, bytes);
	return ret;
}

static int cur_str(struct parser *t, struct cur *c, const char **s)
{
	const uint8_t *nul = memchr(c->p + c->pos, 0, c->len - c->pos);

	if (!nul)
		return cur_need(t, c, c->len - c->pos + 1);
	*s = (const char *)c->p + c->pos;
	c->pos = nul - c->p + 1;
	return 0;
}

static int cur_tag(struct parser *t, struct cur *c, const char *tag, size_t n)
{
	const uint8_t *p;
	int ret = cur_take(t, c, n, &p);

	if (ret)
		return ret;
	if (memcmp(p, tag, n))
		return tm_fail(t, -EINVAL, "corrupt: %s: \"%s\" tag missing", c->what, tag);
	return 0;
}

/* @n bytes of option text, not necessarily NUL-terminated, as a C string. */
static int dup_text(struct parser *t, char **dst, const void *p, uint64_t n)
{
	char *s = strndup(p, n);

	if (!s)
		return tm_nomem(t);
	free(*dst);
	*dst = s;
	return 0;
}

/* The word @idx (0-based) of @s, words split by blanks; NULL when there are fewer. */
static char *nth_word(const char *s, int idx)
{
	size_t n;

	for (;;) {
		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (!n)
			return NULL;
		if (!idx--)
			return strndup(s, n);
		s += n;
	}
}

/*
 * The clock in use out of a trace_clock text: "[local] global counter" names
 * local; v6 also stores the clock alone as "[local]".
 */
static char *selected_clock(const char *text)
{
	const char *open = strchr(text, '[');
	const char *close = open ? strchr(open, ']') : NULL;

	if (open && close && close > open + 1)
		return strndup(open + 1, close - open - 1);
	return nth_word(text, 0);
}

/* A page size a kernel can have written; libtracecmd divides by it, kbuffer reads its header. */
static bool page_size_ok(uint64_t size)
{
	return size >= TRACE_META_MIN_PAGE && size <= TRACE_META_MAX_PAGE && !(size & (size - 1));
}

/* ------------------------------------------------------------------ */
/* Metadata: header info, event formats, kallsyms, printk, cmdlines.   */

/*
 * The header page text, read by libtraceevent as libtracecmd reads it: the
 * page's timestamp must be 8 bytes (libtracecmd refuses the file on its
 * first page otherwise, and crashes doing so) and its commit field is the
 * long that the pages are read with.  Without the text libtraceevent falls
 * back to the ring buffer's format of before 2.6.31, which neither reader of
 * maptrail's reads.
 */
static int header_page_facts(struct parser *t, const uint8_t *p, uint64_t size)
{
	struct tep_handle *tep;
	char *text;
	int ts, commit;

	if (!size)
		return tm_fail(t, -EINVAL, "unsupported: no header page (a kernel before 2.6.31)");
	tep = tep_alloc();
	text = malloc(size);
	if (!tep || !text) {
		tep_free(tep);
		free(text);
		return tm_nomem(t);
	}
	memcpy(text, p, size);
	tep_parse_header_page(tep, text, size, t->meta->long_size);
	ts = tep_get_header_timestamp_size(tep);
	commit = tep_get_header_page_size(tep);
	tep_free(tep);
	free(text);
	if (ts != 8)
		return tm_fail(t, -EINVAL, "corrupt: header page: a timestamp of %d bytes", ts);
	if (commit != 4 && commit != 8)
		return tm_fail(t, -EINVAL, "corrupt: header page: a commit field of %d bytes",
			       commit);
	t->meta->page_long_size = commit;
	return 0;
}

static int walk_header_info(struct parser *t, struct cur *c)
{
	const uint8_t *p;
	uint64_t size;
	int ret;

	ret = cur_tag(t, c, "header_page", 12);
	if (!ret)
		ret = cur_num(t, c, 8, &size);
	if (!ret)
		ret = cur_take(t, c, size, &p);
	if (!ret)
		ret = header_page_facts(t, p, size);
	if (!ret)
		ret = cur_tag(t, c, "header_event", 13);
	if (!ret)
		ret = cur_num(t, c, 8, &size);
	if (!ret)
		ret = cur_take(t, c, size, NULL);
	return ret;
}

static int walk_ftrace_events(struct parser *t, struct cur *c)
{
	uint64_t count, size, i;
	int ret;

	ret = cur_num(t, c, 4, &count);
	for (i = 0; !ret && i < count; i++) {
		ret = cur_num(t, c, 8, &size);
		if (!ret)
			ret = cur_take(t, c, size, NULL);
	}
	return ret;
}

static int walk_event_formats(struct parser *t, struct cur *c)
{
	uint64_t systems, count, size, i, j;
	const char *name;
	int ret;

	ret = cur_num(t, c, 4, &systems);
	for (i = 0; !ret && i < systems; i++) {
		ret = cur_str(t, c, &name);
		if (!ret)
			ret = cur_num(t, c, 4, &count);
		for (j = 0; !ret && j < count; j++) {
			ret = cur_num(t, c, 8, &size);
			if (!ret)
				ret = cur_take(t, c, size, NULL);
		}
	}
	return ret;
}

/* kallsyms and printk formats: a 32-bit size and that many bytes. */
static int walk_sized32(struct parser *t, struct cur *c)
{
	uint64_t size;
	int ret = cur_num(t, c, 4, &size);

	return ret ? ret : cur_take(t, c, size, NULL);
}

static int add_cmdline(struct parser *t, size_t *cap, int pid, const char *comm, size_t n)
{
	struct trace_meta *m = t->meta;
	struct meta_cmdline *tmp;

	if (m->nr_cmdlines == (int)*cap) {
		*cap = *cap ? *cap * 2 : 64;
		tmp = realloc(m->cmdlines, *cap * sizeof(*tmp));
		if (!tmp)
			return tm_nomem(t);
		m->cmdlines = tmp;
	}
	tmp = &m->cmdlines[m->nr_cmdlines];
	tmp->pid = pid;
	tmp->comm = strndup(comm, n);
	if (!tmp->comm)
		return tm_nomem(t);
	m->nr_cmdlines++;
	return 0;
}

/*
 * saved_cmdlines text: "pid comm" lines.  A line that does not start with a
 * pid is skipped rather than refused: libtraceevent does the same, and the
 * names are a convenience, not something the events depend on.
 */
static int parse_cmdlines(struct parser *t, const char *s, uint64_t n)
{
	const char *end = s + n;
	size_t cap = 0;

	while (s < end) {
		const char *nl = memchr(s, '\n', end - s);
		const char *eol = nl ? nl : end;
		const char *p = s;
		long pid = 0;

		while (p < eol && *p >= '0' && *p <= '9' && pid <= 99999999)
			pid = pid * 10 + (*p++ - '0');
		if (p > s && p < eol && *p == ' ') {
			p++;
			if (add_cmdline(t, &cap, (int)pid, p, strnlen(p, eol - p)))
				return -ENOMEM;
		}
		s = nl ? nl + 1 : end;
	}
	return 0;
}

static int read_cmdlines(struct parser *t, struct cur *c)
{
	const uint8_t *p;
	uint64_t size;
	int ret;

	ret = cur_num(t, c, 8, &size);
	if (!ret)
		ret = cur_take(t, c, size, &p);
	if (!ret && !t->meta->cmdlines)
		ret = parse_cmdlines(t, (const char *)p, size);
	return ret;
}

/* The metadata parts, in v6 file order; in v7 each is a section named by an option. */
static const struct {
	int id;
	const char *name;
	int (*walk)(struct parser *t, struct cur *c);
} metadata[] = {
	{ TDAT_OPT_HEADER_INFO,	"header info",		walk_header_info },
	{ TDAT_OPT_FTRACE_EVENTS,	"ftrace events",	walk_ftrace_events },
	{ TDAT_OPT_EVENT_FORMATS,	"event formats",	walk_event_formats },
	{ TDAT_OPT_KALLSYMS,		"kallsyms",		walk_sized32 },
	{ TDAT_OPT_PRINTK,		"printk formats",	walk_sized32 },
	{ TDAT_OPT_CMDLINES,		"saved cmdlines",	read_cmdlines },
};

/* ------------------------------------------------------------------ */
/* Buffers, CPU data and CPU statistics.                               */

/* Append a buffer named @name (taken over); returns it or NULL (reason set). */
static struct meta_buffer *add_buffer(struct parser *t, char *name, uint64_t off)
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

static void buffer_clear(struct meta_buffer *b)
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
 * Uncompress @csize bytes at @src into @dst, which holds exactly @usize: it
 * must fill it.  Returns 0, or -1 with *@why set to the codec's reason.
 */
static int uncompress_exact(const struct parser *t, const uint8_t *src, uint64_t csize,
			    uint8_t *dst, uint64_t usize, const char **why)
{
	if (t->comp == COMP_ZSTD) {
		size_t r = ZSTD_decompress(dst, usize, src, csize);

		if (ZSTD_isError(r)) {
			*why = ZSTD_getErrorName(r);
			return -1;
		}
		if (r != usize) {
			*why = "fewer bytes than it claims";
			return -1;
		}
	} else {
		uLongf dlen = usize;
		int r = uncompress(dst, &dlen, src, csize);

		if (r != Z_OK || dlen != usize) {
			*why = r != Z_OK ? zError(r) : "fewer bytes than it claims";
			return -1;
		}
	}
	return 0;
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
			if (uncompress_exact(t, t->map + pos + 8, csize, page, usize, &why) < 0) {
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

static int check_cpu_data(struct parser *t, const struct meta_buffer *b, bool compressed)
{
	char what[128], name[72];
	uint64_t end;
	int i;

	for (i = 0; i < b->nr_cpus; i++) {
		const struct meta_cpu *cpu = &b->cpus[i];

		if (!cpu->size)
			continue;
		if (*b->name)
			snprintf(what, sizeof(what), "CPU %d data (buffer %s)", cpu->cpu,
				 printable(name, sizeof(name), b->name));
		else
			snprintf(what, sizeof(what), "CPU %d data", cpu->cpu);
		end = cpu_data_end(t, compressed, cpu->offset, cpu->size);
		if (end > t->size)
			return truncated(t, what, end);
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
static int check_pages(struct parser *t)
{
	char what[128], name[72];
	int ret;

	for (int i = 0; i < t->meta->nr_buffers; i++) {
		const struct meta_buffer *b = &t->meta->buffers[i];

		for (int j = 0; j < b->nr_cpus; j++) {
			const struct meta_cpu *cpu = &b->cpus[j];

			if (!cpu->size)
				continue;
			if (*b->name)
				snprintf(what, sizeof(what), "CPU %d data (buffer %s)", cpu->cpu,
					 printable(name, sizeof(name), b->name));
			else
				snprintf(what, sizeof(what), "CPU %d data", cpu->cpu);
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
static int add_cpustat(struct parser *t, const uint8_t *data, uint64_t size)
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

/* ------------------------------------------------------------------ */
/* v7 sections.                                                        */

/*
 * Check the section header at @off: its id and that its data lies in the file.
 * On success *@data_off and *@size give the section's data.
 */
static int section_at(struct parser *t, uint64_t off, unsigned int want, const char *what,
		      uint16_t *flags, uint64_t *data_off, uint64_t *size)
{
	char header[96];
	const uint8_t *h;
	unsigned int id;

	if (off > t->size || t->size - off < TDAT_SEC_HEADER_SIZE) {
		snprintf(header, sizeof(header), "%s header", what);
		return truncated(t, header, sat_add(off, TDAT_SEC_HEADER_SIZE));
	}
	h = t->map + off;
	id = get_num(t, h, 2);
	if (id != want)
		return tm_fail(t, -EINVAL, "corrupt: bad section id %u at byte %llu (%s expected)",
			       id, (unsigned long long)off, what);
	*flags = get_num(t, h + 2, 2);
	*size = get_num(t, h + 8, 8);
	*data_off = off + TDAT_SEC_HEADER_SIZE;
	if (*size > t->size - *data_off)
		return truncated(t, what, sat_add(*data_off, *size));
	if ((*flags & TDAT_SEC_FL_COMPRESS) && t->comp == COMP_NONE)
		return tm_fail(t, -EINVAL, "corrupt: %s is compressed in an uncompressed file",
			       what);
	return 0;
}

/* Uncompress the block that makes up a compressed metadata section. */
static int uncompress_section(struct parser *t, uint64_t data_off, uint64_t size, const char *what,
			      uint8_t **out, uint64_t *out_len)
{
	const uint8_t *src = t->map + data_off;
	uint64_t csize, usize;
	uint8_t *buf;

	if (size < 8)
		return tm_fail(t, -EINVAL, "corrupt: %s: compression header missing", what);
	csize = get_num(t, src, 4);
	usize = get_num(t, src + 4, 4);
	if (csize > size - 8)
		return tm_fail(t, -EINVAL, "corrupt: %s: compressed size %llu beyond section",
			       what, (unsigned long long)csize);
	if (usize > MAX_UNCOMPRESSED)
		return tm_fail(t, -EINVAL, "corrupt: %s claims %llu bytes uncompressed", what,
			       (unsigned long long)usize);
	buf = malloc(usize ? usize : 1);
	if (!buf)
		return tm_nomem(t);

	if (t->comp == COMP_ZSTD) {
		size_t r = ZSTD_decompress(buf, usize, src + 8, csize);

		if (ZSTD_isError(r)) {
			free(buf);
			return tm_fail(t, -EINVAL, "corrupt: %s: decompression failed (%s)",
				       what, ZSTD_getErrorName(r));
		}
		usize = r;
	} else if (csize || usize) {
		uLongf dlen = usize;
		int r = uncompress(buf, &dlen, src + 8, csize);

		if (r != Z_OK) {
			free(buf);
			return tm_fail(t, -EINVAL, "corrupt: %s: decompression failed (%s)",
				       what, zError(r));
		}
		usize = dlen;
	}
	*out = buf;
	*out_len = usize;
	return 0;
}

/*
 * Open the metadata section at @off for reading; *@owned is the uncompressed
 * copy to free() after use, NULL when @c reads the file itself.
 */
static int open_section(struct parser *t, uint64_t off, unsigned int id, const char *what,
			struct cur *c, uint8_t **owned)
{
	uint64_t data_off, size, len = 0;
	uint16_t flags;
	int ret;

	*owned = NULL;
	ret = section_at(t, off, id, what, &flags, &data_off, &size);
	if (ret)
		return ret;
	if (!(flags & TDAT_SEC_FL_COMPRESS)) {
		*c = file_cur(t, data_off, what);
		c->len = size;
		return 0;
	}
	ret = uncompress_section(t, data_off, size, what, owned, &len);
	if (!ret)
		*c = mem_cur(*owned, len, what);
	return ret;
}

static const char *section_name(unsigned int id)
{
	size_t i;

	switch (id) {
	case TDAT_OPT_DONE:
		return "options section";
	case TDAT_OPT_BUFFER:
		return "flyrecord section";
	case TDAT_OPT_STRINGS:
		return "strings section";
	case TDAT_OPT_BUFFER_TEXT:
		return "latency section";
	}
	for (i = 0; i < sizeof(metadata) / sizeof(metadata[0]); i++)
		if (metadata[i].id == (int)id)
			return metadata[i].name;
	return NULL;
}

/*
 * From the first options section on, trace-cmd writes its sections back to
 * back up to the end of the file, and libtracecmd finds the strings sections
 * by walking them so.  Walking them here too is what notices a file cut
 * short after its last options section.
 */
static int walk_sections(struct parser *t, uint64_t off)
{
	uint64_t data_off, size;
	const char *what;
	unsigned int id;
	uint16_t flags;
	uint8_t *owned;
	struct cur c;
	int ret;

	while (off != t->size) {
		if (t->size - off < TDAT_SEC_HEADER_SIZE)
			return truncated(t, "section header", off + TDAT_SEC_HEADER_SIZE);
		id = get_num(t, t->map + off, 2);
		what = section_name(id);
		if (!what)
			return tm_fail(t, -EINVAL, "corrupt: bad section id %u at byte %llu", id,
				       (unsigned long long)off);
		ret = section_at(t, off, id, what, &flags, &data_off, &size);
		if (!ret && id == TDAT_OPT_STRINGS) {
			/* only checked: the descriptions they hold are for people */
			ret = open_section(t, off, id, what, &c, &owned);
			free(owned);
		}
		if (ret)
			return ret;
		off = data_off + size;
	}
	return 0;
}

/* A v7 BUFFER (flyrecord) or BUFFER_TEXT (latency) option, and its section. */
static int buffer_option_v7(struct parser *t, unsigned int id, const uint8_t *data, uint64_t size)
{
	const char *what = id == TDAT_OPT_BUFFER ? "BUFFER option" : "BUFFER_TEXT option";
	struct cur c = mem_cur(data, size, what);
	const char *name = NULL, *clock = NULL;
	uint64_t off, page_size = 0, nr = 0, v, data_off, sec_size, i;
	struct meta_buffer *b;
	struct meta_cpu *cpus = NULL;
	uint16_t flags;
	int ret;

	ret = cur_num(t, &c, 8, &off);
	if (!ret)
		ret = cur_str(t, &c, &name);
	if (!ret)
		ret = cur_str(t, &c, &clock);
	if (!ret && id == TDAT_OPT_BUFFER)
		ret = cur_num(t, &c, 4, &page_size);
	if (!ret && id == TDAT_OPT_BUFFER)
		ret = cur_num(t, &c, 4, &nr);
	if (ret)
		return ret;
	/* 20 bytes a CPU: id, offset, size; the reads below stay within this check */
	if (nr > MAX_CPUS || nr * 20 > c.len - c.pos)
		return tm_fail(t, -EINVAL, "corrupt: BUFFER option: %" PRIu64 " CPUs", nr);
	if (id == TDAT_OPT_BUFFER && !page_size_ok(page_size))
		return tm_fail(t, -EINVAL, "corrupt: BUFFER option: page size %" PRIu64, page_size);

	ret = section_at(t, off, id, section_name(id), &flags, &data_off, &sec_size);
	if (ret)
		return ret;

	if (nr) {
		cpus = calloc(nr, sizeof(*cpus));
		if (!cpus)
			return tm_nomem(t);
	}
	for (i = 0; i < nr; i++) {
		(void)cur_num(t, &c, 4, &v);
		cpus[i].cpu = v < MAX_CPUS ? (int)v : -1;
		(void)cur_num(t, &c, 8, &cpus[i].offset);
		(void)cur_num(t, &c, 8, &cpus[i].size);
		if (cpus[i].cpu < 0) {
			free(cpus);
			return tm_fail(t, -EINVAL, "corrupt: BUFFER option: CPU id %" PRIu64, v);
		}
	}

	if (!*name) {
		b = &t->meta->buffers[0];
		buffer_clear(b);
	} else {
		b = add_buffer(t, strdup(name), off);
		if (!b) {
			free(cpus);
			return -ENOMEM;
		}
	}
	b->cpus = cpus;
	b->nr_cpus = nr;
	b->compressed = flags & TDAT_SEC_FL_COMPRESS;
	if (id == TDAT_OPT_BUFFER)
		b->page_size = page_size;
	else
		t->latency = true;
	b->clock = *clock ? strdup(clock) : NULL;
	if (*clock && !b->clock)
		return tm_nomem(t);
	return check_cpu_data(t, b, flags & TDAT_SEC_FL_COMPRESS);
}

/* ------------------------------------------------------------------ */
/* Options.                                                            */

static int handle_option(struct parser *t, unsigned int id, const uint8_t *data, uint64_t size)
{
	struct trace_meta *m = t->meta;
	char *text = NULL;
	int ret = 0;

	switch (id) {
	case TDAT_OPT_CPUSTAT:
		return add_cpustat(t, data, size);
	case TDAT_OPT_BUFFER:
	case TDAT_OPT_BUFFER_TEXT:
		if (t->version >= 7)
			return buffer_option_v7(t, id, data, size);
		if (id == TDAT_OPT_BUFFER_TEXT)
			return 0;
		/* v6: the offset of the instance's flyrecord table, then its name */
		if (size < 9)
			return tm_fail(t, -EINVAL, "corrupt: BUFFER option of %" PRIu64 " bytes",
				       size);
		return add_buffer(t, strndup((const char *)data + 8, size - 8),
				  get_num(t, data, 8)) ? 0 : -ENOMEM;
	case TDAT_OPT_TRACECLOCK:
		t->has_traceclock = true;
		ret = dup_text(t, &text, data, size);
		if (!ret) {
			free(t->traceclock);
			t->traceclock = selected_clock(text);
		}
		break;
	case TDAT_OPT_UNAME:
		/* trace-cmd writes "sysname nodename release machine" */
		ret = dup_text(t, &m->uname, data, size);
		if (!ret) {
			free(m->hostname);
			free(m->kernel_version);
			m->hostname = nth_word(m->uname, 1);
			m->kernel_version = nth_word(m->uname, 2);
		}
		break;
	case TDAT_OPT_VERSION:
		ret = dup_text(t, &m->tracecmd_version, data, size);
		break;
	case TDAT_OPT_OFFSET:
		/* as libtracecmd: several OFFSET options add up */
		ret = dup_text(t, &text, data, size);
		if (!ret)
			m->time_offset += strtoll(text, NULL, 0);
		break;
	case TDAT_OPT_CPUCOUNT:
		if (size < 4)
			return tm_fail(t, -EINVAL, "corrupt: CPUCOUNT option of %" PRIu64 " bytes",
				       size);
		if (get_num(t, data, 4) > MAX_CPUS)
			return tm_fail(t, -EINVAL, "corrupt: CPUCOUNT option: %" PRIu64 " CPUs",
				       get_num(t, data, 4));
		m->cpu_count = get_num(t, data, 4);
		t->cpucount_seen = true;
		break;
	case TDAT_OPT_HEADER_INFO:
	case TDAT_OPT_FTRACE_EVENTS:
	case TDAT_OPT_EVENT_FORMATS:
	case TDAT_OPT_KALLSYMS:
	case TDAT_OPT_PRINTK:
	case TDAT_OPT_CMDLINES:
		if (t->version < 7)
			break;
		if (size < 8)
			return tm_fail(t, -EINVAL, "corrupt: option %u of %" PRIu64 " bytes",
				       id, size);
		t->sec_off[id] = get_num(t, data, 8);
		break;
	case TDAT_OPT_MAPTRAIL_PLAN:
		ret = dup_text(t, &m->recorder_plan, data, size);
		break;
	case TDAT_OPT_MAPTRAIL_PLAN_ROWS:
		ret = dup_text(t, &m->recorder_plan_rows, data, size);
		break;
	case TDAT_OPT_MAPTRAIL_FLIGHT:
		ret = dup_text(t, &m->recorder_flight, data, size);
		break;
	case TDAT_OPT_MAPTRAIL_WALLCLOCK:
		ret = dup_text(t, &m->recorder_wallclock, data, size);
		break;
	case TDAT_OPT_DATE:
		/*
		 * trace-cmd record --date: CLOCK_REALTIME - ts in us, "0x..." text.
		 * libtracecmd adds it to every timestamp, and so does this reader.
		 */
		ret = dup_text(t, &text, data, size);
		if (!ret) {
			m->time_offset += strtoll(text, NULL, 0) * 1000;
			m->ts_is_utc = true;
		}
		break;
	case TDAT_OPT_TIME_SHIFT:
	case TDAT_OPT_TSC2NSEC:
	case TDAT_OPT_GUEST:
		/* host/guest synchronisation and TSC conversion: libtracecmd applies them */
		m->time_sync = true;
		break;
	default:
		/* HOOK, PROCMAPS, TRACEID, unknown */
		break;
	}
	free(text);
	return ret;
}

/*
 * Options until DONE.  v6: a DONE id alone ends them.  v7: DONE carries the
 * offset of the next options section (0: none), returned in *@next.
 */
static int parse_options(struct parser *t, struct cur *c, uint64_t *next)
{
	const uint8_t *data;
	uint64_t id, size;
	int ret;

	for (;;) {
		if (t->version >= 7 && c->pos == c->len)
			return tm_fail(t, -EINVAL, "corrupt: %s has no DONE option", c->what);
		ret = cur_num(t, c, 2, &id);
		if (ret)
			return ret;
		if (t->version < 7 && id == TDAT_OPT_DONE)
			return 0;
		ret = cur_num(t, c, 4, &size);
		if (ret)
			return ret;
		if (t->version >= 7 && size > c->len - c->pos)
			return tm_fail(t, -EINVAL, "corrupt: option %u size %llu beyond %s",
				       (unsigned int)id, (unsigned long long)size, c->what);
		ret = cur_take(t, c, size, &data);
		if (ret)
			return ret;
		if (id == TDAT_OPT_DONE) {
			if (size < 8)
				return tm_fail(t, -EINVAL, "corrupt: DONE option of %" PRIu64 " bytes",
					       size);
			*next = get_num(t, data, 8);
			return 0;
		}
		ret = handle_option(t, id, data, size);
		if (ret)
			return ret;
	}
}

/* ------------------------------------------------------------------ */
/* The two layouts.                                                    */

/* v6: "flyrecord\0" was read; the CPU table and, with TRACECLOCK, the clock. */
static int read_cpu_table_v6(struct parser *t, struct cur *c, struct meta_buffer *b, uint64_t nr)
{
	uint64_t i, len;
	const uint8_t *p;
	char *text;
	int ret;

	ret = cur_need(t, c, nr * 16);
	if (ret)
		return ret;
	buffer_clear(b);
	if (nr) {
		b->cpus = calloc(nr, sizeof(*b->cpus));
		if (!b->cpus)
			return tm_nomem(t);
	}
	b->nr_cpus = nr;
	for (i = 0; i < nr; i++) {
		b->cpus[i].cpu = i;
		(void)cur_num(t, c, 8, &b->cpus[i].offset);
		(void)cur_num(t, c, 8, &b->cpus[i].size);
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
			b->clock = selected_clock(text);
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

	for (i = 0; i < sizeof(metadata) / sizeof(metadata[0]); i++) {
		c->what = metadata[i].name;
		ret = metadata[i].walk(t, c);
		if (ret)
			return ret;
	}
	c->what = "CPU count";
	ret = cur_num(t, c, 4, &cpus);
	if (ret)
		return ret;
	if (cpus > MAX_CPUS)
		return tm_fail(t, -EINVAL, "corrupt: %" PRIu64 " CPUs", cpus);

	c->what = "options";
	ret = cur_take(t, c, 10, &tag);
	if (!ret && !memcmp(tag, "options", 7)) {
		ret = parse_options(t, c, NULL);
		if (!ret)
			ret = cur_take(t, c, 10, &tag);
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
			 printable(name, sizeof(name), b->name));
		if (t->buf_off[i] > t->size)
			return truncated(t, what, sat_add(t->buf_off[i], 10));
		bc = file_cur(t, t->buf_off[i], what);
		ret = cur_tag(t, &bc, "flyrecord", 10);
		if (!ret)
			ret = read_cpu_table_v6(t, &bc, b, nr);
		if (ret)
			return ret;
	}
	for (i = 0; i < (size_t)m->nr_buffers; i++) {
		ret = check_cpu_data(t, &m->buffers[i], false);
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

	ret = cur_str(t, c, &name);
	if (!ret)
		ret = cur_str(t, c, &version);
	if (!ret)
		ret = cur_num(t, c, 8, &off);
	if (ret)
		return ret;
	first = off;
	if (!strcmp(name, "zstd"))
		t->comp = COMP_ZSTD;
	else if (!strcmp(name, "zlib"))
		t->comp = COMP_ZLIB;
	else if (strcmp(name, "none"))
		return tm_fail(t, -EINVAL, "corrupt: unknown compression algorithm \"%s\"",
			       printable(buf, sizeof(buf), name));
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
		ret = open_section(t, off, 0, "options section", &sc, &owned);
		if (!ret) {
			next = 0;
			ret = parse_options(t, &sc, &next);
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
	ret = walk_sections(t, first);
	if (ret)
		return ret;

	for (i = 0; i < (int)(sizeof(metadata) / sizeof(metadata[0])); i++) {
		if (!t->sec_off[metadata[i].id])
			continue;
		snprintf(what, sizeof(what), "%s section", metadata[i].name);
		ret = open_section(t, t->sec_off[metadata[i].id], metadata[i].id, what, &sc,
				   &owned);
		if (!ret)
			ret = metadata[i].walk(t, &sc);
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
	struct cur c = file_cur(t, 0, "file header");
	const char *version = NULL, *s;
	uint64_t endian, long_size, page_size;
	char buf[32];
	long v = 0;
	int ret;

	if (t->size < sizeof(trace_magic) && !memcmp(t->map, trace_magic, t->size))
		return cur_need(t, &c, sizeof(trace_magic));
	if (t->size < sizeof(trace_magic) || memcmp(t->map, trace_magic, sizeof(trace_magic)))
		return tm_fail(t, -EINVAL, "not a trace.dat file (bad magic)");
	c.pos = sizeof(trace_magic);

	ret = cur_str(t, &c, &version);
	if (ret)
		return ret;
	for (s = version; *s >= '0' && *s <= '9' && v < 1000000; s++)
		v = v * 10 + (*s - '0');
	if (s == version || *s)
		return tm_fail(t, -EINVAL, "corrupt: version \"%s\"",
			       printable(buf, sizeof(buf), version));
	if (v != 6 && v != 7)
		return tm_fail(t, -EINVAL, "unsupported trace.dat version %ld", v);
	t->version = m->version = v;

	ret = cur_num(t, &c, 1, &endian);
	if (!ret)
		ret = cur_num(t, &c, 1, &long_size);
	if (ret)
		return ret;
	if (endian > 1)
		return tm_fail(t, -EINVAL, "corrupt: endian flag %" PRIu64, endian);
	if (long_size != 4 && long_size != 8)
		return tm_fail(t, -EINVAL, "corrupt: long size %" PRIu64, long_size);
	t->be = m->big_endian = endian;
	m->long_size = long_size;
	ret = cur_num(t, &c, 4, &page_size);
	if (ret)
		return ret;
	if (!page_size_ok(page_size))
		return tm_fail(t, -EINVAL, "corrupt: page size %" PRIu64, page_size);
	m->page_size = page_size;

	/* buffers[0] is the top buffer even when the file does not describe it */
	if (!add_buffer(t, strdup(""), 0))
		return -ENOMEM;
	ret = t->version == 6 ? parse_v6(t, &c) : parse_v7(t, &c);
	if (!ret && !t->meta->page_long_size)
		ret = tm_fail(t, -EINVAL, "corrupt: no header page");
	if (!ret)
		ret = check_pages(t);
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
