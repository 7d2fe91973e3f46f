// SPDX-License-Identifier: MIT
/*
 * The report as plain text for a terminal: aligned columns within 100
 * columns, and the pictures drawn in characters (which the Markdown report
 * reuses in code blocks).  A string from the database is shown with its
 * control characters replaced, so a process name cannot drive the terminal.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-model.h"

#define WIDTH 100
#define GRID 60		/* characters of a picture's time axis */

/* @s with control characters replaced, cut to @max bytes (0: all). */
/* What the model says instead of a section's content: the terse form when it has one. */
static void say(FILE *out, const char *indent, enum rep_say what)
{
	const struct rep_statement *st = rep_statement(what);

	fprintf(out, "%s%s\n", indent, st->aside ? st->aside : st->sentence);
}

static void put_safe(FILE *out, const char *s, size_t max)
{
	for (size_t i = 0; s && s[i] && (!max || i < max); i++) {
		unsigned char c = s[i];

		fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
	}
}

/* @s in a field of @width columns, cut to fit (and padded). */
static void put_field(FILE *out, const char *s, int width, bool right)
{
	size_t len = s ? strlen(s) : 0;

	if (len > (size_t)width)
		len = width;
	if (right)
		fprintf(out, "%*s", width - (int)len, "");
	put_safe(out, s, len);
	if (!right)
		fprintf(out, "%*s", width - (int)len, "");
}

/*
 * @text wrapped at WIDTH: the first line after what the caller already wrote
 * (@col columns), the next ones indented by @indent.
 */
static void wrap(FILE *out, const char *text, int col, int indent)
{
	const char *s = text ? text : "";

	while (*s) {
		int room = WIDTH - col, len = strlen(s), cut = len;

		if (room < 20)
			room = 20;
		if (len > room) {
			cut = room;
			while (cut > 0 && s[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = room;
		}
		put_safe(out, s, cut);
		fputc('\n', out);
		s += cut;
		while (*s == ' ')
			s++;
		if (*s) {
			fprintf(out, "%*s", indent, "");
			col = indent;
		}
	}
	if (!text || !*text)
		fputc('\n', out);
}

static void heading(FILE *out, const char *title, char underline)
{
	int n = strlen(title);

	fprintf(out, "\n%s\n", title);
	while (n--)
		fputc(underline, out);
	fputc('\n', out);
}

static const struct rep_capture *first_capture(const struct rep_model *m)
{
	return m->nr_captures ? &m->captures[0] : NULL;
}

/* ------------------------------------------------------------------ */
/* Pictures in characters                                              */

/* One line per process: the calls of each time bin as a density character. */
void rep_ascii_calls(const struct rep_model *m, FILE *out, const char *indent)
{
	static const char ramp[] = " .:-=+*#%@";
	int shown = 0;

	for (int i = 0; i < m->nr_procs && shown < REP_MAX_CHARTS; i++) {
		const struct rep_process *p = &m->procs[i];
		const struct rep_capture *c = p->capture;
		int32_t max = 0, per[REP_BINS] = { 0 };
		char a[48];

		if (!p->total || !c || !c->has_span)
			continue;
		for (int k = 0; k < REP_BINS; k++) {
			for (int j = 0; j < m->nr_calls; j++)
				per[k] += p->bins[k][j];
			if (per[k] > max)
				max = per[k];
		}
		if (!shown++)
			fprintf(out, "%s%-7s %-15s %-*s %s\n", indent, "pid", "comm", GRID + 2,
				rep_fmt_rel(a, sizeof(a), c, c->first_ts), "calls");
		fprintf(out, "%s%-7s ", indent, rep_fmt_pid(a, sizeof(a), m, p));
		put_field(out, p->comm, 15, false);
		fputs(" |", out);
		for (int k = 0; k < REP_BINS; k++) {
			int level = per[k] ? 1 + (int)((int64_t)(per[k] - 1) * 8 / (max ? max : 1)) : 0;

			fputc(ramp[level], out);
		}
		fprintf(out, "| %s\n", rep_fmt_count(a, sizeof(a), p->total));
	}
	if (shown) {
		const struct rep_capture *c = first_capture(m);
		char a[48];

		if (m->nr_captures > 1)
			snprintf(a, sizeof(a), "end of its capture");
		else
			rep_fmt_rel(a, sizeof(a), c, rep_capture_end(c));
		fprintf(out, "%s%*s%*s\n", indent, 7 + 1 + 15 + 2, "", GRID, a);
		fprintf(out, "%s(each column: 1/%d of the capture%s; ' .:-=+*#%%@' from few to the "
			"process's busiest)\n", indent, REP_BINS, m->nr_captures > 1 ?
			" of the process" : "");
	}
}

static char prot_char(int cls)
{
	return "?-rwx!"[cls < 0 || cls > 5 ? 0 : cls];
}

void rep_ascii_timeline(const struct rep_model *m, const struct rep_process *p, FILE *out,
			const char *indent)
{
	const struct rep_capture *c = p->capture;
	int64_t t0 = c->first_ts, span = rep_capture_end(c) - c->first_ts;
	char marks[GRID + 1], a[48], b[48];
	int nr_marks = 0;

	fprintf(out, "%s%-14s %9s  |%-*s|\n", indent, "range", "size", GRID,
		rep_fmt_rel(a, sizeof(a), c, t0));
	for (int i = 0; i < p->nr_lanes; i++) {
		const struct rep_lane *lane = &p->lanes[i];
		char row[GRID + 1];
		int cls[GRID];

		for (int k = 0; k < GRID; k++)
			cls[k] = -1;
		for (int s = 0; s < lane->nr_spans; s++) {
			const struct rep_span *sp = &lane->spans[s];
			/* the columns the state touches, at least one */
			int64_t from = sp->from < t0 ? 0 : sp->from - t0, to = sp->to - t0;
			int64_t k0 = from * GRID / span, k1 = (to * GRID + span - 1) / span - 1;

			k0 = k0 < 0 ? 0 : k0 >= GRID ? GRID - 1 : k0;
			k1 = k1 < k0 ? k0 : k1 >= GRID ? GRID - 1 : k1;
			for (int k = k0; k <= k1 && k < GRID; k++)
				if (rep_prot_class(sp->prot) > cls[k])
					cls[k] = rep_prot_class(sp->prot);
		}
		for (int k = 0; k < GRID; k++)
			row[k] = cls[k] < 0 ? ' ' : prot_char(cls[k]);
		row[GRID] = '\0';
		fprintf(out, "%s%-14s %9s  |%s|\n", indent, rep_fmt_hex(a, sizeof(a), lane->start),
			rep_fmt_bytes(b, sizeof(b), lane->end - lane->start), row);
	}
	memset(marks, ' ', GRID);
	marks[GRID] = '\0';
	for (int i = 0; i < m->nr_findings; i++) {
		const struct rep_finding *f = &m->findings[i];
		int k;

		if (f->capture_id != p->capture_id || !f->has_pid || f->pid != p->pid || !f->has_ts)
			continue;
		k = (int)((double)(f->ts - t0) * GRID / (double)span);
		k = k < 0 ? 0 : k >= GRID ? GRID - 1 : k;
		/* a group of calls: '~' on to its last call, '^' at its first */
		if (f->has_last_ts && f->last_ts > f->ts) {
			int k1 = (int)((double)(f->last_ts - t0) * GRID / (double)span);

			for (int j = k + 1; j <= k1 && j < GRID; j++)
				if (marks[j] == ' ')
					marks[j] = '~';
		}
		marks[k] = '^';
		nr_marks++;
	}
	if (nr_marks)
		fprintf(out, "%s%-14s %9s   %s\n", indent, "findings", "", marks);
	fprintf(out, "%s%-14s %9s   %*s\n", indent, "", "", GRID,
		rep_fmt_rel(a, sizeof(a), c, rep_capture_end(c)));
	if (p->more_lanes)
		fprintf(out, "%s... and %" PRId64 " more ranges (the ones findings are about are "
			"shown first)\n", indent, p->more_lanes);
	fprintf(out, "%s(r R, w RW, x RX, ! RWX or WX, - no access, ? unknown; blank: not "
		"mapped;\n%s ^ a finding's first call, ~ on to its last)\n", indent, indent);
}

/* ------------------------------------------------------------------ */

static void summary(const struct rep_model *m, FILE *out)
{
	int64_t events = 0, lost = 0;
	char a[48], b[48];

	for (int i = 0; i < m->nr_captures; i++) {
		events += m->captures[i].events;
		lost += m->captures[i].lost;
	}
	fprintf(out, "maptrail report: ");
	put_safe(out, m->db_name, 0);
	fprintf(out, "\n\n");
	if (m->nr_captures == 1 && m->captures[0].has_span) {
		const struct rep_capture *c = &m->captures[0];

		fprintf(out, "  %-13s %s\n", "span", rep_fmt_dur(a, sizeof(a),
			c->last_ts - c->first_ts, c->ns));
	} else {
		fprintf(out, "  %-13s %d\n", "captures", m->nr_captures);
	}
	fprintf(out, "  %-13s %s\n", "events", rep_fmt_count(a, sizeof(a), events));
	fprintf(out, "  %-13s %s%s\n", "lost events", rep_fmt_count(a, sizeof(a), lost),
		lost ? "  (the capture is incomplete)" : "");
	if (m->has_findings) {
		fprintf(out, "  %-13s %" PRId64 " high, %" PRId64 " medium, %" PRId64 " low, %"
			PRId64 " info", "findings", m->by_rank[3], m->by_rank[2], m->by_rank[1],
			m->by_rank[0]);
		if (m->total_lowered)
			fprintf(out, " (%" PRId64 " lowered)", m->total_lowered);
		fputc('\n', out);
	}
	if (m->has_calls)
		fprintf(out, "  %-13s %s in %d process%s, %s failed\n", "memory calls",
			rep_fmt_count(a, sizeof(a), m->total_calls), m->nr_procs,
			m->nr_procs == 1 ? "" : "es", rep_fmt_count(b, sizeof(b), m->total_failures));
	for (int i = 0; i < m->nr_notes; i++) {
		fprintf(out, "  note: ");
		wrap(out, m->notes[i], 8, 8);
	}
}

static void kv(FILE *out, const char *key, const char *value)
{
	fprintf(out, "  %-10s ", key);
	wrap(out, value ? value : "-", 13, 13);
}

static void capture(const struct rep_capture *c, FILE *out)
{
	char a[64], b[64], line[256];
	bool any_lost = false;

	fprintf(out, "\nCapture %" PRId64 ": ", c->id);
	put_safe(out, c->path, 0);
	fputc('\n', out);
	kv(out, "SHA-256", c->sha256);
	kv(out, "host", c->host);
	kv(out, "kernel", c->uname);
	snprintf(line, sizeof(line), "%s%s", c->clock ? c->clock : "-",
		 c->ns ? " (ns)" : " (not ns: times are in clock ticks)");
	kv(out, "clock", line);
	snprintf(line, sizeof(line), "%" PRId64, c->cpus);
	kv(out, "CPUs", line);
	if (c->has_span) {
		snprintf(line, sizeof(line), "%" PRId64 " .. %" PRId64 " (%s)", c->first_ts,
			 c->last_ts, rep_fmt_dur(a, sizeof(a), c->last_ts - c->first_ts, c->ns));
		kv(out, "span", line);
	} else {
		kv(out, "span", "- (no events)");
	}
	kv(out, "events", rep_fmt_count(a, sizeof(a), c->events));
	snprintf(line, sizeof(line), "trace.dat v%" PRId64 ", %s, %s", c->file_version,
		 c->compression ? c->compression : "not compressed",
		 rep_fmt_bytes(b, sizeof(b), c->size));
	kv(out, "file", line);
	if (c->flight) {
		char *text = rep_flight_text(c);

		kv(out, "flight", text ? text : "out of memory");
		free(text);
	}

	fprintf(out, "\n  Completeness\n");
	snprintf(line, sizeof(line), "%s%s", rep_fmt_count(a, sizeof(a), c->lost),
		 c->lost_unknown ? " (and pages that lost an unknown number)" : "");
	fprintf(out, "    lost events: %s\n", line);
	for (int i = 0; i < c->nr_cpu; i++)
		any_lost |= c->cpu[i].lost || c->cpu[i].lost_unknown || c->cpu[i].overrun ||
			    c->cpu[i].commit_overrun || c->cpu[i].dropped;
	fprintf(out, "    %-18s %4s %10s %8s %9s %9s %9s\n", "buffer", "cpu", "events", "lost",
		"overrun", "c.overrun", "dropped");
	for (int i = 0; i < c->nr_cpu; i++) {
		const struct rep_cpu *p = &c->cpu[i];

		fputs("    ", out);
		put_field(out, *p->buffer ? p->buffer : "(top)", 18, false);
		fprintf(out, " %4d %10s %8s", p->cpu, rep_fmt_count(a, sizeof(a), p->events),
			rep_fmt_count(b, sizeof(b), p->lost));
		if (p->has_stats)
			fprintf(out, " %9" PRId64 " %9" PRId64 " %9" PRId64 "\n", p->overrun,
				p->commit_overrun, p->dropped);
		else
			fprintf(out, " %9s %9s %9s\n", "-", "-", "-");
	}
	if (!any_lost)
		fprintf(out, "    (no CPU lost events)\n");
	fprintf(out, "\n    %-18s %10s %10s %10s\n", "calls", "recorded", "no exit", "no entry");
	for (int i = 0; i < c->nr_unpaired; i++) {
		const struct rep_unpaired *u = &c->unpaired[i];

		fprintf(out, "    %-18s %10s %10" PRId64 " %10" PRId64 "\n", u->call,
			rep_fmt_count(a, sizeof(a), u->calls), u->no_exit, u->no_entry);
	}
	say(out, "    ", c->paired_say);

	fprintf(out, "\n  Recorder's plan\n");
	if (c->plan_say) {
		say(out, "    ", c->plan_say);
		return;
	}
	fprintf(out, "    ");
	wrap(out, c->plan_summary ? c->plan_summary : "-", 4, 6);
	for (int i = 0; i < c->nr_plan_backends; i++) {
		fputs("    ", out);
		put_field(out, c->plan_backends[i].what, 13, false);
		fputs(" ", out);
		wrap(out, c->plan_backends[i].events, 18, 18);
	}
	fprintf(out, "    could not hook:%s\n", c->nr_not_hooked ? "" : " nothing");
	for (int i = 0; i < c->nr_not_hooked; i++) {
		char *line;

		if (asprintf(&line, "%s: %s", c->not_hooked[i].events, c->not_hooked[i].what) < 0)
			continue;
		fprintf(out, "      - ");
		wrap(out, line, 8, 10);
		free(line);
	}
}

/* A group's heading: severity, title, how many, the detection and its MITRE references. */
static void finding_group(const struct rep_finding *f, int n, FILE *out)
{
	char sev[16], *line;

	snprintf(sev, sizeof(sev), "[%s]", rep_severity_name(f->rank));
	for (char *s = sev; *s; s++)
		*s = *s >= 'a' && *s <= 'z' ? *s - 32 : *s;
	if (asprintf(&line, "%s %s (%s): %" PRId64 " finding%s", sev, f->title ? f->title : "?",
		     f->detection ? f->detection : "?", f->group_total > n ? f->group_total : n,
		     (f->group_total > n ? f->group_total : n) == 1 ? "" : "s") < 0)
		return;
	fputc('\n', out);
	wrap(out, line, 0, 2);
	free(line);
	if (f->mitre) {
		fprintf(out, "  MITRE ATT&CK: ");
		wrap(out, f->mitre, 16, 16);
	}
}

/*
 * Who did it and how often, and why the severity is not the detection's own:
 * the executable (a payload named luajit is not /usr/bin/luajit), its parent
 * and command line, the calls behind the finding from first to last, the
 * rule that lowered it.  What the finding above (@prev, NULL: none) already
 * said of the same process is not said again.
 */
static void finding_context(const struct rep_finding *f, const struct rep_finding *prev, FILE *out)
{
	bool same = rep_same_process(f, prev);

	char a[64], b[64], c[64], *line;

	snprintf(c, sizeof(c), ", parent %" PRId64, f->ppid);
	if (asprintf(&line, "exe %s%s", f->exe ? f->exe : "unknown", f->has_ppid ? c : "") >= 0) {
		fputs("        ", out);
		wrap(out, line, 8, 12);
		free(line);
	}
	if (f->cmdline && !same) {
		fputs("        cmdline ", out);
		wrap(out, f->cmdline, 16, 16);
	}
	if (f->calls > 1 || (f->has_last_ts && f->has_ts && f->last_ts != f->ts)) {
		fprintf(out, "        %s call%s", rep_fmt_count(c, sizeof(c), f->calls),
			f->calls == 1 ? "" : "s");
		if (f->has_ts && f->has_last_ts)
			fprintf(out, ", first %s, last %s", rep_fmt_rel(a, sizeof(a), f->capture, f->ts),
				rep_fmt_rel(b, sizeof(b), f->capture, f->last_ts));
		fputc('\n', out);
	}
	if (f->lowered_by && same && prev->lowered_by && !strcmp(f->lowered_by, prev->lowered_by))
		fprintf(out, "        lowered from %s by the same rule\n",
			f->detection_severity ? f->detection_severity : "?");
	else if (f->lowered_by &&
	    asprintf(&line, "lowered from %s by %s", f->detection_severity ?
		     f->detection_severity : "?", f->lowered_by) >= 0) {
		fputs("        ", out);
		wrap(out, line, 8, 12);
		free(line);
	}
}

static void finding(const struct rep_finding *f, const struct rep_finding *prev, FILE *out)
{
	char a[64], b[64], line[512];

	fprintf(out, "  #%-4" PRId64 " ", f->id);
	if (f->has_ts)
		fprintf(out, "%s (ts %" PRId64 ")", rep_fmt_rel(a, sizeof(a), f->capture, f->ts), f->ts);
	if (f->has_pid)
		fprintf(out, ", pid %" PRId64, f->pid);
	if (f->comm) {
		fputs(" (", out);
		put_safe(out, f->comm, 64);
		fputc(')', out);
	}
	if (f->has_tid && (!f->has_pid || f->tid != f->pid))
		fprintf(out, ", thread %" PRId64, f->tid);
	if (f->froze)
		fputs("  <== the call that froze the flight recorder", out);
	fputc('\n', out);
	finding_context(f, prev, out);
	if (f->has_addr) {
		snprintf(line, sizeof(line), "at %s%s%s: %s", rep_fmt_hex(a, sizeof(a), f->addr),
			 f->has_len ? ", " : "", f->has_len ? rep_fmt_bytes(b, sizeof(b), f->len) : "",
			 f->summary ? f->summary : "");
		fputs("        ", out);
		wrap(out, line, 8, 10);
	} else if (f->summary) {
		fputs("        ", out);
		wrap(out, f->summary, 8, 10);
	}
	for (int i = 0; i < f->nr_ev; i++) {
		const struct rep_evidence *e = &f->ev[i];
		char *ev;

		if (!e->found) {
			fprintf(out, "        <- %s #%" PRId64 " (not in the database)\n", e->call,
				e->call_id);
			continue;
		}
		if (asprintf(&ev, "<- %s #%" PRId64 " %s tid %" PRId64 ": %s -> %s", e->call,
			     e->call_id, rep_fmt_rel(a, sizeof(a), f->capture, e->ts), e->tid,
			     e->args ? e->args : "", e->err ? e->err : e->ret ? e->ret : "(no exit)") < 0)
			continue;
		fputs("        ", out);
		wrap(out, ev, 8, 13);
		free(ev);
	}
	if (f->more_ev)
		fprintf(out, "        <- ... and %" PRId64 " more calls\n", f->more_ev);
}

static void findings(const struct rep_model *m, FILE *out)
{
	char *intro;

	heading(out, "1. Findings", '-');
	if (m->findings_say) {
		say(out, "", m->findings_say);
		return;
	}
	if (asprintf(&intro, "%" PRId64 " findings in %d groups (a detection at a severity), most "
		     "severe first; each with the calls it rests on (<-). lowered: findings a known "
		     "runtime or a baseline lowered (maptrail-analyze(1)).", m->total_findings,
		     m->nr_detections) >= 0) {
		wrap(out, intro, 0, 0);
		free(intro);
	}
	fputc('\n', out);
	fprintf(out, "%-8s %8s %9s %9s %7s  %s\n", "severity", "findings", "calls", "processes",
		"lowered", "detection: title");
	for (int i = 0; i < m->nr_detections; i++) {
		const struct rep_detection *d = &m->detections[i];
		char *line, a[32];

		if (asprintf(&line, "%s: %s", d->detection ? d->detection : "?",
			     d->title ? d->title : "") < 0)
			continue;
		fprintf(out, "%-8s %8" PRId64 " %9s %9" PRId64 " %7" PRId64 "  ",
			rep_severity_name(d->rank), d->count, rep_fmt_count(a, sizeof(a), d->calls),
			d->processes, d->lowered);
		wrap(out, line, 48, 48);
		free(line);
	}
	for (int i = 0, end; i < m->nr_findings; i = end) {
		int64_t more;

		end = rep_group_end(m, i);
		finding_group(&m->findings[i], end - i, out);
		for (int j = i; j < end; j++)
			finding(&m->findings[j], j > i ? &m->findings[j - 1] : NULL, out);
		more = rep_group_more(&m->findings[i], end - i);
		if (more && asprintf(&intro, "... and %" PRId64 " more %s %s findings (all of them: "
				     "maptrail query DB findings)", more,
				     rep_severity_name(m->findings[i].rank),
				     m->findings[i].detection ? m->findings[i].detection : "?") >= 0) {
			fputs("  ", out);
			wrap(out, intro, 2, 6);
			free(intro);
		}
	}
}

static void processes(const struct rep_model *m, FILE *out)
{
	int shown = m->nr_procs < REP_MAX_PROCESSES ? m->nr_procs : REP_MAX_PROCESSES;
	char a[48], b[48], c[48], d[48];
	bool cut = false;

	heading(out, "2. Processes", '-');
	if (m->procs_say) {
		say(out, "", m->procs_say);
		return;
	}
	fprintf(out, "%-7s %-15s %9s %7s %10s %10s %8s  %s\n", "pid", "comm", "calls", "failed",
		"mapped", "exec", "findings", "first call .. last");
	for (int i = 0; i < shown; i++) {
		const struct rep_process *p = &m->procs[i];
		char when[100] = "-";

		if (p->total && p->capture)
			snprintf(when, sizeof(when), "%s .. %s", rep_fmt_rel(c, sizeof(c), p->capture,
				 p->first_ts), rep_fmt_rel(d, sizeof(d), p->capture, p->last_ts));
		fprintf(out, "%-7s ", rep_fmt_pid(c, sizeof(c), m, p));
		put_field(out, p->comm, 15, false);
		fprintf(out, " %9s %7" PRId64 " %10s ", rep_fmt_count(a, sizeof(a), p->total),
			p->failures, rep_fmt_bytes(b, sizeof(b), p->bytes_mapped));
		fprintf(out, "%10s %8d  %s\n", rep_fmt_bytes(a, sizeof(a), p->exec_bytes),
			p->nr_findings, when);
	}
	if (m->nr_procs > shown)
		fprintf(out, "... and %d more processes\n", m->nr_procs - shown);
	fprintf(out, "(mapped: bytes of successful mmap/mmap2; exec: bytes mapped or made executable%s)\n",
		m->nr_captures > 1 ? "; pid: capture:pid" : "");
	/* Who they are, where the capture tells: the recorder's snapshots, the execs. */
	for (int i = 0, head = 0; i < shown; i++) {
		const struct rep_process *p = &m->procs[i];

		if (!p->exe && !p->cmdline)
			continue;
		if (!head++)
			fprintf(out, "\n%-7s %s\n", "pid", "executable [command line]");
		fprintf(out, "%-7s ", rep_fmt_pid(c, sizeof(c), m, p));
		put_safe(out, p->exe ? p->exe : "?", 200);
		if (p->cmdline) {
			fputs(" [", out);
			put_safe(out, p->cmdline, 200);
			fputc(']', out);
		}
		fputc('\n', out);
	}

	fprintf(out, "\nCalls per type\n%-7s %-15s", "pid", "comm");
	for (int j = 0; j < m->nr_calls; j++) {
		fputc(' ', out);
		put_field(out, m->calls[j], 8, true);
		cut |= strlen(m->calls[j]) > 8;
	}
	fputc('\n', out);
	for (int i = 0; i < shown; i++) {
		const struct rep_process *p = &m->procs[i];

		fprintf(out, "%-7s ", rep_fmt_pid(a, sizeof(a), m, p));
		put_field(out, p->comm, 15, false);
		for (int j = 0; j < m->nr_calls; j++)
			fprintf(out, " %8" PRId64, p->calls[j]);
		fputc('\n', out);
	}
	if (cut) {
		fprintf(out, "(");
		for (int j = 0, n = 0; j < m->nr_calls; j++)
			if (strlen(m->calls[j]) > 8)
				fprintf(out, "%s%.8s: %s", n++ ? ", " : "", m->calls[j], m->calls[j]);
		fprintf(out, ")\n");
	}
}

static void pictures(const struct rep_model *m, FILE *out)
{
	heading(out, "3. Calls over time", '-');
	if (m->chart_say)
		say(out, "", m->chart_say);
	else
		rep_ascii_calls(m, out, "");
	if (m->nr_procs > REP_MAX_CHARTS && m->total_calls)
		fprintf(out, "... and %d more processes\n", m->nr_procs - REP_MAX_CHARTS);

	heading(out, "4. Address-space timelines of the processes with findings", '-');
	if (m->timelines_say) {
		say(out, "", m->timelines_say);
		return;
	}
	for (int i = 0; i < m->nr_procs; i++) {
		const struct rep_process *p = &m->procs[i];
		char a[48];

		if (!p->timeline)
			continue;
		fprintf(out, "\npid %s (", rep_fmt_pid(a, sizeof(a), m, p));
		put_safe(out, p->comm, 64);
		fprintf(out, "): %d findings, %d address ranges%s\n", p->nr_findings,
			p->nr_lanes + (int)p->more_lanes, p->nr_lanes ? "" : " (no history)");
		if (p->nr_lanes)
			rep_ascii_timeline(m, p, out, "  ");
	}
	if (m->more_timelines)
		fprintf(out, "\n... and %" PRId64 " more processes with findings\n",
			m->more_timelines);
}

int rep_write_text(const struct rep_model *m, FILE *out)
{
	/* what a person needs first: the findings, who made them; the capture's details last */
	summary(m, out);
	findings(m, out);
	processes(m, out);
	pictures(m, out);
	heading(out, "5. What was captured", '-');
	for (int i = 0; i < m->nr_captures; i++)
		capture(&m->captures[i], out);
	return 0;
}
