// SPDX-License-Identifier: MIT
/*
 * maptrail export: send databases to ClickHouse, for the fleet questions
 * (maptrail query --clickhouse).
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "export.h"
#include "query.h"
#include "stop.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: maptrail export DB... --clickhouse URL [--clickhouse URL]... [--cluster NAME]\n"
		"                       [--database NAME] [--host NAME] [--timeout SECONDS] [-q]\n\n"
		"Send maptrail databases to ClickHouse over its HTTP interface: the captures, their\n"
		"processes, calls (one table, the call a column), address-space history, findings and\n"
		"evidence.  A capture is its sha256: one already there completely is not sent again;\n"
		"one cut short (killed, failed) is never seen as complete and is sent afresh next time.\n"
		"The databases are only read.\n\n"
		"  -c, --clickhouse URL  a server's HTTP interface (http://[user:pass@]host:8123/); rows\n"
		"                        go to the first.  With --cluster, one per shard that needs its\n"
		"                        tables created or extended\n"
		"  -C, --cluster NAME    MergeTree tables NAME_local on the cluster's shards and\n"
		"                        Distributed tables over them, a capture on one shard\n"
		"  -d, --database NAME   the ClickHouse database (default: maptrail; created if missing)\n"
		"  -H, --host NAME       the host the captures come from (default: each capture's\n"
		"                        hostname)\n"
		"  -T, --timeout SECONDS give up on a database after SECONDS of reading it (default\n"
		"                        %d; 0: never): one from elsewhere may hold views made to\n"
		"                        run forever\n"
		"  -q, --quiet           only errors\n"
		"  -h, --help            this help\n\n"
		"examples:\n"
		"  maptrail export app.db --clickhouse http://127.0.0.1:8123/\n"
		"  maptrail export *.db --clickhouse http://ch1:8123/ --clickhouse http://ch2:8123/ --cluster fleet\n",
		CLI_EXPORT_TIMEOUT);
}

struct progress {
	bool quiet;
	long kill_after;	/* MAPTRAIL_EXPORT_TEST_KILL_AFTER: the tests' killed export */
	const char *db;
};

static void on_batch(void *ctx, const struct exp_batch *b)
{
	struct progress *p = ctx;

	/* A real SIGKILL, at a known point: what a killed export leaves behind. */
	if (p->kill_after > 0 && b->number >= p->kill_after)
		raise(SIGKILL);
}

static void on_capture(void *ctx, const struct exp_capture_result *r)
{
	struct progress *p = ctx;

	if (p->quiet)
		return;
	if (r->already) {
		printf("%s: capture %.12s (host %s) is already in ClickHouse: nothing sent\n", p->db,
		       r->capture, r->host);
		return;
	}
	printf("%s: capture %.12s (host %s): %lld rows, %.1f MB in %.2f s (%.0f rows/s, %.1f MB/s)\n",
	       p->db, r->capture, r->host, r->rows, r->bytes / 1e6, r->seconds,
	       r->seconds > 0 ? r->rows / r->seconds : 0.0,
	       r->seconds > 0 ? r->bytes / 1e6 / r->seconds : 0.0);
	if (r->stale_rows)
		printf("%s: capture %.12s: %lld rows of an export that did not finish are being removed\n",
		       p->db, r->capture, r->stale_rows);
}

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "clickhouse", required_argument, NULL, 'c' },
		{ "cluster", required_argument, NULL, 'C' },
		{ "database", required_argument, NULL, 'd' },
		{ "host", required_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char **urls = calloc(argc + 1, sizeof(*urls));
	struct progress progress = { 0 };
	struct exp_options o = { .on_batch = on_batch, .on_capture = on_capture, .ctx = &progress };
	struct exp_session *s = NULL;
	const char *env;
	char *err = NULL;
	double timeout = CLI_EXPORT_TIMEOUT;
	int c, ret = EXIT_USAGE;

	if (!urls) {
		cli_error("out of memory");
		return 1;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:C:d:H:T:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			urls[o.nr_urls++] = optarg;
			break;
		case 'C':
			o.cluster = optarg;
			break;
		case 'd':
			o.database = optarg;
			break;
		case 'H':
			o.host = optarg;
			break;
		case 'T':
			if (cli_parse_timeout("export", optarg, &timeout))
				goto out;
			break;
		case 'q':
			progress.quiet = true;
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		case ':':
			ret = cli_usage_error("export", "%s needs a value", argv[optind - 1]);
			goto out;
		default:
			ret = cli_usage_error("export", "unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (optind == argc) {
		ret = cli_usage_error("export", "needs a database");
		goto out;
	}
	if (!o.nr_urls) {
		ret = cli_usage_error("export", "needs --clickhouse URL");
		goto out;
	}
	if (o.nr_urls > 1 && !o.cluster) {
		ret = cli_usage_error("export", "more than one --clickhouse needs --cluster");
		goto out;
	}
	if (o.database && !*o.database) {
		ret = cli_usage_error("export", "--database needs a name");
		goto out;
	}
	o.urls = urls;
	env = getenv("MAPTRAIL_EXPORT_TEST_KILL_AFTER");
	progress.kill_after = env ? atol(env) : 0;
	env = getenv("MAPTRAIL_EXPORT_BATCH_BYTES");	/* the tests: many batches of a small file */
	o.batch_bytes = env ? strtoul(env, NULL, 10) : 0;
	ret = 1;
	/* Every database is one before anything is created in ClickHouse. */
	for (int i = optind; i < argc; i++) {
		sqlite3 *db = NULL;

		cmn_stop_after(timeout);
		if (qry_open(argv[i], &db, &err) < 0) {
			cli_db_error(argv[i], timeout, err ? err : "cannot open");
			goto out;
		}
		sqlite3_close(db);
	}
	if (exp_session_open(&o, &s, &err) < 0) {
		cli_error("export: %s", err ? err : "cannot start");
		goto out;
	}
	for (int i = optind; i < argc; i++) {
		progress.db = argv[i];
		cmn_stop_after(timeout);	/* a budget for each database */
		if (exp_export_db(s, argv[i], &err) < 0) {
			cli_db_error(argv[i], timeout, err ? err : "failed");
			goto out;
		}
		fflush(stdout);
	}
	ret = 0;
out:
	exp_session_free(s);
	free(urls);
	free(err);
	return ret;
}
