// SPDX-License-Identifier: MIT
/*
 * flyrecord on every fixture: the same events as libtracecmd's iteration
 * (count, and per buffer and CPU the same timestamps and bytes, in order),
 * merged in time order, with the page loss marks libtracecmd reports.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <trace-cmd/trace-cmd.h>

#include "flyrecord.h"
#include "trace-meta.h"

#define MAX_STREAMS 64

/* A digest of one buffer/CPU's events: count, sum of ts, a hash of the bytes. */
struct digest {
	uint64_t events, ts_sum, hash, lost_pages;
};

struct expect {
	const struct trace_meta *meta;
	struct tracecmd_input **handles;
	int nr_handles;
	struct digest d[MAX_STREAMS];
};

static uint64_t fnv(uint64_t h, const void *p, int n)
{
	const unsigned char *c = p;

	for (int i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ull;
	return h;
}

static void add(struct digest *d, const struct tep_record *rec)
{
	d->events++;
	d->ts_sum += rec->ts;
	d->hash = fnv(d->hash ^ rec->ts, rec->data, rec->size);
	d->lost_pages += rec->missed_events != 0;
}

static int meta_index(const struct trace_meta *m, const char *name)
{
	for (int i = 0; i < m->nr_buffers; i++)
		if (!strcmp(m->buffers[i].name, name))
			return i;
	return -1;
}

static int by_libtracecmd(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *arg)
{
	struct expect *e = arg;
	int b = (int)(intptr_t)tracecmd_get_private(h);

	(void)cpu;
	assert_true(b >= 0 && b * 8 + rec->cpu < MAX_STREAMS);
	add(&e->d[b * 8 + rec->cpu], rec);
	return 0;
}

static void test_same_events(void **state)
{
	const char *dir = getenv("FIXTURES");
	char *pattern;
	glob_t g;

	(void)state;
	assert_non_null(dir);
	assert_true(asprintf(&pattern, "%s/*.dat", dir) > 0);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	free(pattern);
	for (size_t f = 0; f < g.gl_pathc; f++) {
		struct tracecmd_input *h = tracecmd_open(g.gl_pathv[f], TRACECMD_FL_LOAD_NO_PLUGINS);
		struct tracecmd_input *handles[8] = { h };
		struct expect e = { 0 };
		struct digest got[MAX_STREAMS] = { 0 };
		struct trace_meta *meta;
		struct fly_reader *r;
		struct tep_record rec;
		unsigned long long last = 0;
		char *err = NULL;
		int n = 1, buffer, ret;
		uint64_t total = 0;

		assert_non_null(h);
		assert_int_equal(trace_meta_read(g.gl_pathv[f], &meta, &err), 0);
		tracecmd_set_private(h, (void *)(intptr_t)meta_index(meta, ""));
		for (int i = 0; i < tracecmd_buffer_instances(h) && n < 8; i++) {
			handles[n] = tracecmd_buffer_instance_handle(h, i);
			tracecmd_set_private(handles[n], (void *)(intptr_t)meta_index(meta,
					     tracecmd_buffer_instance_name(h, i)));
			n++;
		}
		assert_int_equal(tracecmd_iterate_events_multi(handles, n, by_libtracecmd, &e), 0);

		r = fly_open(g.gl_pathv[f], meta, tracecmd_get_tep(h), &err);
		assert_non_null(r);
		while ((ret = fly_next(r, &rec, &buffer, &err)) > 0) {
			assert_true(rec.ts >= last);	/* merged in time order */
			last = rec.ts;
			add(&got[buffer * 8 + rec.cpu], &rec);
			total++;
		}
		assert_int_equal(ret, 0);
		fly_close(r);
		for (int s = 0; s < MAX_STREAMS; s++) {
			assert_int_equal(got[s].events, e.d[s].events);
			assert_int_equal(got[s].ts_sum, e.d[s].ts_sum);
			assert_int_equal(got[s].hash, e.d[s].hash);
			assert_int_equal(got[s].lost_pages, e.d[s].lost_pages);
		}
		printf("%s: %llu events, as libtracecmd reads them\n", g.gl_pathv[f],
		       (unsigned long long)total);
		assert_true(total > 0);
		while (n > 1)
			tracecmd_close(handles[--n]);
		tracecmd_close(h);
		trace_meta_free(meta);
	}
	globfree(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_events),
	};

	tracecmd_set_loglevel(TEP_LOG_NONE);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
