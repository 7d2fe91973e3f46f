// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format.h"
#include "utc.h"

/* Rows a table measures its columns on; later rows are written as they come. */
#define TABLE_SAMPLE	10000

/* How a table shows a column's integers. */
enum col_kind {
	COL_PLAIN,
	COL_ADDR,
	COL_FLAGS,
	COL_ERRNO,
	COL_TIME,
};

struct flag_name {
	char *name;
	int64_t value, mask;
};

/* The names of one flag kind, in the order the <call>_decoded views use (mask, value). */
struct flag_kind {
	char *kind;
	int nr;
	struct flag_name *names;
	int64_t known;		/* every bit some name covers */
};

struct errno_name {
	int64_t number;
	char *name;
};

/* Flag kinds a table decodes at most; more (from --schema files) show as numbers. */
#define MAX_KINDS	16

struct decoder {
	sqlite3 *db;
	int nr_kinds;
	struct flag_kind kinds[MAX_KINDS];
	bool errno_loaded;
	int nr_errnos;
	struct errno_name *errnos;
	bool compound;		/* the statement has UNION, INTERSECT or EXCEPT */
	struct utc_columns *utc;	/* the time columns on the wall clock, or NULL */
	int nr_direct;
	char **direct;		/* tables whose columns' origins can be trusted */
};

struct column {
	enum col_kind kind;
	struct flag_kind *flags;	/* COL_FLAGS */
	size_t width;
	bool numbers, text;		/* what its first rows held: a header sits over its numbers */
};

/* A cell of a table: its text, its width in characters, and which side it sits on. */
struct cell {
	char *text;
	size_t width;
	bool right;
};

int qry_format_from_name(const char *name, enum qry_format *format)
{
	static const char *const names[] = { "table", "csv", "json", "jsonl", "ecs" };

	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (!strcmp(name, names[i])) {
			*format = i;
			return 0;
		}
	return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcasecmp(s + n - m, suffix);
}

static bool is_address(const char *name)
{
	static const char *const exact[] = { "addr", "start", "end", "brk", "new_address",
					     "old_address" };

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (!strcasecmp(name, exact[i]))
			return true;
	return ends_with(name, "_addr") || ends_with(name, "_address");
}

static const char *flag_kind_of(const char *name)
{
	if (!strcasecmp(name, "prot") || ends_with(name, "_prot"))
		return "prot";
	if (!strcasecmp(name, "map_flags"))
		return "mmap_flags";
	if (!strcasecmp(name, "mremap_flags"))
		return "mremap_flags";
	return NULL;
}

/*
 * A ts of the trace clock by its name: ts, ts_exit, ts_from, first_ts,
 * trigger_ts, and address-at's since and until (README "Time").
 */
static bool is_time(const char *name)
{
	return !strcasecmp(name, "ts") || !strncasecmp(name, "ts_", 3) || ends_with(name, "_ts") ||
	       !strcasecmp(name, "since") || !strcasecmp(name, "until");
}

/*
 * The time columns of a statement, and the database's clocks to put them on
 * the wall clock with: the row's capture (its capture_id column), else the
 * one clock every capture of the database shares (common/utc.h).
 */
struct utc_columns {
	struct cmn_utc utc;
	int capture_col;	/* the capture_id column, or -1 */
	int n;
	bool *time;		/* per column: a time column */
};

static void utc_columns_free(struct utc_columns *t)
{
	if (!t)
		return;
	cmn_utc_release(&t->utc);
	free(t->time);
	free(t);
}

/* NULL when the database has no clock: then every time stays as it is. */
static struct utc_columns *utc_columns_of(sqlite3 *db, sqlite3_stmt *st)
{
	struct utc_columns *t = calloc(1, sizeof(*t));
	int n = sqlite3_column_count(st);

	if (!t || cmn_utc_load(db, &t->utc) || !t->utc.nr ||
	    !(t->time = calloc(n ? n : 1, sizeof(*t->time)))) {
		utc_columns_free(t);
		return NULL;
	}
	t->n = n;
	t->capture_col = -1;
	for (int i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, i);

		if (!name)
			continue;
		t->time[i] = is_time(name);
		if (!strcasecmp(name, "capture_id"))
			t->capture_col = i;
	}
	return t;
}

/* Column @i of the current row on the wall clock into @buf; false when it cannot be. */
static bool utc_cell(const struct utc_columns *t, sqlite3_stmt *st, int i,
		     char buf[CMN_UTC_TEXT_SIZE])
{
	const struct cmn_utc_clock *c;
	int64_t capture = -1;

	if (!t || !t->time[i] || sqlite3_column_type(st, i) != SQLITE_INTEGER)
		return false;
	if (t->capture_col >= 0 && sqlite3_column_type(st, t->capture_col) == SQLITE_INTEGER)
		capture = sqlite3_column_int64(st, t->capture_col);
	c = cmn_utc_clock_of(&t->utc, capture);
	if (!c)
		return false;
	cmn_utc_text(cmn_utc_of_ts(c, sqlite3_column_int64(st, i)), buf);
	return true;
}

static void decoder_free(struct decoder *d)
{
	utc_columns_free(d->utc);
	for (int k = 0; k < d->nr_kinds; k++) {
		for (int i = 0; i < d->kinds[k].nr; i++)
			free(d->kinds[k].names[i].name);
		free(d->kinds[k].names);
		free(d->kinds[k].kind);
	}
	for (int i = 0; i < d->nr_direct; i++)
		free(d->direct[i]);
	free(d->direct);
	for (int i = 0; i < d->nr_errnos; i++)
		free(d->errnos[i].name);
	free(d->errnos);
}

/*
 * A database without the schema tables (or out of memory) leaves the kind
 * empty: its values then show as numbers, which is still the truth.
 */
static struct flag_kind *load_flags(struct decoder *d, const char *kind)
{
	struct flag_kind *k;
	sqlite3_stmt *st = NULL;

	for (int i = 0; i < d->nr_kinds; i++)
		if (!strcmp(d->kinds[i].kind, kind))
			return d->kinds[i].nr ? &d->kinds[i] : NULL;
	if (d->nr_kinds == MAX_KINDS)
		return NULL;
	k = &d->kinds[d->nr_kinds];
	k->kind = strdup(kind);
	if (!k->kind)
		return NULL;
	d->nr_kinds++;
	if (sqlite3_prepare_v2(d->db, "SELECT name, value, mask FROM schema_flag WHERE kind = ?"
			       " ORDER BY mask, value", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, k->kind, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct flag_name *names = realloc(k->names, (k->nr + 1) * sizeof(*names));
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (!names || !name)
			break;
		k->names = names;
		names[k->nr].name = strdup(name);
		if (!names[k->nr].name)
			break;
		names[k->nr].value = sqlite3_column_int64(st, 1);
		names[k->nr].mask = sqlite3_column_int64(st, 2);
		k->known |= names[k->nr].mask;
		k->nr++;
	}
	sqlite3_finalize(st);
	return k->nr ? k : NULL;
}

static void load_errnos(struct decoder *d)
{
	sqlite3_stmt *st = NULL;

	d->errno_loaded = true;
	if (sqlite3_prepare_v2(d->db, "SELECT number, name FROM schema_errno ORDER BY number",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct errno_name *e = realloc(d->errnos, (d->nr_errnos + 1) * sizeof(*e));
		const char *name = (const char *)sqlite3_column_text(st, 1);

		if (!e || !name)
			break;
		d->errnos = e;
		e[d->nr_errnos].name = strdup(name);
		if (!e[d->nr_errnos].name)
			break;
		e[d->nr_errnos].number = sqlite3_column_int64(st, 0);
		d->nr_errnos++;
	}
	sqlite3_finalize(st);
}

/*
 * The rule of the <call>_decoded views (analyze/calls.c): every name whose
 * (x & mask) = value, in (mask, value) order, joined by '|', then the bits no
 * name covers in hex.  Where that says nothing (0 of a kind without a name
 * for 0), the number is shown: an empty cell would read as NULL.
 */
static char *decode_flags(const struct flag_kind *k, int64_t x)
{
	char *s = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&s, &size);
	bool any = false;

	if (!f)
		return NULL;
	for (int i = 0; i < k->nr; i++)
		if ((x & k->names[i].mask) == k->names[i].value) {
			fprintf(f, "%s%s", any ? "|" : "", k->names[i].name);
			any = true;
		}
	if (x & ~k->known || !any)
		fprintf(f, "%s0x%" PRIx64, any ? "|" : "", (uint64_t)(x & ~k->known));
	fclose(f);
	return s;
}

static const char *errno_name(const struct decoder *d, int64_t number)
{
	for (int i = 0; i < d->nr_errnos; i++)
		if (d->errnos[i].number == number)
			return d->errnos[i].name;
	return NULL;
}

/* A table the statement reads, and the view or WITH table it reads it for (NULL: itself). */
struct table_read {
	char *table, *via;
};

struct reads {
	int nr;
	struct table_read *r;
};

static int note_read(void *arg, int action, const char *table, const char *column,
		     const char *schema, const char *via)
{
	struct reads *reads = arg;
	struct table_read *more;

	if (action != SQLITE_READ || !table)
		return SQLITE_OK;
	for (int i = 0; i < reads->nr; i++)
		if (!strcmp(reads->r[i].table, table) &&
		    (via ? reads->r[i].via && !strcmp(reads->r[i].via, via) : !reads->r[i].via))
			return SQLITE_OK;
	more = realloc(reads->r, (reads->nr + 1) * sizeof(*more));
	if (!more)
		return SQLITE_OK;
	reads->r = more;
	more[reads->nr].table = strdup(table);
	more[reads->nr].via = via ? strdup(via) : NULL;
	if (more[reads->nr].table && (!via || more[reads->nr].via))
		reads->nr++;
	else
		free(more[reads->nr].table), free(more[reads->nr].via);
	return SQLITE_OK;
}

/* Whether @sql has UNION, INTERSECT or EXCEPT (a word in a string or comment counts too). */
static bool compound_words(const char *sql)
{
	static const char *const words[] = { "union", "intersect", "except" };

	for (const char *p = sql; *p; p++) {
		if (p > sql && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		for (int i = 0; i < 3; i++) {
			size_t n = strlen(words[i]);

			if (!strncasecmp(p, words[i], n) &&
			    !(isalnum((unsigned char)p[n]) || p[n] == '_'))
				return true;
		}
	}
	return false;
}

/* Whether @name is a view made of a compound SELECT (a WITH table is no view: false). */
static bool compound_view(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	bool compound = true;	/* when in doubt, no origins */

	if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE type = 'view' AND name = ?1"
			       " UNION ALL SELECT sql FROM sqlite_temp_schema WHERE type = 'view'"
			       " AND name = ?1", -1, &st, NULL) != SQLITE_OK)
		return true;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		compound = false;
	else
		compound = !sqlite3_column_text(st, 0) ||
			   compound_words((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return compound;
}

/*
 * Which tables a column's origin can be trusted for: a compound SELECT's
 * columns name the first SELECT's origin only, so a table read through one
 * (memory_call is a UNION of the call tables), or by a compound statement,
 * is left out.  SQLite's authorizer names a WITH table as it names a view;
 * the schema tells them apart.
 */
static void find_direct_reads(struct decoder *d, sqlite3_stmt *st)
{
	const char *sql = sqlite3_sql(st);
	sqlite3_stmt *again = NULL;
	struct reads reads = { 0 };

	if (!sql || (d->compound = compound_words(sql)))
		return;
	sqlite3_set_authorizer(d->db, note_read, &reads);
	sqlite3_prepare_v2(d->db, sql, -1, &again, NULL);
	sqlite3_set_authorizer(d->db, NULL, NULL);
	sqlite3_finalize(again);
	for (int i = 0; i < reads.nr; i++) {
		bool trusted = true;
		char **more;

		for (int j = 0; j < reads.nr; j++)
			if (!strcmp(reads.r[j].table, reads.r[i].table) && reads.r[j].via &&
			    compound_view(d->db, reads.r[j].via))
				trusted = false;
		for (int j = 0; j < d->nr_direct; j++)
			if (!strcmp(d->direct[j], reads.r[i].table))
				trusted = false;	/* already listed */
		if (!trusted)
			continue;
		more = realloc(d->direct, (d->nr_direct + 1) * sizeof(*more));
		if (!more)
			break;
		d->direct = more;
		if ((more[d->nr_direct] = strdup(reads.r[i].table)))
			d->nr_direct++;
	}
	for (int i = 0; i < reads.nr; i++)
		free(reads.r[i].table), free(reads.r[i].via);
	free(reads.r);
}

static char *scalar_text(sqlite3 *db, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/*
 * A column read straight from a call table is shown as the schema says its
 * argument is (schema_arg.decode, schema_event.ret_decode): mmap's flags by
 * MAP_ names, its ret in hex.  Returns whether it said anything.
 */
static bool column_from_schema(struct decoder *d, sqlite3_stmt *st, int i, struct column *col)
{
#ifndef QRY_HAVE_COLUMN_METADATA
	/* An SQLite built without SQLITE_ENABLE_COLUMN_METADATA: names only. */
	return false;
#else
	const char *table = sqlite3_column_table_name(st, i);
	const char *origin = sqlite3_column_origin_name(st, i);
	char *decode;
	bool direct = false;

	if (!table || !origin || d->compound)
		return false;
	for (int t = 0; t < d->nr_direct; t++)
		direct |= !strcmp(d->direct[t], table);
	if (!direct)
		return false;
	if (!strcmp(origin, "ret"))
		decode = scalar_text(d->db, "SELECT ret_decode FROM schema_event WHERE name = ?",
				     table, NULL);
	else
		decode = scalar_text(d->db, "SELECT decode FROM schema_arg WHERE event = ?"
				     " AND name = ?", table, origin);
	if (!decode)
		return false;
	if (!strcmp(decode, "hex"))
		col->kind = COL_ADDR;
	else if ((col->flags = load_flags(d, decode)))
		col->kind = COL_FLAGS;
	free(decode);
	return col->kind != COL_PLAIN;
#endif
}

/* The columns of @st: how a table shows each. */
static struct column *columns_of(struct decoder *d, sqlite3_stmt *st, int n)
{
	struct column *cols = calloc(n ? n : 1, sizeof(*cols));

	if (!cols)
		return NULL;
	find_direct_reads(d, st);
	for (int i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, i);
		const char *kind;

		if (!name || column_from_schema(d, st, i, &cols[i]))
			continue;
		if (is_address(name)) {
			cols[i].kind = COL_ADDR;
		} else if (is_time(name)) {
			cols[i].kind = COL_TIME;
		} else if ((kind = flag_kind_of(name))) {
			if ((cols[i].flags = load_flags(d, kind)))
				cols[i].kind = COL_FLAGS;
		} else if (!strcasecmp(name, "errno")) {
			if (!d->errno_loaded)
				load_errnos(d);
			cols[i].kind = COL_ERRNO;
		}
	}
	return cols;
}

/*
 * Length of the valid UTF-8 sequence at @s (at most @n bytes), 0 if there is
 * none: overlong forms, surrogates and values above U+10FFFF are not UTF-8.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

static void put_hex_blob(FILE *out, const unsigned char *b, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(out, "%02x", b[i]);
}

/*
 * Text for a table cell: control characters and bytes that are not UTF-8
 * escaped (\n, \x01), so a cell stays on its line; cut at @max characters
 * with an ellipsis (0: never).
 */
static char *table_text(const unsigned char *s, size_t n, size_t max, size_t *width)
{
	char *out = NULL;
	size_t size = 0, w = 0, plain = 0, cut = max && n > max ? max : n;
	FILE *f;

	/*
	 * Printable ASCII (most cells: numbers, names, hex, summaries) is its own
	 * text, a character a byte: copied as it is, or its first max - 1 and the
	 * ellipsis when longer, as the loop below would; no stream a cell.
	 */
	while (plain < cut && s[plain] >= 0x20 && s[plain] < 0x7f)
		plain++;
	if (plain == cut) {
		size_t keep = cut < n ? cut - 1 : n;

		if ((out = malloc(keep + sizeof("…")))) {
			memcpy(out, s, keep);
			strcpy(out + keep, cut < n ? "…" : "");
			*width = cut;
		}
		return out;
	}
	if (!(f = open_memstream(&out, &size)))
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(s + i, n - i);
		char esc[8];

		/* C1 controls (U+0080..U+009F: CSI...) as their two bytes' escapes */
		if (len == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0)
			len = 1;
		if (len == 1 && s[i] >= 0x20 && s[i] < 0x7f)
			esc[0] = s[i], esc[1] = '\0';
		else if (len == 1 && (s[i] == '\n' || s[i] == '\t' || s[i] == '\r'))
			snprintf(esc, sizeof(esc), "\\%c", s[i] == '\n' ? 'n' : s[i] == '\t' ? 't' : 'r');
		else if (len <= 1)
			snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
		else
			memcpy(esc, s + i, len), esc[len] = '\0';
		/* An escape counts as its characters. */
		size_t ew = len > 1 ? 1 : strlen(esc);

		if (max && w + ew > max - 1 && (w + ew > max || i + (len ? len : 1) < n)) {
			fputs("…", f);
			w++;
			break;
		}
		fputs(esc, f);
		w += ew;
		i += len ? len : 1;
	}
	fclose(f);
	*width = w;
	return out;
}

/* A number's cell: ASCII, its own text (no stream to escape it in). */
static int table_number(const char *number, struct cell *cell)
{
	cell->width = strlen(number);
	cell->text = strdup(number);
	return cell->text ? 0 : -ENOMEM;
}

static int table_cell(struct decoder *d, const struct column *col, sqlite3_stmt *st, int i,
		      size_t max, struct cell *cell)
{
	int64_t v;
	const char *name;
	char utc[CMN_UTC_TEXT_SIZE], number[24];

	cell->right = false;
	cell->text = NULL;
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		cell->text = strdup("");
		break;
	case SQLITE_INTEGER:
		v = sqlite3_column_int64(st, i);
		/* -4095..-1: an error a call returned, not an address. */
		if (col->kind == COL_TIME && utc_cell(d->utc, st, i, utc)) {
			cell->text = strdup(utc);
		} else if (col->kind == COL_ADDR && (v >= 0 || v < -4095)) {
			cell->right = true;
			snprintf(number, sizeof(number), "0x%" PRIx64, (uint64_t)v);
			return table_number(number, cell);
		} else if (col->kind == COL_FLAGS) {
			cell->text = decode_flags(col->flags, v);
		} else if (col->kind == COL_ERRNO && (name = errno_name(d, v))) {
			cell->text = strdup(name);
		} else {
			cell->right = true;
			snprintf(number, sizeof(number), "%" PRId64, v);
			return table_number(number, cell);
		}
		break;
	case SQLITE_FLOAT:
		cell->right = true;
		cell->text = strdup((const char *)sqlite3_column_text(st, i));
		break;
	case SQLITE_BLOB: {
		char *hex = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&hex, &size);

		if (!f)
			return -ENOMEM;
		fputs("x'", f);
		put_hex_blob(f, sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i));
		fputs("'", f);
		fclose(f);
		cell->text = table_text((const unsigned char *)hex, size, max, &cell->width);
		free(hex);
		return cell->text ? 0 : -ENOMEM;
	}
	default:
		cell->text = table_text(sqlite3_column_text(st, i), sqlite3_column_bytes(st, i), max,
					&cell->width);
		return cell->text ? 0 : -ENOMEM;
	}
	if (!cell->text)
		return -ENOMEM;
	/* Numbers and names are ASCII; a flag name from a --schema file might not be. */
	char *plain = table_text((const unsigned char *)cell->text, strlen(cell->text), 0,
				 &cell->width);

	free(cell->text);
	cell->text = plain;
	return plain ? 0 : -ENOMEM;
}

/*
 * The table and csv writers use stdio's _unlocked calls (glibc, musl): one
 * thread writes a query's answer, and taking the stream's lock a character
 * or cell cost 5% of a 300,000-row answer.
 */

/* @n blanks. */
static void put_blanks(FILE *out, size_t n)
{
	static const char blanks[] = "                                                                ";
	const size_t many = sizeof(blanks) - 1;

	for (; n > many; n -= many)
		fwrite_unlocked(blanks, 1, many, out);
	fwrite_unlocked(blanks, 1, n, out);
}

static void put_cell(FILE *out, const struct cell *c, size_t width, bool last)
{
	size_t pad = width > c->width ? width - c->width : 0;

	if (c->right)
		put_blanks(out, pad);
	fputs_unlocked(c->text, out);
	if (!c->right && !last)
		put_blanks(out, pad);
	fputs_unlocked(last ? "\n" : "  ", out);
}

static void put_row(FILE *out, const struct cell *cells, const struct column *cols, int n)
{
	int last = n - 1;

	/* Empty left-aligned cells at the end would only leave trailing blanks. */
	while (last > 0 && !cells[last].right && !cells[last].width)
		last--;
	for (int i = 0; i <= last; i++)
		put_cell(out, &cells[i], cols[i].width, i == last);
}

static int write_error(char **err)
{
	int e = errno ? errno : EIO;

	if (asprintf(err, "write: %s", strerror(e)) < 0)
		*err = NULL;
	return -e;
}

static void free_cells(struct cell *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cells[i].text);
}

static long long write_table(struct decoder *d, sqlite3_stmt *st, const struct qry_output *opts,
			     FILE *out, char **err)
{
	int n = sqlite3_column_count(st), rc = SQLITE_DONE;
	size_t max = opts->wide ? 0 : QRY_CELL_MAX, nr_sample = 0, room = 0;
	struct column *cols = columns_of(d, st, n);
	struct cell *header = calloc(n ? n : 1, sizeof(*header));
	struct cell *sample = NULL, *row = calloc(n ? n : 1, sizeof(*row));
	long long rows = 0, ret = -ENOMEM;

	if (!cols || !header || !row)
		goto out;
	for (int i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, i);

		header[i].text = table_text((const unsigned char *)(name ? name : ""),
					    name ? strlen(name) : 0, max, &header[i].width);
		if (!header[i].text)
			goto out;
		cols[i].width = header[i].width;
	}
	/* The first rows set the widths; a later wider cell pushes its line only. */
	while (nr_sample < TABLE_SAMPLE && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nr_sample == room) {
			struct cell *more;

			room = room ? 2 * room : 64;
			more = realloc(sample, room * n * sizeof(*sample));
			if (!more)
				goto out;
			sample = more;
		}
		for (int i = 0; i < n; i++) {
			struct cell *c = &sample[nr_sample * n + i];

			if (table_cell(d, &cols[i], st, i, max, c) < 0) {
				free_cells(sample, nr_sample * n + i);
				nr_sample = 0;
				goto out;
			}
			if (c->width > cols[i].width)
				cols[i].width = c->width;
			if (c->right)
				cols[i].numbers = true;
			else if (c->width)
				cols[i].text = true;
		}
		nr_sample++;
	}
	for (int i = 0; i < n; i++)
		header[i].right = cols[i].numbers && !cols[i].text;
	put_row(out, header, cols, n);
	for (int i = 0; i < n; i++) {
		for (size_t w = 0; w < cols[i].width; w++)
			putc('-', out);
		fputs(i == n - 1 ? "\n" : "  ", out);
	}
	for (size_t r = 0; r < nr_sample; r++) {
		put_row(out, &sample[r * n], cols, n);
		if (ferror(out)) {
			ret = write_error(err);
			goto out;
		}
	}
	rows = nr_sample;
	while (rc == SQLITE_ROW && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++)
			if (table_cell(d, &cols[i], st, i, max, &row[i]) < 0) {
				free_cells(row, i);
				goto out;
			}
		put_row(out, row, cols, n);
		free_cells(row, n);
		rows++;
		if (ferror(out)) {
			ret = write_error(err);
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		ret = -EIO;
		goto out;
	}
	ret = rows;
out:
	if (sample)
		free_cells(sample, nr_sample * n);
	if (header)
		free_cells(header, n);
	free(sample);
	free(header);
	free(row);
	free(cols);
	return ret;
}

/*
 * An integer in decimal, as SQLite's text of it reads: most cells of a big
 * result are integers, and SQLite's conversion to text (a string it allocates
 * and keeps) was 6% of a 300,000-row query's profile (perf, exec-after-write
 * on bench/'s flip.db).
 */
static void put_int(FILE *out, int64_t v)
{
	char digits[24], *p = digits + sizeof(digits);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	fwrite_unlocked(p, 1, digits + sizeof(digits) - p, out);
}

static void put_csv(FILE *out, const char *s, size_t n, bool terminal)
{
	/*
	 * On a terminal, raw ESC and BEL bytes of a value would be obeyed by
	 * the terminal (escape sequences a capture's comm or file name can
	 * carry): they are escaped as a table cell's are.
	 */
	if (terminal) {
		size_t width;
		char *safe = table_text((const unsigned char *)s, n, 0, &width);

		if (safe) {
			put_csv(out, safe, strlen(safe), false);
			free(safe);
			return;
		}
		/* out of memory: nothing of the value rather than its raw bytes */
		return;
	}
	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
	    !memchr(s, '\r', n)) {
		fwrite_unlocked(s, 1, n, out);
		return;
	}
	putc_unlocked('"', out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			putc_unlocked('"', out);
		putc_unlocked(s[i], out);
	}
	putc_unlocked('"', out);
}

/* csv and json: after each time column, its "<name>_utc" when the database has a clock. */
static bool utc_extra(const struct utc_columns *t, int i)
{
	return t && t->time[i];
}

static long long write_csv(const struct utc_columns *t, sqlite3_stmt *st, FILE *out,
			   bool terminal, char **err)
{
	int n = sqlite3_column_count(st), rc;
	long long rows = 0;
	char utc[CMN_UTC_TEXT_SIZE];

	for (int i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, i);

		if (i)
			putc_unlocked(',', out);
		put_csv(out, name ? name : "", name ? strlen(name) : 0, terminal);
		if (utc_extra(t, i)) {
			putc_unlocked(',', out);
			put_csv(out, name, strlen(name), terminal);
			fputs_unlocked("_utc", out);
		}
	}
	fputs_unlocked("\r\n", out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++) {
			if (i)
				putc_unlocked(',', out);
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL:
				break;
			case SQLITE_BLOB:
				put_hex_blob(out, sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i));
				break;
			case SQLITE_INTEGER:
				put_int(out, sqlite3_column_int64(st, i));
				break;
			default:	/* floats as SQLite writes them, and text */
				put_csv(out, (const char *)sqlite3_column_text(st, i),
					sqlite3_column_bytes(st, i), terminal);
			}
			if (utc_extra(t, i)) {
				putc_unlocked(',', out);
				if (utc_cell(t, st, i, utc))
					fputs_unlocked(utc, out);
			}
		}
		fputs_unlocked("\r\n", out);
		rows++;
		if (ferror(out))
			return write_error(err);
	}
	return rc == SQLITE_DONE ? rows : -EIO;
}

/* A JSON string: UTF-8 passed through, bytes that are not UTF-8 as U+FFFD. */
void qry_json_string(FILE *out, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;

	putc('"', out);
	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(s + i, n - i);

		if (!len) {
			fputs("\\ufffd", out);
			i++;
			continue;
		}
		if (len > 1) {
			fwrite(s + i, 1, len, out);
		} else if (s[i] == '"' || s[i] == '\\') {
			putc('\\', out);
			putc(s[i], out);
		} else if (s[i] == '\n') {
			fputs("\\n", out);
		} else if (s[i] == '\t') {
			fputs("\\t", out);
		} else if (s[i] == '\r') {
			fputs("\\r", out);
		} else if (s[i] < 0x20) {
			fprintf(out, "\\u%04x", s[i]);
		} else {
			putc(s[i], out);
		}
		i += len;
	}
	putc('"', out);
}

void qry_json_column(FILE *out, sqlite3_stmt *st, int i)
{
	double x;

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		fputs("null", out);
		break;
	case SQLITE_INTEGER:
		fprintf(out, "%lld", (long long)sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		x = sqlite3_column_double(st, i);
		if (isfinite(x))
			fprintf(out, "%.17g", x);
		else
			fputs("null", out);
		break;
	case SQLITE_BLOB:
		putc('"', out);
		put_hex_blob(out, sqlite3_column_blob(st, i), sqlite3_column_bytes(st, i));
		putc('"', out);
		break;
	default:
		qry_json_string(out, (const char *)sqlite3_column_text(st, i),
				sqlite3_column_bytes(st, i));
	}
}

/* json: one array of objects; jsonl (@lines): one object a line, nothing around them. */
static long long write_json(const struct utc_columns *t, sqlite3_stmt *st, FILE *out,
			    bool lines, char **err)
{
	int n = sqlite3_column_count(st), rc;
	long long rows = 0;
	char utc[CMN_UTC_TEXT_SIZE];

	if (!lines)
		putc('[', out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputs(lines ? "{" : rows ? ",\n  {" : "\n  {", out);
		for (int i = 0; i < n; i++) {
			const char *name = sqlite3_column_name(st, i);

			if (i)
				fputs(", ", out);
			qry_json_string(out, name ? name : "", name ? strlen(name) : 0);
			fputs(": ", out);
			qry_json_column(out, st, i);
			if (utc_extra(t, i)) {
				char key[256];

				snprintf(key, sizeof(key), "%s_utc", name);
				fputs(", ", out);
				qry_json_string(out, key, strlen(key));
				if (utc_cell(t, st, i, utc))
					fprintf(out, ": \"%s\"", utc);
				else
					fputs(": null", out);
			}
		}
		fputs(lines ? "}\n" : "}", out);
		rows++;
		if (ferror(out))
			return write_error(err);
	}
	if (!lines)
		fputs(rows ? "\n]\n" : "]\n", out);
	return rc == SQLITE_DONE ? rows : -EIO;
}

long long qry_write(sqlite3 *db, sqlite3_stmt *st, const struct qry_output *opts, FILE *out,
		    char **err)
{
	struct decoder d = { .db = db };
	long long ret;

	*err = NULL;
	errno = 0;
	if (opts->format != QRY_FORMAT_ECS)
		d.utc = utc_columns_of(db, st);
	switch (opts->format) {
	case QRY_FORMAT_CSV:
		ret = write_csv(d.utc, st, out, opts->terminal, err);
		break;
	case QRY_FORMAT_JSON:
	case QRY_FORMAT_JSONL:
		ret = write_json(d.utc, st, out, opts->format == QRY_FORMAT_JSONL, err);
		break;
	case QRY_FORMAT_ECS:
		ret = qry_write_ecs(db, st, out, err);
		break;
	default:
		ret = write_table(&d, st, opts, out, err);
	}
	decoder_free(&d);
	if (ret == -EIO && !*err && asprintf(err, "%s", sqlite3_errmsg(db)) < 0)
		*err = NULL;
	if (ret == -ENOMEM && !*err && asprintf(err, "out of memory") < 0)
		*err = NULL;
	if (ret >= 0 && fflush(out))
		ret = write_error(err);
	return ret;
}
