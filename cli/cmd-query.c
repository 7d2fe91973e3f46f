// SPDX-License-Identifier: MIT
/*
 * maptrail query: ask a database one question, canned (queries/<name>.sql, by
 * name) or typed (SQL), and print the answer as a table, CSV or JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "cli.h"
#include "fleet.h"
#include "format.h"
#include "query.h"
#include "schema.h"
#include "stop.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: maptrail query DB NAME|SQL [--param NAME=VALUE]... [--format FORMAT] [--wide]\n"
		"                      [--fail-on SEVERITY]\n"
		"       maptrail query --list [-v] [--format FORMAT]\n"
		"       maptrail query --describe NAME\n"
		"       maptrail query --clickhouse URL [--database NAME] NAME|SQL [--param NAME=VALUE]...\n"
		"                      [--format ...] [--wide]     (and --list, --describe NAME)\n\n"
		"Ask a maptrail database one question: a canned query by NAME (--list shows them),\n"
		"or one SQL statement of your own (anything with a space in it, or starting with\n"
		"SELECT or WITH).  The database is opened read-only.\n\n"
		"  -p, --param NAME=VALUE  bind :NAME (also $NAME, @NAME); decimal and 0x-hex integers\n"
		"                          bind as integers, anything else as text.  Parameters not\n"
		"                          given are NULL, which the canned queries read as \"any\"\n"
		"  -f, --format FORMAT     table (default): aligned, addresses in hex, protections,\n"
		"                          flags and errno by name; csv (RFC 4180), json (an array\n"
		"                          of objects), jsonl (one object a line): the raw values,\n"
		"                          for programs; ecs (findings only): Elastic Common Schema\n"
		"                          alerts, one a line, for a SIEM\n"
		"  -w, --wide              table: do not cut cells at %d characters\n"
		"  -l, --list              the canned queries: name, kind, severity, title (in any\n"
		"                          --format but ecs)\n"
		"  -v, --verbose           with --list: every query's whole header\n"
		"  -d, --describe NAME     one query's header (title, means, why, mitre, params) and SQL\n"
		"  -c, --clickhouse URL    ask the fleet's ClickHouse instead (maptrail export): the\n"
		"                          questions of queries/fleet/, or ClickHouse SQL; --param\n"
		"                          fills {NAME:Type}, as a literal of that type\n"
		"  -D, --database NAME     with --clickhouse: the database (default: maptrail)\n"
		"      --fail-on SEVERITY  with the findings query: exit 3 when the database holds\n"
		"                          findings of SEVERITY (high, medium, low, info) or above\n"
		"  -T, --timeout SECONDS   give up on the database after SECONDS (default %d; 0: never):\n"
		"                          a database from elsewhere may hold views made to run forever\n"
		"  -h, --help              this help\n\n"
		"examples:\n"
		"  maptrail query app.db --list\n"
		"  maptrail query app.db process-summary --param pid=4242\n"
		"  maptrail query app.db 'SELECT * FROM mprotect WHERE addr = :a' -p a=0x7f12a000 -f json\n"
		"  maptrail query --clickhouse http://127.0.0.1:8123/ prevalence\n",
		QRY_CELL_MAX, CLI_DB_TIMEOUT);
}

/* Prints @text from column @indent on, wrapped at @width: headers are long sentences. */
static void wrap(const char *text, int indent, int width)
{
	int col = indent;

	while (*text) {
		size_t word = strcspn(text, " ");

		if (col > indent && col + 1 + (int)word > width) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			putchar(' ');
			col++;
		}
		fwrite(text, 1, word, stdout);
		col += word;
		text += word;
		text += strspn(text, " ");
	}
	putchar('\n');
}

static void describe(const struct qry_info *q, bool sql)
{
	const struct {
		const char *key, *value;
	} keys[] = {
		{ "kind", q->kind }, { "severity", q->severity }, { "mitre", q->mitre },
		{ "params", q->params }, { "means", q->means }, { "why", q->why },
	};

	printf("%s: %s\n", q->name, q->title ? q->title : "(no title)");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].value) {
			printf("  %-9s ", keys[i].key);
			wrap(keys[i].value, 12, 100);
		}
	if (sql)
		printf("\n%s\n", q->sql);
}

/* 0 when everything reached stdout, or its reader went away; else one line and 1. */
static int done(FILE *out)
{
	if (!fflush(out) && !ferror(out))
		return 0;
	if (errno == EPIPE)
		return 0;
	cli_error("query: write: %s", strerror(errno));
	return 1;
}

/* The canned questions of one database, or of the fleet's ClickHouse. */
struct catalog {
	int (*count)(void);
	const struct qry_info *(*get)(int i);
	const struct qry_info *(*find)(const char *name);
};

static const struct catalog sqlite_catalog = { qry_catalog_count, qry_catalog_get,
					       qry_catalog_find };
static const struct catalog fleet_catalog = { exp_fleet_count, exp_fleet_get, exp_fleet_find };

/* --list for programs: the catalog as rows, through the same writers as any answer. */
static int list_rows(const struct catalog *cat, const struct qry_output *opts)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL, *st = NULL;
	char *err = NULL;
	long long rows;
	int ret = 1;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE TABLE query (name TEXT, kind TEXT, severity TEXT, title TEXT,"
			 " mitre TEXT, params TEXT, means TEXT, why TEXT)", NULL, NULL, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO query VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &ins,
			       NULL)) {
		cli_error("query: --list: %s", sqlite3_errmsg(db));
		goto out;
	}
	for (int i = 0; i < cat->count(); i++) {
		const struct qry_info *q = cat->get(i);
		const char *v[] = { q->name, q->kind, q->severity, q->title, q->mitre, q->params,
				    q->means, q->why };

		for (int k = 0; k < 8; k++)
			sqlite3_bind_text(ins, k + 1, v[k], -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			cli_error("query: --list: %s", sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(ins);
	}
	if (sqlite3_prepare_v2(db, "SELECT * FROM query ORDER BY name", -1, &st, NULL)) {
		cli_error("query: --list: %s", sqlite3_errmsg(db));
		goto out;
	}
	rows = qry_write(db, st, opts, stdout, &err);
	if (rows < 0 && rows != -EPIPE)
		cli_error("query: --list: %s", err ? err : "failed");
	ret = rows < 0 && rows != -EPIPE;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(err);
	return ret;
}

static int list(const struct catalog *cat, bool verbose, const struct qry_output *opts)
{
	int n = cat->count();
	int width = 4;

	if (opts->format != QRY_FORMAT_TABLE) {
		if (opts->format == QRY_FORMAT_ECS)
			return cli_usage_error("query", "--list: --format ecs is for findings");
		return list_rows(cat, opts);
	}

	for (int i = 0; i < n; i++)
		if ((int)strlen(cat->get(i)->name) > width)
			width = strlen(cat->get(i)->name);
	if (!verbose)
		printf("%-*s  %-9s  %-8s  %s\n", width, "NAME", "KIND", "SEVERITY", "TITLE");
	for (int i = 0; i < n; i++) {
		const struct qry_info *q = cat->get(i);

		if (verbose) {
			if (i)
				putchar('\n');
			describe(q, false);
			continue;
		}
		printf("%-*s  %-9s  %-8s  %s\n", width, q->name, q->kind ? q->kind : "",
		       q->severity ? q->severity : "", q->title ? q->title : "");
	}
	return done(stdout);
}

static int unknown_query(const char *name, bool fleet)
{
	const struct catalog *cat = fleet ? &fleet_catalog : &sqlite_catalog;
	const char **names = calloc(cat->count() + 1, sizeof(*names));

	if (!names) {
		cli_error("out of memory");
		return 1;
	}
	for (int i = 0; i < cat->count(); i++)
		names[i] = cat->get(i)->name;
	cli_unknown_name("query", fleet ? "fleet query" : "query", name, names,
			 fleet ? "maptrail query --clickhouse URL --list" : "maptrail query --list");
	free(names);
	return EXIT_USAGE;
}

/* The parameters against the query's declared types: one usage-error line. */
static int check_params(const struct qry_info *q, const struct qry_param *params, int nr_params)
{
	char **allowed = NULL, *err = NULL;
	const char *bad_value = NULL, *near;

	if (!qry_check_params(q, params, nr_params, &err, &allowed, &bad_value))
		return 0;
	near = allowed ? cli_suggest(bad_value, (const char *const *)allowed, -1) : NULL;
	if (near)
		cli_usage_error("query", "%s; did you mean '%s'?", err ? err : "bad parameter", near);
	else
		cli_usage_error("query", "%s", err ? err : "bad parameter");
	free(allowed);
	free(err);
	return EXIT_USAGE;
}

/*
 * A question to the fleet's ClickHouse: its answer lands in a table of an
 * in-memory database, which the same formatter as a capture's writes (with
 * the schema's flag and errno names).
 */
static int run_fleet(const char *url, const char *database, const char *what,
		     const struct qry_param *params, int nr_params, const struct qry_output *opts)
{
	const struct qry_info *q = NULL;
	const char *label = "SQL", *sql = what;
	sqlite3 *mem = NULL;
	sqlite3_stmt *st = NULL;
	char *err = NULL;
	long long rows;
	int ret = 1;

	if (!qry_is_sql(what)) {
		q = exp_fleet_find(what);
		if (!q)
			return unknown_query(what, true);
		label = q->name;
		sql = q->sql;
	}
	if (sqlite3_open(":memory:", &mem) != SQLITE_OK || schema_load(mem, NULL, &err) < 0) {
		cli_error("query: %s", err ? err : "cannot open an in-memory database");
		goto out;
	}
	rows = exp_fleet_query(url, database, sql, params, nr_params, mem, "answer", &err);
	if (rows == -EINVAL) {
		ret = cli_usage_error("query", "%s: %s", label, err);
		goto out;
	}
	if (rows < 0) {
		cli_error("%s: %s", label, err ? err : "failed");
		goto out;
	}
	if (sqlite3_prepare_v2(mem, "SELECT * FROM answer_named", -1, &st, NULL) != SQLITE_OK) {
		cli_error("query: %s", sqlite3_errmsg(mem));
		goto out;
	}
	rows = qry_write(mem, st, opts, stdout, &err);
	if (rows == -EPIPE) {
		ret = 0;
		goto out;
	}
	if (rows < 0) {
		cli_error("query: %s", err ? err : strerror(-rows));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(mem);
	free(err);
	return ret;
}

/* The answer, or one line saying why there is none. */
static int run(const char *db_path, const char *what, const struct qry_param *params,
	       int nr_params, const struct qry_output *opts, double timeout)
{
	const struct qry_info *q = NULL;
	const char *label = "SQL", *sql = what;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct qry_param *times = NULL;
	char *err = NULL;
	long long rows;
	int ret = 1, rc;

	if (!qry_is_sql(what)) {
		q = qry_catalog_find(what);
		if (!q)
			return unknown_query(what, false);
		label = q->name;
		sql = q->sql;
		if (check_params(q, params, nr_params))
			return EXIT_USAGE;
	}
	cmn_stop_after(timeout);
	if (qry_open(db_path, &db, &err) < 0) {
		cli_db_error(db_path, timeout, err ? err : "cannot open");
		goto out;
	}
	/* times as the trace clock's ns: a UTC time needs the database's clock */
	rc = qry_time_params(db, q, params, nr_params, &times, &err);
	if (rc < 0) {
		if (rc == -EINVAL) {
			ret = cli_usage_error("query", "%s", err);
			goto out;
		}
		cli_error("query: %s", err ? err : "out of memory");
		goto out;
	}
	rc = qry_prepare(db, sql, times, nr_params, &st, &err);
	if (rc < 0) {
		/* A --param the statement lacks is the caller's slip, not the database's. */
		if (rc == -EINVAL) {
			ret = cli_usage_error("query", "%s: %s", label, err);
			goto out;
		}
		cli_error("%s: %s: %s", db_path, label, err ? err : "cannot prepare");
		goto out;
	}
	rows = qry_write(db, st, opts, stdout, &err);
	if (rows == -EPIPE) {
		ret = 0;
		goto out;
	}
	if (rows == -EINVAL) {		/* --format ecs of rows that are not findings */
		ret = cli_usage_error("query", "%s: %s", label, err);
		goto out;
	}
	if (rows == -EIO) {
		char *what = NULL;

		if (asprintf(&what, "%s: %s", label, err ? err : "failed") < 0)
			what = NULL;
		cli_db_error(db_path, timeout, what ? what : "out of memory");
		free(what);
		goto out;
	}
	if (rows < 0) {		/* writing: stdout's fault, not the database's */
		cli_error("query: %s", err ? err : strerror(-rows));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(times);
	free(err);
	return ret;
}

/* --fail-on: the answer is printed; the database's findings decide the status. */
static int gate(const char *db_path, int rank)
{
	sqlite3 *db = NULL;
	char *err = NULL;
	int ret;

	if (qry_open(db_path, &db, &err) < 0) {
		cli_error("%s: %s", db_path, err ? err : "cannot open");
		free(err);
		return 1;
	}
	ret = cli_fail_on_gate(db_path, db, rank, false);
	sqlite3_close(db);
	return ret;
}

int cmd_query(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "param", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "wide", no_argument, NULL, 'w' },
		{ "list", no_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "describe", required_argument, NULL, 'd' },
		{ "clickhouse", required_argument, NULL, 'c' },
		{ "database", required_argument, NULL, 'D' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct qry_output opts = { .format = QRY_FORMAT_TABLE, .terminal = isatty(STDOUT_FILENO) };
	struct qry_param *params = calloc(argc, sizeof(*params));
	const char *describe_name = NULL, *clickhouse = NULL, *database = NULL;
	const struct catalog *cat;
	bool list_queries = false, verbose = false;
	double timeout = CLI_DB_TIMEOUT;
	int nr_params = 0, c, ret = EXIT_USAGE, fail_on = -1;
	char *eq;

	if (!params) {
		cli_error("out of memory");
		return 1;
	}
	/* "| head" closing the pipe ends the output, quietly: EPIPE, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:f:wlvd:c:D:T:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				ret = cli_usage_error("query", "--param takes NAME=VALUE, not '%s'",
						      optarg);
				goto out;
			}
			*eq = '\0';
			params[nr_params].name = optarg;
			params[nr_params].value = eq + 1;
			/* the last one silently winning would hide a slip */
			if (qry_param_repeated(params, nr_params) >= 0) {
				ret = cli_usage_error("query", "--param %s given twice",
						      qry_param_name(&params[nr_params]));
				goto out;
			}
			nr_params++;
			break;
		case 'f':
			if (qry_format_from_name(optarg, &opts.format) < 0) {
				ret = cli_usage_error("query", "--format is table, csv, json, jsonl or"
						      " ecs, not '%s'", optarg);
				goto out;
			}
			break;
		case 'w':
			opts.wide = true;
			break;
		case 'l':
			list_queries = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'd':
			describe_name = optarg;
			break;
		case 'c':
			clickhouse = optarg;
			break;
		case 'D':
			database = optarg;
			break;
		case 'F':
			fail_on = cli_fail_on_rank("query", optarg);
			if (fail_on < 0)
				goto out;
			break;
		case 'T':
			if (cli_parse_timeout("query", optarg, &timeout)) {
				ret = EXIT_USAGE;
				goto out;
			}
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		default:
			ret = cli_bad_option("query", c, argv, longopts);
			goto out;
		}
	}
	cat = clickhouse ? &fleet_catalog : &sqlite_catalog;
	if (fail_on >= 0 && (list_queries || describe_name || clickhouse)) {
		ret = cli_usage_error("query", "--fail-on goes with the findings query of a database");
		goto out;
	}
	if (database && !clickhouse) {
		ret = cli_usage_error("query", "--database goes with --clickhouse");
		goto out;
	}
	if (list_queries) {
		/* "maptrail query DB --list" reads as well as "maptrail query --list". */
		ret = argc - optind > (clickhouse ? 0 : 1)
			? cli_usage_error("query", "--list takes no query") : list(cat, verbose, &opts);
		goto out;
	}
	if (describe_name) {
		const struct qry_info *q = cat->find(describe_name);

		if (q)
			describe(q, true);
		ret = q ? done(stdout) : unknown_query(describe_name, clickhouse);
		goto out;
	}
	if (clickhouse) {
		if (argc - optind != 1) {
			ret = cli_usage_error("query", argc - optind < 1 ? "needs a query"
					      : "one query at a time (SQL goes in quotes)");
			goto out;
		}
		ret = run_fleet(clickhouse, database, argv[optind], params, nr_params, &opts);
		goto out;
	}
	if (argc - optind != 2) {
		ret = cli_usage_error("query", argc - optind < 2 ? "needs a database and a query"
							       : "one query at a time (SQL goes in quotes)");
		goto out;
	}
	if (fail_on >= 0 && strcmp(argv[optind + 1], "findings")) {
		ret = cli_usage_error("query", "--fail-on goes with the findings query, not %s",
				      argv[optind + 1]);
		goto out;
	}
	ret = run(argv[optind], argv[optind + 1], params, nr_params, &opts, timeout);
	if (ret == 0 && fail_on >= 0)
		ret = gate(argv[optind], fail_on);
out:
	free(params);
	return ret;
}
