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
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "output-renamed.h"
#include "query.h"
#include "report.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: maptrail report DB [-o FILE.html|FILE.md] [--force]\n\n"
		"What a maptrail database holds, as a person reads it: what was captured and how\n"
		"completely (lost events, unpaired calls, the recorder's plan), the findings by\n"
		"severity with their evidence, per-process summaries, calls over time and the\n"
		"address-space timeline of each process with findings.\n\n"
		"  -o, --output FILE  write to FILE: .html (one self-contained page, pictures in\n"
		"                     SVG) or .md (Markdown); without -o, plain text on stdout\n"
		"  -f, --force        replace FILE if it exists\n"
		"  -h, --help         this help\n");
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

	if (cmn_out_renamed_prepare(&o->out, path, &rules, db_st, &reason) < 0) {
		cli_error("%s", reason ? reason : "out of memory");
		free(reason);
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

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct rep_options opt = { .format = REP_TEXT };
	struct out_file out = { 0 };
	const char *output = NULL, *path;
	bool force = false;
	sqlite3 *db = NULL;
	struct stat db_st;
	char *err = NULL;
	int c, ret = 1;

	opterr = 0;	/* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, ":o:fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return cli_usage_error("report", "%s needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("report", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("report", optind == argc ? "which database?" :
				       "one database at a time");
	path = argv[optind];
	if (output) {
		int format = rep_format_for_path(output);

		if (format < 0)
			return cli_usage_error("report", "%s: the output's name says its format:"
					       " .html, .htm or .md", output);
		opt.format = format;
	}
	opt.db_name = path;
	/* read only, and refused unless maptrail wrote it, as maptrail query does */
	if (qry_open(path, &db, &err) || stat(path, &db_st) < 0) {
		cli_error("%s: %s", path, err ? err : strerror(errno));
		goto out;
	}
	if (output && out_open(&out, output, force, &db_st))
		goto out;
	if (rep_write(db, out.f ? out.f : stdout, &opt, &err)) {
		cli_error("%s: %s", path, err ? err : "out of memory");
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
	free(err);
	sqlite3_close(db);
	return ret;
}
