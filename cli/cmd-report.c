// SPDX-License-Identifier: MIT
/*
 * maptrail report DB [-o FILE] [--force]: the report of a database, on the
 * terminal or in a file whose extension picks the format.  The file is written
 * under a temporary name beside it and renamed into place when complete, as
 * analyze does with its database: a failure leaves nothing at the output path.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "cli.h"
#include "format.h"
#include "output-renamed.h"
#include "query.h"
#include "report.h"
#include "stop.h"

/* The findings alone, as ECS alerts a line: a format of maptrail query's writer. */
#define REPORT_ECS	(-2)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: maptrail report DB [-o FILE|-] [--format text|md|html|ecs] [--force]\n"
		"                       [--fail-on SEVERITY] [--timeout SECONDS]\n\n"
		"What a maptrail database holds, as a person reads it: what was captured and how\n"
		"completely (lost events, unpaired calls, the recorder's plan), the findings by\n"
		"severity with their evidence, per-process summaries, calls over time and the\n"
		"address-space timeline of each process with findings.\n\n"
		"  -o, --output FILE  write to FILE (- : stdout, the default); without --format its\n"
		"                     name says the format: .txt, .html, .md, .ndjson (ecs)\n"
		"  -F, --format NAME  text (100 columns), md (Markdown), html (one self-contained\n"
		"                     page, pictures in SVG) or ecs (the findings as Elastic\n"
		"                     Common Schema alerts, one JSON object a line, for a SIEM)\n"
		"  -f, --force        replace FILE if it exists (a regular file only)\n"
		"      --fail-on SEVERITY  exit 3 when the database holds findings of SEVERITY\n"
		"                     (high, medium, low, info) or above; the report is\n"
		"                     written all the same\n"
		"  -T, --timeout SECONDS  give up on the database after SECONDS (default %d; 0:\n"
		"                     never): a database from elsewhere may hold views made to\n"
		"                     run forever\n"
		"  -h, --help         this help\n", CLI_DB_TIMEOUT);
}

/*
 * The output file, written beside its final name until complete, by the same
 * rules as analyze's database (common/output-renamed.c).
 */
struct out_file {
	struct cmn_out_renamed out;
	FILE *f;
};

static int out_open(struct out_file *o, const char *path, bool force, const struct stat *db_st)
{
	const struct cmn_out_rules rules = { .force = force, .input = "database" };
	char *reason = NULL;

	int ret = cmn_out_renamed_prepare(&o->out, path, &rules, db_st, &reason);

	if (o->out.note)	/* a killed report's temporary file, removed */
		cli_error("%s", o->out.note);
	if (ret < 0) {
		cli_error("%s", reason ? reason : "out of memory");
		free(reason);
		cmn_out_renamed_discard(&o->out);
		return -1;
	}
	o->f = fopen(o->out.tmp, "we");
	if (!o->f) {
		cli_error("%s: cannot write: %s", path, strerror(errno));
		cmn_out_renamed_discard(&o->out);
		return -1;
	}
	return 0;
}

/* Close and publish; on @ok false (or a write error), remove the temporary file. */
static int out_close(struct out_file *o, bool ok)
{
	char *reason = NULL;

	if (o->f) {
		if (ok && (ferror(o->f) || fflush(o->f) || fsync(fileno(o->f)))) {
			cli_error("%s: cannot write: %s", o->out.path, strerror(errno ? errno : EIO));
			ok = false;
		}
		if (fclose(o->f) && ok) {
			cli_error("%s: cannot write: %s", o->out.path, strerror(errno));
			ok = false;
		}
		o->f = NULL;
	}
	if (ok && o->out.tmp && cmn_out_renamed_publish(&o->out, &reason) < 0) {
		cli_error("%s", reason ? reason : "cannot rename into place");
		ok = false;
	}
	free(reason);
	cmn_out_renamed_discard(&o->out);
	return ok ? 0 : 1;
}

static int report_format(const char *name)
{
	if (!strcmp(name, "text"))
		return REP_TEXT;
	if (!strcmp(name, "md") || !strcmp(name, "markdown"))
		return REP_MARKDOWN;
	if (!strcmp(name, "html"))
		return REP_HTML;
	if (!strcmp(name, "ecs"))
		return REPORT_ECS;
	return -1;
}

static int report_format_for_path(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && !strchr(dot, '/') && (!strcasecmp(dot, ".ndjson") || !strcasecmp(dot, ".jsonl")))
		return REPORT_ECS;
	if (dot && !strchr(dot, '/') && !strcasecmp(dot, ".txt"))
		return REP_TEXT;
	return rep_format_for_path(path);
}

/* The findings query (queries/findings.sql) through the ECS writer. */
static int write_ecs(sqlite3 *db, FILE *out, char **err)
{
	const struct qry_info *q = qry_catalog_find("findings");
	const struct qry_output opts = { .format = QRY_FORMAT_ECS };
	sqlite3_stmt *st = NULL;
	long long rows;

	if (!q)
		return asprintf(err, "no findings query compiled in") < 0 ? -1 : -1;
	if (qry_prepare(db, q->sql, NULL, 0, &st, err) < 0)
		return -1;
	rows = qry_write(db, st, &opts, out, err);
	sqlite3_finalize(st);
	return rows < 0 ? -1 : 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'F' },
		{ "force", no_argument, NULL, 'f' },
		{ "fail-on", required_argument, NULL, 'G' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct rep_options opt = { .format = REP_TEXT };
	const char *format_name = NULL;
	int format = REP_TEXT;
	struct out_file out = { 0 };
	const char *output = NULL, *path;
	bool force = false;
	double timeout = CLI_DB_TIMEOUT;
	sqlite3 *db = NULL;
	struct stat db_st;
	char *err = NULL;
	int c, ret = 1, fail_on = -1;

	opterr = 0;	/* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, ":o:F:fT:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = strcmp(optarg, "-") ? optarg : NULL;
			break;
		case 'F':
			format_name = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'G':
			fail_on = cli_fail_on_rank("report", optarg);
			if (fail_on < 0)
				return EXIT_USAGE;
			break;
		case 'T':
			if (cli_parse_timeout("report", optarg, &timeout))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_bad_option("report", c, argv, longopts);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("report", optind == argc ? "which database?" :
				       "one database at a time");
	path = argv[optind];
	if (format_name) {
		format = report_format(format_name);
		if (format == -1)
			return cli_usage_error("report", "--format is text, md, html or ecs, not '%s'",
					       format_name);
	} else if (output) {
		format = report_format_for_path(output);
		if (format == -1)
			return cli_usage_error("report", "%s: the output's name says its format:"
					       " .txt, .html, .htm, .md, .ndjson or .jsonl (or give --format)",
					       output);
	}
	if (format != REPORT_ECS)
		opt.format = format;
	opt.db_name = path;
	/* read only, bounded, and refused unless maptrail wrote it, as maptrail query does */
	cmn_stop_after(timeout);
	if (qry_open(path, &db, &err) || stat(path, &db_st) < 0) {
		cli_db_error(path, timeout, err ? err : strerror(errno));
		goto out;
	}
	if (output && out_open(&out, output, force, &db_st))
		goto out;
	if (format == REPORT_ECS ? write_ecs(db, out.f ? out.f : stdout, &err) :
	    rep_write(db, out.f ? out.f : stdout, &opt, &err)) {
		cli_db_error(path, timeout, err ? err : "out of memory");
		goto out;
	}
	ret = 0;
out:
	if (output && out_close(&out, ret == 0))
		ret = 1;
	if (!output && fflush(stdout)) {
		cli_error("cannot write: %s", strerror(errno));
		ret = 1;
	}
	/* the report is whole (renamed into place) before the gate is judged */
	if (ret == 0 && fail_on >= 0)
		ret = cli_fail_on_gate(path, db, fail_on, false);
	free(err);
	sqlite3_close(db);
	return ret;
}
