// SPDX-License-Identifier: MIT
/*
 * The pictures of the HTML report, as inline SVG: no script, no font or image
 * fetched, a <title> on each shape for the tooltip a browser shows.
 *
 * Calls over time: one chart per process, stacked bars in REP_BINS time bins
 * of its capture, one colour per call type (rect class "bar", data-call,
 * data-n).  Address-space timeline: one lane per distinct range of the
 * process's vma_history, ordered by address (so ranges far apart are all
 * visible), its states as rectangles coloured by protection (class "span"),
 * the findings as dashed marks linking to their entry.  The sizes are bounded
 * by the model: REP_BINS bars per call type, one span per time slot per lane.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report-model.h"

/* Chart geometry, in SVG user units (the viewBox scales it to the page). */
#define CHART_W		1000
#define CALLS_LEFT	64
#define CALLS_RIGHT	16
#define CALLS_TOP	12
#define CALLS_PLOT_H	72
#define CALLS_H		(CALLS_TOP + CALLS_PLOT_H + 30)
#define TL_LEFT		(CHART_W - REP_SLOTS - 16)
#define TL_TOP		44	/* room for three rows of finding labels */
#define TL_LANE		18
#define TL_BAR		14

void rep_html_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			/* control characters are not allowed in HTML text: shown as U+FFFD */
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				fputs("\xef\xbf\xbd", out);
			else
				fputc(c, out);
		}
	}
}

/* The time axis under a plot of @width from @x0, for capture @c. */
static void time_axis(FILE *out, const struct rep_capture *c, double x0, double width, double y)
{
	int64_t span = rep_capture_end(c) - c->first_ts;
	int64_t step = rep_nice_step(span, 8);
	char a[48];

	fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#8c959f\"/>\n",
		x0, y, x0 + width, y);
	for (int64_t t = 0; t <= span; t += step) {
		double x = x0 + (double)t * width / (double)span;

		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#8c959f\"/>", x, y, x, y + 4);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#57606a\" "
			"text-anchor=\"%s\">%s</text>\n", x, y + 16,
			!t ? "start" : x > x0 + width - 30 ? "end" : "middle",
			rep_fmt_tick(a, sizeof(a), t, step, span, c->ns));
		if (t > INT64_MAX - step)
			break;
	}
}

void rep_svg_calls_legend(const struct rep_model *m, FILE *out)
{
	fputs("<div class=\"legend\">", out);
	for (int j = 0; j < m->nr_calls; j++) {
		fprintf(out, "<span><i style=\"background:%s\"></i>", rep_call_colour(j));
		rep_html_escape(out, m->calls[j]);
		fputs("</span>", out);
	}
	fputs("</div>\n", out);
}

void rep_svg_calls(const struct rep_model *m, const struct rep_process *p, FILE *out)
{
	const struct rep_capture *c = p->capture;
	const double plot_w = CHART_W - CALLS_LEFT - CALLS_RIGHT, bin_w = plot_w / REP_BINS;
	int64_t span = rep_capture_end(c) - c->first_ts, max = 0, top;
	char a[48], b[48];

	for (int k = 0; k < REP_BINS; k++) {
		int64_t n = 0;

		for (int j = 0; j < m->nr_calls; j++)
			n += p->bins[k][j];
		if (n > max)
			max = n;
	}
	top = max < 1 ? 1 : max;
	fprintf(out, "<svg class=\"calls\" data-capture=\"%" PRId64 "\" data-pid=\"%" PRId64 "\" "
		"viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n", p->capture_id, p->pid, CHART_W, CALLS_H);
	fprintf(out, "<title>calls over time of process %" PRId64 "</title>\n", p->pid);
	/* y axis: 0, the busiest bin, and a light grid line at half */
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eaeef2\"/>\n",
		CALLS_LEFT, CALLS_TOP, CHART_W - CALLS_RIGHT, CALLS_TOP);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eaeef2\"/>\n",
		CALLS_LEFT, CALLS_TOP + CALLS_PLOT_H / 2, CHART_W - CALLS_RIGHT,
		CALLS_TOP + CALLS_PLOT_H / 2);
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#57606a\" text-anchor=\"end\">"
		"%s</text>\n", CALLS_LEFT - 6, CALLS_TOP + 4, rep_fmt_count(a, sizeof(a), top));
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#57606a\" text-anchor=\"end\">"
		"0</text>\n", CALLS_LEFT - 6, CALLS_TOP + CALLS_PLOT_H + 4);
	fprintf(out, "<text x=\"12\" y=\"%d\" font-size=\"11\" fill=\"#57606a\" "
		"transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">calls</text>\n",
		CALLS_TOP + CALLS_PLOT_H / 2, CALLS_TOP + CALLS_PLOT_H / 2);
	for (int k = 0; k < REP_BINS; k++) {
		double x = CALLS_LEFT + k * bin_w + 1, y = CALLS_TOP + CALLS_PLOT_H;
		int64_t from = c->first_ts + span * k / REP_BINS;
		int64_t to = c->first_ts + span * (k + 1) / REP_BINS;

		for (int j = 0; j < m->nr_calls; j++) {
			int32_t n = p->bins[k][j];
			double h = (double)n * CALLS_PLOT_H / (double)top;

			if (!n)
				continue;
			if (h < 1)
				h = 1;
			y -= h;
			fputs("<rect class=\"bar\" data-call=\"", out);
			rep_html_escape(out, m->calls[j]);
			fprintf(out, "\" data-n=\"%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" fill=\"%s\"><title>", n, x, y, bin_w - 2, h,
				rep_call_colour(j));
			rep_html_escape(out, m->calls[j]);
			fprintf(out, ": %d, %s .. %s</title></rect>\n", n,
				rep_fmt_rel(a, sizeof(a), c, from), rep_fmt_rel(b, sizeof(b), c, to));
		}
	}
	time_axis(out, c, CALLS_LEFT, plot_w, CALLS_TOP + CALLS_PLOT_H + 0.5);
	fputs("</svg>\n", out);
}

void rep_svg_prot_legend(FILE *out)
{
	static const int order[] = { 2, 3, 4, 5, 1, 0 };

	fputs("<div class=\"legend\">", out);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		fprintf(out, "<span><i style=\"background:%s\"></i>%s</span>", order[i] ?
			rep_prot_colour(order[i]) : "repeating-linear-gradient(45deg,#8e7cc3 0 2px,"
			"#e6dcf5 2px 5px)", order[i] == 1 ? "no access" : order[i] == 5 ?
			"RWX (or WX)" : order[i] == 0 ? "unknown (before the capture)" :
			rep_prot_class_name(order[i]));
	fputs("<span><i class=\"mark\"></i>finding</span></div>\n", out);
}

static double x_of(const struct rep_capture *c, int64_t ts)
{
	int64_t span = rep_capture_end(c) - c->first_ts;
	double x = (double)(ts - c->first_ts) * REP_SLOTS / (double)span;

	return TL_LEFT + (x < 0 ? 0 : x > REP_SLOTS ? REP_SLOTS : x);
}

void rep_svg_timeline(const struct rep_model *m, const struct rep_process *p, FILE *out)
{
	const struct rep_capture *c = p->capture;
	int height = TL_TOP + p->nr_lanes * TL_LANE + 30;
	double bottom = TL_TOP + p->nr_lanes * TL_LANE;
	char a[48], b[48], d[48];

	fprintf(out, "<svg class=\"timeline\" data-capture=\"%" PRId64 "\" data-pid=\"%" PRId64
		"\" viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n", p->capture_id, p->pid, CHART_W, height);
	fprintf(out, "<title>address-space timeline of process %" PRId64 "</title>\n", p->pid);
	/* unknown protection is hatched: it is what the capture could not tell */
	fprintf(out, "<defs><pattern id=\"unknown-%" PRId64 "-%" PRId64 "\" width=\"6\" "
		"height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
		"<rect width=\"6\" height=\"6\" fill=\"%s\"/><rect width=\"2\" height=\"6\" "
		"fill=\"#8e7cc3\"/></pattern></defs>\n", p->capture_id, p->pid, rep_prot_colour(0));
	fprintf(out, "<text x=\"4\" y=\"%d\" font-size=\"11\" fill=\"#57606a\">range start, "
		"size</text>\n", TL_TOP - 8);
	for (int i = 0; i < p->nr_lanes; i++) {
		const struct rep_lane *lane = &p->lanes[i];
		double y = TL_TOP + i * TL_LANE;

		fprintf(out, "<g class=\"lane\" data-start=\"%s\" data-end=\"%s\">",
			rep_fmt_hex(a, sizeof(a), lane->start), rep_fmt_hex(b, sizeof(b), lane->end));
		fprintf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"%s\"/>",
			TL_LEFT, y, REP_SLOTS, TL_BAR, lane->in_finding ? "#fdecea" : "#f6f8fa");
		fprintf(out, "<text x=\"4\" y=\"%.1f\" font-size=\"11.5\" font-family=\"DejaVu Sans "
			"Mono, monospace\" fill=\"%s\"%s>%s</text>", y + 11,
			lane->in_finding ? "#b42318" : "#1f2328",
			lane->in_finding ? " font-weight=\"bold\"" : "", a);
		fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" fill=\"#57606a\" "
			"text-anchor=\"end\">%s</text>\n", TL_LEFT - 6, y + 11,
			rep_fmt_bytes(d, sizeof(d), lane->end - lane->start));
		for (int s = 0; s < lane->nr_spans; s++) {
			const struct rep_span *sp = &lane->spans[s];
			double x0 = x_of(c, sp->from), x1 = x_of(c, sp->to);
			int cls = rep_prot_class(sp->prot);
			char fill[64];

			if (x1 - x0 < 1.5)
				x1 = x0 + 1.5;
			if (cls)
				snprintf(fill, sizeof(fill), "%s", rep_prot_colour(cls));
			else
				snprintf(fill, sizeof(fill), "url(#unknown-%" PRId64 "-%" PRId64 ")",
					 p->capture_id, p->pid);
			fprintf(out, "<rect class=\"span\" data-prot=\"%s\" x=\"%.1f\" y=\"%.1f\" "
				"width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s .. %s: %s%s"
				"</title></rect>\n", rep_prot_class_name(cls), x0, y, x1 - x0, TL_BAR,
				fill, rep_fmt_rel(a, sizeof(a), c, sp->from),
				rep_fmt_rel(b, sizeof(b), c, sp->to), rep_prot_name(sp->prot),
				sp->merged ? " (and other states within this pixel)" : "");
		}
		fputs("</g>\n", out);
	}
	/* labels of findings close in time go on the next row up, three rows in turn */
	double last_x[3] = { -1e9, -1e9, -1e9 };

	for (int i = 0; i < m->nr_findings; i++) {
		const struct rep_finding *f = &m->findings[i];
		int row = 0, label_y;
		double x;

		if (f->capture_id != p->capture_id || !f->has_pid || f->pid != p->pid || !f->has_ts)
			continue;
		x = x_of(c, f->ts);
		while (row < 3 && x - last_x[row] < 30)
			row++;
		label_y = TL_TOP - 8 - 12 * (row < 3 ? row : 0);
		fprintf(out, "<g class=\"finding-mark\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			"y2=\"%.1f\" stroke=\"#d92d20\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
			x, label_y + 2, x, bottom);
		/* a group of calls: a bar from its first call to its last */
		if (f->has_last_ts && f->last_ts > f->ts)
			fprintf(out, "<line class=\"finding-span\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
				"y2=\"%d\" stroke=\"#d92d20\" stroke-width=\"3\" opacity=\"0.6\"/>", x,
				label_y + 2, x_of(c, f->last_ts), label_y + 2);
		/* no room left for its number: the line alone, its tooltip says which */
		if (row < 3) {
			last_x[row] = x;
			fprintf(out, "<a href=\"#f%" PRId64 "\"><text x=\"%.1f\" y=\"%d\" "
				"font-size=\"11\" font-weight=\"bold\" fill=\"#d92d20\" "
				"text-anchor=\"middle\">#%" PRId64 "</text></a>", f->id, x, label_y, f->id);
		}
		fprintf(out, "<title>#%" PRId64 " ", f->id);
		rep_html_escape(out, f->title);
		fprintf(out, " (%s)</title></g>\n", rep_fmt_rel(a, sizeof(a), c, f->ts));
	}
	time_axis(out, c, TL_LEFT, REP_SLOTS, bottom + 0.5);
	fputs("</svg>\n", out);
}
