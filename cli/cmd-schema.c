// SPDX-License-Identifier: MIT
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "schema.h"
#include "sql.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: maptrail schema [EVENT] [--sql] [--schema FILE]...\n\n"
		"Print what maptrail knows of each event: its arguments (seed names, C types,\n"
		"tags K/U/TOCTOU/OPT), the hooks the seed pages document and what each really\n"
		"is on Linux, and where each argument is read from (tracepoint field, kprobe\n"
		"fetch argument per architecture).\n\n"
		"  EVENT              one event only (mremap, mprotect, ...)\n"
		"      --sql          the schema as the SQL files that define it\n"
		"      --schema FILE  add the rows of FILE (repeatable)\n"
		"  -h, --help         this help\n");
}

static const char *text(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? s : "";
}

static int print_event(struct cmn_db *sql, const char *event)
{
	sqlite3_stmt *ev = cmn_db_prepare(sql, "SELECT name, description, seed_page, ret_type,"
					  " ret_decode FROM schema_event WHERE name = ?");
	sqlite3_stmt *arg = cmn_db_prepare(sql, "SELECT position, name, c_type, tags, decode,"
					   " description FROM schema_arg WHERE event = ?"
					   " ORDER BY position");
	sqlite3_stmt *hook = cmn_db_prepare(sql, "SELECT documented, kind, status, linux_symbol,"
					    " kernels, note FROM schema_hook WHERE event = ?"
					    " ORDER BY rowid");
	sqlite3_stmt *src = cmn_db_prepare(sql, "SELECT backend, arch, abi, enter_system,"
					   " enter_event, exit_system, exit_event, symbol"
					   " FROM schema_source WHERE event = ?"
					   " ORDER BY backend DESC, arch, abi");
	sqlite3_stmt *fetch = cmn_db_prepare(sql, "SELECT s.field, s.fetch, a.name"
					     " FROM schema_arg_source s JOIN schema_arg a"
					     " USING (event, position) WHERE s.event = ? AND"
					     " s.backend = ? AND s.arch = ? AND s.abi = ?"
					     " ORDER BY s.position");
	int ret = -1;

	if (!ev || !arg || !hook || !src || !fetch) {
		cli_error("schema: %s", sql->err ? sql->err : "out of memory");
		goto out;
	}
	sqlite3_bind_text(ev, 1, event, -1, SQLITE_STATIC);
	if (sqlite3_step(ev) != SQLITE_ROW)
		goto out;
	printf("%s — %s\n", text(ev, 0), text(ev, 1));
	if (sqlite3_column_type(ev, 2) != SQLITE_NULL)
		printf("  seed page: %s\n", text(ev, 2));
	printf("  arguments:\n");
	sqlite3_bind_text(arg, 1, event, -1, SQLITE_STATIC);
	while (sqlite3_step(arg) == SQLITE_ROW)
		printf("    %d %-12s %-15s %-11s %s%s%s%s\n", sqlite3_column_int(arg, 0), text(arg, 1),
		       text(arg, 2), text(arg, 3), text(arg, 5),
		       sqlite3_column_type(arg, 4) == SQLITE_NULL ? "" : " [shown as ",
		       text(arg, 4), sqlite3_column_type(arg, 4) == SQLITE_NULL ? "" : "]");
	printf("  returns: %s%s\n", text(ev, 3), sqlite3_column_type(ev, 4) == SQLITE_NULL ? "" :
	       " (an address)");
	printf("  hooks the seed page documents:\n");
	sqlite3_bind_text(hook, 1, event, -1, SQLITE_STATIC);
	while (sqlite3_step(hook) == SQLITE_ROW) {
		printf("    %-22s %-17s %s", text(hook, 0), text(hook, 1), text(hook, 2));
		if (sqlite3_column_type(hook, 3) != SQLITE_NULL)
			printf(" -> %s (%s)", text(hook, 3), text(hook, 4));
		printf("\n      %s\n", text(hook, 5));
	}
	printf("  sources:\n");
	sqlite3_bind_text(src, 1, event, -1, SQLITE_STATIC);
	while (sqlite3_step(src) == SQLITE_ROW) {
		bool kprobe = !strcmp(text(src, 0), "kprobe");

		if (kprobe)
			printf("    kprobe %s/%s: %s as %s:%s, return as %s:%s\n", text(src, 1),
			       text(src, 2), text(src, 7), text(src, 3), text(src, 4), text(src, 5),
			       text(src, 6));
		else
			printf("    tracepoint: %s:%s, %s:%s\n", text(src, 3), text(src, 4),
			       text(src, 5), text(src, 6));
		for (int i = 1; i <= 4; i++)
			sqlite3_bind_text(fetch, i, i == 1 ? event : text(src, i - 2), -1,
					  SQLITE_TRANSIENT);
		printf("      ");
		while (sqlite3_step(fetch) == SQLITE_ROW) {
			if (kprobe)
				printf(" %s=%s", text(fetch, 0), text(fetch, 1));
			else
				printf(" %s<-%s", text(fetch, 2), text(fetch, 0));
		}
		printf("\n");
		sqlite3_reset(fetch);
	}
	ret = 0;
out:
	sqlite3_finalize(ev);
	sqlite3_finalize(arg);
	sqlite3_finalize(hook);
	sqlite3_finalize(src);
	sqlite3_finalize(fetch);
	return ret;
}

static int print_sql(char **extra)
{
	for (const struct embedded_file *f = schema_sql_files; f->name; f++)
		printf("-- schema/%s\n%s\n", f->name, f->text);
	for (; *extra; extra++) {
		FILE *in = fopen(*extra, "r");
		int c;

		if (!in) {
			cli_error("%s: cannot read", *extra);
			return 1;
		}
		printf("-- %s\n", *extra);
		while ((c = getc(in)) != EOF)
			putchar(c);
		fclose(in);
	}
	return 0;
}

int cmd_schema(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sql", no_argument, NULL, 's' },
		{ "schema", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char **extra = calloc(argc + 1, sizeof(*extra));
	int nr_extra = 0, c, ret = 1;
	bool sql = false;
	sqlite3 *db = NULL;
	struct cmn_db conn = { 0 };
	sqlite3_stmt *events = NULL;
	char *err = NULL;

	if (!extra) {
		cli_error("out of memory");
		return 1;
	}
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			sql = true;
			break;
		case 'S':
			extra[nr_extra++] = optarg;
			break;
		case 'h':
			usage(stdout);
			free(extra);
			return 0;
		default:
			free(extra);
			return cli_usage_error("schema", "bad option");
		}
	}
	if (argc - optind > 1) {
		free(extra);
		return cli_usage_error("schema", "one event at a time");
	}
	if (sql) {
		ret = print_sql(extra);
		free(extra);
		return ret;
	}
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    schema_load(db, (const char *const *)extra, &err) < 0) {
		cli_error("%s", err ? err : "cannot open an in-memory database");
		goto out;
	}
	conn.sql = db;
	if (optind < argc) {
		if (print_event(&conn, argv[optind]) < 0) {
			cli_error("schema: no event '%s' (see 'maptrail schema')", argv[optind]);
			goto out;
		}
		ret = 0;
		goto out;
	}
	events = cmn_db_prepare(&conn, "SELECT name FROM schema_event ORDER BY name");
	if (!events) {
		cli_error("schema: %s", conn.err ? conn.err : "out of memory");
		goto out;
	}
	for (bool first = true; sqlite3_step(events) == SQLITE_ROW; first = false) {
		if (!first)
			printf("\n");
		if (print_event(&conn, text(events, 0)) < 0)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(events);
	sqlite3_close(db);
	free(conn.err);
	free(err);
	free(extra);
	return ret;
}
