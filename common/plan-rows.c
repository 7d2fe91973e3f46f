// SPDX-License-Identifier: MIT
/*
 * plan-rows: the recorder's plan as rows, their text form in the trace.dat
 * option, and the prose printed from them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error-line.h"
#include "plan-rows.h"

const char *const cmn_plan_col_names[CMN_PLAN_NR_COLS] = {
	[CMN_PLAN_KIND] = "kind",
	[CMN_PLAN_EVENT] = "event",
	[CMN_PLAN_BACKEND] = "backend",
	[CMN_PLAN_USED] = "used",
	[CMN_PLAN_AVAILABLE] = "available",
	[CMN_PLAN_REASON] = "reason",
	[CMN_PLAN_ARCH] = "arch",
	[CMN_PLAN_ABI] = "abi",
	[CMN_PLAN_RELEASE] = "release",
	[CMN_PLAN_HOOK] = "hook",
	[CMN_PLAN_HOOK_KIND] = "hook_kind",
	[CMN_PLAN_STATUS] = "status",
	[CMN_PLAN_SYMBOL] = "symbol",
	[CMN_PLAN_FOUND] = "found",
	[CMN_PLAN_ENTER] = "enter",
	[CMN_PLAN_EXIT] = "exit",
	[CMN_PLAN_FIELDS] = "fields",
	[CMN_PLAN_RET] = "ret",
	[CMN_PLAN_PROBES] = "probes",
};

struct cmn_plan *cmn_plan_alloc(void)
{
	return calloc(1, sizeof(struct cmn_plan));
}

struct cmn_plan *cmn_plan_free(struct cmn_plan *p)
{
	if (!p)
		return NULL;
	for (int i = 0; i < p->nr; i++)
		for (int c = 0; c < CMN_PLAN_NR_COLS; c++)
			free(p->rows[i].col[c]);
	free(p->rows);
	free(p);
	return NULL;
}

bool cmn_plan_ok(const struct cmn_plan *p)
{
	return p && !p->nomem;
}

void cmn_plan_add(struct cmn_plan *p, const char *kind)
{
	if (p->nomem)
		return;
	if (p->nr == p->cap) {
		int cap = p->cap ? p->cap * 2 : 32;
		struct cmn_plan_row *rows = realloc(p->rows, cap * sizeof(*rows));

		if (!rows) {
			p->nomem = true;
			return;
		}
		p->rows = rows;
		p->cap = cap;
	}
	memset(&p->rows[p->nr++], 0, sizeof(*p->rows));
	cmn_plan_put(p, CMN_PLAN_KIND, kind);
}

/* Takes @value (malloc()ed, or NULL when its allocation failed). */
static void put_owned(struct cmn_plan *p, enum cmn_plan_col col, char *value, bool failed)
{
	char **slot;

	if (p->nomem || !p->nr || failed) {
		p->nomem |= failed || !p->nr;
		free(value);
		return;
	}
	slot = &p->rows[p->nr - 1].col[col];
	free(*slot);
	*slot = value && *value ? value : NULL;
	if (value && !*value)
		free(value);
}

void cmn_plan_put(struct cmn_plan *p, enum cmn_plan_col col, const char *value)
{
	char *copy = value ? strdup(value) : NULL;

	put_owned(p, col, copy, value && !copy);
}

void cmn_plan_putf(struct cmn_plan *p, enum cmn_plan_col col, const char *fmt, ...)
{
	char *value;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&value, fmt, ap);
	va_end(ap);
	put_owned(p, col, n < 0 ? NULL : value, n < 0);
}

bool cmn_plan_is(const struct cmn_plan_row *r, enum cmn_plan_col col, const char *value)
{
	return r->col[col] && !strcmp(r->col[col], value);
}

/* ------------------------------------------------------------------ */
/* The option's text                                                   */

/* open_memstream()'s text, which is only there once @f is closed. */
static char *closed(FILE *f, char **text)
{
	if (fclose(f)) {
		free(*text);
		return NULL;
	}
	return *text;
}

static void put_escaped(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

char *cmn_plan_encode(const struct cmn_plan *p)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	for (int c = 0; c < CMN_PLAN_NR_COLS; c++)
		fprintf(f, "%s%s", c ? "\t" : "", cmn_plan_col_names[c]);
	fputc('\n', f);
	for (int i = 0; i < p->nr; i++) {
		for (int c = 0; c < CMN_PLAN_NR_COLS; c++) {
			if (c)
				fputc('\t', f);
			put_escaped(f, p->rows[i].col[c]);
		}
		fputc('\n', f);
	}
	return closed(f, &text);
}

/* The value [@s, @end) unescaped, in a new string; a backslash before anything else stays. */
static char *unescape(const char *s, const char *end)
{
	char *out = malloc(end - s + 1), *o = out;

	if (!out)
		return NULL;
	while (s < end) {
		if (*s == '\\' && s + 1 < end && strchr("\\tn", s[1])) {
			*o++ = s[1] == 't' ? '\t' : s[1] == 'n' ? '\n' : '\\';
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* The number of TAB-separated values in [@s, @end). */
static int count_values(const char *s, const char *end)
{
	int n = 1;

	for (; s < end; s++)
		n += *s == '\t';
	return n;
}

int cmn_plan_decode(const char *text, struct cmn_plan **out, char **err)
{
	const char *line = text, *end = strchr(text, '\n');
	struct cmn_plan *p = cmn_plan_alloc();
	int cols[64], nr_cols, lineno = 1;	/* column of each header name, -1: unknown */
	bool has_kind = false;

	*out = NULL;
	if (!p)
		return cmn_fail(err, "out of memory");
	if (!end)
		end = line + strlen(line);
	nr_cols = count_values(line, end);
	if (nr_cols > (int)(sizeof(cols) / sizeof(cols[0]))) {
		cmn_plan_free(p);
		return cmn_fail(err, "plan rows: %d columns, more than a plan has", nr_cols);
	}
	for (int i = 0; i < nr_cols; i++) {
		size_t len = strcspn(line, "\t\n");

		cols[i] = -1;
		for (int c = 0; c < CMN_PLAN_NR_COLS; c++)
			if (strlen(cmn_plan_col_names[c]) == len &&
			    !strncmp(line, cmn_plan_col_names[c], len))
				cols[i] = c;
		has_kind |= cols[i] == CMN_PLAN_KIND;
		line += len + (line[len] == '\t');
	}
	if (!has_kind) {
		cmn_plan_free(p);
		return cmn_fail(err, "plan rows: the header names no column \"kind\"");
	}
	for (line = *end ? end + 1 : end; *line; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		lineno++;
		if (end == line)
			continue;
		if (count_values(line, end) != nr_cols) {
			cmn_plan_free(p);
			return cmn_fail(err, "plan rows: line %d has %d values, the header %d",
					lineno, count_values(line, end), nr_cols);
		}
		cmn_plan_add(p, NULL);
		for (int i = 0; i < nr_cols; i++) {
			const char *v_end = memchr(line, '\t', end - line);

			if (!v_end)
				v_end = end;
			if (cols[i] >= 0 && v_end > line) {
				char *v = unescape(line, v_end);

				put_owned(p, cols[i], v, !v);
			}
			line = v_end + (v_end < end);
		}
		if (cmn_plan_ok(p) && !p->rows[p->nr - 1].col[CMN_PLAN_KIND]) {
			cmn_plan_free(p);
			return cmn_fail(err, "plan rows: line %d has no kind", lineno);
		}
	}
	if (!cmn_plan_ok(p)) {
		cmn_plan_free(p);
		return cmn_fail(err, "out of memory");
	}
	*out = p;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The prose                                                           */

static const char *value(const struct cmn_plan_row *r, enum cmn_plan_col col, const char *none)
{
	return r->col[col] ? r->col[col] : none;
}

static const struct cmn_plan_row *plan_row(const struct cmn_plan *p)
{
	for (int i = 0; i < p->nr; i++)
		if (cmn_plan_is(&p->rows[i], CMN_PLAN_KIND, "plan"))
			return &p->rows[i];
	return NULL;
}

static void print_summary(FILE *f, const struct cmn_plan *p)
{
	const struct cmn_plan_row *head = plan_row(p);
	int events = 0, recorded = 0;

	for (int i = 0; i < p->nr; i++) {
		if (!cmn_plan_is(&p->rows[i], CMN_PLAN_KIND, "event"))
			continue;
		events++;
		recorded += p->rows[i].col[CMN_PLAN_BACKEND] != NULL;
	}
	fprintf(f, "Linux %s %s, backend %s, kprobes %s; %d of %d events recorded",
		head ? value(head, CMN_PLAN_RELEASE, "unknown") : "unknown",
		head ? value(head, CMN_PLAN_ARCH, "unknown") : "unknown",
		head ? value(head, CMN_PLAN_BACKEND, "auto") : "auto",
		head && cmn_plan_is(head, CMN_PLAN_AVAILABLE, "1") ? "available"
								   : "unavailable (no kprobe_events)",
		recorded, events);
}

/* Where a symbol was found, as the plan says it. */
static const char *where(const struct cmn_plan_row *r)
{
	if (cmn_plan_is(r, CMN_PLAN_FOUND, "available_filter_functions"))
		return "in available_filter_functions";
	if (cmn_plan_is(r, CMN_PLAN_FOUND, "kallsyms"))
		return "in kallsyms only";
	return "not in this kernel";
}

/* "maptrail:mremap_x64_ret" -> "mremap_x64_ret" */
static const char *event_part(const char *system_event)
{
	const char *colon;

	if (!system_event)
		return "";
	colon = strchr(system_event, ':');
	return colon ? colon + 1 : system_event;
}

static void print_source(FILE *f, const struct cmn_plan_row *s)
{
	const char *symbol = s->col[CMN_PLAN_SYMBOL], *probes = s->col[CMN_PLAN_PROBES];

	fprintf(f, "  %s %-10s %s/%s: ", cmn_plan_is(s, CMN_PLAN_USED, "1") ? "USE " : "skip",
		value(s, CMN_PLAN_BACKEND, ""), value(s, CMN_PLAN_ARCH, ""),
		value(s, CMN_PLAN_ABI, ""));
	if (cmn_plan_is(s, CMN_PLAN_BACKEND, "tracepoint"))
		fprintf(f, "%s(%s) -> %s(%s)", value(s, CMN_PLAN_ENTER, ""),
			value(s, CMN_PLAN_FIELDS, ""), value(s, CMN_PLAN_EXIT, ""),
			value(s, CMN_PLAN_RET, ""));
	else
		fprintf(f, "%s + %s at %s", value(s, CMN_PLAN_ENTER, ""),
			event_part(s->col[CMN_PLAN_EXIT]), symbol ? symbol : "(no symbol)");
	if (symbol)
		fprintf(f, " (%s)", where(s));
	fputc('\n', f);
	if (s->col[CMN_PLAN_REASON])
		fprintf(f, "         not used: %s\n", s->col[CMN_PLAN_REASON]);
	while (symbol && probes && *probes) {
		int len = strcspn(probes, "\n");

		fprintf(f, "         %.*s\n", len, probes);
		probes += len + (probes[len] == '\n');
	}
}

static void print_full(FILE *f, const struct cmn_plan *p)
{
	int context = 0;

	for (int i = 0; i < p->nr; i++) {
		const struct cmn_plan_row *r = &p->rows[i];

		if (cmn_plan_is(r, CMN_PLAN_KIND, "event")) {
			fprintf(f, "\n%s: %s\n", value(r, CMN_PLAN_EVENT, ""),
				value(r, CMN_PLAN_BACKEND, "NOT RECORDED"));
			if (r->col[CMN_PLAN_REASON])
				fprintf(f, "  why: %s\n", r->col[CMN_PLAN_REASON]);
		} else if (cmn_plan_is(r, CMN_PLAN_KIND, "hook")) {
			fprintf(f, "  hook %s (%s, documented): %s", value(r, CMN_PLAN_HOOK, ""),
				value(r, CMN_PLAN_HOOK_KIND, ""), value(r, CMN_PLAN_STATUS, ""));
			if (r->col[CMN_PLAN_SYMBOL])
				fprintf(f, " -> %s, %s", r->col[CMN_PLAN_SYMBOL], where(r));
			fputc('\n', f);
		} else if (cmn_plan_is(r, CMN_PLAN_KIND, "source")) {
			print_source(f, r);
		}
	}
	for (int i = 0; i < p->nr; i++) {
		const struct cmn_plan_row *r = &p->rows[i];

		if (!cmn_plan_is(r, CMN_PLAN_KIND, "context"))
			continue;
		if (!context++)
			fprintf(f, "\ncontext events (task names and lineage):");
		fprintf(f, " %s", value(r, CMN_PLAN_ENTER, ""));
	}
	if (context)
		fputc('\n', f);
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* One line per event, then each distinct reason once, with the events it concerns. */
static void print_brief(FILE *f, const struct cmn_plan *p)
{
	for (int i = 0; i < p->nr; i++) {
		const struct cmn_plan_row *ev = &p->rows[i];
		int n = 0;

		if (!cmn_plan_is(ev, CMN_PLAN_KIND, "event"))
			continue;
		fprintf(f, "  %-17s %-10s ", value(ev, CMN_PLAN_EVENT, ""),
			value(ev, CMN_PLAN_BACKEND, "-"));
		for (int j = 0; j < p->nr; j++) {
			const struct cmn_plan_row *s = &p->rows[j];

			if (!cmn_plan_is(s, CMN_PLAN_KIND, "source") ||
			    !same(s->col[CMN_PLAN_EVENT], ev->col[CMN_PLAN_EVENT]) ||
			    !cmn_plan_is(s, CMN_PLAN_USED, "1"))
				continue;
			fputs(n++ ? ", " : "", f);
			if (s->col[CMN_PLAN_SYMBOL])
				fprintf(f, "%s (%s)", s->col[CMN_PLAN_SYMBOL], value(s, CMN_PLAN_ABI, ""));
			else
				fprintf(f, "%s/%s", value(s, CMN_PLAN_ENTER, ""),
					event_part(s->col[CMN_PLAN_EXIT]));
		}
		fputs(n ? "\n" : "not recorded\n", f);
	}
	for (int i = 0; i < p->nr; i++) {
		const struct cmn_plan_row *ev = &p->rows[i];
		const char *why = ev->col[CMN_PLAN_REASON];
		bool first = true;

		if (!why || !cmn_plan_is(ev, CMN_PLAN_KIND, "event"))
			continue;
		for (int j = 0; j < i; j++)
			first &= !cmn_plan_is(&p->rows[j], CMN_PLAN_KIND, "event") ||
				 !same(p->rows[j].col[CMN_PLAN_REASON], why);
		if (!first)
			continue;
		fputs("  why", f);
		for (int j = i, n = 0; j < p->nr; j++)
			if (cmn_plan_is(&p->rows[j], CMN_PLAN_KIND, "event") &&
			    same(p->rows[j].col[CMN_PLAN_REASON], why))
				fprintf(f, "%s%s", n++ ? ", " : " ",
					value(&p->rows[j], CMN_PLAN_EVENT, ""));
		fprintf(f, ": %s\n", why);
	}
}

char *cmn_plan_summary(const struct cmn_plan *p)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	print_summary(f, p);
	return closed(f, &text);
}

char *cmn_plan_text(const struct cmn_plan *p, bool full)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	fputs("plan: ", f);
	print_summary(f, p);
	fputc('\n', f);
	if (full)
		print_full(f, p);
	else
		print_brief(f, p);
	return closed(f, &text);
}
