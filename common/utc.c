// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "utc.h"

#define NS_PER_S 1000000000LL

int cmn_utc_load(sqlite3 *db, struct cmn_utc *u)
{
	sqlite3_stmt *st = NULL;
	int room = 0;

	memset(u, 0, sizeof(*u));
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM capture), id, utc_offset,"
			       " utc_offset_ts, coalesce(utc_drift, 0) FROM capture"
			       " WHERE utc_offset IS NOT NULL ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		/* an older database: no utc_* columns, no clock */
		sqlite3_finalize(st);
		if (sqlite3_prepare_v2(db, "SELECT count(*) FROM capture", -1, &st, NULL) ==
		    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			u->nr_captures = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		return 0;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct cmn_utc_clock *c;

		if (u->nr == room) {
			room = room ? 2 * room : 4;
			c = realloc(u->clocks, room * sizeof(*c));
			if (!c) {
				sqlite3_finalize(st);
				cmn_utc_release(u);
				return -1;
			}
			u->clocks = c;
		}
		u->nr_captures = sqlite3_column_int(st, 0);
		c = &u->clocks[u->nr++];
		c->capture_id = sqlite3_column_int64(st, 1);
		c->offset = sqlite3_column_int64(st, 2);
		c->offset_ts = sqlite3_column_int64(st, 3);
		c->drift = sqlite3_column_double(st, 4);
	}
	sqlite3_finalize(st);
	return 0;
}

void cmn_utc_release(struct cmn_utc *u)
{
	free(u->clocks);
	u->clocks = NULL;
	u->nr = 0;
}

static bool same_clock(const struct cmn_utc_clock *a, const struct cmn_utc_clock *b)
{
	return a->offset == b->offset && a->offset_ts == b->offset_ts && a->drift == b->drift;
}

const struct cmn_utc_clock *cmn_utc_clock_of(const struct cmn_utc *u, int64_t capture_id)
{
	if (capture_id >= 0) {
		for (int i = 0; i < u->nr; i++)
			if (u->clocks[i].capture_id == capture_id)
				return &u->clocks[i];
		return NULL;
	}
	/* a row without its capture: only when no capture could be another's */
	if (!u->nr || u->nr != u->nr_captures)
		return NULL;
	for (int i = 1; i < u->nr; i++)
		if (!same_clock(&u->clocks[0], &u->clocks[i]))
			return NULL;
	return &u->clocks[0];
}

int64_t cmn_utc_of_ts(const struct cmn_utc_clock *c, int64_t ts)
{
	/* as the SQL: CAST((ts - utc_offset_ts) * utc_drift AS INTEGER) truncates */
	return ts + c->offset + (int64_t)((double)(ts - c->offset_ts) * c->drift);
}

int64_t cmn_utc_to_ts(const struct cmn_utc_clock *c, int64_t utc_ns)
{
	/* utc = ts + offset + (ts - t0) * drift  =>  ts = t0 + (utc - offset - t0) / (1 + drift) */
	int64_t ts = c->offset_ts +
		     (int64_t)((double)(utc_ns - c->offset - c->offset_ts) / (1.0 + c->drift));

	/* the double's rounding: the ts whose UTC is utc_ns, within a ns or two */
	for (int i = 0; i < 4 && cmn_utc_of_ts(c, ts) < utc_ns; i++)
		ts++;
	for (int i = 0; i < 4 && cmn_utc_of_ts(c, ts - 1) >= utc_ns; i++)
		ts--;
	return ts;
}

void cmn_utc_text(int64_t utc_ns, char buf[CMN_UTC_TEXT_SIZE])
{
	int64_t sec = utc_ns / NS_PER_S, frac = utc_ns % NS_PER_S;
	time_t t;
	struct tm tm;

	if (frac < 0) {
		frac += NS_PER_S;
		sec--;
	}
	t = (time_t)sec;
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
		snprintf(buf, CMN_UTC_TEXT_SIZE, "?");
		return;
	}
	snprintf(buf, CMN_UTC_TEXT_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long long)frac);
}

/* @n digits at *@s into *@v (and move past them); false when they are not all digits. */
static bool digits(const char **s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return false;
		*v = *v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return true;
}

/* ".ddd" (1 to 9 digits) at *@s as ns; a missing fraction is 0, a bad one false. */
static bool fraction(const char **s, int64_t *ns)
{
	int64_t scale = NS_PER_S / 10;
	const char *p = *s;

	*ns = 0;
	if (*p != '.')
		return true;
	p++;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		if (!scale)
			return false;	/* finer than a ns */
		*ns += (*p - '0') * scale;
		scale /= 10;
	}
	*s = p;
	return true;
}

static int parse_iso(const char *s, int64_t *out)
{
	int year, mon, day, hour, min, sec = 0, zh = 0, zm = 0, sign = 0;
	int64_t frac = 0;
	struct tm tm = { 0 };
	time_t t;

	if (!digits(&s, 4, &year) || *s++ != '-' || !digits(&s, 2, &mon) || *s++ != '-' ||
	    !digits(&s, 2, &day) || (*s != 'T' && *s != 't' && *s != ' '))
		return -1;
	s++;
	if (!digits(&s, 2, &hour) || *s++ != ':' || !digits(&s, 2, &min))
		return -1;
	if (*s == ':') {
		s++;
		if (!digits(&s, 2, &sec) || !fraction(&s, &frac))
			return -1;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (!digits(&s, 2, &zh))
			return -1;
		if (*s == ':')
			s++;
		if (*s && !digits(&s, 2, &zm))
			return -1;
	}
	if (*s || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
	    sec > 60 || zh > 23 || zm > 59)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm() normalises: 02-30 would be March; a date that moved is not a date */
	if (tm.tm_mday != day || tm.tm_mon != mon - 1)
		return -1;
	*out = ((int64_t)t - sign * (zh * 3600 + zm * 60)) * NS_PER_S + frac;
	return 0;
}

int cmn_time_parse(const char *s, enum cmn_time_kind *kind, int64_t *ns)
{
	size_t whole = strspn(s, "0123456789");
	const char *p = s + whole;
	int64_t frac;
	char *end;
	long long v;

	if (whole && !*p) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno)
			return -1;
		*kind = CMN_TIME_NS;
		*ns = v;
		return 0;
	}
	if (whole && *p == '.') {
		if (!fraction(&p, &frac) || *p || whole > 10)
			return -1;
		*kind = CMN_TIME_SECONDS;
		*ns = strtoll(s, NULL, 10) * NS_PER_S + frac;
		return 0;
	}
	if (whole == 4 && *p == '-' && !parse_iso(s, ns)) {
		*kind = CMN_TIME_UTC;
		return 0;
	}
	return -1;
}
