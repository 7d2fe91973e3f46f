/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_EXP_CH_H
#define MAPTRAIL_EXP_CH_H

/*
 * ch: one ClickHouse server, spoken to over its HTTP interface with libcurl.
 * A statement goes in the POST body, or, for an INSERT, in the URL's query=
 * with the rows in the body.  Errors come back as one line in *err (free()):
 * ClickHouse's exception text with its code, or why the server could not be
 * reached; the URL's password never appears in them.  Nothing here prints.
 *
 * Also the one place values become ClickHouse SQL text: exp_ch_quote() and
 * exp_ch_ident().  Every literal or identifier built from data goes through
 * them, never pasted.
 */

#include <stdbool.h>

#include "buf.h"

struct exp_ch;

/*
 * exp_ch_open - a client for the server at @url (http://[user:pass@]host:port/).
 * Nothing is sent yet.  0 and *@ch (exp_ch_free()), or -1 and *@err.
 */
int exp_ch_open(const char *url, struct exp_ch **ch, char **err);

/* exp_ch_free - release the client; NULL is fine.  Returns NULL. */
struct exp_ch *exp_ch_free(struct exp_ch *ch);

/* exp_ch_where - "host:port" of the server, for messages (owned by @ch). */
const char *exp_ch_where(const struct exp_ch *ch);

/*
 * exp_ch_set - a setting sent with every later request (database=NAME,
 * insert_distributed_sync=1, ...); a @value of NULL removes it.  0 or -ENOMEM.
 */
int exp_ch_set(struct exp_ch *ch, const char *name, const char *value);

/*
 * exp_ch_query - run @sql; what the server answers goes to @out (reset
 * first; may be NULL).  0, or -1 with *@err.
 */
int exp_ch_query(struct exp_ch *ch, const char *sql, struct exp_buf *out, char **err);

/*
 * exp_ch_insert - run @insert ("INSERT INTO t (a, b) FORMAT TabSeparated")
 * with @len bytes of @rows as its data.  0, or -1 with *@err.
 */
int exp_ch_insert(struct exp_ch *ch, const char *insert, const char *rows, size_t len,
		  char **err);

/*
 * exp_ch_quote - append @s (@len bytes, any bytes) to @b as a ClickHouse
 * string literal: quoted, with backslash, quote and control bytes escaped.
 */
int exp_ch_quote(struct exp_buf *b, const char *s, size_t len);

/* exp_ch_ident - append @name to @b as a back-quoted ClickHouse identifier. */
int exp_ch_ident(struct exp_buf *b, const char *name);

/*
 * exp_tsv_escape - append @len bytes of @s to @b escaped for a TabSeparated
 * field (backslash, tab, newline, CR, NUL); exp_tsv_unescape() undoes it in
 * place, returning the new length.
 */
int exp_tsv_escape(struct exp_buf *b, const char *s, size_t len);
size_t exp_tsv_unescape(char *s, size_t len);

#endif
