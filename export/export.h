/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_EXP_EXPORT_H
#define MAPTRAIL_EXP_EXPORT_H

/*
 * export: maptrail databases into ClickHouse (README "The fleet").
 *
 * A session talks to one server, or with a cluster name to the servers of a
 * cluster: MergeTree tables <name>_local on every shard and Distributed
 * tables <name> over them, sharded by capture so a capture and its captures
 * row stay on one shard.  Rows go to the first server given, in batches of
 * TabSeparated rows, synchronously (insert_distributed_sync).
 *
 * A capture is its sha256.  One export of it is an attempt: every row carries
 * the attempt's id, and the captures row is written last, so an attempt that
 * failed or was killed is never complete; the fleet questions read only the
 * attempts that have a captures row (the first per capture).  A capture that
 * has one is not sent again; once one is complete, the rows of its attempts
 * that never completed are deleted (ALTER TABLE ... DELETE, through the
 * servers given).  The SQLite file is opened read-only.
 *
 * Nothing here prints; errors are one line in *err (free()).
 */

#include <stdbool.h>
#include <stddef.h>

struct exp_session;

/* After each batch the server accepted: for progress, and for the tests' kill. */
struct exp_batch {
	const char *capture;	/* sha256 */
	const char *table;	/* ClickHouse table */
	long long rows;		/* rows of this capture sent so far */
	double bytes;		/* bytes of rows sent so far */
	int number;		/* 1, 2, ...: batches of this session */
};

/* What became of one capture of a database. */
struct exp_capture_result {
	const char *capture;	/* sha256 */
	const char *host;
	bool already;		/* it was complete in ClickHouse: nothing sent (or kept) */
	long long stale_rows;	/* rows of earlier attempts that never completed, removed */
	long long rows;		/* rows sent, all tables */
	double bytes;		/* bytes of rows sent */
	double seconds;		/* wall time of its transfer */
};

struct exp_options {
	const char *const *urls;	/* the first gets the rows; with a cluster, one per shard */
	int nr_urls;
	const char *cluster;		/* NULL: one server, plain MergeTree tables */
	const char *database;		/* NULL: "maptrail" */
	const char *host;		/* NULL: each capture's own hostname */
	size_t batch_bytes;		/* 0: 32 MiB of rows per INSERT */
	void (*on_batch)(void *ctx, const struct exp_batch *b);
	void (*on_capture)(void *ctx, const struct exp_capture_result *r);
	void *ctx;
};

/*
 * exp_session_open - connect, create the database and the layout record if
 * missing, and check the cluster (every shard reachable, this server one of
 * them).  0 and *@s (exp_session_free()), or -1 and *@err.  @o's strings must
 * outlive the session.
 */
int exp_session_open(const struct exp_options *o, struct exp_session **s, char **err);

/* exp_session_free - NULL is fine; returns NULL. */
struct exp_session *exp_session_free(struct exp_session *s);

/*
 * exp_export_db - send every capture of the database at @path that ClickHouse
 * does not have complete yet; on_capture() is told of each.  Creates the
 * tables, or adds the columns this database has and they lack.  0, or -1 and
 * *@err (an attempt cut short stays invisible).
 */
int exp_export_db(struct exp_session *s, const char *path, char **err);

#endif
