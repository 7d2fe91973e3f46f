// SPDX-License-Identifier: MIT
/*
 * test-trace-meta: trace_meta_read() on three kinds of input.
 *
 *  - the committed captures ($FIXTURES/ *.dat), checked against what
 *    `trace-cmd dump` prints for the same file;
 *  - files written here for what trace-cmd on a test machine cannot produce:
 *    big endian, 32-bit long, zlib, latency data, chained options sections;
 *  - damaged files: empty, a directory, noise, cut or flipped copies of the
 *    above, an unreadable path.  Each must fail with a one-line reason, and
 *    none may crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "trace-meta.h"

#define PAGE	4096

static char scratch[PATH_MAX];		/* temporary directory of this run */

/* ------------------------------------------------------------------ */
/* Small helpers.                                                      */

static char *scratch_path(const char *name)
{
	static char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	return path;
}

static void write_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

static uint8_t *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = malloc(len ? len : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, len, f), (size_t)len);
	fclose(f);
	*n = len;
	return buf;
}

/*
 * Read @path expecting a failure: a negative errno and one non-empty line of
 * reason.  Returns the reason (static, valid until the next call).
 */
static const char *expect_failure(const char *path, const char *label)
{
	static char last[256];
	struct trace_meta *meta = NULL;
	char *reason = NULL;
	int ret;

	ret = trace_meta_read(path, &meta, &reason);
	if (ret >= 0)
		fail_msg("%s: accepted, a failure was expected", label);
	assert_null(meta);
	if (!reason || !*reason || strchr(reason, '\n'))
		fail_msg("%s: bad reason \"%s\"", label, reason ? reason : "(null)");
	snprintf(last, sizeof(last), "%s", reason);
	free(reason);
	return last;
}

/* Write @n bytes of @data to a scratch file and expect trace_meta_read() to refuse it. */
static const char *expect_bad_bytes(const void *data, size_t n, const char *label)
{
	write_file(scratch_path("bad.dat"), data, n);
	return expect_failure(scratch_path("bad.dat"), label);
}

static void expect_prefix(const char *reason, const char *prefix, const char *label)
{
	if (strncmp(reason, prefix, strlen(prefix)))
		fail_msg("%s: reason \"%s\" does not start with \"%s\"", label, reason, prefix);
}

/* Whatever @data is, reading it must not crash, and a failure must have a reason. */
static void read_anything(const void *data, size_t n, const char *label)
{
	struct trace_meta *meta = NULL;
	char *reason = NULL;
	int ret;

	write_file(scratch_path("any.dat"), data, n);
	ret = trace_meta_read(scratch_path("any.dat"), &meta, &reason);
	if (ret < 0 && (!reason || !*reason))
		fail_msg("%s: failure without a reason", label);
	free(reason);
	trace_meta_free(meta);
}

static const struct meta_buffer *find_buffer(const struct trace_meta *m, const char *name)
{
	int i;

	for (i = 0; i < m->nr_buffers; i++)
		if (!strcmp(m->buffers[i].name, name))
			return &m->buffers[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Files written here (trace-cmd.dat.v6(5), trace-cmd.dat.v7(5)).       */

struct wb {
	uint8_t *p;
	size_t len, cap;
	bool be;
};

static void wb_put(struct wb *w, const void *d, size_t n)
{
	if (w->len + n > w->cap) {
		w->cap = (w->len + n) * 2 + 4096;
		w->p = realloc(w->p, w->cap);
		assert_non_null(w->p);
	}
	memcpy(w->p + w->len, d, n);
	w->len += n;
}

static void wb_set(struct wb *w, size_t at, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		w->p[at + (w->be ? bytes - 1 - i : i)] = v >> (8 * i);
}

static size_t wb_num(struct wb *w, uint64_t v, int bytes)
{
	static const uint8_t zero[8];
	size_t at = w->len;

	wb_put(w, zero, bytes);
	wb_set(w, at, v, bytes);
	return at;
}

static void wb_str(struct wb *w, const char *s)
{
	wb_put(w, s, strlen(s) + 1);
}

static void wb_pad(struct wb *w, size_t align)
{
	static const uint8_t zero;

	while (w->len % align)
		wb_put(w, &zero, 1);
}

struct synth {
	int version;
	bool be;
	int long_size;
	const char *comp;		/* "none", "zlib" or "zstd" (v7) */
	bool latency;
	bool split_options;		/* v7: the instance's BUFFER in a third options section */
	bool compress_options;		/* v7: compress the last options section */
};

/* What the writer put where, to check the parser against. */
struct layout {
	int nr[2];			/* CPUs of the top buffer and of "inst" */
	int cpu[2][4];
	uint64_t off[2][4], size[2][4];
	size_t first_options;		/* v7: the first options section */
	size_t sec[6];			/* v7: sections 16 to 21 */
	size_t strings;			/* v7: the strings section, last in the file */
};

/* as the kernel writes events/header_page */
static const char header_page[] = "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
				  "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
				  "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
				  "\tfield: char data;\toffset:16;\tsize:4080;\tsigned:1;\n";
static const char header_event[] = "# compressed entry header\n\ttype_len    :    5 bits\n";
static const char ftrace_format[] = "name: function\nID: 1\nformat:\n";
static const char event_format[] = "name: sys_enter_mmap\nID: 100\nformat:\n";
static const char kallsyms[] = "ffffffff81000000 T _text\n";
static const char printk[] = "0xffffffff82000000 : \"hello\\n\"\n";
static const char cmdlines[] = "1 systemd\n42 bash\nnot a cmdline\n4242 kworker/0:1 H\n";
static const char cpustat0[] = "CPU: 0\nentries: 5\noverrun: 1\ncommit overrun: 2\nbytes: 10\n"
	"oldest event ts: 1.000000\nnow ts: 2.000000\ndropped events: 3\nread events: 7\n";
static const char cpustat1[] = "CPU: 1\nentries: 0\noverrun: 0\ncommit overrun: 0\nbytes: 0\n"
	"dropped events: 0\nread events: 0\n";
static const char cpustat_marker[] = "\nBuffer: inst\n\n";
static const char cpustat_inst[] = "CPU: 1\nentries: 9\noverrun: 0\ncommit overrun: 0\n";
static const char latency_text[] = "# tracer: irqsoff\n#\n  <idle>-0  0d... 0us : start\n";

static void compress_block(const char *comp, const void *in, size_t n, struct wb *out)
{
	size_t cap = n + 1024 + n / 8;
	uint8_t *buf = malloc(cap);
	uLongf zlen = cap;
	size_t len;

	assert_non_null(buf);
	if (!strcmp(comp, "zlib")) {
		assert_int_equal(compress2(buf, &zlen, in, n, Z_BEST_COMPRESSION), Z_OK);
		len = zlen;
	} else {
		len = ZSTD_compress(buf, cap, in, n, 3);
		assert_false(ZSTD_isError(len));
	}
	wb_num(out, len, 4);
	wb_num(out, n, 4);
	wb_put(out, buf, len);
	free(buf);
}

static size_t option(struct wb *w, int id, const void *data, size_t n)
{
	size_t at;

	wb_num(w, id, 2);
	wb_num(w, n, 4);
	at = w->len;
	wb_put(w, data, n);
	return at;
}

static void option_text(struct wb *w, int id, const char *text)
{
	option(w, id, text, strlen(text) + 1);
}

static void option_u64(struct wb *w, int id, uint64_t v)
{
	struct wb d = { .be = w->be };

	wb_num(&d, v, 8);
	option(w, id, d.p, d.len);
	free(d.p);
}

/* The metadata of v6, in file order; in v7 each is a section of id 16 + index. */
static void metadata_part(struct wb *w, int idx)
{
	switch (idx) {
	case 0:
		wb_put(w, "header_page", 12);
		wb_num(w, sizeof(header_page) - 1, 8);
		wb_put(w, header_page, sizeof(header_page) - 1);
		wb_put(w, "header_event", 13);
		wb_num(w, sizeof(header_event) - 1, 8);
		wb_put(w, header_event, sizeof(header_event) - 1);
		break;
	case 1:
		wb_num(w, 1, 4);
		wb_num(w, sizeof(ftrace_format) - 1, 8);
		wb_put(w, ftrace_format, sizeof(ftrace_format) - 1);
		break;
	case 2:
		wb_num(w, 1, 4);
		wb_str(w, "syscalls");
		wb_num(w, 2, 4);
		wb_num(w, sizeof(event_format) - 1, 8);
		wb_put(w, event_format, sizeof(event_format) - 1);
		wb_num(w, sizeof(event_format) - 1, 8);
		wb_put(w, event_format, sizeof(event_format) - 1);
		break;
	case 3:
		wb_num(w, sizeof(kallsyms) - 1, 4);
		wb_put(w, kallsyms, sizeof(kallsyms) - 1);
		break;
	case 4:
		wb_num(w, sizeof(printk) - 1, 4);
		wb_put(w, printk, sizeof(printk) - 1);
		break;
	case 5:
		wb_num(w, sizeof(cmdlines) - 1, 8);
		wb_put(w, cmdlines, sizeof(cmdlines) - 1);
		break;
	}
}

/* The options both versions share; @nr_cpus goes in CPUCOUNT. */
static void common_options(struct wb *w, int nr_cpus)
{
	uint8_t junk[5] = { 1, 2, 3, 4, 5 };
	struct wb d = { .be = w->be };

	option_text(w, 5, "Linux synth 6.1.0-test aarch64");
	option_text(w, 9, "3.2.0 synth");
	option_text(w, 4, "local [mono] global counter");
	option_text(w, 7, "-1000");
	wb_num(&d, nr_cpus, 4);
	option(w, 8, d.p, d.len);
	free(d.p);
	option_text(w, 2, cpustat0);
	option_text(w, 2, cpustat1);
	option_text(w, 2, cpustat_marker);
	option_text(w, 2, cpustat_inst);
	option(w, 99, junk, sizeof(junk));	/* unknown: skipped */
}

/* One CPU's ring-buffer pages: @pages pages, raw or as compressed chunks. */
static void cpu_data(struct wb *w, const struct synth *s, int pages, uint64_t *off,
		     uint64_t *size)
{
	uint8_t *data = malloc(pages * PAGE);

	assert_non_null(data);
	memset(data, 0xab, pages * PAGE);
	/* each page's commit field: empty pages, which trace-meta reads the first of */
	for (int i = 0; i < pages; i++)
		memset(data + i * PAGE + 8, 0, 8);
	wb_pad(w, PAGE);
	*off = w->len;
	if (s->version >= 7 && strcmp(s->comp, "none")) {
		wb_num(w, 1, 4);
		compress_block(s->comp, data, pages * PAGE, w);
	} else {
		wb_put(w, data, pages * PAGE);
	}
	*size = w->len - *off;
	free(data);
}

static size_t write_v6(struct wb *w, const struct synth *s, struct layout *l)
{
	size_t buffer_at, table_at[2];
	struct wb d = { .be = w->be };
	int b, i;

	for (i = 0; i < 6; i++)
		metadata_part(w, i);
	wb_num(w, 2, 4);
	wb_put(w, "options  ", 10);
	common_options(w, 2);
	wb_num(&d, 0, 8);
	wb_str(&d, "inst");
	buffer_at = option(w, 3, d.p, d.len);
	free(d.p);
	wb_num(w, 0, 2);
	if (s->latency) {
		wb_put(w, "latency  ", 10);
		wb_put(w, latency_text, sizeof(latency_text) - 1);
		return 0;
	}
	for (b = 0; b < 2; b++) {
		if (b == 1)
			wb_set(w, buffer_at, w->len, 8);
		wb_put(w, "flyrecord", 10);
		table_at[b] = w->len;
		for (i = 0; i < 2; i++) {
			wb_num(w, 0, 8);
			wb_num(w, 0, 8);
		}
		wb_num(w, 6, 8);
		wb_put(w, "[mono]", 6);
	}
	for (b = 0; b < 2; b++) {
		l->nr[b] = 2;
		for (i = 0; i < 2; i++) {
			l->cpu[b][i] = i;
			/* the top buffer's CPU 1 recorded nothing: offset and size 0 */
			if (b == 0 && i == 1)
				continue;
			cpu_data(w, s, b + i + 1, &l->off[b][i], &l->size[b][i]);
			wb_set(w, table_at[b] + 16 * i, l->off[b][i], 8);
			wb_set(w, table_at[b] + 16 * i + 8, l->size[b][i], 8);
		}
	}
	return 0;
}

static size_t section_begin(struct wb *w, int id, int flags)
{
	wb_num(w, id, 2);
	wb_num(w, flags, 2);
	wb_num(w, 0, 4);
	return wb_num(w, 0, 8);
}

static void section_end(struct wb *w, size_t size_at)
{
	wb_set(w, size_at, w->len - (size_at + 8), 8);
}

/* A section holding @d, as one compressed block when @compress. */
static size_t section(struct wb *w, int id, const struct wb *d, const char *comp, bool compress)
{
	size_t off = w->len, at;

	at = section_begin(w, id, compress ? 1 : 0);
	if (compress)
		compress_block(comp, d->p, d->len, w);
	else
		wb_put(w, d->p, d->len);
	section_end(w, at);
	return off;
}

/* BUFFER option of buffer @b, whose data section is at @off. */
static void buffer_option(struct wb *w, const struct layout *l, int b, uint64_t off)
{
	struct wb d = { .be = w->be };
	int i;

	wb_num(&d, off, 8);
	wb_str(&d, b ? "inst" : "");
	wb_str(&d, b ? "x86-tsc" : "mono");
	wb_num(&d, PAGE, 4);
	wb_num(&d, l->nr[b], 4);
	for (i = 0; i < l->nr[b]; i++) {
		wb_num(&d, l->cpu[b][i], 4);
		wb_num(&d, l->off[b][i], 8);
		wb_num(&d, l->size[b][i], 8);
	}
	option(w, 3, d.p, d.len);
	free(d.p);
}

static size_t write_v7(struct wb *w, const struct synth *s, struct layout *l)
{
	bool z = strcmp(s->comp, "none");
	size_t options_at, done_at, sec_off[6], flyrec[2], at;
	struct wb d = { .be = w->be }, o = { .be = w->be };
	int b, i;

	wb_str(w, s->comp);
	wb_str(w, z ? "1.0" : "");
	options_at = wb_num(w, 0, 8);
	for (i = 0; i < 6; i++) {
		d.len = 0;
		metadata_part(&d, i);
		sec_off[i] = l->sec[i] = section(w, 16 + i, &d, s->comp, z);
	}

	/* first options section: never compressed, so its DONE can be patched */
	l->first_options = w->len;
	wb_set(w, options_at, w->len, 8);
	at = section_begin(w, 0, 0);
	for (i = 0; i < 6; i++)
		option_u64(w, 16 + i, sec_off[i]);
	common_options(w, 4);
	wb_num(w, 0, 2);
	wb_num(w, 8, 4);
	done_at = wb_num(w, 0, 8);
	section_end(w, at);

	if (s->latency) {
		flyrec[0] = w->len;
		at = section_begin(w, 22, z ? 1 : 0);
		if (z) {
			wb_num(w, 1, 4);
			compress_block(s->comp, latency_text, sizeof(latency_text) - 1, w);
		} else {
			wb_put(w, latency_text, sizeof(latency_text) - 1);
		}
		section_end(w, at);
	} else {
		/* top: CPUs 0 and 3 recorded; inst: CPU 1 */
		l->nr[0] = 2;
		l->cpu[0][0] = 0;
		l->cpu[0][1] = 3;
		l->nr[1] = 1;
		l->cpu[1][0] = 1;
		for (b = 0; b < 2; b++) {
			flyrec[b] = w->len;
			at = section_begin(w, 3, z ? 1 : 0);
			for (i = 0; i < l->nr[b]; i++)
				cpu_data(w, s, b + i + 1, &l->off[b][i], &l->size[b][i]);
			section_end(w, at);
		}
	}

	/* options with the buffers, written once their data is in place */
	wb_set(w, done_at, w->len, 8);
	if (s->latency) {
		d.len = 0;
		wb_num(&d, flyrec[0], 8);
		wb_str(&d, "");
		wb_str(&d, "mono");
		option(&o, 22, d.p, d.len);
	} else {
		buffer_option(&o, l, 0, flyrec[0]);
		if (!s->split_options)
			buffer_option(&o, l, 1, flyrec[1]);
	}
	wb_num(&o, 0, 2);
	wb_num(&o, 8, 4);
	done_at = wb_num(&o, 0, 8);
	if (s->split_options) {
		/* this one is not last: its DONE names the next, so it stays uncompressed */
		wb_set(&o, done_at, w->len + 16 + o.len, 8);
		section(w, 0, &o, s->comp, false);
		o.len = 0;
		buffer_option(&o, l, 1, flyrec[1]);
		wb_num(&o, 0, 2);
		wb_num(&o, 8, 4);
		wb_num(&o, 0, 8);
	}
	section(w, 0, &o, s->comp, z && s->compress_options);

	d.len = 0;
	wb_put(&d, "options\0headers\0", 16);
	l->strings = section(w, 15, &d, s->comp, z);
	free(d.p);
	free(o.p);
	return 0;
}

/* Build the file @s describes; the caller frees w->p. */
static void synth_write(const struct synth *s, struct wb *w, struct layout *l)
{
	static const uint8_t magic[10] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	uint8_t b;

	memset(w, 0, sizeof(*w));
	memset(l, 0, sizeof(*l));
	w->be = s->be;
	wb_put(w, magic, sizeof(magic));
	wb_str(w, s->version == 6 ? "6" : "7");
	b = s->be;
	wb_put(w, &b, 1);
	b = s->long_size;
	wb_put(w, &b, 1);
	wb_num(w, PAGE, 4);
	if (s->version == 6)
		write_v6(w, s, l);
	else
		write_v7(w, s, l);
}

static const struct synth synths[] = {
	{ .version = 6, .long_size = 8 },
	{ .version = 6, .be = true, .long_size = 4 },
	{ .version = 6, .long_size = 8, .latency = true },
	{ .version = 7, .long_size = 8, .comp = "none" },
	{ .version = 7, .be = true, .long_size = 4, .comp = "zlib", .compress_options = true },
	{ .version = 7, .long_size = 8, .comp = "zlib", .split_options = true },
	{ .version = 7, .be = true, .long_size = 8, .comp = "zstd", .split_options = true,
	  .compress_options = true },
	{ .version = 7, .long_size = 4, .comp = "zstd", .latency = true },
	{ .version = 7, .be = true, .long_size = 8, .comp = "none", .latency = true },
};

static void synth_label(const struct synth *s, char *buf, size_t n)
{
	snprintf(buf, n, "v%d %s-endian long %d %s%s%s%s", s->version, s->be ? "big" : "little",
		 s->long_size, s->comp ? s->comp : "", s->latency ? " latency" : "",
		 s->split_options ? " split" : "", s->compress_options ? " zoptions" : "");
}

static void check_synth(const struct trace_meta *m, const struct synth *s, const struct layout *l)
{
	const struct meta_buffer *top = &m->buffers[0], *inst;
	const char *inst_clock = s->version == 6 ? "mono" : "x86-tsc";
	int b, i;

	assert_int_equal(m->version, s->version);
	assert_int_equal(m->big_endian, s->be);
	assert_int_equal(m->long_size, s->long_size);
	assert_int_equal(m->page_size, PAGE);
	if (s->version == 6 || !strcmp(s->comp, "none")) {
		assert_null(m->compression);
		assert_null(m->compression_version);
	} else {
		assert_string_equal(m->compression, s->comp);
		assert_string_equal(m->compression_version, "1.0");
	}
	assert_string_equal(m->uname, "Linux synth 6.1.0-test aarch64");
	assert_string_equal(m->hostname, "synth");
	assert_string_equal(m->kernel_version, "6.1.0-test");
	assert_string_equal(m->tracecmd_version, "3.2.0 synth");
	assert_int_equal(m->cpu_count, s->version == 6 ? 2 : 4);
	assert_int_equal(m->time_offset, -1000);
	assert_string_equal(m->clock, "mono");
	assert_string_equal(m->data_kind, s->latency ? "latency" : "flyrecord");

	assert_int_equal(m->nr_cpustats, 3);
	assert_string_equal(m->cpustats[0].buffer, "");
	assert_int_equal(m->cpustats[0].cpu, 0);
	assert_string_equal(m->cpustats[0].text, cpustat0);
	assert_int_equal(m->cpustats[0].entries, 5);
	assert_int_equal(m->cpustats[0].overrun, 1);
	assert_int_equal(m->cpustats[0].commit_overrun, 2);
	assert_int_equal(m->cpustats[0].dropped_events, 3);
	assert_int_equal(m->cpustats[0].read_events, 7);
	assert_string_equal(m->cpustats[1].buffer, "");
	assert_int_equal(m->cpustats[1].cpu, 1);
	assert_string_equal(m->cpustats[2].buffer, "inst");
	assert_int_equal(m->cpustats[2].cpu, 1);
	assert_int_equal(m->cpustats[2].entries, 9);
	assert_int_equal(m->cpustats[2].dropped_events, -1);
	assert_int_equal(m->cpustats[2].read_events, -1);

	assert_int_equal(m->nr_cmdlines, 3);
	assert_int_equal(m->cmdlines[0].pid, 1);
	assert_string_equal(m->cmdlines[0].comm, "systemd");
	assert_int_equal(m->cmdlines[2].pid, 4242);
	assert_string_equal(m->cmdlines[2].comm, "kworker/0:1 H");

	assert_string_equal(top->name, "");
	assert_string_equal(top->clock, "mono");
	if (s->latency) {
		assert_int_equal(top->nr_cpus, 0);
		assert_int_equal(m->nr_cpus, s->version == 6 ? 2 : 0);
		/* v6 latency files never reach the instances' tables */
		assert_int_equal(m->nr_buffers, s->version == 6 ? 2 : 1);
		return;
	}
	assert_int_equal(m->nr_buffers, 2);
	assert_int_equal(m->nr_cpus, l->nr[0]);
	inst = &m->buffers[1];
	assert_string_equal(inst->name, "inst");
	assert_string_equal(inst->clock, inst_clock);
	for (b = 0; b < 2; b++) {
		const struct meta_buffer *mb = &m->buffers[b];

		assert_int_equal(mb->page_size, PAGE);
		assert_int_equal(mb->nr_cpus, l->nr[b]);
		for (i = 0; i < l->nr[b]; i++) {
			assert_int_equal(mb->cpus[i].cpu, l->cpu[b][i]);
			assert_int_equal(mb->cpus[i].offset, l->off[b][i]);
			assert_int_equal(mb->cpus[i].size, l->size[b][i]);
		}
	}
}

static void test_synthetic(void **state)
{
	struct trace_meta *meta;
	struct layout l;
	char label[128];
	char *reason;
	struct wb w;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(synths) / sizeof(synths[0]); i++) {
		synth_write(&synths[i], &w, &l);
		synth_label(&synths[i], label, sizeof(label));
		write_file(scratch_path("synth.dat"), w.p, w.len);
		reason = NULL;
		ret = trace_meta_read(scratch_path("synth.dat"), &meta, &reason);
		if (ret)
			fail_msg("%s: %s", label, reason);
		check_synth(meta, &synths[i], &l);
		trace_meta_free(meta);
		free(w.p);
	}
}

/*
 * Every synthetic file cut short must be refused, and random bit flips must
 * never crash.  Two cuts leave a file that is whole as far as anyone can tell:
 * inside the text of a v6 latency file, which has no length, and exactly
 * before a v7 strings section, which only holds section descriptions.
 */
static void test_synthetic_damaged(void **state)
{
	struct layout l;
	char label[224], name[128];
	struct wb w;
	size_t i, n, end, pos;
	uint8_t *copy;
	int k;

	srand(7);
	for (i = 0; i < sizeof(synths) / sizeof(synths[0]); i++) {
		synth_write(&synths[i], &w, &l);
		synth_label(&synths[i], name, sizeof(name));
		end = w.len;
		if (synths[i].version == 6 && synths[i].latency)
			end -= sizeof(latency_text) - 1;
		for (n = 0; n < end; n += n < 2048 || end - n < 64 ? 1 : 61) {
			if (synths[i].version == 7 && n == l.strings)
				continue;
			snprintf(label, sizeof(label), "%s cut at %zu of %zu", name, n, w.len);
			expect_bad_bytes(w.p, n, label);
		}
		copy = malloc(w.len);
		assert_non_null(copy);
		for (k = 0; k < 300; k++) {
			memcpy(copy, w.p, w.len);
			pos = rand() % w.len;
			copy[pos] ^= 1 << (rand() % 8);
			snprintf(label, sizeof(label), "%s bit flip at %zu", name, pos);
			read_anything(copy, w.len, label);
		}
		free(copy);
		free(w.p);
	}
}

/* Damage aimed at one check each, with the reason it must give. */
static void test_synthetic_reasons(void **state)
{
	const struct synth v7 = { .version = 7, .long_size = 8, .comp = "zstd" };
	const struct synth v7be = { .version = 7, .be = true, .long_size = 8, .comp = "none" };
	const struct synth v6 = { .version = 6, .long_size = 8 };
	char want[256];
	struct layout l;
	struct wb w;
	size_t at;
	const char *r;

	/* version, endian, long size in the initial format */
	synth_write(&v7, &w, &l);
	w.p[10] = '8';
	r = expect_bad_bytes(w.p, w.len, "version 8");
	assert_string_equal(r, "unsupported trace.dat version 8");
	w.p[10] = '7';
	w.p[12] = 2;
	expect_prefix(expect_bad_bytes(w.p, w.len, "endian 2"), "corrupt: endian flag 2", "endian");
	w.p[12] = 0;
	w.p[13] = 3;
	expect_prefix(expect_bad_bytes(w.p, w.len, "long 3"), "corrupt: long size 3", "long");
	w.p[13] = 8;

	/* unknown compression algorithm: same length as "zstd" */
	memcpy(w.p + 18, "lz4x", 4);
	r = expect_bad_bytes(w.p, w.len, "lz4x");
	assert_string_equal(r, "corrupt: unknown compression algorithm \"lz4x\"");
	memcpy(w.p + 18, "zstd", 4);

	/* the first options section's DONE pointing back at itself */
	at = l.first_options + 16;
	while (!(w.p[at] == 0 && w.p[at + 1] == 0 && w.p[at + 2] == 8))
		at += 6 + (w.p[at + 2] | w.p[at + 3] << 8 | w.p[at + 4] << 16);
	memcpy(w.p + at + 6, &(uint64_t){ l.first_options }, 8);
	expect_prefix(expect_bad_bytes(w.p, w.len, "options loop"),
		      "corrupt: options sections loop back", "loop");
	free(w.p);

	/* an option whose size runs past its section */
	synth_write(&v7be, &w, &l);
	w.p[l.first_options + 16 + 2] = 0x7f;
	expect_prefix(expect_bad_bytes(w.p, w.len, "option size"), "corrupt: option 16 size",
		      "option size");
	w.p[l.first_options + 16 + 2] = 0;

	/* a bad section id where the options section should be */
	w.p[l.first_options + 1] = 9;
	expect_prefix(expect_bad_bytes(w.p, w.len, "section id"), "corrupt: bad section id 9",
		      "section id");
	w.p[l.first_options + 1] = 0;

	/* a flipped byte in a section size */
	w.p[l.first_options + 8] = 0x10;
	expect_prefix(expect_bad_bytes(w.p, w.len, "section size"),
		      "truncated: options section ends at byte", "section size");
	w.p[l.first_options + 8] = 0;

	/* CPU data cut: the file shorter than the last CPU's data */
	r = expect_bad_bytes(w.p, l.off[1][0] + 100, "CPU data");
	expect_prefix(r, "truncated: ", "CPU data");
	free(w.p);

	synth_write(&v6, &w, &l);
	snprintf(want, sizeof(want), "truncated: CPU 1 data (buffer inst) ends at byte %" PRIu64
		 " of %" PRIu64, l.off[1][1] + l.size[1][1], l.off[1][1] + 1);
	assert_string_equal(expect_bad_bytes(w.p, l.off[1][1] + 1, "v6 CPU data"), want);
	snprintf(want, sizeof(want), "truncated: CPU 0 data ends at byte %" PRIu64 " of %" PRIu64,
		 l.off[0][0] + l.size[0][0], l.off[0][0] + 5);
	assert_string_equal(expect_bad_bytes(w.p, l.off[0][0] + 5, "v6 top CPU data"), want);
	free(w.p);

	/* compressed bytes that do not decompress: the zstd frame magic of the cmdlines */
	synth_write(&v7, &w, &l);
	w.p[l.off[0][0] + 4 + 3] = 0x7f;
	r = expect_bad_bytes(w.p, w.len, "chunk size");
	expect_prefix(r, "truncated: CPU 0 data ends at byte ", "chunk size");
	w.p[l.off[0][0] + 4 + 3] = 0;
	w.p[l.sec[5] + 16 + 8] ^= 0xff;
	expect_prefix(expect_bad_bytes(w.p, w.len, "zstd frame"),
		      "corrupt: saved cmdlines section: decompression failed", "zstd frame");
	w.p[l.sec[5] + 16 + 8] ^= 0xff;

	/* what libtracecmd crashed on: CPU 0's first chunk claiming 4 GB, or not uncompressing */
	memset(w.p + l.off[0][0] + 4 + 4, 0xff, 4);
	assert_string_equal(expect_bad_bytes(w.p, w.len, "chunk usize"),
			    "corrupt: CPU 0 data: chunk 0 claims 4294967295 bytes uncompressed");
	memcpy(w.p + l.off[0][0] + 4 + 4, &(uint32_t){ 4096 + 1 }, 4);
	expect_prefix(expect_bad_bytes(w.p, w.len, "chunk not pages"),
		      "corrupt: CPU 0 data: chunk 0 of 4097 bytes, not whole pages", "pages");
	memcpy(w.p + l.off[0][0] + 4 + 4, &(uint32_t){ 2 * 4096 }, 4);
	expect_prefix(expect_bad_bytes(w.p, w.len, "chunk short"),
		      "corrupt: CPU 0 data: chunk 0 does not uncompress", "short chunk");
	free(w.p);

	/* what libtracecmd fails on as it loads each CPU's first page, and then crashes */
	synth_write(&v6, &w, &l);
	w.p[l.off[0][0] + 8 + 3] = 0x7f;
	expect_prefix(expect_bad_bytes(w.p, w.len, "first page"),
		      "corrupt: CPU 0 data: the first page claims ", "first page");
	w.p[l.off[0][0] + 8 + 3] = 0;
	at = (const uint8_t *)memmem(w.p, w.len, "size:8;\tsigned:0;", 17) - w.p;
	w.p[at + 5] = '4';
	assert_string_equal(expect_bad_bytes(w.p, w.len, "timestamp 4"),
			    "corrupt: header page: a timestamp of 4 bytes");
	free(w.p);

	/* a page size no kernel has; CPU data off a page boundary */
	synth_write(&v6, &w, &l);
	memcpy(w.p + 14, &(uint32_t){ 1024 }, 4);
	assert_string_equal(expect_bad_bytes(w.p, w.len, "page 1024"), "corrupt: page size 1024");
	free(w.p);
	synth_write(&v6, &w, &l);
	at = w.len;
	for (size_t i = 0; i + 16 <= w.len; i++)
		if (!memcmp(w.p + i, &l.off[0][0], 8) && !memcmp(w.p + i + 8, &l.size[0][0], 8)) {
			at = i;
			break;
		}
	assert_true(at < w.len);
	memcpy(w.p + at, &(uint64_t){ l.off[0][0] + 8 }, 8);
	memcpy(w.p + at + 8, &(uint64_t){ l.size[0][0] - 8 }, 8);
	expect_prefix(expect_bad_bytes(w.p, w.len, "unaligned"), "corrupt: CPU 0 data at byte ",
		      "unaligned");
	free(w.p);
}

/* ------------------------------------------------------------------ */
/* Inputs that are not trace.dat files.                                */

static void test_not_trace_files(void **state)
{
	static const uint8_t magic[10] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	uint8_t noise[8192];
	const char *r;
	size_t i;

	write_file(scratch_path("empty.dat"), "", 0);
	assert_string_equal(expect_failure(scratch_path("empty.dat"), "empty"), "empty file");

	assert_string_equal(expect_failure(scratch, "directory"), "is a directory");

	r = expect_failure(scratch_path("does-not-exist.dat"), "missing");
	assert_string_equal(r, strerror(ENOENT));

	srand(11);
	for (i = 0; i < sizeof(noise); i++)
		noise[i] = rand();
	r = expect_bad_bytes(noise, sizeof(noise), "noise");
	assert_string_equal(r, "not a trace.dat file (bad magic)");
	r = expect_bad_bytes("ELF", 3, "short noise");
	assert_string_equal(r, "not a trace.dat file (bad magic)");

	r = expect_bad_bytes(magic, sizeof(magic), "magic alone");
	expect_prefix(r, "truncated: file header ends at byte ", "magic alone");
	r = expect_bad_bytes(magic, 5, "half the magic");
	expect_prefix(r, "truncated: file header ends at byte 10 of 5", "half magic");

	/* magic, then noise */
	memcpy(noise, magic, sizeof(magic));
	expect_bad_bytes(noise, sizeof(noise), "magic and noise");
	memcpy(noise + 10, "6\0\0\x08\0\x10\0\0", 8);
	expect_bad_bytes(noise, sizeof(noise), "v6 header and noise");
	memcpy(noise + 10, "7\0\0\x08\0\x10\0\0", 8);
	expect_bad_bytes(noise, sizeof(noise), "v7 header and noise");
}

static void test_unreadable(void **state)
{
	const char *path = scratch_path("secret.dat");
	struct trace_meta *meta = NULL;
	char *reason = NULL;
	int status, ret;
	pid_t pid;

	write_file(path, "\x17\x08\x44tracing6", 11);
	assert_int_equal(chmod(path, 0), 0);
	if (geteuid() != 0) {
		ret = trace_meta_read(path, &meta, &reason);
		assert_int_equal(ret, -EACCES);
		assert_string_equal(reason, "Permission denied");
		free(reason);
		return;
	}
	/* root reads anything: ask as nobody instead */
	assert_int_equal(chmod(scratch, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		ret = trace_meta_read(path, &meta, &reason);
		_exit(ret == -EACCES && reason && !strcmp(reason, "Permission denied") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(chmod(scratch, 0700), 0);
}

static void test_sha256(void **state)
{
	char hex[65];

	write_file(scratch_path("abc"), "abc", 3);
	assert_int_equal(trace_meta_sha256(scratch_path("abc"), hex), 0);
	assert_string_equal(hex,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	write_file(scratch_path("empty"), "", 0);
	assert_int_equal(trace_meta_sha256(scratch_path("empty"), hex), 0);
	assert_string_equal(hex,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(trace_meta_sha256(scratch_path("missing"), hex), -ENOENT);
	assert_int_equal(trace_meta_sha256(scratch, hex), -EISDIR);
}

/* ------------------------------------------------------------------ */
/* Committed captures against trace-cmd dump.                          */

/* stdout and stderr of `trace-cmd dump @what -i @path`; fails the test unless it ran. */
static char *dump(const char *what, const char *path)
{
	char cmd[PATH_MAX * 2 + 64], *out = NULL;
	size_t len = 0, cap = 0, r;
	const char *s;
	int status;
	FILE *f;
	char *q;

	/* single-quote the path for the shell */
	q = cmd + snprintf(cmd, sizeof(cmd), "trace-cmd dump %s -i '", what);
	for (s = path; *s && q < cmd + sizeof(cmd) - 8; s++) {
		if (*s == '\'') {
			memcpy(q, "'\\''", 4);
			q += 4;
		} else {
			*q++ = *s;
		}
	}
	strcpy(q, "' 2>&1");
	f = popen(cmd, "r");
	assert_non_null(f);
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap * 2 + 8192;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		r = fread(out + len, 1, 4096, f);
		len += r;
	} while (r);
	out[len] = '\0';
	status = pclose(f);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("`%s` failed (status %d; is trace-cmd installed?): %.300s", cmd,
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1, out);
	return out;
}

/* Next line of @*p (NUL-terminated in place), NULL at the end. */
static char *next_line(char **p)
{
	char *line = *p, *nl;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = line + strlen(line);
	}
	return line;
}

/* The value in front of "@label" on its line ("\t\t7\t[Version]"), trimmed; NULL if absent. */
static char *labeled(const char *out, const char *label, char *buf, size_t n)
{
	const char *at = strstr(out, label), *start;
	size_t len;

	if (!at)
		return NULL;
	for (start = at; start > out && start[-1] != '\n'; start--)
		;
	while (start < at && (*start == ' ' || *start == '\t'))
		start++;
	len = at - start;
	while (len && (start[len - 1] == ' ' || start[len - 1] == '\t'))
		len--;
	snprintf(buf, n, "%.*s", (int)len, start);
	return buf;
}

struct dumped_buffer {
	char name[128];
	char clock[64];
	uint64_t offset;
	int page_size;
	int nr_cpus;
	int nr_rows;			/* CPU lines read so far */
	int cpu[256];
	uint64_t off[256], size[256];
};

struct dumped {
	struct dumped_buffer buf[64];	/* BUFFER options, file order, each name once */
	int nr_buf;
	int nr_tables;			/* v6: flyrecord tables dump printed */
	struct dumped_buffer table[64];
	char uname[256], version[256];
	int cpucount;
	int nr_stats;
	struct {
		char buffer[128];
		int cpu;
		long long entries, overrun, read_events;
	} stat[512];
};

/* `"name" [name]` and the like: the text between the first pair of quotes. */
static void quoted(const char *line, char *buf, size_t n)
{
	const char *a = strchr(line, '"'), *b = a ? strchr(a + 1, '"') : NULL;

	snprintf(buf, n, "%.*s", a && b ? (int)(b - a - 1) : 0, a ? a + 1 : "");
}

static long long stat_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p && (p == text || p[-1] == '\n') ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static void parse_options_dump(char *out, struct dumped *d)
{
	char *p = out, *line, text[4096], stat_buffer[128] = "";
	struct dumped_buffer *b = NULL, scratch_buf;
	size_t tl;
	int i;

	while ((line = next_line(&p))) {
		if (strstr(line, "[Option BUFFER,")) {
			b = &scratch_buf;
			memset(b, 0, sizeof(*b));
			b->nr_cpus = -1;
			continue;
		}
		if (b && line[0] != '\t') {
			if (strstr(line, "[offset]")) {
				b->offset = strtoull(line, NULL, 10);
			} else if (strstr(line, "[name]")) {
				quoted(line, b->name, sizeof(b->name));
			} else if (strstr(line, "[clock]")) {
				quoted(line, b->clock, sizeof(b->clock));
			} else if (strstr(line, "[Page size, bytes]")) {
				b->page_size = atoi(line);
			} else if (strstr(line, "[CPUs]")) {
				b->nr_cpus = atoi(line);
			} else if (strstr(line, "[id, data offset and size]")) {
				i = b->nr_rows++;
				assert_true(i < 256);
				assert_int_equal(sscanf(line, "%d %" SCNu64 " %" SCNu64, &b->cpu[i],
							&b->off[i], &b->size[i]), 3);
			}
			/* the buffer is complete once its last line is in */
			if (strstr(line, "[name]") || strstr(line, "[CPUs]") ||
			    strstr(line, "[id, data offset and size]")) {
				for (i = 0; i < d->nr_buf; i++)
					if (!strcmp(d->buf[i].name, b->name))
						break;
				if (i == d->nr_buf) {
					assert_true(d->nr_buf < 64);
					d->nr_buf++;
				}
				d->buf[i] = *b;
			}
			continue;
		}
		b = NULL;
		if (strstr(line, "[Option UNAME,"))
			snprintf(d->uname, sizeof(d->uname), "%s", next_line(&p));
		else if (strstr(line, "[Option VERSION,"))
			snprintf(d->version, sizeof(d->version), "%s", next_line(&p));
		else if (strstr(line, "[Option CPUCOUNT,"))
			d->cpucount = atoi(next_line(&p));
		if (!strstr(line, "[Option CPUSTAT,"))
			continue;
		/* the text runs until the next line that starts with a tab */
		tl = 0;
		text[0] = '\0';
		while (*p && *p != '\t') {
			line = next_line(&p);
			tl += snprintf(text + tl, sizeof(text) - tl, "%s\n", line);
			assert_true(tl < sizeof(text));
		}
		if (strstr(text, "Buffer: ") && stat_field(text, "CPU:") < 0) {
			stat_buffer[0] = '\0';
			sscanf(strstr(text, "Buffer: ") + 8, "%127[^\n]", stat_buffer);
			continue;
		}
		assert_true(d->nr_stats < 512);
		snprintf(d->stat[d->nr_stats].buffer, sizeof(d->stat[0].buffer), "%s", stat_buffer);
		d->stat[d->nr_stats].cpu = stat_field(text, "CPU:");
		d->stat[d->nr_stats].entries = stat_field(text, "entries:");
		d->stat[d->nr_stats].overrun = stat_field(text, "overrun:");
		d->stat[d->nr_stats].read_events = stat_field(text, "read events:");
		d->nr_stats++;
	}
}

/*
 * v6 flyrecord tables: "\t %10.lld %10.lld\t[offset, size of cpu N]", where a
 * 0 prints as blanks, so the two numbers are told apart by their column.
 */
static void parse_flyrecord_dump(char *out, struct dumped *d)
{
	struct dumped_buffer *t = NULL;
	char *p = out, *line, *tab, *end;
	uint64_t v;
	int i;

	while ((line = next_line(&p))) {
		if (strstr(line, "[Flyrecord tracing data]")) {
			assert_true(d->nr_tables < 64);
			t = &d->table[d->nr_tables++];
			memset(t, 0, sizeof(*t));
			continue;
		}
		if (!t || !strstr(line, "[offset, size of cpu"))
			continue;
		line++;				/* the leading tab */
		tab = strchr(line, '\t');
		assert_non_null(tab);
		i = t->nr_cpus++;
		assert_true(i < 256);
		t->cpu[i] = atoi(strstr(line, "of cpu ") + 7);
		while (line < tab) {
			v = strtoull(line, &end, 10);
			if (end == line)
				break;
			if (end - (tab - 22) <= 11)
				t->off[i] = v;
			else
				t->size[i] = v;
			line = end;
		}
	}
}

/* @n CPU entries at @off of a v6 file: "flyrecord\0" and (offset, size) pairs. */
static void raw_v6_table(const char *path, bool be, uint64_t off, int n, struct dumped_buffer *t)
{
	uint8_t buf[10 + 16 * 256];
	int fd = open(path, O_RDONLY | O_CLOEXEC), i, j;

	assert_true(fd >= 0 && n <= 256);
	assert_int_equal(pread(fd, buf, 10 + 16 * n, off), 10 + 16 * n);
	close(fd);
	assert_memory_equal(buf, "flyrecord", 10);
	t->nr_cpus = n;
	for (i = 0; i < 2 * n; i++) {
		uint64_t v = 0;

		for (j = 0; j < 8; j++)
			v |= (uint64_t)buf[10 + 8 * i + (be ? 7 - j : j)] << (8 * j);
		if (i % 2)
			t->size[i / 2] = v;
		else
			t->off[i / 2] = v;
		t->cpu[i / 2] = i / 2;
	}
}

static int count_cmdlines(char *out)
{
	char *p = out, *line;
	int n = 0, pid;
	char c;

	while ((line = next_line(&p)))
		if (sscanf(line, "%d%c", &pid, &c) == 2 && c == ' ')
			n++;
	return n;
}

static void check_cpus(const char *file, const char *name, const struct meta_buffer *mb,
		       const struct dumped_buffer *db)
{
	int i;

	if (mb->nr_cpus != db->nr_cpus)
		fail_msg("%s: buffer \"%s\": %d CPUs, trace-cmd dump says %d", file, name,
			 mb->nr_cpus, db->nr_cpus);
	for (i = 0; i < mb->nr_cpus; i++) {
		if (mb->cpus[i].cpu != db->cpu[i] || mb->cpus[i].offset != db->off[i] ||
		    mb->cpus[i].size != db->size[i])
			fail_msg("%s: buffer \"%s\" CPU entry %d: %d %" PRIu64 " %" PRIu64
				 ", trace-cmd dump says %d %" PRIu64 " %" PRIu64, file, name, i,
				 mb->cpus[i].cpu, mb->cpus[i].offset, mb->cpus[i].size,
				 db->cpu[i], db->off[i], db->size[i]);
	}
}

static void check_against_dump(const char *file, const struct trace_meta *m)
{
	char *summary = dump("--summary", file), *options = dump("--options", file);
	char *lines = dump("--cmd-lines", file), *fly = NULL, *clock, v[256];
	struct dumped *d = calloc(1, sizeof(*d));
	const struct meta_buffer *mb;
	int i, inst;

	assert_non_null(d);
	assert_int_equal(m->version, atoi(labeled(summary, "[Version]", v, sizeof(v))));
	assert_int_equal(m->long_size, atoi(labeled(summary, "[Bytes in a long]", v, sizeof(v))));
	assert_int_equal(m->page_size, atoi(labeled(summary, "[Page size, bytes]", v, sizeof(v))));
	assert_int_equal(m->big_endian, !labeled(summary, "[Little endian]", v, sizeof(v)));
	if (m->version >= 7) {
		labeled(summary, "[Compression algorithm]", v, sizeof(v));
		if (!strcmp(v, "none"))
			assert_null(m->compression);
		else
			assert_string_equal(m->compression, v);
		if (m->compression)
			assert_string_equal(m->compression_version,
					    labeled(summary, "[Compression version]", v, sizeof(v)));
	} else {
		assert_null(m->compression);
		assert_int_equal(m->nr_cpus,
				 atoi(labeled(summary, "[CPUs with tracing data]", v, sizeof(v))));
	}

	parse_options_dump(options, d);
	if (d->uname[0])
		assert_string_equal(m->uname, d->uname);
	if (d->version[0])
		assert_string_equal(m->tracecmd_version, d->version);
	assert_int_equal(m->cpu_count, d->cpucount);

	if (m->nr_cpustats != d->nr_stats)
		fail_msg("%s: %d CPU stats, trace-cmd dump shows %d", file, m->nr_cpustats,
			 d->nr_stats);
	for (i = 0; i < d->nr_stats; i++) {
		assert_string_equal(m->cpustats[i].buffer, d->stat[i].buffer);
		assert_int_equal(m->cpustats[i].cpu, d->stat[i].cpu);
		assert_int_equal(m->cpustats[i].entries, d->stat[i].entries);
		assert_int_equal(m->cpustats[i].overrun, d->stat[i].overrun);
		assert_int_equal(m->cpustats[i].read_events, d->stat[i].read_events);
	}

	/* instances in file order; the top buffer may be missing from the options */
	inst = 1;
	for (i = 0; i < d->nr_buf; i++) {
		const struct dumped_buffer *db = &d->buf[i];

		if (!db->name[0]) {
			mb = &m->buffers[0];
		} else {
			if (inst >= m->nr_buffers || strcmp(m->buffers[inst].name, db->name))
				fail_msg("%s: buffer %d should be \"%s\"", file, inst, db->name);
			mb = &m->buffers[inst++];
		}
		if (m->version >= 7) {
			assert_string_equal(mb->clock, db->clock);
			assert_int_equal(mb->page_size, db->page_size);
			check_cpus(file, db->name, mb, db);
		}
	}
	if (inst != m->nr_buffers)
		fail_msg("%s: %d buffers, trace-cmd dump shows %d instances", file,
			 m->nr_buffers, inst - 1);
	if (m->version >= 7 && !find_buffer(m, "")->nr_cpus)
		assert_int_equal(m->nr_cpus, 0);

	if (m->version < 7 && !strcmp(m->data_kind, "flyrecord")) {
		/* trace-cmd dump prints the tables it meets reading on from the top one */
		fly = dump("--flyrecord", file);
		parse_flyrecord_dump(fly, d);
		assert_true(d->nr_tables >= 1);
		for (i = 0; i < m->nr_buffers; i++) {
			mb = &m->buffers[i];
			if (i >= d->nr_tables) {
				assert_true(i - 1 < d->nr_buf);
				raw_v6_table(file, m->big_endian, d->buf[i - 1].offset,
					     d->table[0].nr_cpus, &d->table[i]);
			}
			check_cpus(file, mb->name, mb, &d->table[i]);
		}
		if (strstr(summary, "[Tracing clock]")) {
			snprintf(v, sizeof(v), "[%s]", m->clock);
			assert_non_null(strstr(strstr(summary, "[Tracing clock]"), v));
		}
	}

	/* the trace_clock file as saved: the clock in use is in brackets */
	clock = dump("--clock", file);
	if (strchr(clock, '[') && m->version < 7) {
		snprintf(v, sizeof(v), "[%s]", m->clock);
		assert_non_null(strstr(clock, v));
	}
	for (i = 0; m->version >= 7 && i < d->nr_buf; i++)
		if (!d->buf[i].name[0])
			assert_string_equal(m->clock, d->buf[i].clock);

	if (m->nr_cmdlines != count_cmdlines(lines))
		fail_msg("%s: %d cmdlines, trace-cmd dump shows %d", file, m->nr_cmdlines,
			 count_cmdlines(lines));

	free(d);
	free(summary);
	free(options);
	free(lines);
	free(fly);
	free(clock);
}

static void list_fixtures(glob_t *g)
{
	const char *dir = getenv("FIXTURES");
	char pattern[PATH_MAX];

	if (!dir || !*dir)
		fail_msg("FIXTURES is not set (tests/meson.build sets it)");
	snprintf(pattern, sizeof(pattern), "%s/*.dat", dir);
	if (glob(pattern, 0, NULL, g))
		fail_msg("no trace.dat fixtures in %s", dir);
}

static void test_fixtures(void **state)
{
	struct trace_meta *meta;
	char *reason = NULL;
	glob_t g;
	size_t i;

	list_fixtures(&g);
	for (i = 0; i < g.gl_pathc; i++) {
		print_message("fixture %s\n", g.gl_pathv[i]);
		if (trace_meta_read(g.gl_pathv[i], &meta, &reason))
			fail_msg("%s: %s", g.gl_pathv[i], reason);
		check_against_dump(g.gl_pathv[i], meta);
		trace_meta_free(meta);
	}
	globfree(&g);
}

/* The first options section of a v7 file, from its initial format. */
static size_t v7_options_offset(const uint8_t *p, size_t n)
{
	size_t at = 18, i;
	uint64_t v = 0;

	at += strnlen((const char *)p + at, n - at) + 1;
	at += strnlen((const char *)p + at, n - at) + 1;
	assert_true(at + 8 <= n);
	for (i = 0; i < 8; i++)
		v |= (uint64_t)p[at + (p[12] ? 7 - i : i)] << (8 * i);
	assert_true(v < n);
	return v;
}

static void test_fixtures_damaged(void **state)
{
	struct trace_meta *meta;
	char label[PATH_MAX + 64];
	const uint8_t *opt;
	size_t i, n, cut[4], at;
	char *reason = NULL;
	uint8_t *p, keep;
	int c, b, k;
	glob_t g;

	list_fixtures(&g);
	for (i = 0; i < g.gl_pathc; i++) {
		p = read_all(g.gl_pathv[i], &n);
		assert_int_equal(trace_meta_read(g.gl_pathv[i], &meta, &reason), 0);

		/* in the header, in the options, in some CPU's data, the last byte */
		cut[0] = 12;
		if (meta->version >= 7) {
			cut[1] = v7_options_offset(p, n) + 20;
		} else {
			opt = memmem(p, n, "options  ", 10);
			assert_non_null(opt);
			cut[1] = opt - p + 20;
		}
		cut[2] = n - 1;
		for (b = 0; b < meta->nr_buffers; b++)
			for (c = 0; c < meta->buffers[b].nr_cpus; c++)
				if (meta->buffers[b].cpus[c].size > 1 && cut[2] == n - 1)
					cut[2] = meta->buffers[b].cpus[c].offset +
						 meta->buffers[b].cpus[c].size / 2;
		cut[3] = n - 1;
		for (k = 0; k < 4; k++) {
			snprintf(label, sizeof(label), "%s cut at %zu", g.gl_pathv[i], cut[k]);
			expect_prefix(expect_bad_bytes(p, cut[k], label), "truncated: ", label);
		}

		/* a section size with its top bits set */
		if (meta->version >= 7)
			at = v7_options_offset(p, n) + 8 + (meta->big_endian ? 0 : 7);
		else
			at = 10 + 2 + 1 + 1 + 4 + 12 + (meta->big_endian ? 0 : 7);
		keep = p[at];
		p[at] = 0x40;
		snprintf(label, sizeof(label), "%s section size flipped", g.gl_pathv[i]);
		expect_bad_bytes(p, n, label);
		p[at] = keep;

		trace_meta_free(meta);
		free(p);
	}
	globfree(&g);
}

/* ------------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(scratch, sizeof(scratch), "%s/test-trace-meta.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(scratch) ? 0 : -1;
}

static int teardown(void **state)
{
	return nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_trace_files),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_synthetic_reasons),
		cmocka_unit_test(test_synthetic_damaged),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_fixtures_damaged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
