// SPDX-License-Identifier: MIT
/*
 * What every subcommand shares: the error line, the usage-error line, and the
 * "did you mean" that both add to a misspelt name.  Its own file so that the
 * static recorder (maptrail-record) links it without main.c's command table.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "stop.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("maptrail: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "maptrail %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'maptrail %s --help')\n", command);
	return EXIT_USAGE;
}

/* Optimal string alignment distance: a swap of two neighbours counts once. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *d, best;

	if (la > 64 || lb > 64)
		return (size_t)-1;
	d = calloc((la + 1) * (lb + 1), sizeof(*d));
	if (!d)
		return (size_t)-1;
#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], v = D(i - 1, j - 1) + cost;

			if (D(i - 1, j) + 1 < v)
				v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	best = D(la, lb);
#undef D
	free(d);
	return best;
}

const char *cli_suggest(const char *word, const char *const *names, int nr_names)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, len = strlen(word);
	/* a third of the word, at least one edit, at most three: "analyse", "finding" */
	size_t limit = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;

	for (int i = 0; nr_names < 0 ? names[i] != NULL : i < nr_names; i++) {
		size_t d;

		if (!names[i])
			continue;
		d = distance(word, names[i]);
		/* "finding" is a prefix of "findings": a name that starts with the word is close */
		if (d > limit && len >= 3 && !strncmp(names[i], word, len))
			d = limit;
		if (d <= limit && d < best_d) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}

int cli_bad_option(const char *command, int c, char **argv, const struct option *longopts)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	bool is_long = !strncmp(arg, "--", 2);
	const char *names[64], *s;
	char given[64];
	int n = 0;

	if (c == ':') {		/* optopt is the option's val, long or short */
		for (const struct option *o = longopts; is_long && o->name; o++)
			if (o->val == optopt)
				return cli_usage_error(command, "--%s needs a value", o->name);
		return cli_usage_error(command, "-%c needs a value", optopt);
	}
	if (is_long)
		snprintf(given, sizeof(given), "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
	else
		snprintf(given, sizeof(given), "%s", arg);
	if (optopt && is_long)	/* "--force=yes": a known name that takes no value */
		return cli_usage_error(command, "--%s takes no value", given);
	if (optopt)
		return cli_usage_error(command, "unknown option '-%c'", optopt);
	for (const struct option *o = longopts; o->name && n < 64; o++)
		names[n++] = o->name;
	s = is_long ? cli_suggest(given, names, n) : NULL;
	if (!s)
		return cli_usage_error(command, "unknown option '%s'", arg);
	return cli_usage_error(command, "unknown option '--%s' (did you mean '--%s'?)", given, s);
}

int cli_unknown_name(const char *command, const char *what, const char *name,
		     const char *const *names, const char *see)
{
	const char *near = cli_suggest(name, names, -1);

	if (near)
		fprintf(stderr, "maptrail %s: no %s named '%s'; did you mean '%s'? (see '%s')\n",
			command, what, name, near, see);
	else
		fprintf(stderr, "maptrail %s: no %s named '%s' (see '%s')\n", command, what, name,
			see);
	return EXIT_USAGE;
}

int cli_parse_timeout(const char *command, const char *arg, double *seconds)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 0) || v > 1e9)
		return cli_usage_error(command, "--timeout takes seconds (0: no limit), not '%s'",
				       arg);
	*seconds = v;
	return 0;
}

void cli_db_error(const char *path, double seconds, const char *what)
{
	if (cmn_stop_expired())
		cli_error("%s: stopped after %g s, the time budget for a database (--timeout"
			  " SECONDS changes it, 0 lifts it)", path, seconds);
	else
		cli_error("%s: %s", path, what);
}
