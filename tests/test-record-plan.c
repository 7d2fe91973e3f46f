// SPDX-License-Identifier: MIT
/*
 * record's plan on made-up kernels: which backend each event gets and why,
 * and the kprobe definitions for x86_64 and aarch64, checked against the
 * syntax of Documentation/trace/kprobetrace.rst:
 *
 *   p[:[GRP/]EVENT] [MOD:]SYM[+offs]|MEMADDR [FETCHARGS]
 *   r[MAXACTIVE][:[GRP/]EVENT] [MOD:]SYM[+0] [FETCHARGS]
 *   FETCHARGS: NAME=FETCHARG[:TYPE] ...
 *   FETCHARG:  %REG | @ADDR | @SYM[+|-offs] | $stackN | $stack | $retval | $comm | $argN
 *              | +|-[u]OFFS(FETCHARG) | \IMM
 *
 * The real kernel's verdict on these strings is the VM test's business; here
 * a small parser of that grammar checks every definition the schema yields.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <tracefs.h>

#include "flight.h"
#include "plan.h"
#include "schema.h"

/* ------------------------------------------------------------------ */
/* A kernel made up for each test                                      */

struct fake {
	const char *missing_symbol;	/* one symbol the kernel lacks, or NULL */
	const char *missing_event;	/* one tracepoint it lacks ("sys_enter_mremap"), or NULL */
};

static enum rec_sym fake_symbol(const struct rec_kernel *k, const char *name)
{
	const struct fake *f = k->priv;

	if (f->missing_symbol && !strcmp(name, f->missing_symbol))
		return REC_SYM_NONE;
	/* the seed pages' inventions are in no kernel */
	if (!strcmp(name, "update_mmap_zero_pfn") || !strcmp(name, "do_mmap_pgoff"))
		return REC_SYM_NONE;
	return !strncmp(name, "do_", 3) ? REC_SYM_KALLSYMS : REC_SYM_FTRACE;
}

static bool fake_has_event(const struct rec_kernel *k, const char *system, const char *event)
{
	const struct fake *f = k->priv;

	/* syscall tracepoints exist for native calls only: no sys_enter_mmap2 */
	if (!strcmp(system, "syscalls") && strstr(event, "mmap2"))
		return false;
	return !f->missing_event || strcmp(event, f->missing_event);
}

static sqlite3 *db;

static int setup(void **state)
{
	char *err = NULL;

	(void)state;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK || schema_load(db, NULL, &err) < 0) {
		fprintf(stderr, "schema: %s\n", err ? err : "cannot open");
		free(err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sqlite3_close(db);
	return 0;
}

static struct rec_plan *plan_for(const char *arch, bool kprobes, bool user_fetch,
				 struct fake *f, enum rec_backend backend, const char *const *only)
{
	struct rec_kernel k = {
		.release = "6.18.0-test", .arch = arch, .kprobes = kprobes,
		.kprobe_user_fetch = user_fetch, .symbol = fake_symbol,
		.has_event = fake_has_event, .priv = f,
	};
	struct rec_plan *plan = NULL;
	char *err = NULL;
	int ret = rec_plan_build(db, &k, backend, only, &plan, &err);

	if (ret)
		fail_msg("rec_plan_build: %s", err ? err : "?");
	return plan;
}

static struct rec_event_plan *event(struct rec_plan *p, const char *name)
{
	for (int i = 0; i < p->nr_events; i++)
		if (!strcmp(p->events[i].name, name))
			return &p->events[i];
	fail_msg("no event %s in the plan", name);
	return NULL;
}

static struct rec_source *source(struct rec_event_plan *ev, const char *backend, const char *abi)
{
	for (int i = 0; i < ev->nr_sources; i++)
		if (!strcmp(ev->sources[i].backend, backend) && !strcmp(ev->sources[i].abi, abi))
			return &ev->sources[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The kprobe_events grammar                                           */

struct syntax {
	const char *const *regs;	/* the architecture's register names */
	char why[256];
};

static const char *const x86_64_regs[] = {
	"ax", "bx", "cx", "dx", "si", "di", "bp", "sp", "r8", "r9", "r10", "r11", "r12",
	"r13", "r14", "r15", "ip", "flags", NULL
};
static const char *const aarch64_regs[] = {
	"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
	"x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24",
	"x25", "x26", "x27", "x28", "x29", "x30", "sp", "pc", "pstate", NULL
};
static const char *const types[] = {
	"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "x8", "x16", "x32", "x64",
	"char", "string", "ustring", "symbol", "symstr", NULL
};

static bool bad(struct syntax *s, const char *fmt, const char *at)
{
	snprintf(s->why, sizeof(s->why), fmt, at);
	return false;
}

static bool in_list(const char *const *list, const char *p, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && !strncmp(*list, p, n))
			return true;
	return false;
}

/* C identifier (event, group, field names) of @n bytes at most: its length, or 0. */
static size_t ident(const char *p, size_t max)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*p) && *p != '_')
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n <= max ? n : 0;
}

static size_t number(const char *p)
{
	size_t n = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		n = 2;
		while (isxdigit((unsigned char)p[n]))
			n++;
		return n > 2 ? n : 0;
	}
	while (isdigit((unsigned char)p[n]))
		n++;
	return n;
}

/* One FETCHARG at *@pp; advances past it. */
static bool fetcharg(struct syntax *s, const char **pp, bool ret_probe)
{
	const char *p = *pp;
	size_t n;

	if (*p == '%') {
		n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789");
		if (!in_list(s->regs, p + 1, n))
			return bad(s, "not a register of this architecture: %s", p);
		*pp = p + 1 + n;
		return true;
	}
	if (*p == '$') {
		if (!strncmp(p, "$retval", 7)) {
			if (!ret_probe)
				return bad(s, "$retval outside a return probe: %s", p);
			*pp = p + 7;
			return true;
		}
		if (!strncmp(p, "$comm", 5)) {
			*pp = p + 5;
			return true;
		}
		if (!strncmp(p, "$stack", 6) || !strncmp(p, "$arg", 4)) {
			p += p[1] == 's' ? 6 : 4;
			*pp = p + strspn(p, "0123456789");
			return true;
		}
		return bad(s, "unknown $ variable: %s", p);
	}
	if (*p == '+' || *p == '-') {
		p++;
		if (*p == 'u')
			p++;
		n = number(p);
		if (!n)
			return bad(s, "dereference without an offset: %s", p);
		p += n;
		if (*p != '(')
			return bad(s, "dereference without '(': %s", p);
		p++;
		if (!fetcharg(s, &p, ret_probe))
			return false;
		if (*p != ')')
			return bad(s, "dereference without ')': %s", p);
		*pp = p + 1;
		return true;
	}
	if (*p == '@') {
		n = ident(p + 1, 256);
		if (!n)
			return bad(s, "bad symbol: %s", p);
		*pp = p + 1 + n;
		return true;
	}
	return bad(s, "not a fetch argument: %s", p);
}

/* A whole kprobe_events line, with the fields it defines. */
static bool valid_definition(struct syntax *s, const char *def, char fields[][64], int *nr)
{
	const char *p = def;
	bool ret_probe = *p == 'r';
	size_t n;

	*nr = 0;
	if (*p != 'p' && *p != 'r')
		return bad(s, "neither p nor r: %s", p);
	p++;
	if (ret_probe)
		p += strspn(p, "0123456789");	/* MAXACTIVE */
	if (*p++ != ':')
		return bad(s, "no ':' before the event: %s", p);
	n = ident(p, 64);			/* the kernel's MAX_EVENT_NAME_LEN */
	if (!n)
		return bad(s, "bad group: %s", p);
	p += n;
	if (*p++ != '/')
		return bad(s, "no '/' after the group: %s", p);
	n = ident(p, 64);
	if (!n)
		return bad(s, "bad event name (or over 64 characters): %s", p);
	p += n;
	if (*p++ != ' ')
		return bad(s, "no place after the event: %s", p);
	n = ident(p, 256);
	if (!n)
		return bad(s, "bad symbol: %s", p);
	p += n;
	if (*p == '+') {
		p++;
		n = number(p);
		if (!n || (ret_probe && strtoul(p, NULL, 0)))
			return bad(s, "bad symbol offset: %s", p);
		p += n;
	}
	while (*p == ' ') {
		p++;
		n = ident(p, 63);
		if (!n)
			return bad(s, "bad argument name: %s", p);
		if (!strncmp(p, "common_", 7))
			return bad(s, "argument name clashes with a common field: %s", p);
		for (int i = 0; i < *nr; i++)
			if (strlen(fields[i]) == n && !strncmp(fields[i], p, n))
				return bad(s, "argument name used twice: %s", p);
		snprintf(fields[(*nr)++], 64, "%.*s", (int)n, p);
		p += n;
		if (*p++ != '=')
			return bad(s, "no '=' after the argument name: %s", p);
		if (!fetcharg(s, &p, ret_probe))
			return false;
		if (*p == ':') {
			p++;
			n = strcspn(p, " ");
			if (!in_list(types, p, n))
				return bad(s, "unknown type: %s", p);
			p += n;
		}
	}
	if (*p)
		return bad(s, "trailing text: %s", p);
	return true;
}

/* Every kprobe source of @arch: valid lines, the schema's argument names, the right registers. */
static void check_arch(const char *arch, const char *const *regs, const char *reg,
		       int *checked)
{
	struct fake f = { 0 };
	struct rec_plan *p = plan_for(arch, true, true, &f, REC_BACKEND_KPROBE, NULL);
	struct syntax s = { .regs = regs };
	char fields[16][64];
	int nr;

	for (int i = 0; i < p->nr_events; i++) {
		struct rec_event_plan *ev = &p->events[i];

		for (int j = 0; j < ev->nr_sources; j++) {
			struct rec_source *src = &ev->sources[j];
			char *entry, *ret;

			if (strcmp(src->backend, "kprobe"))
				continue;
			entry = rec_kprobe_definition(src, false);
			ret = rec_kprobe_definition(src, true);
			assert_non_null(entry);
			assert_non_null(ret);
			if (!valid_definition(&s, entry, fields, &nr))
				fail_msg("%s: %s\n  in: %s", arch, s.why, entry);
			assert_int_equal(nr, src->nr_args);
			for (int a = 0; a < nr; a++)
				assert_string_equal(fields[a], src->fields[a]);
			assert_non_null(strstr(entry, reg));
			if (!valid_definition(&s, ret, fields, &nr))
				fail_msg("%s: %s\n  in: %s", arch, s.why, ret);
			assert_int_equal(nr, 1);
			assert_string_equal(fields[0], src->ret_field);
			assert_true(!strncmp(ret, "r", 1) && strstr(ret, "$retval"));
			free(entry);
			free(ret);
			++*checked;
		}
	}
	rec_plan_free(p);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

static void test_syntax_x86_64(void **state)
{
	int checked = 0;

	(void)state;
	check_arch("x86_64", x86_64_regs, "(%di)", &checked);
	/*
	 * 7 native __x64_sys_* and 8 i386 entry points (mmap and mmap2 among
	 * them), and the 5 identity calls that name a file (70-identity.sql)
	 */
	assert_int_equal(checked, 20);
}

static void test_syntax_aarch64(void **state)
{
	int checked = 0;

	(void)state;
	check_arch("aarch64", aarch64_regs, "(%x0)", &checked);
	assert_int_equal(checked, 7);
}

/* The grammar check itself refuses what the kernel refuses. */
static void test_syntax_checker(void **state)
{
	struct syntax s = { .regs = x86_64_regs };
	char fields[16][64];
	int nr;

	(void)state;
	assert_true(valid_definition(&s, "p:g/e f a=+0x70(%di):u64 b=+u4(+0x28(%di)):s32",
				     fields, &nr));
	assert_true(valid_definition(&s, "r128:g/e_ret f ret=$retval:s64", fields, &nr));
	assert_false(valid_definition(&s, "p:g/e f a=+0x70(%x0):u64", fields, &nr));
	assert_false(valid_definition(&s, "p:g/e f a=$retval", fields, &nr));
	assert_false(valid_definition(&s, "r128::g/e f ret=$retval", fields, &nr));
	assert_false(valid_definition(&s, "p:g/e f a=+0x70(%di):u63", fields, &nr));
	assert_false(valid_definition(&s, "p:g/e f a=%di a=%si", fields, &nr));
	assert_false(valid_definition(&s, "p:g/e f common_pid=%di", fields, &nr));
	assert_false(valid_definition(&s, "p:g/e f a=+0x70(%di", fields, &nr));
}

/* The exact lines for the seed's own hook, sys_mremap, on both architectures. */
static void test_mremap_definitions(void **state)
{
	struct fake f = { 0 };
	struct rec_plan *p;
	struct rec_event_plan *ev;
	char *def;

	(void)state;
	p = plan_for("x86_64", true, true, &f, REC_BACKEND_AUTO, NULL);
	ev = event(p, "mremap");
	assert_string_equal(ev->backend, "kprobe");
	def = rec_kprobe_definition(source(ev, "kprobe", "native"), false);
	assert_string_equal(def, "p:maptrail/mremap_x64 __x64_sys_mremap"
			    " old_address=+0x70(%di):u64 old_size=+0x68(%di):u64"
			    " new_size=+0x60(%di):u64 flags=+0x38(%di):u64"
			    " new_address=+0x48(%di):u64");
	free(def);
	def = rec_kprobe_definition(source(ev, "kprobe", "native"), true);
	assert_string_equal(def, "r128:maptrail/mremap_x64_ret __x64_sys_mremap ret=$retval:s64");
	free(def);
	def = rec_kprobe_definition(source(ev, "kprobe", "i386"), false);
	assert_string_equal(def, "p:maptrail/mremap_ia32 __ia32_sys_mremap"
			    " old_address=+0x28(%di):u32 old_size=+0x58(%di):u32"
			    " new_size=+0x60(%di):u32 flags=+0x68(%di):u32"
			    " new_address=+0x70(%di):u32");
	free(def);
	/* the tracepoint pair is planned but not used */
	assert_false(source(ev, "tracepoint", "native")->used);
	assert_non_null(source(ev, "tracepoint", "native")->why);
	rec_plan_free(p);

	p = plan_for("aarch64", true, true, &f, REC_BACKEND_AUTO, NULL);
	ev = event(p, "mremap");
	def = rec_kprobe_definition(source(ev, "kprobe", "native"), false);
	assert_string_equal(def, "p:maptrail/mremap_arm64 __arm64_sys_mremap"
			    " old_address=+0(%x0):u64 old_size=+8(%x0):u64 new_size=+16(%x0):u64"
			    " flags=+24(%x0):u64 new_address=+32(%x0):u64");
	free(def);
	assert_null(source(ev, "kprobe", "i386"));
	rec_plan_free(p);
}

/* libtracefs builds the entry probe the same way (tracefs_kprobe_alloc). */
static void test_libtracefs_agrees(void **state)
{
	struct fake f = { 0 };
	struct rec_plan *p = plan_for("x86_64", true, true, &f, REC_BACKEND_KPROBE, NULL);

	(void)state;
	for (int i = 0; i < p->nr_events; i++) {
		for (int j = 0; j < p->events[i].nr_sources; j++) {
			struct rec_source *src = &p->events[i].sources[j];
			char *args, *def, *mine, *sys, *ev, *prefix, *addr, *fmt;
			struct tracefs_dynevent *d;

			if (!src->used)
				continue;
			args = rec_kprobe_fetchargs(src, false);
			d = tracefs_kprobe_alloc(REC_GROUP, src->enter_event, src->symbol, args);
			assert_non_null(d);
			tracefs_dynevent_info(d, &sys, &ev, &prefix, &addr, &fmt);
			assert_true(asprintf(&def, "%s:%s/%s %s %s", prefix, sys, ev, addr, fmt) > 0);
			mine = rec_kprobe_definition(src, false);
			assert_string_equal(def, mine);
			free(args);
			free(def);
			free(mine);
			free(sys);
			free(ev);
			free(prefix);
			free(addr);
			free(fmt);
			tracefs_dynevent_free(d);
		}
	}
	rec_plan_free(p);
}

/* This machine: no kprobe_events.  auto falls back per event and says why. */
static void test_no_kprobes(void **state)
{
	struct fake f = { 0 };
	struct rec_plan *p;
	struct rec_event_plan *ev;

	(void)state;
	p = plan_for("x86_64", false, false, &f, REC_BACKEND_AUTO, NULL);
	/* 8 memory events and 14 identity events (schema/70-identity.sql) */
	assert_int_equal(p->nr_events, 22);
	assert_int_equal(rec_plan_nr_recorded(p), 21);
	for (int i = 0; i < p->nr_events; i++) {
		ev = &p->events[i];
		if (!source(ev, "kprobe", "i386") && !source(ev, "kprobe", "native")) {
			/* tracepoints are the only source: nothing fell back */
			assert_string_equal(ev->backend, "tracepoint");
			assert_null(ev->why);
			continue;
		}
		if (!strcmp(ev->name, "mmap2")) {
			/* i386 only: kprobes or nothing */
			assert_null(ev->backend);
			assert_non_null(strstr(ev->why, "kprobe_events"));
			continue;
		}
		assert_string_equal(ev->backend, "tracepoint");
		assert_non_null(strstr(ev->why, "kprobe_events"));
		assert_true(source(ev, "tracepoint", "native")->used);
		assert_false(source(ev, "kprobe", "native")->used);
		/* the identity calls that name a file have no i386 source */
		assert_true(!source(ev, "kprobe", "i386") || !source(ev, "kprobe", "i386")->used);
	}
	rec_plan_free(p);

	p = plan_for("x86_64", false, false, &f, REC_BACKEND_KPROBE, NULL);
	assert_int_equal(rec_plan_nr_recorded(p), 0);
	assert_non_null(strstr(event(p, "mprotect")->why, "kprobe_events"));
	rec_plan_free(p);

	p = plan_for("x86_64", false, false, &f, REC_BACKEND_TRACEPOINT, NULL);
	assert_int_equal(rec_plan_nr_recorded(p), 21);
	assert_non_null(strstr(event(p, "mmap2")->why, "tracepoint"));
	rec_plan_free(p);
}

/* A missing entry point: that event alone falls back to tracepoints. */
static void test_missing_symbol(void **state)
{
	struct fake f = { .missing_symbol = "__x64_sys_mprotect" };
	struct rec_plan *p = plan_for("x86_64", true, true, &f, REC_BACKEND_AUTO, NULL);
	struct rec_event_plan *ev = event(p, "mprotect");

	(void)state;
	assert_string_equal(ev->backend, "tracepoint");
	assert_non_null(strstr(ev->why, "__x64_sys_mprotect"));
	assert_string_equal(event(p, "mremap")->backend, "kprobe");
	rec_plan_free(p);

	/* and with neither kprobe nor tracepoint, nothing, with both reasons */
	f.missing_event = "sys_exit_mprotect";
	p = plan_for("x86_64", true, true, &f, REC_BACKEND_TRACEPOINT, NULL);
	ev = event(p, "mprotect");
	assert_null(ev->backend);
	assert_non_null(strstr(ev->why, "sys_exit_mprotect"));
	rec_plan_free(p);
}

/*
 * Without +u<offset> the i386 mmap (a user-memory struct) and the path of
 * openat are left out, the rest stays.
 */
static void test_user_fetch(void **state)
{
	struct fake f = { 0 };
	struct rec_plan *p = plan_for("x86_64", true, false, &f, REC_BACKEND_AUTO, NULL);
	struct rec_event_plan *ev = event(p, "mmap");
	char *def;

	(void)state;
	assert_string_equal(ev->backend, "kprobe");
	assert_true(source(ev, "kprobe", "native")->used);
	assert_false(source(ev, "kprobe", "i386")->used);
	assert_non_null(strstr(source(ev, "kprobe", "i386")->why, "user memory"));
	assert_true(source(event(p, "mmap2"), "kprobe", "i386")->used);
	/* a path is a user string: openat falls back to its tracepoints, saying why */
	ev = event(p, "openat");
	assert_string_equal(ev->backend, "tracepoint");
	assert_non_null(strstr(source(ev, "kprobe", "native")->why, "user memory"));
	assert_non_null(strstr(source(ev, "kprobe", "native")->why, "+u0(+0x68(%di)):string"));
	rec_plan_free(p);

	/* where it can, the path is fetched as a string */
	p = plan_for("x86_64", true, true, &f, REC_BACKEND_AUTO, NULL);
	ev = event(p, "openat");
	assert_string_equal(ev->backend, "kprobe");
	def = rec_kprobe_definition(source(ev, "kprobe", "native"), false);
	assert_string_equal(def, "p:maptrail/openat_x64 __x64_sys_openat dfd=+0x70(%di):s32"
			    " filename=+u0(+0x68(%di)):string flags=+0x60(%di):s32 mode=+0x38(%di):u16");
	free(def);
	rec_plan_free(p);
}

/* The hooks the pages document, resolved or not. */
static void test_hooks(void **state)
{
	struct fake f = { 0 };
	struct rec_plan *p = plan_for("x86_64", true, true, &f, REC_BACKEND_AUTO, NULL);
	struct rec_event_plan *ev = event(p, "remap_file_pages");
	char *text;

	(void)state;
	assert_int_equal(ev->nr_hooks, 2);
	assert_string_equal(ev->hooks[1].documented, "update_mmap_zero_pfn");
	assert_null(ev->hooks[1].linux_symbol);
	assert_int_equal(event(p, "mremap")->hooks[1].found, REC_SYM_KALLSYMS);
	text = rec_plan_text(p, true);
	assert_non_null(strstr(text, "hook update_mmap_zero_pfn (kprobe, documented): never existed"));
	assert_non_null(strstr(text, "r128:maptrail/mprotect_x64_ret __x64_sys_mprotect"));
	free(text);
	rec_plan_free(p);
}

/* -e picks events; a name outside the schema is refused. */
static void test_only(void **state)
{
	static const char *const only[] = { "mprotect", "mremap", NULL };
	static const char *const bogus[] = { "mprotect", "mmapp", NULL };
	struct rec_kernel k = {
		.release = "x", .arch = "x86_64", .symbol = fake_symbol,
		.has_event = fake_has_event, .priv = &(struct fake){ 0 },
	};
	struct rec_plan *p = plan_for("x86_64", false, false, k.priv, REC_BACKEND_AUTO, only);
	char *err = NULL;

	(void)state;
	assert_int_equal(p->nr_events, 2);
	assert_string_equal(p->events[0].name, "mremap");	/* schema order */
	rec_plan_free(p);
	p = NULL;
	assert_true(rec_plan_build(db, &k, REC_BACKEND_AUTO, bogus, &p, &err) < 0);
	assert_null(p);
	assert_non_null(strstr(err, "'mmapp' is not an event"));
	free(err);
}

/* A kprobe the kernel refuses: auto falls back, kprobe gives up, both say why. */
static void test_fall_back(void **state)
{
	struct fake f = { 0 };
	struct rec_plan *p = plan_for("x86_64", true, true, &f, REC_BACKEND_AUTO, NULL);
	struct rec_event_plan *ev = event(p, "munmap");

	(void)state;
	assert_true(rec_plan_fall_back(p, ev, "Invalid fetch argument"));
	assert_string_equal(ev->backend, "tracepoint");
	assert_false(source(ev, "kprobe", "native")->used);
	assert_non_null(strstr(source(ev, "kprobe", "native")->why, "Invalid fetch argument"));
	rec_plan_free(p);

	p = plan_for("x86_64", true, true, &f, REC_BACKEND_KPROBE, NULL);
	ev = event(p, "munmap");
	assert_false(rec_plan_fall_back(p, ev, "Invalid fetch argument"));
	assert_null(ev->backend);
	rec_plan_free(p);
}

/* ------------------------------------------------------------------ */
/* The plan as rows (common/plan-rows.h)                               */

static void assert_col(const struct cmn_plan_row *r, enum cmn_plan_col col, const char *want)
{
	if (!want)
		assert_null(r->col[col]);
	else
		assert_string_equal(r->col[col], want);
}

static const char *flag(bool value)
{
	return value ? "1" : "0";
}

static const char *found_as(enum rec_sym s)
{
	return s == REC_SYM_FTRACE ? "available_filter_functions" :
	       s == REC_SYM_KALLSYMS ? "kallsyms" : NULL;
}

/* Every decision of @p in its rows, in the plan's order, and nothing else. */
static void assert_rows_tell(const struct rec_plan *p, const struct cmn_plan *rows)
{
	int n = 0;

	assert_non_null(rows);
	assert_col(&rows->rows[n], CMN_PLAN_KIND, "plan");
	assert_col(&rows->rows[n], CMN_PLAN_BACKEND, rec_backend_name(p->backend));
	assert_col(&rows->rows[n], CMN_PLAN_AVAILABLE, flag(p->kprobes));
	assert_col(&rows->rows[n], CMN_PLAN_ARCH, p->arch);
	assert_col(&rows->rows[n++], CMN_PLAN_RELEASE, p->release);
	for (int i = 0; i < p->nr_events; i++) {
		const struct rec_event_plan *ev = &p->events[i];
		const struct cmn_plan_row *r = &rows->rows[n++];

		assert_col(r, CMN_PLAN_KIND, "event");
		assert_col(r, CMN_PLAN_EVENT, ev->name);
		assert_col(r, CMN_PLAN_BACKEND, ev->backend);
		assert_col(r, CMN_PLAN_USED, flag(ev->backend));
		assert_col(r, CMN_PLAN_REASON, ev->why);
		for (int j = 0; j < ev->nr_hooks; j++) {
			const struct rec_hook *h = &ev->hooks[j];

			r = &rows->rows[n++];
			assert_col(r, CMN_PLAN_KIND, "hook");
			assert_col(r, CMN_PLAN_EVENT, ev->name);
			assert_col(r, CMN_PLAN_HOOK, h->documented);
			assert_col(r, CMN_PLAN_STATUS, h->status);
			assert_col(r, CMN_PLAN_SYMBOL, h->linux_symbol);
			assert_col(r, CMN_PLAN_FOUND, h->linux_symbol ? found_as(h->found) : NULL);
		}
		for (int j = 0; j < ev->nr_sources; j++) {
			const struct rec_source *src = &ev->sources[j];
			char *enter, *probes = NULL;

			r = &rows->rows[n++];
			assert_col(r, CMN_PLAN_KIND, "source");
			assert_col(r, CMN_PLAN_EVENT, ev->name);
			assert_col(r, CMN_PLAN_BACKEND, src->backend);
			assert_col(r, CMN_PLAN_ARCH, src->arch);
			assert_col(r, CMN_PLAN_ABI, src->abi);
			assert_col(r, CMN_PLAN_USED, flag(src->used));
			assert_col(r, CMN_PLAN_AVAILABLE, flag(src->available));
			assert_col(r, CMN_PLAN_REASON, src->why);
			assert_col(r, CMN_PLAN_SYMBOL, src->symbol);
			assert_true(asprintf(&enter, "%s:%s", src->enter_system, src->enter_event) > 0);
			assert_col(r, CMN_PLAN_ENTER, enter);
			free(enter);
			assert_non_null(strstr(r->col[CMN_PLAN_EXIT], src->exit_event));
			assert_non_null(strstr(r->col[CMN_PLAN_FIELDS], src->fields[0]));
			if (src->symbol) {
				char *entry = rec_kprobe_definition(src, false);
				char *ret = rec_kprobe_definition(src, true);

				assert_true(asprintf(&probes, "%s\n%s", entry, ret) > 0);
				free(entry);
				free(ret);
			}
			assert_col(r, CMN_PLAN_PROBES, probes);
			free(probes);
		}
	}
	for (int i = 0; i < p->nr_context; i++) {
		assert_col(&rows->rows[n], CMN_PLAN_KIND, "context");
		assert_col(&rows->rows[n++], CMN_PLAN_ENTER, p->context[i]);
	}
	assert_int_equal(rows->nr, n);
}

/* The rows through the option's text and back: the same rows, the same prose. */
static void assert_round_trip(const struct rec_plan *p)
{
	struct cmn_plan *rows = rec_plan_rows(p), *back = NULL;
	char *text = cmn_plan_encode(rows), *err = NULL;
	char *full = rec_plan_text(p, true), *brief = rec_plan_text(p, false);
	char *full_back, *brief_back;

	assert_non_null(text);
	if (cmn_plan_decode(text, &back, &err))
		fail_msg("cmn_plan_decode: %s", err);
	assert_int_equal(back->nr, rows->nr);
	for (int i = 0; i < rows->nr; i++)
		for (int c = 0; c < CMN_PLAN_NR_COLS; c++)
			assert_col(&back->rows[i], c, rows->rows[i].col[c]);
	full_back = cmn_plan_text(back, true);
	brief_back = cmn_plan_text(back, false);
	assert_string_equal(full_back, full);
	assert_string_equal(brief_back, brief);
	free(full_back);
	free(brief_back);
	free(full);
	free(brief);
	free(text);
	cmn_plan_free(back);
	cmn_plan_free(rows);
}

/* Each kernel's plan in rows: every decision, used or not and why; and back from the option. */
static void test_rows(void **state)
{
	struct fake plain = { 0 }, no_mremap = { .missing_symbol = "__x64_sys_mremap" };
	struct rec_plan *p;
	struct cmn_plan *rows;

	(void)state;
	p = plan_for("x86_64", false, false, &plain, REC_BACKEND_AUTO, NULL);
	rows = rec_plan_rows(p);
	assert_rows_tell(p, rows);
	/* what the report counts on: the unrecorded mmap2, a kprobe the kernel did not offer */
	for (int i = 0; i < rows->nr; i++) {
		const struct cmn_plan_row *r = &rows->rows[i];

		if (cmn_plan_is(r, CMN_PLAN_KIND, "event") && cmn_plan_is(r, CMN_PLAN_EVENT, "mmap2"))
			assert_null(r->col[CMN_PLAN_BACKEND]);
		if (cmn_plan_is(r, CMN_PLAN_KIND, "source") && cmn_plan_is(r, CMN_PLAN_BACKEND, "kprobe"))
			assert_true(cmn_plan_is(r, CMN_PLAN_AVAILABLE, "0") &&
				    cmn_plan_is(r, CMN_PLAN_USED, "0"));
	}
	cmn_plan_free(rows);
	assert_round_trip(p);
	rec_plan_free(p);

	p = plan_for("x86_64", true, true, &no_mremap, REC_BACKEND_AUTO, NULL);
	/* a reason with what the option's text escapes: TAB, LF, backslash */
	assert_true(rec_plan_fall_back(p, event(p, "munmap"), "bad\targ\\ument\non two lines"));
	rows = rec_plan_rows(p);
	assert_rows_tell(p, rows);
	cmn_plan_free(rows);
	assert_round_trip(p);
	rec_plan_free(p);

	p = plan_for("aarch64", true, false, &plain, REC_BACKEND_KPROBE, NULL);
	rows = rec_plan_rows(p);
	assert_rows_tell(p, rows);
	cmn_plan_free(rows);
	assert_round_trip(p);
	rec_plan_free(p);
}

/* A newer recorder's column is skipped, a missing one is NULL; what is no plan is refused. */
static void test_rows_decode(void **state)
{
	static const char *const refused[][2] = {
		{ "event\tbackend\nmremap\tkprobe\n", "no column \"kind\"" },
		{ "kind\tevent\nevent\tmremap\textra\n", "line 2 has 3 values, the header 2" },
		{ "kind\tevent\n\tmremap\n", "line 2 has no kind" },
		{ "", "no column \"kind\"" },
	};
	struct cmn_plan *p = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(cmn_plan_decode("kind\tcolour\tevent\nevent\tblue\tmre\\\\map\\tx\n\n"
					 "context\t\t\n", &p, &err), 0);
	assert_int_equal(p->nr, 2);
	assert_col(&p->rows[0], CMN_PLAN_KIND, "event");
	assert_col(&p->rows[0], CMN_PLAN_EVENT, "mre\\map\tx");
	assert_col(&p->rows[0], CMN_PLAN_BACKEND, NULL);
	assert_col(&p->rows[1], CMN_PLAN_EVENT, NULL);
	p = cmn_plan_free(p);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(cmn_plan_decode(refused[i][0], &p, &err), -1);
		assert_null(p);
		assert_non_null(strstr(err, refused[i][1]));
		free(err);
		err = NULL;
	}
}

/* ------------------------------------------------------------------ */
/* The flight recorder's triggers (record/flight.c)                    */

static struct rec_flight *flight_for(struct rec_plan *p, const char *const *specs, char **err)
{
	struct rec_flight *f = NULL;

	*err = NULL;
	if (rec_flight_build(db, p, specs, NULL, NULL, &f, err))
		return NULL;
	return f;
}

static const char *command_on(const struct rec_flight *f, const char *system, const char *event)
{
	for (int i = 0; i < f->nr_events; i++)
		if (!strcmp(f->events[i].system, system) && !strcmp(f->events[i].event, event))
			return f->events[i].command;
	return NULL;
}

/* Named triggers on tracepoints: the tracepoints' field names, triggers sharing an event. */
static void test_triggers_tracepoint(void **state)
{
	struct fake fk = { 0 };
	struct rec_plan *p = plan_for("x86_64", false, false, &fk, REC_BACKEND_AUTO, NULL);
	const char *const specs[] = { "wx", "exec", "fixed-remap", "remap_file_pages", NULL };
	char *err;
	struct rec_flight *f = flight_for(p, specs, &err);

	(void)state;
	assert_non_null(f);
	/* no mmap2 here (no tracepoint), so wx and exec are 3 events each */
	assert_int_equal(f->nr, 3 + 3 + 1 + 1);
	assert_int_equal(f->nr_events, 5);
	assert_string_equal(command_on(f, "syscalls", "sys_enter_mprotect"),
			    "traceoff:1000000000 if (prot & 2 && prot & 4) || (prot & 4)");
	assert_string_equal(command_on(f, "syscalls", "sys_enter_mremap"),
			    "traceoff:1000000000 if (flags & 2)");
	/* every call fires: no filter */
	assert_string_equal(command_on(f, "syscalls", "sys_enter_remap_file_pages"),
			    "traceoff:1000000000");
	assert_null(f->triggers[0].match);	/* formats are read at arming, not here */
	rec_flight_free(f);
	rec_plan_free(p);
}

/* The same names on kprobes: one trigger per ABI's entry probe, the kprobe's field names. */
static void test_triggers_kprobe(void **state)
{
	struct fake fk = { 0 };
	struct rec_plan *p = plan_for("x86_64", true, true, &fk, REC_BACKEND_KPROBE, NULL);
	const char *const specs[] = { "wx", "fixed-remap", NULL };
	char *err;
	struct rec_flight *f = flight_for(p, specs, &err);

	(void)state;
	assert_non_null(f);
	assert_string_equal(command_on(f, "maptrail", "mprotect_x64"),
			    "traceoff:1000000000 if (prot & 2 && prot & 4)");
	assert_string_equal(command_on(f, "maptrail", "mprotect_ia32"),
			    "traceoff:1000000000 if (prot & 2 && prot & 4)");
	assert_string_equal(command_on(f, "maptrail", "mmap2_ia32"),
			    "traceoff:1000000000 if (prot & 2 && prot & 4)");
	assert_string_equal(command_on(f, "maptrail", "mremap_x64"),
			    "traceoff:1000000000 if (flags & 2)");
	assert_null(command_on(f, "syscalls", "sys_enter_mprotect"));
	rec_flight_free(f);
	rec_plan_free(p);
}

/* Raw triggers: a schema event on its entry events, a tracefs event, and the refusals. */
static void test_triggers_raw(void **state)
{
	struct fake fk = { 0 };
	const char *const only[] = { "mprotect", "mmap", NULL };
	struct rec_plan *p = plan_for("x86_64", false, false, &fk, REC_BACKEND_AUTO, only);
	const char *const schema_event[] = { "mprotect: prot == 7", NULL };
	const char *const tracefs_event[] = { "syscalls/sys_exit_mmap:ret < 0", NULL };
	const char *const unrecorded[] = { "syscalls/sys_enter_mremap:flags & 2", NULL };
	const char *const excluded[] = { "fixed-remap", NULL };
	const char *const unknown[] = { "nosuch", NULL };
	const char *const none[] = { NULL };
	struct rec_flight *f;
	char *err;

	(void)state;
	f = flight_for(p, schema_event, &err);
	assert_non_null(f);
	assert_int_equal(f->nr, 1);
	assert_string_equal(f->triggers[0].name, "mprotect");
	assert_string_equal(command_on(f, "syscalls", "sys_enter_mprotect"),
			    "traceoff:1000000000 if (prot == 7)");
	rec_flight_free(f);
	f = flight_for(p, tracefs_event, &err);
	assert_non_null(f);
	assert_string_equal(f->triggers[0].name, "sys_exit_mmap");
	assert_string_equal(f->triggers[0].filter, "ret < 0");
	rec_flight_free(f);
	f = flight_for(p, none, &err);
	assert_non_null(f);
	assert_int_equal(f->nr, 0);
	rec_flight_free(f);
	assert_null(flight_for(p, unrecorded, &err));
	assert_non_null(strstr(err, "not an event this recording records"));
	free(err);
	assert_null(flight_for(p, excluded, &err));
	assert_non_null(strstr(err, "none of its events is recorded"));
	free(err);
	assert_null(flight_for(p, unknown, &err));
	assert_non_null(strstr(err, "no such trigger"));
	free(err);
	rec_plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_checker),
		cmocka_unit_test(test_syntax_x86_64),
		cmocka_unit_test(test_syntax_aarch64),
		cmocka_unit_test(test_mremap_definitions),
		cmocka_unit_test(test_libtracefs_agrees),
		cmocka_unit_test(test_no_kprobes),
		cmocka_unit_test(test_missing_symbol),
		cmocka_unit_test(test_user_fetch),
		cmocka_unit_test(test_hooks),
		cmocka_unit_test(test_only),
		cmocka_unit_test(test_fall_back),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_rows_decode),
		cmocka_unit_test(test_triggers_tracepoint),
		cmocka_unit_test(test_triggers_kprobe),
		cmocka_unit_test(test_triggers_raw),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
