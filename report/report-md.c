// SPDX-License-Identifier: MIT
/*
 * The report as Markdown (CommonMark with GitHub's tables): the same content
 * as the HTML, the pictures drawn in characters inside code blocks (renderers
 * drop inline SVG).  Strings from the database are escaped: Markdown's
 * punctuation gets a backslash, a code span is fenced with more backticks
 * than it holds, a pipe in a table cell is always escaped.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-model.h"

/* Text: punctuation that means something in Markdown (or HTML) gets a backslash. */
/* What the model says instead of a section's content, then @end. */
static void say(FILE *out, enum rep_say what, const char *end)
{
	fputs(rep_statement(what)->sentence, out);
	fputs(end, out);
}

static void md(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c == 0x7f)
			fputs(c == '\n' || c == '\t' ? " " : "\xef\xbf\xbd", out);
		else if (strchr("\\`*_[]<>|#!~&", c))
			fprintf(out, "\\%c", c);
		else
			fputc(c, out);
	}
}

static int longest_run(const char *s, char c)
{
	int best = 0, run = 0;

	for (; s && *s; s++) {
		run = *s == c ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/* A code span of @s: fenced with one backtick more than its longest run. */
static void md_code(FILE *out, const char *s, bool in_table)
{
	int fence = longest_run(s, '`') + 1;
	bool pad = s && *s && (s[0] == '`' || s[strlen(s) - 1] == '`');

	for (int i = 0; i < fence; i++)
		fputc('`', out);
	if (pad)
		fputc(' ', out);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c == 0x7f)
			fputs(c == '\n' || c == '\t' ? " " : "\xef\xbf\xbd", out);
		else if (c == '|' && in_table)
			fputs("\\|", out);
		else
			fputc(c, out);
	}
	if (pad)
		fputc(' ', out);
	for (int i = 0; i < fence; i++)
		fputc('`', out);
}

/* A fenced block that no line of @s can close. */
static void fence(FILE *out, const char *s)
{
	int n = longest_run(s, '`') + 1;

	for (int i = 0; i < (n < 3 ? 3 : n); i++)
		fputc('`', out);
	fputc('\n', out);
}

static void kv(FILE *out, const char *key, const char *value, bool code)
{
	fprintf(out, "| %s | ", key);
	if (code)
		md_code(out, value ? value : "-", true);
	else
		md(out, value ? value : "-");
	fputs(" |\n", out);
}

static void summary(const struct rep_model *m, FILE *out)
{
	int64_t events = 0, lost = 0;
	char a[64], b[64];

	for (int i = 0; i < m->nr_captures; i++) {
		events += m->captures[i].events;
		lost += m->captures[i].lost;
	}
	fputs("# maptrail report\n\nDatabase ", out);
	md_code(out, m->db_name, false);
	fputs("\n\n", out);
	fputs("| span | events | lost events | memory calls | findings |\n"
	      "|---|---:|---:|---:|---|\n| ", out);
	if (m->nr_captures == 1 && m->captures[0].has_span)
		fputs(rep_fmt_dur(a, sizeof(a), m->captures[0].last_ts - m->captures[0].first_ts,
				  m->captures[0].ns), out);
	else
		fprintf(out, "%d captures", m->nr_captures);
	fprintf(out, " | %s | %s%s | ", rep_fmt_count(a, sizeof(a), events),
		rep_fmt_count(b, sizeof(b), lost), lost ? " (incomplete)" : "");
	if (m->has_calls)
		fprintf(out, "%s (%s failed, %d process%s)", rep_fmt_count(a, sizeof(a), m->total_calls),
			rep_fmt_count(b, sizeof(b), m->total_failures), m->nr_procs,
			m->nr_procs == 1 ? "" : "es");
	else
		fputs("-", out);
	fputs(" | ", out);
	if (m->has_findings) {
		fprintf(out, "**%" PRId64 "**: %" PRId64 " high, %" PRId64 " medium, %" PRId64
			" low, %" PRId64 " info", m->total_findings, m->by_rank[3], m->by_rank[2],
			m->by_rank[1], m->by_rank[0]);
		if (m->total_lowered)
			fprintf(out, " (%" PRId64 " lowered)", m->total_lowered);
	} else {
		fputs("-", out);
	}
	fputs(" |\n\n", out);
	for (int i = 0; i < m->nr_notes; i++) {
		fputs("> **Note:** ", out);
		md(out, m->notes[i]);
		fputs("\n\n", out);
	}
}

/* The plan's prose whole, folded away. */
static void full_plan(FILE *out, const struct rep_capture *c)
{
	fputs("<details><summary>The full plan</summary>\n\n", out);
	fence(out, c->plan);
	fputs(c->plan, out);
	if (*c->plan && c->plan[strlen(c->plan) - 1] != '\n')
		fputc('\n', out);
	fence(out, c->plan);
	fputs("\n</details>\n\n", out);
}

static void capture(const struct rep_capture *c, FILE *out)
{
	char a[64], b[64], line[256];

	fprintf(out, "### Capture %" PRId64 ": ", c->id);
	md_code(out, c->path, false);
	fputs("\n\n| | |\n|---|---|\n", out);
	kv(out, "SHA-256", c->sha256, true);
	kv(out, "host", c->host, false);
	kv(out, "kernel", c->uname, false);
	snprintf(line, sizeof(line), "%s%s", c->clock ? c->clock : "-",
		 c->ns ? " (nanoseconds)" : " (times are in clock ticks, not ns)");
	kv(out, "clock", line, false);
	snprintf(line, sizeof(line), "%" PRId64, c->cpus);
	kv(out, "CPUs", line, false);
	if (c->has_span)
		snprintf(line, sizeof(line), "%s (from ts %" PRId64 " to %" PRId64 ")",
			 rep_fmt_dur(a, sizeof(a), c->last_ts - c->first_ts, c->ns), c->first_ts,
			 c->last_ts);
	else
		snprintf(line, sizeof(line), "no events");
	kv(out, "span", line, false);
	kv(out, "events", rep_fmt_count(a, sizeof(a), c->events), false);
	snprintf(line, sizeof(line), "trace.dat v%" PRId64 ", %s, %s", c->file_version,
		 c->compression ? c->compression : "not compressed",
		 rep_fmt_bytes(b, sizeof(b), c->size));
	kv(out, "file", line, false);
	if (c->flight) {
		char *text = rep_flight_text(c);

		kv(out, "flight", text ? text : "out of memory", false);
		free(text);
	}

	fputs("\n#### Completeness\n\n", out);
	if (c->lost || c->lost_unknown)
		fprintf(out, "**%s events lost**%s: what the history shows may be missing calls.\n\n",
			rep_fmt_count(a, sizeof(a), c->lost), c->lost_unknown ?
			" (and pages that lost an unknown number)" : "");
	else
		fputs("No event lost.\n\n", out);
	fputs("| buffer | CPU | events | lost | overrun | commit overrun | dropped |\n"
	      "|---|---:|---:|---:|---:|---:|---:|\n", out);
	for (int i = 0; i < c->nr_cpu; i++) {
		const struct rep_cpu *p = &c->cpu[i];

		fputs("| ", out);
		md(out, *p->buffer ? p->buffer : "(top)");
		fprintf(out, " | %d | %s | %s%s | ", p->cpu, rep_fmt_count(a, sizeof(a), p->events),
			rep_fmt_count(b, sizeof(b), p->lost), p->lost_unknown ? " + ?" : "");
		if (p->has_stats)
			fprintf(out, "%" PRId64 " | %" PRId64 " | %" PRId64 " |\n", p->overrun,
				p->commit_overrun, p->dropped);
		else
			fputs("- | - | - |\n", out);
	}
	fputs("\n| call | recorded | no exit | no entry |\n|---|---:|---:|---:|\n", out);
	for (int i = 0; i < c->nr_unpaired; i++) {
		const struct rep_unpaired *u = &c->unpaired[i];

		fputs("| ", out);
		md(out, u->call);
		fprintf(out, " | %s | %" PRId64 " | %" PRId64 " |\n",
			rep_fmt_count(a, sizeof(a), u->calls), u->no_exit, u->no_entry);
	}
	/* the tables above show every call, so Markdown always says what the columns mean */
	fputs("\n", out);
	say(out, REP_SAY_UNPAIRED, "\n\n#### The recorder's plan\n\n");
	if (c->plan_say) {
		say(out, c->plan_say, "\n\n");
		if (c->plan)
			full_plan(out, c);	/* an older recorder's prose, as it is */
		return;
	}
	md(out, c->plan_summary);
	fputs("\n\n", out);
	if (c->nr_plan_backends) {
		fputs("| recorded with | events |\n|---|---|\n", out);
		for (int i = 0; i < c->nr_plan_backends; i++) {
			fputs("| ", out);
			md(out, c->plan_backends[i].what);
			fputs(" | ", out);
			md(out, c->plan_backends[i].events);
			fputs(" |\n", out);
		}
		fputs("\n", out);
	}
	if (c->nr_not_hooked) {
		fputs("What it could not hook:\n\n", out);
		for (int i = 0; i < c->nr_not_hooked; i++) {
			fputs("- **", out);
			md(out, c->not_hooked[i].events);
			fputs("**: ", out);
			md(out, c->not_hooked[i].what);
			fputs("\n", out);
		}
		fputs("\n", out);
	} else {
		say(out, c->hooked_say, "\n\n");
	}
	full_plan(out, c);
}

/* The findings [@f, @f + @n) of one detection at one severity: a heading and a table. */
static void finding_group(const struct rep_finding *f, int n, FILE *out)
{
	int64_t all = f->group_total > n ? f->group_total : n;

	fprintf(out, "### %s: ", rep_severity_name(f->rank));
	md(out, f->title ? f->title : f->detection);
	fprintf(out, " (%" PRId64 " finding%s)\n\nDetection ", all, all == 1 ? "" : "s");
	md_code(out, f->detection ? f->detection : "?", false);
	if (f->mitre) {
		fputs(", MITRE ATT&CK ", out);
		md(out, f->mitre);
	}
	fputs(".\n\n| # | when | process | where | what, and the calls it rests on |\n"
	      "|---:|---|---|---|---|\n", out);
}

/* The process's executable, parent, command line; the calls; why it was lowered (a cell). */
static void finding_context(const struct rep_finding *f, const struct rep_finding *prev, FILE *out)
{
	bool same = rep_same_process(f, prev);
	char a[64], b[64];

	fputs("<br>exe ", out);
	md_code(out, f->exe ? f->exe : "unknown", true);
	if (f->has_ppid)
		fprintf(out, ", parent %" PRId64, f->ppid);
	if (f->cmdline && !same) {
		fputs("<br>cmdline ", out);
		md_code(out, f->cmdline, true);
	}
	if (f->calls > 1 || (f->has_last_ts && f->has_ts && f->last_ts != f->ts)) {
		fprintf(out, "<br>%s call%s", rep_fmt_count(a, sizeof(a), f->calls),
			f->calls == 1 ? "" : "s");
		if (f->has_ts && f->has_last_ts)
			fprintf(out, ", first %s, last %s", rep_fmt_rel(a, sizeof(a), f->capture, f->ts),
				rep_fmt_rel(b, sizeof(b), f->capture, f->last_ts));
	}
	if (f->lowered_by) {
		fputs("<br>lowered from ", out);
		md(out, f->detection_severity ? f->detection_severity : "?");
		if (same && prev->lowered_by && !strcmp(f->lowered_by, prev->lowered_by)) {
			fputs(" by the same rule", out);
			return;
		}
		fputs(" by ", out);
		md_code(out, f->lowered_by, true);
	}
}

static void finding(const struct rep_finding *f, const struct rep_finding *prev, FILE *out)
{
	char a[64], b[64];

	fprintf(out, "| %" PRId64 " | ", f->id);
	if (f->has_ts)
		fprintf(out, "%s (ts %" PRId64 ")", rep_fmt_rel(a, sizeof(a), f->capture, f->ts), f->ts);
	fputs(" | ", out);
	if (f->has_pid)
		fprintf(out, "%" PRId64, f->pid);
	if (f->comm) {
		fputs(" **", out);
		md(out, f->comm);
		fputs("**", out);
	}
	if (f->has_tid && (!f->has_pid || f->tid != f->pid))
		fprintf(out, ", thread %" PRId64, f->tid);
	finding_context(f, prev, out);
	fputs(" | ", out);
	if (f->has_addr)
		fprintf(out, "`%s`%s%s", rep_fmt_hex(a, sizeof(a), f->addr), f->has_len ? ", " : "",
			f->has_len ? rep_fmt_bytes(b, sizeof(b), f->len) : "");
	fputs(" | ", out);
	if (f->froze)
		fputs("**The call that froze the flight recorder.** ", out);
	md(out, f->summary);
	/* GitHub renders <br> in a table cell: one line per call */
	for (int i = 0; i < f->nr_ev; i++) {
		const struct rep_evidence *e = &f->ev[i];

		fputs("<br>&larr; ", out);
		md(out, e->call);
		fprintf(out, " #%" PRId64, e->call_id);
		if (!e->found) {
			fputs(" (not in the database)", out);
			continue;
		}
		fprintf(out, " %s tid %" PRId64 " ", rep_fmt_rel(a, sizeof(a), f->capture, e->ts),
			e->tid);
		md_code(out, e->args && *e->args ? e->args : "-", true);
		fputs(" &rarr; ", out);
		md(out, e->err ? e->err : e->ret ? e->ret : "(no exit)");
	}
	if (f->more_ev)
		fprintf(out, "<br>... and %" PRId64 " more calls", f->more_ev);
	fputs(" |\n", out);
}

static void processes(const struct rep_model *m, FILE *out)
{
	int shown = m->nr_procs < REP_MAX_PROCESSES ? m->nr_procs : REP_MAX_PROCESSES;
	char a[48], b[48];

	fputs("## 2. Processes\n\n", out);
	if (m->procs_say) {
		say(out, m->procs_say, "\n\n");
		return;
	}
	fputs("Processes with findings first, then by number of calls. *Mapped*: bytes of "
	      "successful mmap/mmap2; *exec*: bytes mapped or made executable.\n\n"
	      "| pid | comm | findings | calls | failed | mapped | exec |", out);
	for (int j = 0; j < m->nr_calls; j++) {
		fputc(' ', out);
		md(out, m->calls[j]);
		fputs(" |", out);
	}
	fputs(" calls from .. to |\n|---:|---|---|---:|---:|---:|---:|", out);
	for (int j = 0; j < m->nr_calls; j++)
		fputs("---:|", out);
	fputs("---|\n", out);
	for (int i = 0; i < shown; i++) {
		const struct rep_process *p = &m->procs[i];

		fprintf(out, "| %s | ", rep_fmt_pid(a, sizeof(a), m, p));
		md(out, p->comm ? p->comm : "?");
		fputs(" | ", out);
		if (p->max_rank >= 0)
			fprintf(out, "%d (%s)", p->nr_findings, rep_severity_name(p->max_rank));
		fprintf(out, " | %s | %" PRId64 " | ", rep_fmt_count(a, sizeof(a), p->total),
			p->failures);
		fprintf(out, "%s | %s |", rep_fmt_bytes(a, sizeof(a), p->bytes_mapped),
			rep_fmt_bytes(b, sizeof(b), p->exec_bytes));
		for (int j = 0; j < m->nr_calls; j++)
			fprintf(out, " %" PRId64 " |", p->calls[j]);
		if (p->total && p->capture)
			fprintf(out, " %s .. %s |\n", rep_fmt_rel(a, sizeof(a), p->capture, p->first_ts),
				rep_fmt_rel(b, sizeof(b), p->capture, p->last_ts));
		else
			fputs(" - |\n", out);
	}
	if (m->nr_procs > shown)
		fprintf(out, "\n... and %d more processes.\n", m->nr_procs - shown);
	fputs("\n", out);
	/* Who they are, where the capture tells: the recorder's snapshots, the execs. */
	for (int i = 0, head = 0; i < shown; i++) {
		const struct rep_process *p = &m->procs[i];

		if (!p->exe && !p->cmdline)
			continue;
		if (!head++)
			fputs("Who they are (executable and command line):\n\n", out);
		fprintf(out, "- %s: `", rep_fmt_pid(a, sizeof(a), m, p));
		md(out, p->exe ? p->exe : "?");
		fputc('`', out);
		if (p->cmdline) {
			fputs(" `", out);
			md(out, p->cmdline);
			fputc('`', out);
		}
		fputc('\n', out);
	}
	fputs("\n", out);
}

static void pictures(const struct rep_model *m, FILE *out)
{
	char pid[48];

	fputs("## 3. Calls over time\n\n", out);
	if (m->chart_say) {
		say(out, m->chart_say, "\n\n");
	} else {
		fputs("```\n", out);
		rep_ascii_calls(m, out, "");
		fputs("```\n\n", out);
		if (m->nr_procs > REP_MAX_CHARTS)
			fprintf(out, "... and %d more processes.\n\n", m->nr_procs - REP_MAX_CHARTS);
	}
	fputs("## 4. Address-space timelines\n\n", out);
	if (m->timelines_say) {
		say(out, m->timelines_say, "\n");
		return;
	}
	fputs("For each process with findings: its mapped ranges, one line per range ordered by "
	      "address, the protection over time; `^` marks the findings.\n\n", out);
	for (int i = 0; i < m->nr_procs; i++) {
		const struct rep_process *p = &m->procs[i];

		if (!p->timeline)
			continue;
		fprintf(out, "### pid %s ", rep_fmt_pid(pid, sizeof(pid), m, p));
		md(out, p->comm ? p->comm : "?");
		fprintf(out, "\n\n%d findings, %" PRId64 " address ranges.\n\n", p->nr_findings,
			p->nr_lanes + p->more_lanes);
		if (!p->nr_lanes)
			continue;
		/* the lines hold only numbers and hex: no backtick can close the block */
		fputs("```\n", out);
		rep_ascii_timeline(m, p, out, "");
		fputs("```\n\n", out);
	}
	if (m->more_timelines)
		fprintf(out, "... and %" PRId64 " more processes with findings.\n", m->more_timelines);
}

int rep_write_md(const struct rep_model *m, FILE *out)
{
	/* what a person needs first: the findings, who made them; the capture's details last */
	summary(m, out);
	fputs("## 1. Findings\n\n", out);
	if (m->findings_say) {
		say(out, m->findings_say, "\n\n");
	} else {
		fprintf(out, "%" PRId64 " findings in %d groups (a detection at a severity). At a "
			"glance (lowered: by a known runtime or a baseline, see maptrail-analyze(1)):"
			"\n\n| severity | detection | findings | calls | processes | lowered |\n"
			"|---|---|---:|---:|---:|---:|\n", m->total_findings, m->nr_detections);
		for (int i = 0; i < m->nr_detections; i++) {
			const struct rep_detection *d = &m->detections[i];
			char a[32];

			fprintf(out, "| %s | ", rep_severity_name(d->rank));
			md(out, d->title);
			fputs(" (", out);
			md_code(out, d->detection, true);
			fprintf(out, ") | %" PRId64 " | %s | %" PRId64 " | %" PRId64 " |\n", d->count,
				rep_fmt_count(a, sizeof(a), d->calls), d->processes, d->lowered);
		}
		fputs("\nEach group, most severe first, its findings with the calls they rest on "
		      "(&larr;):\n\n", out);
		for (int i = 0, end; i < m->nr_findings; i = end) {
			int64_t more;

			end = rep_group_end(m, i);
			finding_group(&m->findings[i], end - i, out);
			for (int j = i; j < end; j++)
				finding(&m->findings[j], j > i ? &m->findings[j - 1] : NULL, out);
			fputs("\n", out);
			more = rep_group_more(&m->findings[i], end - i);
			if (more) {
				fprintf(out, "... and %" PRId64 " more %s ", more,
					rep_severity_name(m->findings[i].rank));
				md_code(out, m->findings[i].detection ? m->findings[i].detection : "?",
					false);
				fputs(" findings: `maptrail query DB findings` lists them all.\n\n", out);
			}
		}
	}
	processes(m, out);
	pictures(m, out);
	fputs("## 5. What was captured\n\n", out);
	for (int i = 0; i < m->nr_captures; i++)
		capture(&m->captures[i], out);
	fprintf(out, "\n---\nWritten by maptrail %s.\n", m->version);
	return 0;
}
