// SPDX-License-Identifier: MIT
/*
 * trace-meta's metadata parts: header info, event formats, kallsyms, printk,
 * cmdlines.  v6 has them one after the other, v7 each in a section named by
 * an option; the same walkers read both.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

/* Under a sanitizer, its death callback (libFuzzer's crash file) is the parent's only. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_SANITIZER_DEATH_CALLBACK 1
#endif
#endif
#if !defined(HAVE_SANITIZER_DEATH_CALLBACK) && defined(__SANITIZE_ADDRESS__)
#define HAVE_SANITIZER_DEATH_CALLBACK 1
#endif
#ifndef HAVE_SANITIZER_DEATH_CALLBACK
#define HAVE_SANITIZER_DEATH_CALLBACK 0
#endif
#if HAVE_SANITIZER_DEATH_CALLBACK
#include <sanitizer/common_interface_defs.h>
#endif

#include "hash.h"
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

/* The event formats of a section, where the cursor's bytes hold them (valid while it is). */
struct formats {
	struct format { const char *system; const uint8_t *text; uint64_t size; } *v;
	size_t n, cap;
};

/* The next format of the section at @c (its size, then its text), of @system, into @f. */
static int take_format(struct parser *t, struct cur *c, struct formats *f, const char *system)
{
	const uint8_t *text;
	uint64_t size;
	int ret = tm_cur_num(t, c, 8, &size);

	if (!ret)
		ret = tm_cur_take(t, c, size, &text);
	if (ret)
		return ret;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct format *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return tm_nomem(t);
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = (struct format){ .system = system, .text = text, .size = size };
	return 0;
}

/*
 * libtraceevent's format parser trusts the text: a print fmt with a token
 * it does not expect where an argument ends (REC->caller[6]$ instead of a
 * comma: tests/fixtures/hostile/F-tep_parse_event-print-fmt.dat) makes it
 * read through a NULL pointer, and libtracecmd parses every format of the
 * file when it opens it.  So the formats are parsed first in a child
 * process, whose crash refuses the capture in one line instead of ending
 * analyze.  The child says nothing (its stderr is /dev/null) and leaves
 * nothing: a sanitizer's report or a fuzzer's crash file is the parent's
 * business only.
 */
static uint64_t formats_hash(const struct formats *f)
{
	uint64_t h = HASH_FNV_OFFSET;

	/* each system name with its NUL, so that names and texts cannot run together */
	for (size_t i = 0; i < f->n; i++)
		h = hash_bytes(hash_bytes(h, f->v[i].system, strlen(f->v[i].system) + 1),
			       f->v[i].text, f->v[i].size);
	return h;
}

static int formats_parse_in_child(struct parser *t, const struct formats *f, const char *what)
{
	/*
	 * The sets of formats found safe lately: reading the same file's formats
	 * again (the tests cut one file at every length) needs no new child.
	 */
	static uint64_t safe[16];
	static unsigned int next_safe;
	uint64_t hash;
	int status;
	pid_t pid;

	if (!f->n)
		return 0;
	hash = formats_hash(f);
	for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
		if (safe[i] == hash)
			return 0;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return tm_fail(t, -errno, "cannot check the %s: fork: %s", what, strerror(errno));
	if (!pid) {
		static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
		int null = open("/dev/null", O_WRONLY);
		struct tep_handle *tep;

		if (null >= 0)
			dup2(null, STDERR_FILENO);
		for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
			signal(fatal[i], SIG_DFL);
#if HAVE_SANITIZER_DEATH_CALLBACK
		__sanitizer_set_death_callback(NULL);
#endif
		tep = tep_alloc();
		if (!tep)
			_exit(2);
		tep_set_loglevel(TEP_LOG_NONE);
		for (size_t i = 0; i < f->n; i++)
			tep_parse_event(tep, (const char *)f->v[i].text, f->v[i].size, f->v[i].system);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return tm_fail(t, -errno, "cannot check the %s: %s", what, strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		safe[next_safe++ % (sizeof(safe) / sizeof(safe[0]))] = hash;
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		return tm_nomem(t);
	return tm_fail(t, -EINVAL, "corrupt: %s: libtraceevent's parser crashes on one of them",
		       what);
}

static int walk_ftrace_events(struct parser *t, struct cur *c)
{
	struct formats f = { 0 };
	uint64_t count, i;
	int ret;

	ret = tm_cur_num(t, c, 4, &count);
	for (i = 0; !ret && i < count; i++)
		ret = take_format(t, c, &f, "ftrace");
	if (!ret)
		ret = formats_parse_in_child(t, &f, "ftrace event formats");
	free(f.v);
	return ret;
}

static int walk_event_formats(struct parser *t, struct cur *c)
{
	struct formats f = { 0 };
	uint64_t systems, count, i, j;
	const char *name;
	int ret;

	ret = tm_cur_num(t, c, 4, &systems);
	for (i = 0; !ret && i < systems; i++) {
		ret = tm_cur_str(t, c, &name);
		if (!ret)
			ret = tm_cur_num(t, c, 4, &count);
		for (j = 0; !ret && j < count; j++)
			ret = take_format(t, c, &f, name);
	}
	if (!ret)
		ret = formats_parse_in_child(t, &f, "event formats");
	free(f.v);
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
