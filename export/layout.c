// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error-line.h"
#include "layout.h"

/*
 * What goes to ClickHouse.  A table is here because a fleet question needs
 * it; the optional ones are the identity tables of newer layouts (process
 * snapshots and their maps), sent once analyze writes them.
 */
const struct exp_table exp_tables[] = {
	{ "capture_cpus", "capture_cpu", "capture_id = ?1", "cpu", false, false },
	{ "tasks", "task", "capture_id = ?1", "pid", false, false },
	{ "processes", "process", "capture_id = ?1", "pid", false, false },
	{ "calls", NULL, "capture_id = ?1", "pid,ts", false, false },
	{ "vma_history", "vma_history", "capture_id = ?1", "pid,ts_from", false, false },
	{ "findings", "findings", "capture_id = ?1", "pid,ts", false, false },
	{ "finding_evidence", "finding_evidence",
	  "finding_id IN (SELECT id FROM findings WHERE capture_id = ?1)", "finding_id", false, false },
	{ "process_snapshots", "process_snapshot", "capture_id = ?1", "pid", true, false },
	{ "snapshot_maps", "snapshot_map", "capture_id = ?1", "pid", true, false },
	{ "captures", "capture", "id = ?1", "", false, true },
	{ 0 }
};

/* The exporter's own columns: a SQLite column of one of these names is renamed. */
static const char *const reserved[] = { "host", "capture", "attempt", "call", "exported_at",
					"exported_rows", NULL };

const char *exp_kind_type(enum exp_kind kind)
{
	switch (kind) {
	case EXP_INT: return "Nullable(Int64)";
	case EXP_FLOAT: return "Nullable(Float64)";
	default: return "Nullable(String)";
	}
}

enum exp_kind exp_kind_of_type(const char *type)
{
	if (!strncmp(type, "Nullable(", 9))
		type += 9;
	if (!strncmp(type, "Int", 3) || !strncmp(type, "UInt", 4))
		return EXP_INT;
	if (!strncmp(type, "Float", 5) || !strncmp(type, "Decimal", 7))
		return EXP_FLOAT;
	return EXP_TEXT;
}

/* SQLite's column affinity rules (datatype3.html 3.1), in their order. */
static enum exp_kind affinity(const char *decl)
{
	if (!decl)
		return EXP_TEXT;
	if (strcasestr(decl, "INT"))
		return EXP_INT;
	if (strcasestr(decl, "CHAR") || strcasestr(decl, "CLOB") || strcasestr(decl, "TEXT"))
		return EXP_TEXT;
	if (!*decl || strcasestr(decl, "BLOB"))
		return EXP_TEXT;
	if (strcasestr(decl, "REAL") || strcasestr(decl, "FLOA") || strcasestr(decl, "DOUB"))
		return EXP_FLOAT;
	return EXP_TEXT;	/* NUMERIC: may hold text; a string loses nothing */
}

static int set_err(char **err, const char *fmt, const char *a, const char *b)
{
	return cmn_fail(err, fmt, a, b);
}

static int add_source(struct exp_columns *c, const char *name)
{
	char **s = realloc(c->sources, (c->nr_sources + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	c->sources = s;
	s[c->nr_sources] = strdup(name);
	if (!s[c->nr_sources])
		return -ENOMEM;
	c->nr_sources++;
	return 0;
}

/* Adds @table's columns that @c does not have yet, in the table's order. */
static int add_columns(sqlite3 *db, const char *table, struct exp_columns *c, char **err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	/* hidden 1 is a virtual table's hidden column; 2 and 3 are generated: data. */
	rc = sqlite3_prepare_v2(db, "SELECT name, type FROM pragma_table_xinfo(?1) "
				    "WHERE hidden IN (0, 2, 3) ORDER BY cid", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return set_err(err, "%s: %s", table, sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *decl = (const char *)sqlite3_column_text(st, 1);
		struct exp_column *col, *cols;
		bool have = false;
		char *ch_name;

		for (int i = 0; i < c->nr && !have; i++)
			have = !strcmp(c->cols[i].source, name);
		if (have)
			continue;
		ch_name = NULL;
		for (const char *const *r = reserved; *r; r++)
			if (!strcmp(*r, name) && asprintf(&ch_name, "src_%s", name) < 0)
				goto nomem;
		if (!ch_name)
			ch_name = strdup(name);
		cols = realloc(c->cols, (c->nr + 1) * sizeof(*cols));
		if (!ch_name || !cols) {
			free(ch_name);
			if (cols)
				c->cols = cols;
			goto nomem;
		}
		c->cols = cols;
		col = &cols[c->nr];
		col->name = ch_name;
		col->source = strdup(name);
		col->kind = affinity(decl);
		if (!col->source) {
			free(ch_name);
			goto nomem;
		}
		c->nr++;
	}
	if (rc != SQLITE_DONE) {
		set_err(err, "%s: %s", table, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
nomem:
	sqlite3_finalize(st);
	*err = strdup("out of memory");
	return -1;
}

static int has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	int found;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

int exp_layout_columns(sqlite3 *db, const struct exp_table *t, struct exp_columns *out,
		       char **err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (t->source) {
		rc = has_table(db, t->source);
		if (rc < 0)
			return set_err(err, "%s: %s", t->source, sqlite3_errmsg(db));
		if (!rc) {
			if (t->optional)
				return 0;
			return set_err(err, "not a complete maptrail database: no table %s%s",
				       t->source, "");
		}
		if (add_source(out, t->source) < 0 || add_columns(db, t->source, out, err) < 0)
			goto fail;
		return 1;
	}
	/* The call tables: one per schema event, as analyze creates them. */
	rc = sqlite3_prepare_v2(db, "SELECT e.name FROM schema_event e JOIN sqlite_master m "
				    "ON m.type = 'table' AND m.name = e.name ORDER BY e.name",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return set_err(err, "schema_event: %s%s", sqlite3_errmsg(db), "");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (add_source(out, name) < 0 || add_columns(db, name, out, err) < 0)
			goto fail;
	}
	if (rc != SQLITE_DONE) {
		set_err(err, "schema_event: %s%s", sqlite3_errmsg(db), "");
		goto fail;
	}
	sqlite3_finalize(st);
	if (!out->nr_sources)
		return set_err(err, "not a complete maptrail database: no call tables%s%s", "", "");
	return 1;
fail:
	if (!*err)
		*err = strdup("out of memory");
	sqlite3_finalize(st);
	exp_columns_clear(out);
	return -1;
}

void exp_columns_clear(struct exp_columns *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nr; i++) {
		free(c->cols[i].name);
		free(c->cols[i].source);
	}
	for (int i = 0; i < c->nr_sources; i++)
		free(c->sources[i]);
	free(c->cols);
	free(c->sources);
	memset(c, 0, sizeof(*c));
}
