// SPDX-License-Identifier: MIT
/*
 * Numbers as the report shows them, the same in every format: durations in
 * the unit that suits them, sizes in KiB/MiB, counts with thousands
 * separators, addresses in hex, protections as R/RW/RX/RWX, and the colours
 * the pictures give call types and protections.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "report-model.h"

char *rep_fmt_dur(char *buf, size_t n, int64_t dt, bool ns)
{
	static const struct {
		int64_t div;
		const char *unit;
	} units[] = { { 1000000000, "s" }, { 1000000, "ms" }, { 1000, "µs" } };
	int64_t a = dt < 0 ? -dt : dt;

	if (!dt) {
		snprintf(buf, n, "0");
		return buf;
	}
	if (!ns) {
		snprintf(buf, n, "%" PRId64 " ticks", dt);
		return buf;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (a >= units[i].div) {
			double v = (double)dt / (double)units[i].div;

			snprintf(buf, n, "%.*f %s", a >= 100 * units[i].div ? 1 : 3, v, units[i].unit);
			return buf;
		}
	}
	snprintf(buf, n, "%" PRId64 " ns", dt);
	return buf;
}

/*
 * A moment of a capture: on the wall clock where the capture has one (what a
 * person can line up with other logs), else relative to its first event.
 */
char *rep_fmt_rel(char *buf, size_t n, const struct rep_capture *c, int64_t ts)
{
	char d[CMN_UTC_TEXT_SIZE];

	if (c && c->has_utc) {
		cmn_utc_text(cmn_utc_of_ts(&c->utc, ts), d);
		snprintf(buf, n, "%s", d);
		return buf;
	}
	if (!c || !c->has_span) {
		snprintf(buf, n, "%" PRId64, ts);
		return buf;
	}
	rep_fmt_dur(d, sizeof(d), ts - c->first_ts, c->ns);
	snprintf(buf, n, "%s%s", ts >= c->first_ts ? "+" : "", d);
	return buf;
}

char *rep_fmt_bytes(char *buf, size_t n, int64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024 && bytes > -1024) {
		snprintf(buf, n, "%" PRId64 " B", bytes);
		return buf;
	}
	while ((v >= 1024 || v <= -1024) && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, n, v == (int64_t)v ? "%.0f %s" : "%.1f %s", v, units[u]);
	return buf;
}

char *rep_fmt_count(char *buf, size_t n, int64_t v)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%" PRIu64, v < 0 ? -(uint64_t)v : (uint64_t)v);
	size_t o = 0;

	if (v < 0 && o + 1 < n)
		buf[o++] = '-';
	for (int i = 0; i < len && o + 1 < n; i++) {
		if (i && (len - i) % 3 == 0 && o + 2 < n)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

char *rep_fmt_hex(char *buf, size_t n, int64_t v)
{
	snprintf(buf, n, "0x%" PRIx64, (uint64_t)v);
	return buf;
}

char *rep_fmt_pid(char *buf, size_t n, const struct rep_model *m, const struct rep_process *p)
{
	if (m->nr_captures > 1)
		snprintf(buf, n, "%" PRId64 ":%" PRId64, p->capture_id, p->pid);
	else
		snprintf(buf, n, "%" PRId64, p->pid);
	return buf;
}

/* Classes, least to most notable: the timeline keeps the most notable of a time slot. */
int rep_prot_class(int prot)
{
	if (prot < 0)
		return 0;
	if ((prot & 6) == 6)
		return 5;	/* RWX (and WX: writable and executable is what matters) */
	if (prot & 4)
		return 4;
	if (prot & 2)
		return 3;
	if (prot & 1)
		return 2;
	return 1;
}

const char *rep_prot_class_name(int cls)
{
	static const char *const names[] = { "unknown", "none", "R", "RW", "RX", "RWX" };

	return cls >= 0 && cls <= 5 ? names[cls] : "?";
}

const char *rep_prot_name(int prot)
{
	static const char *const names[] = { "---", "R", "W", "RW", "X", "RX", "WX", "RWX" };

	return prot < 0 ? "?" : names[prot & 7];
}

const char *rep_prot_colour(int cls)
{
	static const char *const colours[] = {
		"#e6dcf5",	/* unknown: pale violet (the timeline hatches it) */
		"#aab2bd",	/* none: mid grey */
		"#9ecae1",	/* R: light blue */
		"#74c476",	/* RW: green */
		"#fd8d3c",	/* RX: orange */
		"#d7301f",	/* RWX: red */
	};

	return cls >= 0 && cls <= 5 ? colours[cls] : colours[0];
}

const char *rep_severity_name(int rank)
{
	static const char *const names[] = { "info", "low", "medium", "high" };

	return rank >= 0 && rank <= 3 ? names[rank] : "info";
}

int64_t rep_capture_end(const struct rep_capture *c)
{
	return c->last_ts > c->first_ts ? c->last_ts : c->first_ts + 1;
}

int64_t rep_nice_step(int64_t span, int max_ticks)
{
	int64_t step = 1;

	for (;;) {
		static const int mult[] = { 1, 2, 5 };

		for (int i = 0; i < 3; i++)
			if (span / (step * mult[i]) <= max_ticks)
				return step * mult[i];
		if (step > INT64_MAX / 100)
			return step;
		step *= 10;
	}
}

/*
 * An axis label: @t in the unit that suits the whole @span, with just the
 * decimals the @step needs ("0", "0.5 ms", "1.0 ms", ...).
 */
char *rep_fmt_tick(char *buf, size_t n, int64_t t, int64_t step, int64_t span, bool ns)
{
	int64_t div = 1, m = 1;
	const char *unit = "ns";
	int decimals = 0;

	if (!t) {
		snprintf(buf, n, "0");
		return buf;
	}
	if (!ns) {
		snprintf(buf, n, "%" PRId64, t);
		return buf;
	}
	if (span >= 2000000000)
		div = 1000000000, unit = "s";
	else if (span >= 2000000)
		div = 1000000, unit = "ms";
	else if (span >= 2000)
		div = 1000, unit = "µs";
	while (decimals < 3 && (step * m) % div) {
		decimals++;
		m *= 10;
	}
	snprintf(buf, n, "%.*f %s", decimals, (double)t / (double)div, unit);
	return buf;
}

/* Tableau 10 and two more, told apart on screen and on paper; in the order of rep_model.calls. */
const char *rep_call_colour(int i)
{
	static const char *const colours[] = {
		"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
		"#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1b9e77", "#7570b3",
	};

	return colours[i % (int)(sizeof(colours) / sizeof(colours[0]))];
}

int rep_capture_clocks(sqlite3 *db, struct rep_model *m)
{
	struct cmn_utc utc;

	if (cmn_utc_load(db, &utc))
		return -1;
	for (int i = 0; i < m->nr_captures; i++) {
		const struct cmn_utc_clock *clock = cmn_utc_clock_of(&utc, m->captures[i].id);

		m->captures[i].has_utc = clock && m->captures[i].ns;
		if (clock)
			m->captures[i].utc = *clock;
	}
	cmn_utc_release(&utc);
	return 0;
}
