// SPDX-License-Identifier: MIT
/*
 * --fail-on SEVERITY, the gate of analyze, query and report: a distinct exit
 * status (EXIT_FINDINGS) when the database holds findings at or above it, so
 * that a CI job or a script can act on it.  The command's output is complete
 * either way: the gate is judged after it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "db-identity.h"
#include "query.h"

static const char *const severities[] = { "info", "low", "medium", "high", NULL };

const char *cli_severity_name(int rank)
{
	return rank >= 0 && rank < 4 ? severities[rank] : "?";
}

int cli_fail_on_rank(const char *command, const char *value)
{
	int rank = cmn_severity_rank(value);
	const char *near;

	if (rank >= 0)
		return rank;
	near = cli_suggest(value, severities, -1);
	if (near)
		fprintf(stderr, "maptrail %s: --fail-on: '%s' is not a severity; did you mean"
			" '%s'? (high, medium, low, info)\n", command, value, near);
	else
		fprintf(stderr, "maptrail %s: --fail-on: '%s' is not a severity (high, medium, low,"
			" info)\n", command, value);
	return -1;
}

int cli_fail_on_gate(const char *path, sqlite3 *db, int rank, bool quiet)
{
	int64_t n = 0;
	char *err = NULL;

	if (qry_findings_at_or_above(db, rank, &n, &err) < 0) {
		cli_error("%s: %s", path, err ? err : "out of memory");
		free(err);
		return 1;
	}
	if (!n)
		return 0;
	if (!quiet)
		fprintf(stderr, "maptrail: %s: %" PRId64 " findings at or above %s (--fail-on):"
			" exit %d\n", path, n, cli_severity_name(rank), EXIT_FINDINGS);
	return EXIT_FINDINGS;
}
