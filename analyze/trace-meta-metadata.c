// SPDX-License-Identifier: MIT
/*
 * trace-meta's metadata parts: header info, event formats, kallsyms, printk,
 * cmdlines.  v6 has them one after the other, v7 each in a section named by
 * an option; the same walkers read both.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <traceevent/event-parse.h>

#include "trace-meta-internal.h"

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

	ret = tm_cur_tag(t, c, "header_page", 12);
	if (!ret)
		ret = tm_cur_num(t, c, 8, &size);
	if (!ret)
		ret = tm_cur_take(t, c, size, &p);
	if (!ret)
		ret = header_page_facts(t, p, size);
	if (!ret)
		ret = tm_cur_tag(t, c, "header_event", 13);
	if (!ret)
		ret = tm_cur_num(t, c, 8, &size);
	if (!ret)
		ret = tm_cur_take(t, c, size, NULL);
	return ret;
}

static int walk_ftrace_events(struct parser *t, struct cur *c)
{
	uint64_t count, size, i;
	int ret;

	ret = tm_cur_num(t, c, 4, &count);
	for (i = 0; !ret && i < count; i++) {
		ret = tm_cur_num(t, c, 8, &size);
		if (!ret)
			ret = tm_cur_take(t, c, size, NULL);
	}
	return ret;
}

static int walk_event_formats(struct parser *t, struct cur *c)
{
	uint64_t systems, count, size, i, j;
	const char *name;
	int ret;

	ret = tm_cur_num(t, c, 4, &systems);
	for (i = 0; !ret && i < systems; i++) {
		ret = tm_cur_str(t, c, &name);
		if (!ret)
			ret = tm_cur_num(t, c, 4, &count);
		for (j = 0; !ret && j < count; j++) {
			ret = tm_cur_num(t, c, 8, &size);
			if (!ret)
				ret = tm_cur_take(t, c, size, NULL);
		}
	}
	return ret;
}

/* kallsyms and printk formats: a 32-bit size and that many bytes. */
static int walk_sized32(struct parser *t, struct cur *c)
{
	uint64_t size;
	int ret = tm_cur_num(t, c, 4, &size);

	return ret ? ret : tm_cur_take(t, c, size, NULL);
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

	ret = tm_cur_num(t, c, 8, &size);
	if (!ret)
		ret = tm_cur_take(t, c, size, &p);
	if (!ret && !t->meta->cmdlines)
		ret = parse_cmdlines(t, (const char *)p, size);
	return ret;
}

/* The metadata parts, in v6 file order; in v7 each is a section named by an option. */
const struct tm_metadata_part tm_metadata[] = {
	{ TDAT_OPT_HEADER_INFO,	"header info",		walk_header_info },
	{ TDAT_OPT_FTRACE_EVENTS,	"ftrace events",	walk_ftrace_events },
	{ TDAT_OPT_EVENT_FORMATS,	"event formats",	walk_event_formats },
	{ TDAT_OPT_KALLSYMS,		"kallsyms",		walk_sized32 },
	{ TDAT_OPT_PRINTK,		"printk formats",	walk_sized32 },
	{ TDAT_OPT_CMDLINES,		"saved cmdlines",	read_cmdlines },
};

const size_t tm_nr_metadata = sizeof(tm_metadata) / sizeof(tm_metadata[0]);
