// SPDX-License-Identifier: MIT
/*
 * maptrail - memory-mapping forensics for Linux.
 *
 * main() only dispatches: each subcommand parses its own arguments, calls
 * into the libraries and turns their errors into one line and an exit code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cli.h"

static const struct command commands[] = {
	{ "analyze", "turn a trace.dat into an SQLite database", cmd_analyze },
	{ "record", "record the memory-mapping calls into a trace.dat (root)", cmd_record },
	{ "query", "ask a database a canned question or SQL: table, csv or json", cmd_query },
	{ "report", "what a database holds, for a person: text, Markdown or one HTML page", cmd_report },
	{ "export", "send databases to ClickHouse, for questions across many hosts", cmd_export },
	{ "schema", "what maptrail knows of each event: arguments, tags, hooks, sources", cmd_schema },
	{ 0 }
};

static void usage(FILE *out)
{
	fprintf(out, "usage: maptrail COMMAND [ARGS...]\n\n"
		     "Memory-mapping forensics: record mmap/mprotect/mremap... system calls into a\n"
		     "trace.dat, turn any trace.dat into an SQLite database with each process's\n"
		     "address-space history and the findings of the canned detections, and ask it\n"
		     "questions or write a report.\n\ncommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'maptrail COMMAND --help' describes a command; --version prints the version.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("maptrail %s (libtracecmd %s, libtraceevent %s)\n", MAPTRAIL_VERSION,
		       MAPTRAIL_TRACECMD_VERSION, MAPTRAIL_TRACEEVENT_VERSION);
		return 0;
	}
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	{
		const char *names[sizeof(commands) / sizeof(commands[0])];
		const char *near;
		int n = 0;

		for (const struct command *c = commands; c->name; c++)
			names[n++] = c->name;
		near = cli_suggest(argv[1], names, n);
		if (near)
			cli_error("'%s' is not a command; did you mean '%s'? (see 'maptrail --help')",
				  argv[1], near);
		else
			cli_error("'%s' is not a command (see 'maptrail --help')", argv[1]);
	}
	return EXIT_USAGE;
}
