/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CLI_H
#define MAPTRAIL_CLI_H

/*
 * The command layer: the only code that prints to the user or picks exit
 * codes.  Each subcommand is one file with one run function.
 */

#define EXIT_USAGE 2

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/* cli_error - "maptrail: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cli_usage_error - cli_error() plus a hint to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int cmd_analyze(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);

#endif
