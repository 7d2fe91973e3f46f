// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: analyze_run() on a trace.dat, into a database of its
 * own -- trace-meta's checks, libtracecmd's open (formats, buffers), the
 * page reader, the loader, calls, tasks, identity records, history and the
 * canned detections, as `maptrail analyze CAPTURE -o DB --force` runs them.
 * A failure must be one line; a success must leave a database whose
 * integrity SQLite vouches for.  Slower than fuzz-tracedat (every input
 * builds a whole database), so it finds what lies past the parser.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include <sqlite3.h>

#include "analyze.h"
#include "../catalog-detections.h"
#include "fuzz-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], out[96];
static struct analyze_detection detections[64];
static int nr_detections;

static void cleanup(void)
{
	rmdir(dir);
}

static void setup(void)
{
	atexit(cleanup);
	snprintf(dir, sizeof(dir), "/dev/shm/maptrail-fuzz-analyze.%d", (int)getpid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		abort();
	snprintf(out, sizeof(out), "%s/out.db", dir);
	nr_detections = catalog_detections(detections, 64);
}

/* The database analyze says it wrote: whole, by SQLite's own check. */
static void check_database(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	if (sqlite3_open_v2(out, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok")) {
		fprintf(stderr, "fuzz-analyze: analyze succeeded, but %s is damaged\n", out);
		abort();
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Nothing is left beside the output: no temporary database, no history part. */
static void check_nothing_left(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		abort();
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			fprintf(stderr, "fuzz-analyze: %s left behind\n", e->d_name);
			abort();
		}
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct analyze_options opts = { .force = true };
	struct analyze_summary sum;
	char *reason = NULL;

	if (!*out)
		setup();
	opts.input = fuzz_input_path(data, size);
	opts.output = out;
	opts.detections = detections;
	opts.nr_detections = nr_detections;
	if (analyze_run(&opts, &sum, &reason) < 0) {
		if (!reason || strchr(reason, '\n')) {
			fprintf(stderr, "fuzz-analyze: failed without one line: %s\n",
				reason ? reason : "(none)");
			abort();
		}
		free(reason);
		check_nothing_left();
		return 0;
	}
	check_database();
	analyze_summary_release(&sum);
	unlink(out);
	check_nothing_left();
	return 0;
}
