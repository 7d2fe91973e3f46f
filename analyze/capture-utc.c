// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture-utc.h"

struct sample {
	long long ts, realtime, uncertainty;
	int seen;		/* keys found of the three */
};

static bool number(const char *s, size_t n, long long *v)
{
	char buf[32], *end;

	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return !errno && *end == '\0';
}

/* One "key=value" line into @start/@end/@clock; unknown keys are skipped (a newer recorder). */
static void take_line(const char *line, size_t n, char clock[32], struct sample *start,
		      struct sample *end)
{
	const char *eq = memchr(line, '=', n);
	static const char *const fields[] = { "ts", "realtime", "uncertainty" };
	size_t key;

	if (!eq)
		return;
	key = eq - line;
	if (key == 5 && !memcmp(line, "clock", 5)) {
		size_t len = n - key - 1 < 31 ? n - key - 1 : 31;

		memcpy(clock, eq + 1, len);
		clock[len] = '\0';
		return;
	}
	for (int which = 0; which < 2; which++) {
		const char *prefix = which ? "end_" : "start_";
		struct sample *s = which ? end : start;
		size_t plen = strlen(prefix);

		if (key <= plen || memcmp(line, prefix, plen))
			continue;
		for (int f = 0; f < 3; f++) {
			long long *dst = f == 0 ? &s->ts : f == 1 ? &s->realtime : &s->uncertainty;

			if (key - plen == strlen(fields[f]) &&
			    !memcmp(line + plen, fields[f], key - plen) &&
			    number(eq + 1, n - key - 1, dst))
				s->seen++;
		}
	}
}

int ana_capture_utc_from_meta(const struct trace_meta *m, struct ana_capture_utc *w)
{
	struct sample start = { 0 }, end = { 0 };
	char clock[32] = "";
	const char *p;

	memset(w, 0, sizeof(*w));
	w->uncertainty = -1;
	if (m->ts_is_utc) {
		w->source = "trace-cmd --date";
		return 0;
	}
	if (!m->recorder_wallclock)
		return -1;
	for (p = m->recorder_wallclock; *p;) {
		size_t n = strcspn(p, "\n");

		take_line(p, n, clock, &start, &end);
		p += n + (p[n] == '\n');
	}
	/* samples of another clock than the one the events carry would mislead */
	if (start.seen != 3 || !m->clock || strcmp(clock, m->clock))
		return -1;
	w->source = "maptrail record";
	/* ts = the trace clock + the file's OFFSET */
	w->offset = start.realtime - start.ts - m->time_offset;
	w->offset_ts = start.ts + m->time_offset;
	w->uncertainty = start.uncertainty;
	if (end.seen == 3 && end.ts > start.ts) {
		w->drift = (double)((end.realtime - end.ts) - (start.realtime - start.ts)) /
			   (double)(end.ts - start.ts);
		if (end.uncertainty > w->uncertainty)
			w->uncertainty = end.uncertainty;
	}
	return 0;
}

int ana_capture_utc_store(struct cmn_db *db, int64_t capture_id, const struct trace_meta *m)
{
	struct ana_capture_utc w;
	char drift[40], uncertainty[24] = "NULL";

	if (ana_capture_utc_from_meta(m, &w))
		return 0;
	snprintf(drift, sizeof(drift), "%.17g", w.drift);
	if (w.uncertainty >= 0)
		snprintf(uncertainty, sizeof(uncertainty), "%lld", (long long)w.uncertainty);
	return cmn_db_exec(db, "UPDATE capture SET utc_source = %Q, utc_offset = %lld,"
			   " utc_offset_ts = %lld, utc_drift = %s, utc_uncertainty = %s WHERE id = %lld",
			   w.source, (long long)w.offset, (long long)w.offset_ts, drift,
			   uncertainty, (long long)capture_id) < 0 ? -1 : 0;
}
