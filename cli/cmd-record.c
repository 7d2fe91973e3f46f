// SPDX-License-Identifier: MIT
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "record.h"
#include "schema.h"

static volatile sig_atomic_t interrupted, dump_requested;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void on_usr1(int sig)
{
	(void)sig;
	dump_requested = 1;
}

/* --flight without --trigger: the named triggers a benign host seldom fires */
static const char *const default_triggers[] = { "wx", "fixed-remap", "remap_file_pages", NULL };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: maptrail record [-o FILE] [-e EVENT,...] [--backend auto|kprobe|tracepoint]\n"
		"                       [-p PID]... [--duration SECONDS] [-b BUFFER_KB] [--force]\n"
		"                       [--no-identity]\n"
		"                       [-- COMMAND ARGS...]\n"
		"       maptrail record --flight -o DIR [--trigger NAME|EVENT:FILTER]... [--keep N]\n"
		"                       [--after SECONDS] [-b KB] [-e ...] [-p PID | -- COMMAND]\n"
		"       maptrail record --plan [-e EVENT,...] [--backend ...]\n"
		"       maptrail record --cleanup\n\n"
		"Record the memory-mapping system calls of the schema (mmap, mprotect, mremap, ...)\n"
		"through tracefs into a trace.dat (v6) that trace-cmd report and maptrail analyze\n"
		"read.  With COMMAND: run it and record it and every process it forks, until it\n"
		"exits.  With -p: those processes, their threads and children.  With neither: the\n"
		"whole system.  SIGINT, SIGTERM or --duration end the recording cleanly.  Needs root.\n\n"
		"  -o, --output FILE      trace.dat to write (default: trace.dat)\n"
		"  -e, --events LIST      events of the schema to record (default: all)\n"
		"      --backend NAME     auto (kprobes where they work, else syscall tracepoints),\n"
		"                         kprobe or tracepoint (default: auto)\n"
		"  -p, --pid PID          record this process (repeatable)\n"
		"      --duration SECS    stop after this long\n"
		"  -b, --buffer KB        ring buffer per CPU (default: %d)\n"
		"      --force            replace an existing output\n"
		"      --no-identity      no process snapshots, file lookups or tracer following\n"
		"                         (the maptrail:* records of trace_marker)\n"
		"      --plan             print the probe plan for this kernel and exit\n"
		"      --cleanup          remove what killed recordings left in tracefs and exit\n"
		"      --flight           flight recorder: keep the last -b KB per CPU in the kernel\n"
		"                         (overwritten, read by nobody) and dump it into DIR as\n"
		"                         maptrail-<UTC time>-<trigger>.dat when a trigger fires,\n"
		"                         on SIGUSR1, and at the end (SIGINT, SIGTERM, --duration)\n"
		"      --trigger T        freeze at the call: a named trigger (--trigger list names\n"
		"                         them; default: wx, fixed-remap, remap_file_pages; none:\n"
		"                         no trigger) or EVENT:FILTER, EVENT a schema event or a\n"
		"                         tracefs SYSTEM/EVENT, FILTER a tracefs filter (repeatable)\n"
		"      --keep N           re-arm after each dump, up to N dumps (default: 1)\n"
		"      --after SECS       after a trigger, record this long before the dump\n"
		"  -q, --quiet            print nothing but warnings and errors\n"
		"  -h, --help             this help\n", REC_DEFAULT_BUFFER_KB);
}

static void notice(void *arg, const char *msg)
{
	bool quiet = *(bool *)arg;

	/* multi-line messages are the plan: shown as they are */
	if (strchr(msg, '\n')) {
		if (!quiet)
			fputs(msg, stderr);
		return;
	}
	fprintf(stderr, "maptrail: %s\n", msg);
}

/* "mmap,mprotect" appended to a NULL-terminated list; false on a bad name. */
static bool add_events(const char ***list, int *n, char *arg)
{
	for (char *save = NULL, *e = strtok_r(arg, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		const char **tmp = realloc(*list, (*n + 2) * sizeof(*tmp));

		if (!tmp)
			return false;
		*list = tmp;
		(*list)[(*n)++] = e;
		(*list)[*n] = NULL;
	}
	return true;
}

/* Every -e name an event of the schema; else the usage-error line (EXIT_USAGE). */
static int check_events(const char *const *events)
{
	sqlite3 *db = NULL;
	char **names = NULL, *err = NULL;
	int ret = 0;

	if (!events)
		return 0;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK || schema_load(db, NULL, &err) < 0 ||
	    schema_event_names(db, &names, &err) < 0) {
		cli_error("%s", err ? err : "cannot load the schema");
		ret = 1;
		goto out;
	}
	for (const char *const *e = events; *e && !ret; e++) {
		bool known = false;

		for (char **n = names; *n && !known; n++)
			known = !strcmp(*n, *e);
		if (!known)
			ret = cli_unknown_name("record", "event", *e, (const char *const *)names,
					       "maptrail schema --list");
	}
out:
	schema_names_free(names);
	free(err);
	sqlite3_close(db);
	return ret;
}

/*
 * The exit status: the command's, as a shell reports it (128 + N for signal
 * N); without a command, 128 + N when signal N ended the recording.
 */
static int exit_status(const struct rec_summary *s)
{
	if (s->command_pid && s->command_done) {
		if (WIFEXITED(s->command_status))
			return WEXITSTATUS(s->command_status);
		if (WIFSIGNALED(s->command_status))
			return 128 + WTERMSIG(s->command_status);
	}
	if (interrupted)
		return 128 + interrupted;
	return 0;
}

static void print_command_end(char *const *command, const struct rec_summary *s)
{
	if (!s->command_pid)
		return;
	if (!s->command_done)
		fprintf(stderr, "maptrail: %s (pid %d) is still running\n", command[0],
			(int)s->command_pid);
	else if (WIFEXITED(s->command_status))
		fprintf(stderr, "maptrail: %s (pid %d) exited with status %d\n", command[0],
			(int)s->command_pid, WEXITSTATUS(s->command_status));
	else if (WIFSIGNALED(s->command_status))
		fprintf(stderr, "maptrail: %s (pid %d) was killed by signal %d (%s)\n",
			command[0], (int)s->command_pid, WTERMSIG(s->command_status),
			strsignal(WTERMSIG(s->command_status)));
}

/*
 * How the file's times map to UTC (record/wallclock.h).  A change of the
 * offset over a millisecond between the samples is a clock step (settimeofday,
 * an NTP step): the times of the recording then carry it, spread evenly.
 */
static void print_wallclock(const char *output, const struct rec_wallclock *w, bool quiet)
{
	const struct rec_wallclock_sample *a = &w->start, *b = &w->end;
	long long offset = a->realtime_ns - a->trace_ns, moved;

	if (!w->clock[0])
		return;
	if (!w->twin || !w->has_start) {
		fprintf(stderr, "maptrail: warning: %s: the trace clock '%s' has no counterpart a "
			"process can read: the capture has no wall-clock (UTC) time\n", output,
			w->clock);
		return;
	}
	moved = w->has_end ? (b->realtime_ns - b->trace_ns) - offset : 0;
	if (!quiet)
		fprintf(stderr, "maptrail: wall clock: UTC = %s + %lld.%09lld s (± %lld ns; %+lld ns "
			"by the end)\n", w->clock, offset / 1000000000, offset % 1000000000,
			(long long)(a->uncertainty_ns > b->uncertainty_ns ? a->uncertainty_ns :
				    b->uncertainty_ns), moved);
	if (moved > 1000000 || moved < -1000000)
		fprintf(stderr, "maptrail: warning: %s: the wall clock was stepped by %+.6f s during "
			"the recording: UTC times are spread over it\n", output, moved / 1e9);
}

static void print_summary(const char *output, char *const *command, const struct rec_summary *s,
			  bool quiet)
{
	uint64_t events = 0, lost = rec_summary_lost(s);

	for (int i = 0; i < s->nr_cpus; i++)
		events += s->cpus[i].events;
	if (!quiet) {
		fprintf(stderr, "maptrail: %s: %llu events in %.1f s, %llu bytes, recorder CPU %.2f s%s\n",
			output, (unsigned long long)events, s->seconds,
			(unsigned long long)s->file_size, s->cpu_seconds,
			s->interrupted ? " (interrupted)" : s->timed_out ? " (--duration)" : "");
		fprintf(stderr, "  cpu      events   lost(pages)   overrun  commit-overrun   dropped\n");
		for (int i = 0; i < s->nr_cpus; i++) {
			const struct rec_cpu_summary *c = &s->cpus[i];

			fprintf(stderr, "  %3d %11llu %14llu %9lld %15lld %9lld\n", i,
				(unsigned long long)c->events, (unsigned long long)c->missed,
				c->overrun, c->commit_overrun, c->dropped);
		}
	}
	if (lost) {
		fprintf(stderr, "maptrail: warning: %s: %llu events were lost:", output,
			(unsigned long long)lost);
		for (int i = 0; i < s->nr_cpus; i++) {
			const struct rec_cpu_summary *c = &s->cpus[i];

			if (c->missed || c->missed_pages || c->overrun > 0 || c->commit_overrun > 0 ||
			    c->dropped > 0)
				fprintf(stderr, " cpu%d (pages %llu%s, overrun %lld, commit overrun %lld, "
					"dropped %lld)", i, (unsigned long long)c->missed,
					c->missed_pages ? "+?" : "", c->overrun, c->commit_overrun,
					c->dropped);
		}
		if (s->kprobe_misses > 0)
			fprintf(stderr, " kretprobe/kprobe misses %lld", s->kprobe_misses);
		fprintf(stderr, "; a larger -b BUFFER_KB may help\n");
	}
	if (s->identity && !quiet)
		fprintf(stderr, "maptrail: identity: %llu process snapshots, %llu file lookups, "
			"%llu tracers, %llu records (%llu watch events)\n",
			(unsigned long long)s->identity_stats.snapshots,
			(unsigned long long)s->identity_stats.files,
			(unsigned long long)s->identity_stats.tracers,
			(unsigned long long)s->identity_stats.records,
			(unsigned long long)s->identity_stats.events);
	print_wallclock(output, &s->wallclock, quiet);
	if (s->identity && (s->identity_stats.lost || s->identity_stats.records_lost))
		fprintf(stderr, "maptrail: warning: %s: the identity watch lost %llu events and "
			"%llu records: some file lookups or snapshots are missing\n", output,
			(unsigned long long)s->identity_stats.lost,
			(unsigned long long)s->identity_stats.records_lost);
	print_command_end(command, s);
}


/* The dumps were told one by one (notices); the whole recording in one line. */
static void print_flight_summary(const char *dir, char *const *command,
				 const struct rec_summary *s, bool quiet)
{
	if (!quiet)
		fprintf(stderr, "maptrail: flight recorder: %d dump%s in %s over %.1f s; armed %.1f s "
			"at %.4f s of recorder CPU (%.4f%%)%s\n", s->dumps, s->dumps == 1 ? "" : "s",
			dir, s->seconds, s->armed_seconds, s->armed_cpu_seconds,
			s->armed_seconds > 0 ? 100 * s->armed_cpu_seconds / s->armed_seconds : 0.0,
			s->interrupted ? " (interrupted)" : s->timed_out ? " (--duration)" : "");
	print_command_end(command, s);
}

static int number(const char *opt, const char *s, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	if (errno || *end || end == s || *v < 1 || *v > max)
		return cli_usage_error("record", "%s: '%s' is not a number from 1 to %ld", opt, s,
				       max);
	return 0;
}

int cmd_record(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "events", required_argument, NULL, 'e' },
		{ "backend", required_argument, NULL, 'B' },
		{ "pid", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-identity", no_argument, NULL, 'I' },
		{ "plan", no_argument, NULL, 'P' },
		{ "cleanup", no_argument, NULL, 'C' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "flight", no_argument, NULL, 'F' },
		{ "trigger", required_argument, NULL, 'T' },
		{ "keep", required_argument, NULL, 'K' },
		{ "after", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct rec_options opts = {
		.output = "trace.dat",
		.interrupted = &interrupted,
		.notice = notice,
	};
	struct sigaction sa = { .sa_handler = on_signal }, usr1 = { .sa_handler = on_usr1 };
	struct rec_flight_options flight = { .keep = 1 };
	const char **triggers = NULL;
	int nr_triggers = 0;
	bool flight_mode = false, output_given = false;
	struct rec_summary sum;
	const char **events = NULL;
	int *pids = NULL, nr_events = 0, c, ret;
	bool plan = false, cleanup = false, quiet = false;
	char *err = NULL, *end;
	long v;

	opts.notice_arg = &quiet;
	/* '+': the command's own options are not ours */
	opterr = 0;	/* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "+:o:e:p:b:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opts.output = optarg;
			output_given = true;
			break;
		case 'F':
			flight_mode = true;
			break;
		case 'T': {
			const char **tmp = realloc(triggers, (nr_triggers + 2) * sizeof(*tmp));

			if (!tmp) {
				cli_error("out of memory");
				return 1;
			}
			triggers = tmp;
			triggers[nr_triggers++] = optarg;
			triggers[nr_triggers] = NULL;
			break;
		}
		case 'K':
			if (number("--keep", optarg, 1000000, &v))
				return EXIT_USAGE;
			flight.keep = v;
			break;
		case 'A':
			errno = 0;
			flight.after = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(flight.after >= 0) || flight.after > 1e6)
				return cli_usage_error("record", "--after: '%s' is not a number of "
						       "seconds", optarg);
			break;
		case 'e':
			if (!add_events(&events, &nr_events, optarg)) {
				cli_error("out of memory");
				return 1;
			}
			break;
		case 'B':
			if (!strcmp(optarg, "auto"))
				opts.backend = REC_BACKEND_AUTO;
			else if (!strcmp(optarg, "kprobe"))
				opts.backend = REC_BACKEND_KPROBE;
			else if (!strcmp(optarg, "tracepoint"))
				opts.backend = REC_BACKEND_TRACEPOINT;
			else
				return cli_usage_error("record", "--backend: '%s' is not auto, kprobe "
						       "or tracepoint", optarg);
			break;
		case 'p': {
			int *tmp;

			if (number("-p", optarg, 1L << 22, &v))
				return EXIT_USAGE;
			tmp = realloc(pids, (opts.nr_pids + 1) * sizeof(*tmp));
			if (!tmp) {
				cli_error("out of memory");
				return 1;
			}
			pids = tmp;
			pids[opts.nr_pids++] = v;
			break;
		}
		case 'd':
			errno = 0;
			opts.duration = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(opts.duration > 0) ||
			    opts.duration > 1e9)
				return cli_usage_error("record", "--duration: '%s' is not a number of "
						       "seconds", optarg);
			break;
		case 'b':
			if (number("-b", optarg, 1L << 24, &v))
				return EXIT_USAGE;
			opts.buffer_kb = v;
			break;
		case 'f':
			opts.force = true;
			break;
		case 'I':
			opts.no_identity = true;
			break;
		case 'P':
			plan = true;
			break;
		case 'C':
			cleanup = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_bad_option("record", c, argv, longopts);
		}
	}
	opts.events = events;
	opts.pids = pids;
	ret = check_events(events);
	if (ret) {
		free(events);
		free(pids);
		return ret;
	}
	if (optind < argc)
		opts.command = argv + optind;

	if (!flight_mode && (triggers || flight.after > 0 || flight.keep != 1))
		return cli_usage_error("record", "--trigger, --keep and --after go with --flight");
	if (flight_mode && triggers && !strcmp(triggers[0], "list")) {
		char *text = NULL;

		ret = rec_flight_list(&text, &err);
		if (ret < 0) {
			cli_error("%s", err ? err : "failed");
			free(err);
			return 1;
		}
		printf("Named triggers of maptrail record --flight (schema_trigger):\n%s", text);
		free(text);
		return 0;
	}
	if (flight_mode) {
		if (!output_given)
			return cli_usage_error("record", "--flight needs -o DIR, the directory of the "
					       "dumps");
		if (opts.force)
			return cli_usage_error("record", "--flight never replaces a file: each dump "
					       "has a name of its own");
		/* "none" alone: a recorder that dumps on SIGUSR1 and at the end only */
		flight.triggers = !triggers ? default_triggers :
				  !strcmp(triggers[0], "none") && !triggers[1] ? NULL : triggers;
		opts.flight = &flight;
		opts.dump_requested = &dump_requested;
	}
	if (cleanup) {
		if (plan || opts.command || opts.nr_pids)
			return cli_usage_error("record", "--cleanup takes no other arguments");
		ret = rec_cleanup(notice, &quiet, &err);
		if (ret < 0) {
			cli_error("%s", err ? err : "cleanup failed");
			free(err);
			return 1;
		}
		if (!ret && !quiet)
			fprintf(stderr, "maptrail: nothing left behind by killed recordings\n");
		return 0;
	}
	if (plan) {
		char *text = NULL;

		if (opts.command || opts.nr_pids)
			return cli_usage_error("record", "--plan records nothing: no command or -p");
		ret = rec_plan_describe(opts.backend, opts.events, &text, &err);
		free(events);
		free(pids);
		if (ret < 0) {
			cli_error("%s", err ? err : "failed");
			free(err);
			return 1;
		}
		fputs(text, stdout);
		free(text);
		return 0;
	}

	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: the wait loop's sleep ends at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (flight_mode) {
		sigemptyset(&usr1.sa_mask);
		sigaction(SIGUSR1, &usr1, NULL);
	}
	ret = rec_run(&opts, &sum, &err);
	if (ret < 0) {
		cli_error("%s", err ? err : "recording failed");
		free(err);
		free(events);
		free(pids);
		free(triggers);
		return 1;
	}
	if (flight_mode)
		print_flight_summary(opts.output, opts.command, &sum, quiet);
	else
		print_summary(opts.output, opts.command, &sum, quiet);
	ret = exit_status(&sum);
	rec_summary_release(&sum);
	free(events);
	free(pids);
	free(triggers);
	return ret;
}
