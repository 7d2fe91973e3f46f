// SPDX-License-Identifier: MIT
/*
 * The report as one self-contained HTML page: inline CSS and SVG, no script,
 * nothing fetched (no font, image or link outside the page), so it opens the
 * same on an air-gapped analyst machine and can be attached to a case file.
 * Every string from the database goes through rep_html_escape().
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-model.h"

static const char css[] =
	":root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:#eef1f4;color:var(--fg);"
	"font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}\n"
	"main{max-width:1200px;margin:0 auto;padding:28px 36px 56px;background:#fff;"
	"min-height:100vh}\n"
	"h1{font-size:26px;margin:0}\n"
	"h2{font-size:20px;margin:40px 0 12px;padding-bottom:6px;border-bottom:2px solid var(--line)}\n"
	"h3{font-size:16px;margin:22px 0 8px}\n"
	".sub{color:var(--muted);margin:2px 0 0}\n"
	"nav{margin:14px 0 0;font-size:14px}nav a{margin-right:16px;color:#0969da;"
	"text-decoration:none}\n"
	".cards{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin:20px 0 8px}\n"
	".cards .wide{grid-column:span 2}\n"
	"@media (max-width:900px){.cards{grid-template-columns:repeat(2,1fr)}}\n"
	".card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;"
	"background:var(--soft)}\n"
	".card .k{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}\n"
	".card .v{font-size:22px;font-weight:650;white-space:nowrap}\n"
	".card .d{font-size:13px;color:var(--muted)}\n"
	".card.bad{border-color:#f97066;background:#fef3f2}.card.good{border-color:#75e0a7;"
	"background:#f6fef9}\n"
	".badge{display:inline-block;min-width:58px;text-align:center;padding:1px 8px;"
	"border-radius:10px;font-size:12px;font-weight:700;color:#fff;text-transform:uppercase;"
	"vertical-align:2px}\n"
	".badge.high{background:#d92d20}.badge.medium{background:#e8710a}"
	".badge.low{background:#eaaa08;color:#1f2328}.badge.info{background:#2e90fa}\n"
	".sevs{display:flex;flex-wrap:wrap;gap:4px 12px}.sevs>span{white-space:nowrap}"
	".sevs .badge{min-width:0;margin-right:3px}\n"
	"table{border-collapse:collapse;margin:6px 0 14px;font-size:14px}\n"
	"th,td{padding:4px 10px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}\n"
	"thead th{background:var(--soft);font-weight:600;border-bottom:1px solid var(--line)}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.n,td.t{white-space:nowrap}.scroll{overflow-x:auto}\n"
	"table.procs{font-size:13px}table.procs th,table.procs td{padding:4px 6px}"
	"table.procs th.c{font-size:12px;font-weight:500}\n"
	"tbody tr:nth-child(even) td{background:#fafbfc}\n"
	"table.kv th{background:none;color:var(--muted);font-weight:500;padding-right:18px;"
	"border:none;white-space:nowrap}table.kv td{border:none}\n"
	"table.kv tbody tr:nth-child(even) td{background:none}\n"
	"code,.mono{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:13px}\n"
	".capture{border:1px solid var(--line);border-radius:8px;padding:6px 18px 10px;"
	"margin:14px 0}\n"
	".cols{display:flex;flex-wrap:wrap;gap:8px 36px}\n"
	".finding{border:1px solid var(--line);border-left:6px solid #8c959f;border-radius:6px;"
	"padding:10px 16px 6px;margin:14px 0}\n"
	".finding.high{border-left-color:#d92d20}.finding.medium{border-left-color:#e8710a}"
	".finding.low{border-left-color:#eaaa08}.finding.info{border-left-color:#2e90fa}\n"
	".finding h3{margin:2px 0 2px}.finding .id{color:var(--muted);font-weight:400}\n"
	".finding .meta{margin:0 0 6px;font-size:13px;color:var(--muted)}\n"
	"table.fl{width:100%;font-size:13.5px}table.fl td{padding:6px 8px}\n"
	".ev{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px;margin-top:3px;"
	"padding-left:14px;text-indent:-14px;overflow-wrap:anywhere}\n"
	".ev .call{font-weight:600}.ev:before{content:'\\2190  ';color:var(--muted)}\n"
	".small{font-size:12px}\n"
	".lowered{font-size:12px;margin-top:4px;color:var(--muted);overflow-wrap:anywhere}\n"
	".lowered .badge{min-width:0;font-size:11px}\n"
	"td.t .exe,td.t .cmd{display:block;white-space:normal;overflow-wrap:anywhere;"
	"max-width:300px}\n"
	".note{background:#fffaeb;border:1px solid #fedf89;border-radius:6px;padding:8px 12px;"
	"margin:10px 0}\n"
	".ok{color:#067647}.warn{color:#b42318;font-weight:600}.muted{color:var(--muted)}\n"
	".legend{font-size:13px;margin:6px 0 10px}.legend span{margin-right:16px;white-space:nowrap}\n"
	".legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;"
	"vertical-align:-1px;border:1px solid rgba(0,0,0,.15)}\n"
	".legend i.mark{border:none;border-left:2px dashed #d92d20;width:2px;border-radius:0}\n"
	"figure{margin:10px 0 22px}figcaption{font-weight:600;margin-bottom:2px}\n"
	"figcaption .muted{font-weight:400}\n"
	"svg{display:block;max-width:100%;height:auto}\n"
	"details{margin:6px 0}details pre{max-height:420px;overflow:auto;background:var(--soft);"
	"padding:10px;font-size:12px;border-radius:6px}\n"
	"footer{margin-top:40px;font-size:13px;color:var(--muted)}\n";

#define esc rep_html_escape

/* What the model says instead of a section's content, styled by its tone. */
static void say(FILE *out, enum rep_say what)
{
	static const char *const tone_class[] = {
		[REP_TONE_PLAIN] = "", [REP_TONE_OK] = " class=\"ok\"",
		[REP_TONE_MUTED] = " class=\"muted\"",
	};
	const struct rep_statement *st = rep_statement(what);

	fprintf(out, "<p%s>", tone_class[st->tone]);
	esc(out, st->sentence);
	fputs("</p>\n", out);
}

static void num(FILE *out, int64_t v)
{
	char a[48];

	fputs(rep_fmt_count(a, sizeof(a), v), out);
}

static void card(FILE *out, const char *cls, const char *key, const char *value,
		 const char *detail)
{
	fprintf(out, "<div class=\"card%s%s\"><div class=\"k\">%s</div><div class=\"v\">", *cls ?
		" " : "", cls, key);
	esc(out, value);
	fputs("</div>", out);
	if (detail) {
		fputs("<div class=\"d\">", out);
		esc(out, detail);
		fputs("</div>", out);
	}
	fputs("</div>\n", out);
}

static void summary(const struct rep_model *m, FILE *out)
{
	int64_t events = 0, lost = 0, lost_unknown = 0;
	char a[64], b[96];

	for (int i = 0; i < m->nr_captures; i++) {
		events += m->captures[i].events;
		lost += m->captures[i].lost;
		lost_unknown += m->captures[i].lost_unknown;
	}
	fputs("<section class=\"cards\" id=\"summary\">\n", out);
	if (m->nr_captures == 1 && m->captures[0].has_span) {
		const struct rep_capture *c = &m->captures[0];

		snprintf(b, sizeof(b), "clock %s", c->clock ? c->clock : "?");
		card(out, "", "span", rep_fmt_dur(a, sizeof(a), c->last_ts - c->first_ts, c->ns), b);
	} else {
		snprintf(a, sizeof(a), "%d", m->nr_captures);
		card(out, "", "captures", a, NULL);
	}
	card(out, "", "events", rep_fmt_count(a, sizeof(a), events), NULL);
	card(out, lost || lost_unknown ? "bad" : "good", "lost events",
	     rep_fmt_count(a, sizeof(a), lost), lost || lost_unknown ? "the capture is incomplete" :
	     "none: the capture is complete");
	if (m->has_calls) {
		snprintf(b, sizeof(b), "%s failed, %d process%s",
			 rep_fmt_count(a, sizeof(a), m->total_failures), m->nr_procs,
			 m->nr_procs == 1 ? "" : "es");
		card(out, "", "memory calls", rep_fmt_count(a, sizeof(a), m->total_calls), b);
	}
	if (m->has_findings) {
		fprintf(out, "<div class=\"card wide%s\"><div class=\"k\">"
			"findings</div><div class=\"v\">%" PRId64 "</div><div class=\"sevs\">",
			m->by_rank[3] ? " bad" : m->total_findings ? "" : " good", m->total_findings);
		for (int r = 3; r >= 0; r--)
			fprintf(out, "<span><span class=\"badge %s\">%s</span> %" PRId64 "</span>",
				rep_severity_name(r), rep_severity_name(r), m->by_rank[r]);
		fputs("</div>", out);
		if (m->total_lowered)
			fprintf(out, "<div class=\"d\">%" PRId64 " lowered by known runtimes or "
				"baselines</div>", m->total_lowered);
		fputs("</div>\n", out);
	}
	fputs("</section>\n", out);
	for (int i = 0; i < m->nr_notes; i++) {
		fputs("<p class=\"note\">", out);
		esc(out, m->notes[i]);
		fputs("</p>\n", out);
	}
}

static void kv_row(FILE *out, const char *key, const char *value, bool mono)
{
	fprintf(out, "<tr><th>%s</th><td%s>", key, mono ? " class=\"mono\"" : "");
	esc(out, value ? value : "-");
	fputs("</td></tr>\n", out);
}

/* The plan's prose whole, folded away. */
static void full_plan(const struct rep_capture *c, FILE *out)
{
	fputs("<details><summary>The full plan</summary><pre>", out);
	esc(out, c->plan);
	fputs("</pre></details>\n", out);
}

static void capture_plan(const struct rep_capture *c, FILE *out)
{
	fputs("<h3>The recorder's plan</h3>\n", out);
	if (c->plan_say) {
		say(out, c->plan_say);
		if (c->plan)
			full_plan(c, out);	/* an older recorder's prose, as it is */
		return;
	}
	fputs("<p>", out);
	esc(out, c->plan_summary ? c->plan_summary : "");
	fputs("</p>\n", out);
	if (c->nr_plan_backends) {
		fputs("<table><thead><tr><th>recorded with</th><th>events</th></tr></thead><tbody>\n",
		      out);
		for (int i = 0; i < c->nr_plan_backends; i++) {
			const struct rep_event_group *g = &c->plan_backends[i];

			fprintf(out, "<tr><td%s>", strchr(g->what, ' ') ? " class=\"warn\"" : "");
			esc(out, g->what);
			fputs("</td><td class=\"mono\">", out);
			esc(out, g->events);
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody></table>\n", out);
	}
	if (c->nr_not_hooked) {
		fputs("<p><b>What it could not hook:</b></p><ul>\n", out);
		for (int i = 0; i < c->nr_not_hooked; i++) {
			fputs("<li><b>", out);
			esc(out, c->not_hooked[i].events);
			fputs("</b>: ", out);
			esc(out, c->not_hooked[i].what);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	} else {
		say(out, c->hooked_say);
	}
	full_plan(c, out);
}

static void capture(const struct rep_capture *c, FILE *out)
{
	char a[64], b[64], line[256];
	bool any_lost = false;

	fprintf(out, "<div class=\"capture\"><h3>Capture %" PRId64 ": <span class=\"mono\">", c->id);
	esc(out, c->path);
	fputs("</span></h3>\n<table class=\"kv\"><tbody>\n", out);
	kv_row(out, "SHA-256", c->sha256, true);
	kv_row(out, "host", c->host, false);
	kv_row(out, "kernel", c->uname, false);
	snprintf(line, sizeof(line), "%s%s", c->clock ? c->clock : "-",
		 c->ns ? " (nanoseconds)" : " (times are in clock ticks, not ns)");
	kv_row(out, "clock", line, false);
	snprintf(line, sizeof(line), "%" PRId64, c->cpus);
	kv_row(out, "CPUs", line, false);
	if (c->has_span) {
		snprintf(line, sizeof(line), "%s (from ts %" PRId64 " to %" PRId64 ")",
			 rep_fmt_dur(a, sizeof(a), c->last_ts - c->first_ts, c->ns), c->first_ts,
			 c->last_ts);
		kv_row(out, "span", line, false);
	} else {
		kv_row(out, "span", "no events", false);
	}
	kv_row(out, "events", rep_fmt_count(a, sizeof(a), c->events), false);
	snprintf(line, sizeof(line), "trace.dat v%" PRId64 ", %s, %s", c->file_version,
		 c->compression ? c->compression : "not compressed",
		 rep_fmt_bytes(b, sizeof(b), c->size));
	kv_row(out, "file", line, false);
	if (c->flight) {
		char *text = rep_flight_text(c);

		kv_row(out, "flight", text ? text : "out of memory", false);
		free(text);
	}
	if (c->analyzed_at) {
		snprintf(line, sizeof(line), "%s by maptrail %s", c->analyzed_at,
			 c->version ? c->version : "?");
		kv_row(out, "analyzed", line, false);
	}
	fputs("</tbody></table>\n", out);

	fputs("<h3>Completeness</h3>\n", out);
	for (int i = 0; i < c->nr_cpu; i++)
		any_lost |= c->cpu[i].lost || c->cpu[i].lost_unknown || c->cpu[i].overrun ||
			    c->cpu[i].commit_overrun || c->cpu[i].dropped;
	if (c->lost || c->lost_unknown || any_lost) {
		fputs("<p class=\"warn\">", out);
		num(out, c->lost);
		fprintf(out, " events lost%s: what the history shows may be missing calls.</p>\n",
			c->lost_unknown ? " (and pages that lost an unknown number)" : "");
	} else {
		fputs("<p class=\"ok\">No event lost.</p>\n", out);
	}
	fputs("<div class=\"cols\"><div>\n<table><thead><tr><th>buffer</th><th class=\"n\">CPU</th>"
	      "<th class=\"n\">events</th><th class=\"n\">lost</th><th class=\"n\">overrun</th>"
	      "<th class=\"n\">commit overrun</th><th class=\"n\">dropped</th></tr></thead><tbody>\n",
	      out);
	for (int i = 0; i < c->nr_cpu; i++) {
		const struct rep_cpu *p = &c->cpu[i];

		fputs("<tr><td class=\"mono\">", out);
		esc(out, *p->buffer ? p->buffer : "(top)");
		fprintf(out, "</td><td class=\"n\">%d</td><td class=\"n\">", p->cpu);
		num(out, p->events);
		fprintf(out, "</td><td class=\"n%s\">", p->lost || p->lost_unknown ? " warn" : "");
		num(out, p->lost);
		if (p->lost_unknown)
			fputs(" + ?", out);
		if (p->has_stats)
			fprintf(out, "</td><td class=\"n%s\">%" PRId64 "</td><td class=\"n%s\">%" PRId64
				"</td><td class=\"n%s\">%" PRId64 "</td></tr>\n",
				p->overrun ? " warn" : "", p->overrun,
				p->commit_overrun ? " warn" : "", p->commit_overrun,
				p->dropped ? " warn" : "", p->dropped);
		else
			fputs("</td><td class=\"n\">-</td><td class=\"n\">-</td><td class=\"n\">-</td>"
			      "</tr>\n", out);
	}
	fputs("</tbody></table></div><div>\n<table><thead><tr><th>call</th><th class=\"n\">recorded"
	      "</th><th class=\"n\">no exit</th><th class=\"n\">no entry</th></tr></thead><tbody>\n",
	      out);
	for (int i = 0; i < c->nr_unpaired; i++) {
		const struct rep_unpaired *u = &c->unpaired[i];

		fputs("<tr><td class=\"mono\">", out);
		esc(out, u->call);
		fputs("</td><td class=\"n\">", out);
		num(out, u->calls);
		fprintf(out, "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64
			"</td></tr>\n", u->no_exit, u->no_entry);
	}
	fprintf(out, "</tbody></table><p class=\"muted\" style=\"font-size:13px;max-width:420px\">"
		"%s</p></div></div>\n", rep_statement(c->paired_say)->sentence);
	capture_plan(c, out);
	fputs("</div>\n", out);
}

/* The findings [@f, @f + @n) of one detection at one severity: one box, one row each. */
static void finding_group(const struct rep_finding *f, int n, FILE *out)
{
	const char *sev = rep_severity_name(f->rank);
	int64_t all = f->group_total > n ? f->group_total : n;

	fprintf(out, "<div class=\"finding %s\">\n<h3><span class=\"badge %s\">%s</span> ", sev, sev,
		sev);
	esc(out, f->title ? f->title : f->detection);
	fprintf(out, " <span class=\"id\">%" PRId64 " finding%s</span></h3>\n<p class=\"meta\">"
		"detection <span class=\"mono\">", all, all == 1 ? "" : "s");
	esc(out, f->detection);
	fputs("</span>", out);
	if (f->mitre) {
		fputs(" &middot; MITRE ATT&amp;CK ", out);
		esc(out, f->mitre);
	}
	fputs("</p>\n<table class=\"fl\"><thead><tr><th class=\"n\">#</th><th>when</th>"
	      "<th>process</th><th>where</th><th>what, and the calls it rests on</th></tr></thead>"
	      "<tbody>\n", out);
}

/* The process's executable, parent, command line; the calls; why it was lowered. */
static void finding_context(const struct rep_finding *f, const struct rep_finding *prev, FILE *out)
{
	bool same = rep_same_process(f, prev);
	char a[64], b[64];

	fputs("<span class=\"mono small exe\">", out);
	esc(out, f->exe ? f->exe : "exe unknown");
	fputs("</span>", out);
	if (f->has_ppid)
		fprintf(out, "<span class=\"muted small cmd\">parent %" PRId64 "</span>", f->ppid);
	if (f->cmdline && !same) {
		fputs("<span class=\"muted small mono cmd\">", out);
		esc(out, f->cmdline);
		fputs("</span>", out);
	}
	if (f->calls > 1 || (f->has_last_ts && f->has_ts && f->last_ts != f->ts)) {
		fprintf(out, "<span class=\"small cmd\">%s call%s", rep_fmt_count(a, sizeof(a),
			f->calls), f->calls == 1 ? "" : "s");
		if (f->has_ts && f->has_last_ts)
			fprintf(out, ", %s to %s", rep_fmt_rel(a, sizeof(a), f->capture, f->ts),
				rep_fmt_rel(b, sizeof(b), f->capture, f->last_ts));
		fputs("</span>", out);
	}
}

static void finding(const struct rep_finding *f, const struct rep_finding *prev, FILE *out)
{
	char a[64], b[64];

	fprintf(out, "<tr id=\"f%" PRId64 "\"><td class=\"n\">%" PRId64 "</td><td class=\"t\">",
		f->id, f->id);
	if (f->has_ts)
		fprintf(out, "%s<br><span class=\"muted small\">ts %" PRId64 "</span>",
			rep_fmt_rel(a, sizeof(a), f->capture, f->ts), f->ts);
	fputs("</td><td class=\"t\">", out);
	if (f->has_pid)
		fprintf(out, "%" PRId64, f->pid);
	if (f->comm) {
		fputs(" <b>", out);
		esc(out, f->comm);
		fputs("</b>", out);
	}
	if (f->has_tid && (!f->has_pid || f->tid != f->pid))
		fprintf(out, "<br><span class=\"muted small\">thread %" PRId64 "</span>", f->tid);
	finding_context(f, prev, out);
	fputs("</td><td class=\"t mono\">", out);
	if (f->has_addr)
		fprintf(out, "%s%s%s", rep_fmt_hex(a, sizeof(a), f->addr), f->has_len ? "<br>" : "",
			f->has_len ? rep_fmt_bytes(b, sizeof(b), f->len) : "");
	fputs("</td><td>", out);
	if (f->froze)
		fputs("<b class=\"warn\">The call that froze the flight recorder.</b> ", out);
	esc(out, f->summary);
	if (f->lowered_by) {
		fputs("<div class=\"lowered\">lowered from <span class=\"badge ", out);
		esc(out, f->detection_severity ? f->detection_severity : "info");
		fputs("\">", out);
		esc(out, f->detection_severity ? f->detection_severity : "?");
		fputs("</span> by <span class=\"mono\">", out);
		esc(out, f->lowered_by);
		fputs("</span></div>\n", out);
	}
	for (int i = 0; i < f->nr_ev; i++) {
		const struct rep_evidence *e = &f->ev[i];

		fputs("<div class=\"ev\"><span class=\"call\">", out);
		esc(out, e->call);
		fprintf(out, " #%" PRId64 "</span> ", e->call_id);
		if (!e->found) {
			fputs("<span class=\"muted\">not in the database</span></div>\n", out);
			continue;
		}
		fprintf(out, "<span class=\"muted\">%s tid %" PRId64 "</span> ",
			rep_fmt_rel(a, sizeof(a), f->capture, e->ts), e->tid);
		esc(out, e->args);
		fprintf(out, " &rarr; <span class=\"%s\">", e->err ? "warn" : "ret");
		esc(out, e->err ? e->err : e->ret ? e->ret : "(no exit)");
		fputs("</span></div>\n", out);
	}
	if (f->more_ev)
		fprintf(out, "<div class=\"ev muted\">... and %" PRId64 " more calls</div>\n",
			f->more_ev);
	fputs("</td></tr>\n", out);
}

static void findings(const struct rep_model *m, FILE *out)
{
	fputs("<h2 id=\"findings\">1. Findings</h2>\n", out);
	if (m->findings_say) {
		say(out, m->findings_say);
		return;
	}
	fprintf(out, "<p>%" PRId64 " findings in %d groups (a detection at a severity). At a glance "
		"(lowered: by a known runtime or a baseline, see maptrail-analyze(1)):</p>\n"
		"<table class=\"glance\"><thead><tr><th>severity</th><th>detection</th>"
		"<th class=\"n\">findings</th><th class=\"n\">calls</th><th class=\"n\">processes"
		"</th><th class=\"n\">lowered</th><th>first</th></tr></thead><tbody>\n",
		m->total_findings, m->nr_detections);
	for (int i = 0; i < m->nr_detections; i++) {
		const struct rep_detection *d = &m->detections[i];

		fprintf(out, "<tr><td><span class=\"badge %s\">%s</span></td><td>",
			rep_severity_name(d->rank), rep_severity_name(d->rank));
		esc(out, d->title);
		fputs(" <span class=\"mono muted\">", out);
		esc(out, d->detection);
		fprintf(out, "</span></td><td class=\"n\">%" PRId64 "</td><td class=\"n\">", d->count);
		num(out, d->calls);
		fprintf(out, "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64
			"</td><td>", d->processes, d->lowered);
		if (d->first_id)
			fprintf(out, "<a href=\"#f%" PRId64 "\">#%" PRId64 "</a>", d->first_id,
				d->first_id);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n<p>Each group, most severe first, its findings with the calls they "
	      "rest on (&larr;):</p>\n", out);
	for (int i = 0, end; i < m->nr_findings; i = end) {
		int64_t more;

		end = rep_group_end(m, i);
		finding_group(&m->findings[i], end - i, out);
		for (int j = i; j < end; j++)
			finding(&m->findings[j], j > i ? &m->findings[j - 1] : NULL, out);
		fputs("</tbody></table>\n", out);
		more = rep_group_more(&m->findings[i], end - i);
		if (more) {
			fprintf(out, "<p class=\"note more\">... and %" PRId64 " more %s <span class="
				"\"mono\">", more, rep_severity_name(m->findings[i].rank));
			esc(out, m->findings[i].detection);
			fputs("</span> findings: <code>maptrail query DB findings</code> lists them "
			      "all.</p>\n", out);
		}
		fputs("</div>\n", out);
	}
}

/* A call table's name in a table header, breakable after its underscores. */
static void call_header(FILE *out, const char *call)
{
	for (const char *s = call; *s; s++) {
		char one[2] = { *s, 0 };

		esc(out, one);
		if (*s == '_')
			fputs("<wbr>", out);
	}
}

static void processes(const struct rep_model *m, FILE *out)
{
	int shown = m->nr_procs < REP_MAX_PROCESSES ? m->nr_procs : REP_MAX_PROCESSES;
	char a[48], b[48];

	fputs("<h2 id=\"processes\">2. Processes</h2>\n", out);
	if (m->procs_say) {
		say(out, m->procs_say);
		return;
	}
	fputs("<p class=\"muted\">Processes with findings first, then by number of calls. "
	      "<i>Mapped</i>: bytes of successful mmap/mmap2; <i>exec</i>: bytes mapped or made "
	      "executable.</p>\n<div class=\"scroll\"><table class=\"procs\"><thead><tr><th class=\"n\">pid</th>"
	      "<th>comm</th><th>findings</th><th class=\"n\">calls</th><th class=\"n\">failed</th>"
	      "<th class=\"n\">mapped</th><th class=\"n\">exec</th>", out);
	/* the per-call columns make it wide: it scrolls rather than squeezes */
	for (int j = 0; j < m->nr_calls; j++) {
		fputs("<th class=\"n c\">", out);
		call_header(out, m->calls[j]);
		fputs("</th>", out);
	}
	fputs("<th>calls from .. to</th></tr></thead><tbody>\n", out);
	for (int i = 0; i < shown; i++) {
		const struct rep_process *p = &m->procs[i];

		fprintf(out, "<tr data-capture=\"%" PRId64 "\" data-pid=\"%" PRId64 "\"><td class=\"n\">"
			"%s</td><td><b>", p->capture_id, p->pid, rep_fmt_pid(a, sizeof(a), m, p));
		esc(out, p->comm ? p->comm : "?");
		fputs("</b></td><td class=\"t\">", out);
		if (p->max_rank >= 0)
			fprintf(out, "<span class=\"badge %s\">%s</span> %d", rep_severity_name(
				p->max_rank), rep_severity_name(p->max_rank), p->nr_findings);
		fputs("</td><td class=\"n\">", out);
		num(out, p->total);
		fprintf(out, "</td><td class=\"n%s\">", p->failures ? " warn" : "");
		num(out, p->failures);
		fprintf(out, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>",
			rep_fmt_bytes(a, sizeof(a), p->bytes_mapped),
			rep_fmt_bytes(b, sizeof(b), p->exec_bytes));
		for (int j = 0; j < m->nr_calls; j++)
			fprintf(out, "<td class=\"n%s\">%" PRId64 "</td>", p->calls[j] ? "" : " muted",
				p->calls[j]);
		if (p->total && p->capture)
			fprintf(out, "<td class=\"t\">%s .. %s</td></tr>\n", rep_fmt_rel(a, sizeof(a), p->capture,
				p->first_ts), rep_fmt_rel(b, sizeof(b), p->capture, p->last_ts));
		else
			fputs("<td>-</td></tr>\n", out);
	}
	fputs("</tbody></table></div>\n", out);
	if (m->nr_procs > shown)
		fprintf(out, "<p class=\"muted\">... and %d more processes.</p>\n", m->nr_procs - shown);
	/* Who they are, where the capture tells: the recorder's snapshots, the execs. */
	int head = 0;

	for (int i = 0; i < shown; i++) {
		const struct rep_process *p = &m->procs[i];

		if (!p->exe && !p->cmdline)
			continue;
		if (!head++)
			fputs("<table class=\"who\"><thead><tr><th class=\"n\">pid</th><th>executable"
			      "</th><th>command line</th></tr></thead><tbody>\n", out);
		fprintf(out, "<tr><td class=\"n\">%s</td><td><code>", rep_fmt_pid(a, sizeof(a), m, p));
		esc(out, p->exe ? p->exe : "?");
		fputs("</code></td><td><code>", out);
		esc(out, p->cmdline ? p->cmdline : "");
		fputs("</code></td></tr>\n", out);
	}
	if (head)
		fputs("</tbody></table>\n", out);
}

static void process_caption(const struct rep_model *m, const struct rep_process *p, FILE *out,
			    const char *what)
{
	char a[48];

	fprintf(out, "<figcaption>pid %s ", rep_fmt_pid(a, sizeof(a), m, p));
	esc(out, p->comm ? p->comm : "?");
	fputs(" <span class=\"muted\">", out);
	esc(out, what);
	fputs("</span></figcaption>\n", out);
}

static void pictures(const struct rep_model *m, FILE *out)
{
	int drawn = 0, candidates = 0;
	char a[64], what[160];

	fputs("<h2 id=\"calls-over-time\">3. Calls over time</h2>\n", out);
	if (m->chart_say) {
		say(out, m->chart_say);
	} else {
		fprintf(out, "<p class=\"muted\">Per process, the calls of each 1/%d of the capture, "
			"one colour per call; time from the start of the capture.</p>\n", REP_BINS);
		rep_svg_calls_legend(m, out);
		for (int i = 0; i < m->nr_procs; i++) {
			const struct rep_process *p = &m->procs[i];

			if (!p->total || !p->capture || !p->capture->has_span)
				continue;
			if (++candidates > REP_MAX_CHARTS)
				continue;
			snprintf(what, sizeof(what), "%s calls", rep_fmt_count(a, sizeof(a), p->total));
			fputs("<figure>\n", out);
			process_caption(m, p, out, what);
			rep_svg_calls(m, p, out);
			fputs("</figure>\n", out);
			drawn++;
		}
		if (candidates > drawn)
			fprintf(out, "<p class=\"muted\">... and %d more processes.</p>\n",
				candidates - drawn);
	}

	fputs("<h2 id=\"timelines\">4. Address-space timelines</h2>\n", out);
	if (m->timelines_say) {
		say(out, m->timelines_say);
		return;
	}
	fputs("<p class=\"muted\">For each process with findings: its mapped ranges from the "
	      "reconstructed history, one lane per range ordered by address (far-apart ranges side "
	      "by side), coloured by protection over time; dashed lines are the findings. Ranges a "
	      "finding is about are in red.</p>\n", out);
	rep_svg_prot_legend(out);
	for (int i = 0; i < m->nr_procs; i++) {
		const struct rep_process *p = &m->procs[i];

		if (!p->timeline)
			continue;
		snprintf(what, sizeof(what), "%d findings, %" PRId64 " address ranges", p->nr_findings,
			 p->nr_lanes + p->more_lanes);
		fputs("<figure>\n", out);
		process_caption(m, p, out, what);
		if (p->nr_lanes)
			rep_svg_timeline(m, p, out);
		else
			fputs("<p class=\"muted\">No reconstructed history for this process.</p>\n", out);
		if (p->more_lanes)
			fprintf(out, "<p class=\"muted\">... and %" PRId64 " more ranges (those the "
				"findings are about are drawn first).</p>\n", p->more_lanes);
		fputs("</figure>\n", out);
	}
	if (m->more_timelines)
		fprintf(out, "<p class=\"muted\">... and %" PRId64 " more processes with findings.</p>\n",
			m->more_timelines);
}

int rep_write_html(const struct rep_model *m, FILE *out)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>maptrail report: ", out);
	esc(out, m->db_name);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", css);
	fputs("<header><h1>maptrail report</h1><p class=\"sub\">Database <span class=\"mono\">", out);
	esc(out, m->db_name);
	fputs("</span></p>\n<nav><a href=\"#findings\">Findings</a><a href=\"#processes\">"
	      "Processes</a><a href=\"#calls-over-time\">Calls over time</a><a href=\"#timelines\">"
	      "Address-space timelines</a><a href=\"#captured\">Captured</a></nav></header>\n", out);
	/* what a person needs first: the findings, who made them; the capture's details last */
	summary(m, out);
	findings(m, out);
	processes(m, out);
	pictures(m, out);
	fputs("<h2 id=\"captured\">5. What was captured</h2>\n", out);
	for (int i = 0; i < m->nr_captures; i++)
		capture(&m->captures[i], out);
	fputs("<footer>Written by maptrail ", out);
	esc(out, m->version);
	fputs(" from the database alone; nothing in this page is fetched from elsewhere.</footer>\n"
	      "</main>\n</body>\n</html>\n", out);
	return 0;
}
