// SPDX-License-Identifier: MIT
/*
 * analyze/capture-utc: the recorder's clock option (common/tdat-format.h,
 * TDAT_OPT_MAPTRAIL_WALLCLOCK) as record/wallclock.c writes it, read back
 * into the capture's utc_* values: offset, drift, uncertainty, a file OFFSET
 * taken into account, samples of another clock refused, unknown keys skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture-utc.h"
#include "trace-meta.h"
#include "wallclock.h"

static void test_recorder_text(void **state)
{
	struct rec_wallclock rec;
	struct trace_meta m = { .clock = "mono" };
	struct ana_capture_utc w;
	char *text;

	(void)state;
	/* the recorder's own text, sampled now on this machine */
	rec_wallclock_start(&rec, "local global [mono] mono_raw boot\n");
	assert_string_equal(rec.clock, "mono");
	assert_true(rec.twin);
	rec_wallclock_end(&rec);
	text = rec_wallclock_option(&rec);
	assert_non_null(text);
	m.recorder_wallclock = text;
	assert_int_equal(ana_capture_utc_from_meta(&m, &w), 0);
	assert_string_equal(w.source, "maptrail record");
	assert_int_equal(w.offset, rec.start.realtime_ns - rec.start.trace_ns);
	assert_int_equal(w.offset_ts, rec.start.trace_ns);
	assert_true(w.uncertainty >= rec.start.uncertainty_ns);
	assert_true(w.uncertainty >= rec.end.uncertainty_ns);
	/* CLOCK_REALTIME - CLOCK_MONOTONIC moves only when the clock is set */
	assert_true(w.uncertainty < 1000000);
	/* an OFFSET option moves ts, and so the point the offset was taken at */
	m.time_offset = 1000;
	assert_int_equal(ana_capture_utc_from_meta(&m, &w), 0);
	assert_int_equal(w.offset, rec.start.realtime_ns - rec.start.trace_ns - 1000);
	assert_int_equal(w.offset_ts, rec.start.trace_ns + 1000);
	/* samples of another clock than the events' say nothing of them */
	m.clock = "local";
	assert_int_equal(ana_capture_utc_from_meta(&m, &w), -1);
	free(text);
}

static void test_text_forms(void **state)
{
	struct trace_meta m = { .clock = "mono" };
	struct ana_capture_utc w;

	(void)state;
	/* drift from the two samples; a key a newer recorder adds is skipped */
	m.recorder_wallclock = "clock=mono\nstart_ts=1000000000\nstart_realtime=5000000000\n"
			       "start_uncertainty=20\nfuture_key=1\nend_ts=3000000000\n"
			       "end_realtime=7000000100\nend_uncertainty=30\n";
	assert_int_equal(ana_capture_utc_from_meta(&m, &w), 0);
	assert_int_equal(w.offset, 4000000000);
	assert_int_equal(w.offset_ts, 1000000000);
	assert_true(w.drift > 4.99e-8 && w.drift < 5.01e-8);	/* 100 ns over 2 s */
	assert_int_equal(w.uncertainty, 30);
	/* no end sample: no drift */
	m.recorder_wallclock = "clock=mono\nstart_ts=1\nstart_realtime=11\nstart_uncertainty=2";
	assert_int_equal(ana_capture_utc_from_meta(&m, &w), 0);
	assert_int_equal(w.offset, 10);
	assert_true(w.drift == 0);
	/* a start sample with a field missing or not a number is no clock */
	m.recorder_wallclock = "clock=mono\nstart_ts=1\nstart_realtime=11\n";
	assert_int_equal(ana_capture_utc_from_meta(&m, &w), -1);
	m.recorder_wallclock = "clock=mono\nstart_ts=1\nstart_realtime=1x\nstart_uncertainty=2\n";
	assert_int_equal(ana_capture_utc_from_meta(&m, &w), -1);
	/* no option: nothing */
	m.recorder_wallclock = NULL;
	assert_int_equal(ana_capture_utc_from_meta(&m, &w), -1);
	/* trace-cmd --date: the readers made ts UTC already */
	m.ts_is_utc = true;
	assert_int_equal(ana_capture_utc_from_meta(&m, &w), 0);
	assert_string_equal(w.source, "trace-cmd --date");
	assert_int_equal(w.offset, 0);
	assert_int_equal(w.uncertainty, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorder_text),
		cmocka_unit_test(test_text_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
