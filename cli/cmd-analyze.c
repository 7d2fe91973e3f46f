// SPDX-License-Identifier: MIT
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "catalog.h"
#include "cli.h"
#include "elapsed.h"
#include "stop.h"

/* SIGINT, SIGTERM: analyze stops within a second, leaves nothing, exits 128 + N. */
static void on_signal(int sig)
{
	cmn_stop_request(sig);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: maptrail analyze CAPTURE.dat [-o CAPTURE.db] [--append] [--force]\n"
		"                        [--schema FILE]... [--baseline FILE]...\n"
		"                        [--fail-on SEVERITY] [-q | -v]\n\n"
		"Read any trace.dat (v6 or v7, compressed or not, any number of CPUs and\n"
		"buffers) and write one SQLite database: a table per event format with a typed\n"
		"column per field; capture, buffer, capture_cpu, event_type, event_field, task\n"
		"and task_comm; one call table per system call of the schema (mremap, mprotect,\n"
		"...: entry and exit paired per thread, with <call>_decoded views); and the\n"
		"schema itself.  The database is written under a temporary name and renamed\n"
		"into place when complete.\n\n"
		"  -o, --output FILE  database to write (default: CAPTURE with .db for .dat)\n"
		"      --append       add this capture to an existing maptrail database (one\n"
		"                     it already holds, by sha256, only with --force)\n"
		"      --force        replace an existing output\n"
		"  -q, --quiet        print nothing but errors\n"
		"  -v, --verbose      also print how long each phase and the slowest\n"
		"                     detections took\n"
		"      --schema FILE  add the schema rows in FILE (repeatable; see maptrail schema)\n"
		"      --baseline FILE  severity rules of your own environment, one a line:\n"
		"                     EXE-PATH SEVERITY DETECTIONS WHY (repeatable; the form of\n"
		"                     maptrail's known runtimes: man maptrail-analyze)\n"
		"      --fail-on SEVERITY  exit 3 when findings of SEVERITY (high, medium, low,\n"
		"                     info) or above exist after lowering; the database is\n"
		"                     written all the same\n"
		"  -h, --help         this help\n");
}

struct progress {
	bool enabled;
	bool quiet;		/* -q: not even notices */
	bool shown;
	struct timespec start, last;
	const char *input;
	/*
	 * After the load, the phases (indexing, ...) are single SQLite calls:
	 * a thread redraws the line with the phase's time while they run.
	 */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stop;
	const char *phase;
	struct timespec phase_start;
	uint64_t events;
};

/* A line on a terminal after the first second, at most four times a second. */
static void show_progress(void *arg, uint64_t events, int percent, bool done)
{
	struct progress *p = arg;
	double elapsed = cmn_seconds_since(&p->start);

	if (!p->enabled)
		return;
	p->events = events;
	if (done) {
		if (p->shown)
			fputs("\r\033[K", stderr);
		p->shown = false;
		return;
	}
	if (elapsed < 1.0 || cmn_seconds_since(&p->last) < 0.25)
		return;
	clock_gettime(CLOCK_MONOTONIC, &p->last);
	if (percent >= 0)
		fprintf(stderr, "\rmaptrail: %s: %d%%, %llu events (%.0f/s)\033[K", p->input,
			percent, (unsigned long long)events, events / elapsed);
	else
		fprintf(stderr, "\rmaptrail: %s: %llu events (%.0f/s)\033[K", p->input,
			(unsigned long long)events, events / elapsed);
	p->shown = true;
}

/* The phase line, after the first second; called with p->lock held. */
static void draw_phase(struct progress *p)
{
	if (!p->phase || cmn_seconds_since(&p->start) < 1.0)
		return;
	fprintf(stderr, "\rmaptrail: %s: %llu events loaded; %s (%.1f s)\033[K", p->input,
		(unsigned long long)p->events, p->phase, cmn_seconds_since(&p->phase_start));
	p->shown = true;
}

static void *redraw(void *arg)
{
	struct progress *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&p->wake, &p->lock, &until);
		if (!p->stop)
			draw_phase(p);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void show_phase(void *arg, const char *what)
{
	struct progress *p = arg;

	if (!p->enabled)
		return;
	pthread_mutex_lock(&p->lock);
	p->phase = what;
	clock_gettime(CLOCK_MONOTONIC, &p->phase_start);
	/* drawn now: a phase shorter than a redraw would otherwise never be named */
	draw_phase(p);
	if (!p->running)
		p->running = pthread_create(&p->thread, NULL, redraw, p) == 0;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

static void show_notice(void *arg, const char *line)
{
	struct progress *p = arg;

	if (p->quiet)
		return;
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = false;
	fprintf(stderr, "maptrail: %s\n", line);
}

/* The redrawing thread stops and the line is cleared. */
static void progress_end(struct progress *p)
{
	if (p->running) {
		pthread_mutex_lock(&p->lock);
		p->stop = true;
		pthread_cond_signal(&p->wake);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->thread, NULL);
		p->running = false;
	}
	if (p->enabled && p->shown) {
		fputs("\r\033[K", stderr);
		p->shown = false;
	}
}

struct timed_detection {
	const char *name;
	double seconds;
};

static int slower_first(const void *a, const void *b)
{
	const struct timed_detection *x = a, *y = b;

	return (x->seconds < y->seconds) - (x->seconds > y->seconds);
}

/*
 * -v: the detections that took longest, slowest first, so that one query
 * grown slow on a capture's shape (a join that pairs every row with every
 * other) is named, not hidden in the phase's total.
 */
static void print_slowest_detections(const char *input, const struct analyze_detection *d, int n,
				     const double *seconds)
{
	struct timed_detection *t = seconds && n > 0 ? malloc(n * sizeof(*t)) : NULL;

	if (!t)
		return;
	for (int i = 0; i < n; i++)
		t[i] = (struct timed_detection){ .name = d[i].name, .seconds = seconds[i] };
	qsort(t, n, sizeof(*t), slower_first);
	fprintf(stderr, "maptrail: %s: slowest detections:", input);
	for (int k = 0; k < n && k < 3; k++)
		fprintf(stderr, "%s %s %.2f s", k ? "," : "", t[k].name, t[k].seconds);
	fputc('\n', stderr);
	free(t);
}

static void print_losses(const char *input, const struct analyze_summary *sum)
{
	int64_t total = 0, unknown = 0;

	for (int i = 0; i < sum->nr_losses; i++) {
		total += sum->losses[i].lost;
		unknown += sum->losses[i].unknown;
	}
	fprintf(stderr, "maptrail: warning: %s: the ring buffer lost %lld events", input,
		(long long)total);
	if (unknown)
		fprintf(stderr, " (and %lld pages lost an unknown number)", (long long)unknown);
	fputs(":", stderr);
	for (int i = 0; i < sum->nr_losses; i++)
		fprintf(stderr, " %s%scpu%d=%lld%s", sum->losses[i].buffer,
			*sum->losses[i].buffer ? "/" : "", sum->losses[i].cpu,
			(long long)sum->losses[i].lost, sum->losses[i].unknown ? "+?" : "");
	fputs("; see capture_cpu\n", stderr);
}

/*
 * The detections of the query catalog, for analyze to run: it does not link
 * queries/ (arrows point down), so cli hands them over.  The strings stay the
 * catalog's; free() the array.  NULL (out of memory) or the array, *@n set.
 */
static struct analyze_detection *catalog_detections(int *n)
{
	struct analyze_detection *d = calloc(qry_catalog_count() + 1, sizeof(*d));

	*n = 0;
	for (int i = 0; d && i < qry_catalog_count(); i++) {
		const struct qry_info *q = qry_catalog_get(i);

		if (q->kind && !strcmp(q->kind, "detection"))
			d[(*n)++] = (struct analyze_detection){ q->name, q->title, q->mitre, q->sql };
	}
	return d;
}

int cmd_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "append", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "schema", required_argument, NULL, 'S' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct analyze_options opts = { 0 };
	struct analyze_detection *detections = NULL;
	struct analyze_summary sum;
	struct progress progress = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	char *output = NULL, *reason = NULL;
	const char **schema_files = calloc(argc + 1, sizeof(*schema_files));
	const char **baselines = calloc(argc + 1, sizeof(*baselines));
	int nr_schema_files = 0, nr_baselines = 0, fail_on = -1;
	bool quiet = false, verbose = false;
	int c, ret;

	if (!schema_files || !baselines) {
		cli_error("out of memory");
		ret = 1;
		goto out;
	}
	opts.schema_files = schema_files;
	opts.baselines = baselines;
	opterr = 0;	/* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, ":o:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opts.output = optarg;
			break;
		case 'a':
			opts.append = true;
			break;
		case 'f':
			opts.force = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'S':
			schema_files[nr_schema_files++] = optarg;
			break;
		case 'B':
			baselines[nr_baselines++] = optarg;
			break;
		case 'F':
			fail_on = cli_fail_on_rank("analyze", optarg);
			if (fail_on < 0) {
				ret = EXIT_USAGE;
				goto out;
			}
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		default:
			ret = cli_bad_option("analyze", c, argv, longopts);
			goto out;
		}
	}
	if (optind != argc - 1) {
		ret = cli_usage_error("analyze", optind >= argc ? "no capture given" :
						 "one capture at a time");
		goto out;
	}
	/* --append --force: add a capture the database already holds, again */
	if (opts.append && opts.force) {
		opts.again = true;
		opts.force = false;
	}
	opts.input = argv[optind];
	if (!opts.output) {
		output = analyze_default_output(opts.input);
		if (!output) {
			cli_error("out of memory");
			ret = 1;
			goto out;
		}
		opts.output = output;
	}

	progress.enabled = !quiet && isatty(STDERR_FILENO);
	progress.input = opts.input;
	progress.quiet = quiet;
	clock_gettime(CLOCK_MONOTONIC, &progress.start);
	progress.last = progress.start;
	opts.progress = show_progress;
	opts.phase = show_phase;
	opts.notice = show_notice;
	opts.progress_arg = &progress;
	pthread_mutex_init(&progress.lock, NULL);
	pthread_cond_init(&progress.wake, NULL);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	detections = catalog_detections(&opts.nr_detections);
	if (!detections) {
		cli_error("out of memory");
		ret = 1;
		goto out;
	}
	opts.detections = detections;
	ret = analyze_run(&opts, &sum, &reason);
	progress_end(&progress);
	if (ret < 0) {
		cli_error("%s", reason ? reason : "failed");
		free(reason);
		ret = cmn_stop_signal() ? 128 + cmn_stop_signal() : 1;
		goto out;
	}
	if (verbose)
		fprintf(stderr, "maptrail: %s: open %.2f s, load %.2f s, index %.2f s,"
			" detections %.2f s, close %.2f s\n", opts.input, sum.open_s, sum.load_s,
			sum.index_s, sum.findings_s, sum.close_s);
	if (verbose)
		print_slowest_detections(opts.input, detections, opts.nr_detections, sum.detection_s);
	if (!quiet) {
		if (sum.nr_losses)
			print_losses(opts.input, &sum);
		fprintf(stderr, "maptrail: %s -> %s: %llu events in %d event tables, %llu calls,"
			" capture %lld (%.1f s)\n", opts.input, opts.output,
			(unsigned long long)sum.events, sum.event_tables,
			(unsigned long long)sum.calls, (long long)sum.capture_id,
			cmn_seconds_since(&progress.start));
		fprintf(stderr, "maptrail: %s: %llu address-space history rows; %lld findings"
			" (%lld high; %lld lowered by known runtimes or baselines):"
			" maptrail query %s findings\n", opts.output,
			(unsigned long long)sum.history_rows, (long long)sum.findings,
			(long long)sum.high_findings, (long long)sum.lowered, opts.output);
	}
	ret = 0;
	if (fail_on >= 0) {
		int64_t at_or_above = 0;

		for (int r = fail_on; r < 4; r++)
			at_or_above += sum.findings_by_rank[r];
		if (at_or_above) {
			if (!quiet)
				fprintf(stderr, "maptrail: %s: %lld findings at or above %s"
					" (--fail-on): exit %d\n", opts.output,
					(long long)at_or_above, cli_severity_name(fail_on),
					EXIT_FINDINGS);
			ret = EXIT_FINDINGS;
		}
	}
	analyze_summary_release(&sum);
out:
	/* every way out: what the options and the default output name took */
	free(detections);
	free(output);
	free(schema_files);
	free(baselines);
	return ret;
}
