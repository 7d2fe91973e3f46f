// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <sqlite3.h>

#include "ch.h"
#include "error-line.h"
#include "export.h"
#include "layout.h"
#include "sender.h"
#include "query.h"

#define DEFAULT_BATCH	(32u << 20)
#define MAX_SHARDS	256

/* A shard of the cluster: the client that runs its DDL, or where to check it. */
struct shard {
	int num;
	char *addr;		/* host:port of its native protocol, from system.clusters */
	struct exp_ch *ch;	/* one of the session's clients; NULL: none given */
};

struct exp_session {
	struct exp_options o;
	struct exp_sender *tx;		/* the rows' way to o.urls[0] */
	struct exp_batch pending;	/* the batch in flight, told to on_batch once accepted */
	char pending_table[64];
	const char *database;
	struct exp_ch **ch;	/* o.nr_urls clients; ch[0] gets the rows */
	struct shard *shards;
	int nr_shards;
	int batches;
	struct exp_buf sql;	/* scratch for statements */
};

static int nomem(char **err)
{
	*err = strdup("out of memory");
	return -1;
}

/* The name of @table on a shard: the MergeTree under the Distributed one. */
static int local_name(struct exp_session *s, struct exp_buf *b, const char *table)
{
	char name[256];

	snprintf(name, sizeof(name), "%s%s", table, s->o.cluster ? "_local" : "");
	return exp_ch_ident(b, name);
}

/* Runs s->sql on @ch. */
static int run(struct exp_session *s, struct exp_ch *ch, struct exp_buf *out, char **err)
{
	return exp_ch_query(ch, s->sql.data, out, err);
}

/* Starts s->sql afresh with printf text. */
#define SQL(s, ...) ((s)->sql.len = 0, exp_buf_printf(&(s)->sql, __VA_ARGS__))

/* "name\ttype\n" lines of @table on @ch (or on shard @remote through remote()). */
static int columns_of(struct exp_session *s, struct exp_ch *ch, const char *remote,
		      const char *table, struct exp_buf *out, char **err)
{
	int rc = SQL(s, "SELECT name, type FROM ");

	if (!rc && remote) {
		rc = exp_buf_str(&s->sql, "remote(");
		rc = rc ?: exp_ch_quote(&s->sql, remote, strlen(remote));
		rc = rc ?: exp_buf_str(&s->sql, ", system.columns)");
	} else if (!rc) {
		rc = exp_buf_str(&s->sql, "system.columns");
	}
	rc = rc ?: exp_buf_str(&s->sql, " WHERE database = ");
	rc = rc ?: exp_ch_quote(&s->sql, s->database, strlen(s->database));
	rc = rc ?: exp_buf_str(&s->sql, " AND table = ");
	rc = rc ?: exp_ch_quote(&s->sql, table, strlen(table));
	rc = rc ?: exp_buf_str(&s->sql, " FORMAT TabSeparated");
	if (rc)
		return nomem(err);
	return run(s, ch, out, err);
}

/* The type @name has in @list ("name\ttype\n"...), NULL when absent; points into @list. */
static const char *type_in(const struct exp_buf *list, const char *name, size_t *type_len)
{
	size_t n = strlen(name);

	for (const char *p = list->data; p && *p;) {
		const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');

		if (!nl)
			nl = p + strlen(p);
		if (tab && tab < nl && (size_t)(tab - p) == n && !memcmp(p, name, n)) {
			*type_len = nl - tab - 1;
			return tab + 1;
		}
		p = *nl ? nl + 1 : nl;
	}
	return NULL;
}

/* The columns every table of @t has, before the database's: name and type. */
static const char *const *key_columns(const struct exp_table *t)
{
	static const char *const plain[] = { "host", "String", "capture", "String",
					     "attempt", "String", NULL };
	static const char *const calls[] = { "host", "String", "capture", "String",
					     "attempt", "String", "call", "String", NULL };
	static const char *const last[] = { "host", "String", "capture", "String",
					    "attempt", "String", "exported_rows", "UInt64",
					    "exported_at", "DateTime", NULL };

	return t->last ? last : t->source ? plain : calls;
}

/* (host, capture, ifNull(pid, 0), ...): a sort key cannot hold a Nullable. */
static int sort_key(struct exp_buf *b, const struct exp_table *t, const struct exp_columns *c)
{
	const char *p = t->order;
	int rc = exp_buf_str(b, "(host, capture");

	while (!rc && p && *p) {
		size_t n = strcspn(p, ",");

		for (int i = 0; i < c->nr; i++)
			if (strlen(c->cols[i].name) == n && !memcmp(c->cols[i].name, p, n)) {
				rc = exp_buf_str(b, ", ifNull(");
				rc = rc ?: exp_ch_ident(b, c->cols[i].name);
				rc = rc ?: exp_buf_str(b, c->cols[i].kind == EXP_TEXT ? ", '')"
										    : ", 0)");
				break;
			}
		p += n + (p[n] == ',');
	}
	return rc ?: exp_buf_str(b, ")");
}

/* CREATE TABLE for @t's MergeTree (on a shard, or the one server). */
static int create_local(struct exp_session *s, struct exp_ch *ch, const struct exp_table *t,
			const struct exp_columns *c, char **err)
{
	const char *const *k = key_columns(t);
	int rc = SQL(s, "CREATE TABLE IF NOT EXISTS ");

	rc = rc ?: local_name(s, &s->sql, t->name);
	rc = rc ?: exp_buf_str(&s->sql, " (");
	for (int i = 0; !rc && k[i]; i += 2)
		rc = exp_buf_printf(&s->sql, "%s%s %s", i ? ", " : "", k[i], k[i + 1]);
	if (!rc && t->last)
		rc = exp_buf_str(&s->sql, " DEFAULT now()");
	for (int i = 0; !rc && i < c->nr; i++) {
		rc = exp_buf_str(&s->sql, ", ");
		rc = rc ?: exp_ch_ident(&s->sql, c->cols[i].name);
		rc = rc ?: exp_buf_printf(&s->sql, " %s", exp_kind_type(c->cols[i].kind));
	}
	rc = rc ?: exp_buf_str(&s->sql, ") ENGINE = MergeTree ORDER BY ");
	rc = rc ?: sort_key(&s->sql, t, c);
	if (rc)
		return nomem(err);
	return run(s, ch, NULL, err);
}

static int create_distributed(struct exp_session *s, struct exp_ch *ch, const struct exp_table *t,
			      char **err)
{
	char local[256];
	int rc;

	snprintf(local, sizeof(local), "%s_local", t->name);
	rc = SQL(s, "CREATE TABLE IF NOT EXISTS ");
	rc = rc ?: exp_ch_ident(&s->sql, t->name);
	rc = rc ?: exp_buf_str(&s->sql, " AS ");
	rc = rc ?: exp_ch_ident(&s->sql, local);
	rc = rc ?: exp_buf_str(&s->sql, " ENGINE = Distributed(");
	rc = rc ?: exp_ch_quote(&s->sql, s->o.cluster, strlen(s->o.cluster));
	rc = rc ?: exp_buf_str(&s->sql, ", ");
	rc = rc ?: exp_ch_quote(&s->sql, s->database, strlen(s->database));
	rc = rc ?: exp_buf_str(&s->sql, ", ");
	rc = rc ?: exp_ch_quote(&s->sql, local, strlen(local));
	/* A capture's rows, its captures row included, all on one shard. */
	rc = rc ?: exp_buf_str(&s->sql, ", sipHash64(capture))");
	if (rc)
		return nomem(err);
	return run(s, ch, NULL, err);
}

/* ALTER TABLE @name ADD COLUMN for each column of @c that @have lacks. */
static int add_missing(struct exp_session *s, struct exp_ch *ch, const char *name, bool local,
		       const struct exp_columns *c, const struct exp_buf *have, char **err)
{
	for (int i = 0; i < c->nr; i++) {
		size_t n;
		int rc;

		if (type_in(have, c->cols[i].name, &n))
			continue;
		rc = SQL(s, "ALTER TABLE ");
		rc = rc ?: local ? local_name(s, &s->sql, name) : exp_ch_ident(&s->sql, name);
		rc = rc ?: exp_buf_str(&s->sql, " ADD COLUMN ");
		rc = rc ?: exp_ch_ident(&s->sql, c->cols[i].name);
		rc = rc ?: exp_buf_printf(&s->sql, " %s", exp_kind_type(c->cols[i].kind));
		if (rc)
			return nomem(err);
		if (run(s, ch, NULL, err) < 0)
			return -1;
	}
	return 0;
}

/*
 * Makes @t exist with every column of @c: on the one server, or on every
 * shard given a URL (MergeTree) and every server given (Distributed); a shard
 * without a URL must already have it all.
 */
static int ensure_table(struct exp_session *s, const struct exp_table *t,
			const struct exp_columns *c, char **err)
{
	struct exp_buf have = { 0 };
	char local[256];
	int ret = -1;

	snprintf(local, sizeof(local), "%s%s", t->name, s->o.cluster ? "_local" : "");
	if (!s->o.cluster) {
		if (columns_of(s, s->ch[0], NULL, local, &have, err) < 0)
			goto out;
		if (!have.len && create_local(s, s->ch[0], t, c, err) < 0)
			goto out;
		if (have.len && add_missing(s, s->ch[0], t->name, true, c, &have, err) < 0)
			goto out;
		ret = 0;
		goto out;
	}
	for (int i = 0; i < s->nr_shards; i++) {
		struct shard *sh = &s->shards[i];

		if (columns_of(s, sh->ch ? sh->ch : s->ch[0], sh->ch ? NULL : sh->addr, local,
			       &have, err) < 0)
			goto out;
		if (!sh->ch && !have.len) {
			cmn_fail(err, "shard %d of cluster %s (%s) has no table %s.%s: give its HTTP URL "
				  "with another --clickhouse", sh->num, s->o.cluster, sh->addr,
			     s->database, local);
			goto out;
		}
		if (!sh->ch) {
			for (int j = 0; j < c->nr; j++) {
				size_t n;

				if (!type_in(&have, c->cols[j].name, &n)) {
					cmn_fail(err, "shard %d of cluster %s (%s) has no column %s in "
						  "%s.%s: give its HTTP URL with another --clickhouse",
					     sh->num, s->o.cluster, sh->addr, c->cols[j].name,
					     s->database, local);
					goto out;
				}
			}
			continue;
		}
		if (!have.len && create_local(s, sh->ch, t, c, err) < 0)
			goto out;
		if (have.len && add_missing(s, sh->ch, t->name, true, c, &have, err) < 0)
			goto out;
	}
	for (int i = 0; i < s->o.nr_urls; i++) {
		if (columns_of(s, s->ch[i], NULL, t->name, &have, err) < 0)
			goto out;
		if (!have.len && create_distributed(s, s->ch[i], t, err) < 0)
			goto out;
		if (have.len && add_missing(s, s->ch[i], t->name, false, c, &have, err) < 0)
			goto out;
	}
	ret = 0;
out:
	exp_buf_free(&have);
	return ret;
}

/* The cluster's shards, and which client is which shard (system.clusters' is_local). */
static int find_shards(struct exp_session *s, char **err)
{
	struct exp_buf out = { 0 };
	int ret = -1, rc;

	rc = SQL(s, "SELECT shard_num, concat(host_address, ':', toString(port)) FROM "
		    "system.clusters WHERE replica_num = 1 AND cluster = ");
	rc = rc ?: exp_ch_quote(&s->sql, s->o.cluster, strlen(s->o.cluster));
	rc = rc ?: exp_buf_str(&s->sql, " ORDER BY shard_num FORMAT TabSeparated");
	if (rc)
		return nomem(err);
	if (run(s, s->ch[0], &out, err) < 0)
		goto out;
	for (char *p = out.data; p && *p && s->nr_shards < MAX_SHARDS;) {
		char *nl = strchr(p, '\n'), *tab = strchr(p, '\t');
		struct shard *sh;

		if (!nl || !tab || tab > nl)
			break;
		*nl = '\0';
		sh = realloc(s->shards, (s->nr_shards + 1) * sizeof(*sh));
		if (!sh)
			goto nomem;
		s->shards = sh;
		sh = &sh[s->nr_shards];
		memset(sh, 0, sizeof(*sh));
		sh->num = atoi(p);
		sh->addr = strdup(tab + 1);
		if (!sh->addr)
			goto nomem;
		s->nr_shards++;
		p = nl + 1;
	}
	if (!s->nr_shards) {
		cmn_fail(err, "ClickHouse at %s has no cluster '%s' (its <remote_servers>)",
		     exp_ch_where(s->ch[0]), s->o.cluster);
		goto out;
	}
	for (int i = 0; i < s->o.nr_urls; i++) {
		int num;

		rc = SQL(s, "SELECT shard_num FROM system.clusters WHERE is_local AND cluster = ");
		rc = rc ?: exp_ch_quote(&s->sql, s->o.cluster, strlen(s->o.cluster));
		rc = rc ?: exp_buf_str(&s->sql, " ORDER BY shard_num LIMIT 1 FORMAT TabSeparated");
		if (rc)
			goto nomem;
		if (run(s, s->ch[i], &out, err) < 0)
			goto out;
		num = out.len ? atoi(out.data) : 0;
		for (int j = 0; j < s->nr_shards; j++)
			if (s->shards[j].num == num && !s->shards[j].ch)
				s->shards[j].ch = s->ch[i];
		if (!num) {
			cmn_fail(err, "ClickHouse at %s is not a server of cluster '%s'",
			     exp_ch_where(s->ch[i]), s->o.cluster);
			goto out;
		}
	}
	ret = 0;
	goto out;
nomem:
	nomem(err);
out:
	exp_buf_free(&out);
	return ret;
}

/*
 * The layout record, on every server given: which version of these tables
 * the database holds and whether they are sharded.  A newer one is refused.
 */
static int check_layout(struct exp_session *s, char **err)
{
	struct exp_buf out = { 0 };
	const char *cluster = s->o.cluster ? s->o.cluster : "";
	int ret = -1, rc;

	for (int i = 0; i < s->o.nr_urls; i++) {
		int version = 0;
		char *tab;

		if (SQL(s, "CREATE TABLE IF NOT EXISTS maptrail_layout (version UInt32, "
			   "cluster String, made DateTime DEFAULT now()) ENGINE = TinyLog"))
			goto nomem;
		if (run(s, s->ch[i], NULL, err) < 0)
			goto out;
		if (SQL(s, "SELECT max(version), any(cluster), count() FROM maptrail_layout "
			   "FORMAT TabSeparated"))
			goto nomem;
		if (run(s, s->ch[i], &out, err) < 0)
			goto out;
		tab = strchr(out.data ? out.data : "", '\t');
		if (tab && strtol(strrchr(out.data, '\t') + 1, NULL, 10) > 0) {
			char *end = strchr(tab + 1, '\t');

			version = atoi(out.data);
			if (end)
				*end = '\0';
			exp_tsv_unescape(tab + 1, strlen(tab + 1));
			if (version > EXP_LAYOUT_VERSION) {
				cmn_fail(err, "ClickHouse at %s: database %s has maptrail's layout %d, "
					  "newer than this maptrail's (%d)", exp_ch_where(s->ch[i]),
				     s->database, version, EXP_LAYOUT_VERSION);
				goto out;
			}
			if (strcmp(tab + 1, cluster)) {
				cmn_fail(err, "ClickHouse at %s: database %s was made %s%s%s, not %s%s",
				     exp_ch_where(s->ch[i]), s->database,
				     *(tab + 1) ? "for cluster " : "without --cluster", tab + 1, "",
				     *cluster ? "--cluster " : "without --cluster", cluster);
				goto out;
			}
			if (version == EXP_LAYOUT_VERSION)
				continue;
		}
		rc = SQL(s, "INSERT INTO maptrail_layout (version, cluster) VALUES (%d, ",
			 EXP_LAYOUT_VERSION);
		rc = rc ?: exp_ch_quote(&s->sql, cluster, strlen(cluster));
		rc = rc ?: exp_buf_str(&s->sql, ")");
		if (rc)
			goto nomem;
		if (run(s, s->ch[i], NULL, err) < 0)
			goto out;
	}
	ret = 0;
	goto out;
nomem:
	nomem(err);
out:
	exp_buf_free(&out);
	return ret;
}

int exp_session_open(const struct exp_options *o, struct exp_session **out, char **err)
{
	struct exp_session *s = calloc(1, sizeof(*s));
	struct exp_buf answer = { 0 };
	int rc;

	if (!s)
		return nomem(err);
	s->o = *o;
	s->database = o->database ? o->database : "maptrail";
	if (!s->o.batch_bytes)
		s->o.batch_bytes = DEFAULT_BATCH;
	if (o->nr_urls < 1) {
		cmn_fail(err, "no ClickHouse URL");
		goto fail;
	}
	s->ch = calloc(o->nr_urls, sizeof(*s->ch));
	if (!s->ch)
		goto nomem;
	for (int i = 0; i < o->nr_urls; i++)
		if (exp_ch_open(o->urls[i], &s->ch[i], err) < 0)
			goto fail;
	/* The cluster checked before anything is created on it. */
	if (o->cluster && find_shards(s, err) < 0)
		goto fail;
	for (int i = 0; i < o->nr_urls; i++) {
		if (SQL(s, "CREATE DATABASE IF NOT EXISTS ") ||
		    exp_ch_ident(&s->sql, s->database))
			goto nomem;
		if (run(s, s->ch[i], &answer, err) < 0)
			goto fail;
		if (exp_ch_set(s->ch[i], "database", s->database) < 0)
			goto nomem;
	}
	if (exp_sender_start(o->urls[0], s->database, &s->tx, err) < 0)
		goto fail;
	if (check_layout(s, err) < 0)
		goto fail;
	exp_buf_free(&answer);
	*out = s;
	return 0;
nomem:
	nomem(err);
fail:
	exp_buf_free(&answer);
	exp_session_free(s);
	(void)rc;
	return -1;
}

struct exp_session *exp_session_free(struct exp_session *s)
{
	if (!s)
		return NULL;
	s->tx = exp_sender_stop(s->tx);
	for (int i = 0; s->ch && i < s->o.nr_urls; i++)
		exp_ch_free(s->ch[i]);
	for (int i = 0; i < s->nr_shards; i++)
		free(s->shards[i].addr);
	free(s->shards);
	free(s->ch);
	exp_buf_free(&s->sql);
	free(s);
	return NULL;
}

/* One capture of the database on its way. */
struct transfer {
	struct exp_session *s;
	sqlite3 *db;
	long long capture_id;
	const char *sha256, *host;
	char attempt[64];
	struct exp_buf rows, insert;
	long long nr_rows;
	double bytes;
};

/* A new attempt's id: its start time first, so the smallest is the earliest. */
static void new_attempt(char *id, size_t size)
{
	unsigned char r[8] = { 0 };
	struct timespec now;
	ssize_t n;

	clock_gettime(CLOCK_REALTIME, &now);
	n = getrandom(r, sizeof(r), 0);
	(void)n;
	snprintf(id, size, "%016llx%02x%02x%02x%02x%02x%02x%02x%02x",
		 (unsigned long long)now.tv_sec * 1000000000ull + now.tv_nsec,
		 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

/* Waits for the batch in flight and tells on_batch it was accepted. */
static int sender_wait(struct exp_session *s, char **err)
{
	int accepted = 0;

	if (exp_sender_wait_accepted(s->tx, &accepted, err) < 0)
		return -1;
	if (accepted && s->o.on_batch)
		s->o.on_batch(s->o.ctx, &s->pending);
	return 0;
}

/* Hands the rows built so far to the sender, once the previous batch is in. */
static int flush(struct transfer *x, const struct exp_table *t, char **err)
{
	struct exp_session *s = x->s;
	size_t len = x->rows.len;

	if (!len)
		return 0;
	if (sender_wait(s, err) < 0 || exp_sender_send(s->tx, x->insert.data, &x->rows, err) < 0)
		return -1;
	x->bytes += len;
	s->batches++;
	snprintf(s->pending_table, sizeof(s->pending_table), "%s", t->name);
	s->pending = (struct exp_batch) {
		.capture = x->sha256, .table = s->pending_table, .rows = x->nr_rows,
		.bytes = x->bytes, .number = s->batches,
	};
	return 0;
}

static int put_text(struct exp_buf *b, const char *s, size_t n)
{
	return exp_tsv_escape(b, s, n);
}

/* One cell of SQLite's column @i as ClickHouse's @kind reads it in TabSeparated. */
static int put_cell(struct exp_buf *b, sqlite3_stmt *st, int i, enum exp_kind kind)
{
	int type = sqlite3_column_type(st, i);

	if (type == SQLITE_NULL)
		return exp_buf_add(b, "\\N", 2);
	if (kind == EXP_INT && type == SQLITE_INTEGER)
		return exp_buf_int(b, sqlite3_column_int64(st, i));
	if (kind == EXP_INT && type == SQLITE_FLOAT)
		return exp_buf_int(b, (long long)sqlite3_column_double(st, i));
	if (kind == EXP_FLOAT && (type == SQLITE_INTEGER || type == SQLITE_FLOAT))
		return exp_buf_printf(b, "%.17g", sqlite3_column_double(st, i));
	if (type == SQLITE_BLOB)
		return put_text(b, sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i));
	/* text (or a number into a String column): SQLite's own spelling */
	return put_text(b, (const char *)sqlite3_column_text(st, i), sqlite3_column_bytes(st, i));
}

/* The ClickHouse kind of each column: its real type there when it has one. */
static int kinds_of(struct exp_session *s, const struct exp_table *t, const struct exp_columns *c,
		    enum exp_kind *kinds, char **err)
{
	struct exp_buf have = { 0 };

	if (columns_of(s, s->ch[0], NULL, t->name, &have, err) < 0)
		return -1;
	for (int i = 0; i < c->nr; i++) {
		size_t n;
		const char *type = type_in(&have, c->cols[i].name, &n);
		char buf[128];

		kinds[i] = c->cols[i].kind;
		if (type && n < sizeof(buf)) {
			memcpy(buf, type, n);
			buf[n] = '\0';
			kinds[i] = exp_kind_of_type(buf);
		}
	}
	exp_buf_free(&have);
	return 0;
}

/* Every row of @t for this capture, in batches. */
static int send_table(struct transfer *x, const struct exp_table *t, const struct exp_columns *c,
		      char **err)
{
	struct exp_session *s = x->s;
	enum exp_kind *kinds = calloc(c->nr + 1, sizeof(*kinds));
	sqlite3_stmt *st = NULL;
	int ret = -1, rc;

	if (!kinds)
		return nomem(err);
	if (kinds_of(s, t, c, kinds, err) < 0)
		goto out;
	x->insert.len = 0;
	rc = exp_buf_str(&x->insert, "INSERT INTO ");
	rc = rc ?: exp_ch_ident(&x->insert, t->name);
	rc = rc ?: exp_buf_str(&x->insert, t->source ? " (host, capture, attempt" :
						       " (host, capture, attempt, call");
	rc = rc ?: exp_buf_str(&x->insert, t->last ? ", exported_rows" : "");
	for (int i = 0; !rc && i < c->nr; i++) {
		rc = exp_buf_str(&x->insert, ", ");
		rc = rc ?: exp_ch_ident(&x->insert, c->cols[i].name);
	}
	rc = rc ?: exp_buf_str(&x->insert, ") FORMAT TabSeparated");
	if (rc)
		goto nomem;
	for (int k = 0; k < c->nr_sources; k++) {
		const char *src = c->sources[k];
		struct exp_buf sel = { 0 };

		/* The columns this source has, NULL for the others of the union. */
		rc = exp_buf_str(&sel, "SELECT ");
		for (int i = 0; !rc && i < c->nr; i++) {
			char *q = NULL;
			sqlite3_stmt *probe = NULL;
			bool has;

			q = sqlite3_mprintf("SELECT 1 FROM pragma_table_xinfo(%Q) WHERE name = %Q",
					    src, c->cols[i].source);
			has = q && sqlite3_prepare_v2(x->db, q, -1, &probe, NULL) == SQLITE_OK &&
			      sqlite3_step(probe) == SQLITE_ROW;
			sqlite3_finalize(probe);
			sqlite3_free(q);
			q = has ? sqlite3_mprintf("%s\"%w\"", i ? ", " : "", c->cols[i].source)
				: sqlite3_mprintf("%sNULL", i ? ", " : "");
			rc = q ? exp_buf_str(&sel, q) : -ENOMEM;
			sqlite3_free(q);
		}
		if (!rc) {
			char *q = sqlite3_mprintf(" FROM \"%w\" WHERE %s", src, t->filter);

			rc = q ? exp_buf_str(&sel, q) : -ENOMEM;
			sqlite3_free(q);
		}
		if (rc) {
			exp_buf_free(&sel);
			goto nomem;
		}
		rc = sqlite3_prepare_v2(x->db, sel.data, -1, &st, NULL);
		if (rc != SQLITE_OK) {
			cmn_fail(err, "%s: %s (%s)", src, sqlite3_errmsg(x->db), sel.data);
			exp_buf_free(&sel);
			goto out;
		}
		exp_buf_free(&sel);
		sqlite3_bind_int64(st, 1, x->capture_id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int e = put_text(&x->rows, x->host, strlen(x->host));

			e = e ?: exp_buf_str(&x->rows, "\t");
			e = e ?: exp_buf_str(&x->rows, x->sha256);
			e = e ?: exp_buf_str(&x->rows, "\t");
			e = e ?: exp_buf_str(&x->rows, x->attempt);
			if (!e && !t->source) {
				e = exp_buf_str(&x->rows, "\t");
				e = e ?: put_text(&x->rows, src, strlen(src));
			}
			if (!e && t->last) {
				e = exp_buf_str(&x->rows, "\t");
				e = e ?: exp_buf_int(&x->rows, x->nr_rows);
			}
			for (int i = 0; !e && i < c->nr; i++) {
				e = exp_buf_str(&x->rows, "\t");
				e = e ?: put_cell(&x->rows, st, i, kinds[i]);
			}
			e = e ?: exp_buf_str(&x->rows, "\n");
			if (e)
				goto nomem;
			x->nr_rows++;
			if (x->rows.len >= s->o.batch_bytes && flush(x, t, err) < 0)
				goto out;
		}
		if (rc != SQLITE_DONE) {
			cmn_fail(err, "%s: %s", src, sqlite3_errmsg(x->db));
			goto out;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	if (flush(x, t, err) < 0)
		goto out;
	ret = 0;
	goto out;
nomem:
	nomem(err);
out:
	sqlite3_finalize(st);
	free(kinds);
	return ret;
}

/* Whether ClickHouse has a complete attempt of @sha256: 1, 0, or -1 with *err. */
static int complete(struct exp_session *s, const char *sha256, char **err)
{
	struct exp_buf out = { 0 };
	int rc = SQL(s, "SELECT count() FROM captures WHERE capture = "), ret;

	rc = rc ?: exp_ch_quote(&s->sql, sha256, strlen(sha256));
	rc = rc ?: exp_buf_str(&s->sql, " FORMAT TabSeparated");
	if (rc)
		return nomem(err);
	if (run(s, s->ch[0], &out, err) < 0)
		ret = -1;
	else
		ret = out.len && atoll(out.data) > 0;
	exp_buf_free(&out);
	return ret;
}

/*
 * Removes the rows of @sha256's attempts that never completed (an export
 * killed or failed before this one, or one that lost a race to this one),
 * through every server given a URL: ALTER TABLE ... DELETE, which ClickHouse
 * applies in the background.  An attempt with a captures row is kept: the
 * questions read the first of those.  *@stale: how many rows go.
 */
static int prune(struct exp_session *s, const char *sha256, const int *present,
		 long long *stale, char **err)
{
	struct exp_buf out = { 0 }, cond = { 0 };
	int ret = -1, rc;

	*stale = 0;
	rc = SQL(s, "SELECT attempt FROM captures WHERE capture = ");
	rc = rc ?: exp_ch_quote(&s->sql, sha256, strlen(sha256));
	rc = rc ?: exp_buf_str(&s->sql, " FORMAT TabSeparated");
	if (rc)
		goto nomem;
	if (run(s, s->ch[0], &out, err) < 0)
		goto out;
	rc = exp_buf_str(&cond, "capture = ");
	rc = rc ?: exp_ch_quote(&cond, sha256, strlen(sha256));
	rc = rc ?: exp_buf_str(&cond, " AND attempt NOT IN (''");
	for (char *p = out.data; !rc && p && *p;) {
		size_t n = strcspn(p, "\n");

		rc = exp_buf_str(&cond, ", ");
		rc = rc ?: exp_ch_quote(&cond, p, n);
		p += n + (p[n] == '\n');
	}
	rc = rc ?: exp_buf_str(&cond, ")");
	if (rc)
		goto nomem;
	for (int i = 0; exp_tables[i].name; i++) {
		long long n;

		if (!present[i] || exp_tables[i].last)
			continue;
		if (SQL(s, "SELECT count() FROM ") || exp_ch_ident(&s->sql, exp_tables[i].name) ||
		    exp_buf_str(&s->sql, " WHERE ") || exp_buf_str(&s->sql, cond.data) ||
		    exp_buf_str(&s->sql, " FORMAT TabSeparated"))
			goto nomem;
		if (run(s, s->ch[0], &out, err) < 0)
			goto out;
		n = out.len ? atoll(out.data) : 0;
		if (!n)
			continue;
		*stale += n;
		for (int k = 0; k < (s->o.cluster ? s->nr_shards : 1); k++) {
			struct exp_ch *ch = s->o.cluster ? s->shards[k].ch : s->ch[0];

			if (!ch)
				continue;	/* a shard without a URL keeps them, unread */
			if (SQL(s, "ALTER TABLE ") || local_name(s, &s->sql, exp_tables[i].name) ||
			    exp_buf_str(&s->sql, " DELETE WHERE ") || exp_buf_str(&s->sql, cond.data))
				goto nomem;
			if (run(s, ch, NULL, err) < 0)
				goto out;
		}
	}
	ret = 0;
	goto out;
nomem:
	nomem(err);
out:
	exp_buf_free(&out);
	exp_buf_free(&cond);
	return ret;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int exp_export_db(struct exp_session *s, const char *path, char **err)
{
	struct exp_columns cols[32] = { 0 };
	int present[32] = { 0 }, nr_tables = 0, ret = -1;
	sqlite3_stmt *caps = NULL;
	sqlite3 *db = NULL;
	char *why = NULL;

	/* qry_open: read-only, and only a maptrail database. */
	if (qry_open(path, &db, &why) < 0) {
		cmn_fail(err, "%s", why ? why : "cannot open");
		goto out;
	}
	for (nr_tables = 0; exp_tables[nr_tables].name; nr_tables++) {
		const struct exp_table *t = &exp_tables[nr_tables];

		present[nr_tables] = exp_layout_columns(db, t, &cols[nr_tables], &why);
		if (present[nr_tables] < 0) {
			cmn_fail(err, "%s", why ? why : "out of memory");
			goto out;
		}
		if (present[nr_tables] && ensure_table(s, t, &cols[nr_tables], err) < 0)
			goto out;
	}
	if (sqlite3_prepare_v2(db, "SELECT id, sha256, hostname FROM capture ORDER BY id", -1,
			       &caps, NULL) != SQLITE_OK) {
		cmn_fail(err, "%s", sqlite3_errmsg(db));
		goto out;
	}
	while (sqlite3_step(caps) == SQLITE_ROW) {
		struct transfer x = { .s = s, .db = db, .capture_id = sqlite3_column_int64(caps, 0) };
		struct exp_capture_result r = { 0 };
		double t0 = now_s();
		int rc;

		x.sha256 = (const char *)sqlite3_column_text(caps, 1);
		x.host = s->o.host ? s->o.host : (const char *)sqlite3_column_text(caps, 2);
		if (!x.sha256 || strlen(x.sha256) != 64) {
			cmn_fail(err, "capture %lld has no sha256", x.capture_id);
			goto out;
		}
		if (!x.host || !*x.host) {
			cmn_fail(err, "capture %lld names no host: give one with --host", x.capture_id);
			goto out;
		}
		r.capture = x.sha256;
		r.host = x.host;
		rc = complete(s, x.sha256, err);
		if (rc < 0)
			goto out;
		if (rc) {
			r.already = true;
			if (s->o.on_capture)
				s->o.on_capture(s->o.ctx, &r);
			continue;
		}
		new_attempt(x.attempt, sizeof(x.attempt));
		for (int i = 0; i < nr_tables; i++) {
			int rc = 0;

			if (!present[i])
				continue;
			/*
			 * The captures row only once every other row is in, and
			 * not when another export finished the capture meanwhile.
			 */
			if (exp_tables[i].last)
				rc = sender_wait(s, err);
			if (!rc && exp_tables[i].last) {
				rc = complete(s, x.sha256, err);
				r.already = rc > 0;
				if (rc > 0)
					break;
			}
			if (rc < 0 || send_table(&x, &exp_tables[i], &cols[i], err) < 0 ||
			    (exp_tables[i].last && sender_wait(s, err) < 0)) {
				exp_buf_free(&x.rows);
				exp_buf_free(&x.insert);
				goto out;
			}
		}
		if (prune(s, x.sha256, present, &r.stale_rows, err) < 0) {
			exp_buf_free(&x.rows);
			exp_buf_free(&x.insert);
			goto out;
		}
		r.rows = x.nr_rows;
		r.bytes = x.bytes;
		r.seconds = now_s() - t0;
		exp_buf_free(&x.rows);
		exp_buf_free(&x.insert);
		if (s->o.on_capture)
			s->o.on_capture(s->o.ctx, &r);
	}
	ret = 0;
out:
	sqlite3_finalize(caps);
	for (int i = 0; i < nr_tables; i++)
		exp_columns_clear(&cols[i]);
	sqlite3_close(db);
	free(why);
	return ret;
}
