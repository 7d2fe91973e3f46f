// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wallclock.h"

/* Tries per sample: a preemption between the reads spoils one, rarely three. */
#define SAMPLE_TRIES 7

/* The trace clocks whose value a process can read, and the clock it reads. */
static const struct {
	const char *name;
	clockid_t id;
} twins[] = {
	{ "boot", CLOCK_BOOTTIME },
	{ "mono", CLOCK_MONOTONIC },
	{ "mono_raw", CLOCK_MONOTONIC_RAW },
	{ "tai", CLOCK_TAI },
};

static int64_t ns_of(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void sample(clockid_t twin, struct rec_wallclock_sample *s)
{
	for (int i = 0; i < SAMPLE_TRIES; i++) {
		int64_t before = ns_of(CLOCK_REALTIME);
		int64_t trace = ns_of(twin);
		int64_t after = ns_of(CLOCK_REALTIME);
		int64_t half = (after - before + 1) / 2;

		if (i == 0 || half < s->uncertainty_ns) {
			s->trace_ns = trace;
			s->realtime_ns = before + (after - before) / 2;
			s->uncertainty_ns = half;
		}
	}
}

static clockid_t twin_of(const char *clock, bool *found)
{
	for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
		if (!strcmp(clock, twins[i].name)) {
			*found = true;
			return twins[i].id;
		}
	*found = false;
	return CLOCK_REALTIME;
}

void rec_wallclock_start(struct rec_wallclock *wc, const char *trace_clock)
{
	const char *open = strchr(trace_clock, '['), *from = open ? open + 1 : trace_clock;
	size_t len = open ? strcspn(from, "]") : strcspn(from, " \n");
	clockid_t id;

	memset(wc, 0, sizeof(*wc));
	if (len >= sizeof(wc->clock))
		len = sizeof(wc->clock) - 1;
	memcpy(wc->clock, from, len);
	id = twin_of(wc->clock, &wc->twin);
	if (!wc->twin)
		return;
	sample(id, &wc->start);
	wc->has_start = true;
}

void rec_wallclock_end(struct rec_wallclock *wc)
{
	bool found;
	clockid_t id = twin_of(wc->clock, &found);

	if (!wc->twin || !found)
		return;
	sample(id, &wc->end);
	wc->has_end = true;
}

static void put_sample(FILE *m, const char *which, const struct rec_wallclock_sample *s)
{
	fprintf(m, "%s_ts=%lld\n%s_realtime=%lld\n%s_uncertainty=%lld\n", which,
		(long long)s->trace_ns, which, (long long)s->realtime_ns, which,
		(long long)s->uncertainty_ns);
}

char *rec_wallclock_option(const struct rec_wallclock *wc)
{
	char *text = NULL;
	size_t size = 0;
	FILE *m;

	if (!wc || !wc->twin || !wc->has_start)
		return NULL;
	m = open_memstream(&text, &size);
	if (!m)
		return NULL;
	fprintf(m, "clock=%s\n", wc->clock);
	put_sample(m, "start", &wc->start);
	if (wc->has_end)
		put_sample(m, "end", &wc->end);
	if (fclose(m)) {
		free(text);
		errno = ENOMEM;
		return NULL;
	}
	return text;
}
