/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CLI_H
#define MAPTRAIL_CLI_H

/*
 * The command layer: the only code that prints to the user or picks exit
 * codes.  Each subcommand is one file with one run function.
 */

#include <stdbool.h>

#define EXIT_USAGE 2
/*
 * --fail-on SEVERITY (analyze, query ... findings, report): the command did
 * all its work (the database, the answer, the report are complete) and found
 * findings at or above that severity, after known runtimes and baselines
 * lowered theirs.  Distinct from 1 (failure) so a script can tell them apart.
 */
#define EXIT_FINDINGS 3

/*
 * cli_fail_on_rank - the severity_rank of a --fail-on value (high 3 ... info
 * 0), or the usage-error line with the closest severity and -1.
 */
int cli_fail_on_rank(const char *command, const char *value);

/* cli_severity_name - "high" for 3 ... "info" for 0 (a severity_rank). */
const char *cli_severity_name(int rank);

struct sqlite3;
/*
 * cli_fail_on_gate - after a command's output is complete: EXIT_FINDINGS
 * (and a line on stderr unless @quiet) when @db holds findings of @rank or
 * above, 0 when not, 1 (and its error line) when they cannot be counted.
 */
int cli_fail_on_gate(const char *path, struct sqlite3 *db, int rank, bool quiet);

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

/*
 * cli_suggest - the name of @names closest to @word, for "did you mean": at
 * most a third of @word's letters apart (one at least, three at most), or a
 * name that starts with @word; NULL when none is that close.  @nr_names < 0:
 * @names ends with NULL.  The result is one of @names.
 */
const char *cli_suggest(const char *word, const char *const *names, int nr_names);

/*
 * cli_unknown_name - the usage-error line for a @what ("event", "query") named
 * @name that is not one of @names (NULL-terminated), with the closest of them
 * and where to see them all (@see: "maptrail schema --list").  Returns EXIT_USAGE.
 */
int cli_unknown_name(const char *command, const char *what, const char *name,
		     const char *const *names, const char *see);

struct option;
/*
 * cli_bad_option - the usage-error line for getopt_long()'s @c ('?' or ':',
 * with opterr = 0 and ':' leading the optstring): a missing value, or an
 * unknown option with the closest of @longopts.  Returns EXIT_USAGE.
 */
int cli_bad_option(const char *command, int c, char **argv, const struct option *longopts);

/*
 * The time budget of a database maptrail did not make (query, report,
 * export: common/stop.h, cmn_stop_after()), in seconds; --timeout changes it.
 */
#define CLI_DB_TIMEOUT		120
#define CLI_EXPORT_TIMEOUT	600	/* a whole database goes over the network */

/*
 * cli_parse_timeout - --timeout's @arg: seconds >= 0 (0: no budget) into
 * *@seconds, 0; else the usage-error line and EXIT_USAGE.
 */
int cli_parse_timeout(const char *command, const char *arg, double *seconds);

/*
 * cli_db_error - the one line for a failure on database @path: when the
 * time budget of @seconds ran out, that it did and how to change it; else
 * "PATH: @what".
 */
void cli_db_error(const char *path, double seconds, const char *what);

int cmd_analyze(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);

#endif
