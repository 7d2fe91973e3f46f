/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_MARKER_H
#define MAPTRAIL_MARKER_H

/*
 * marker: the identity records maptrail's recorder writes into its
 * instance's trace_marker (ftrace:print events), one line each:
 *
 *	maptrail:<kind> v1<TAB>field<TAB>field...
 *
 * with `\\`, `\t`, `\n` and `\xHH` escapes inside a field (the contract
 * between recorder and analyze: /work/wt/contract-13.md, README "Identity").
 * Pure parsing, no state: tests feed it lines by hand.
 */

#include <stddef.h>

enum mark_kind {
	MARK_NONE,		/* not a maptrail record: someone else's print */
	MARK_UNKNOWN,		/* maptrail:<kind> of a kind or version this analyze does not know */
	MARK_BAD,		/* a known kind with fewer fields than it needs */
	MARK_PROC,		/* tgid ppid uid start_ticks comm exe reason */
	MARK_CMDLINE,		/* tgid part last text */
	MARK_THREAD,		/* tgid tid */
	MARK_MAP,		/* tgid start end perms offset dev inode path */
	MARK_MAPSEND,		/* tgid count */
	MARK_FD,		/* tgid fd path */
	MARK_FILE,		/* tgid tid addr len fd path how */
	MARK_CLOCK,		/* trace_ns realtime_ns */
};

#define MARK_MAX_FIELDS 16

/*
 * One record: its fields unescaped and NUL-terminated (a field may hold a
 * NUL of its own, from \x00: @len says how long it is), in @buf, owned.
 */
struct mark_record {
	enum mark_kind kind;
	int version;
	int nr;
	char *field[MARK_MAX_FIELDS];
	size_t len[MARK_MAX_FIELDS];
	char *buf;
};

/*
 * mark_parse - parse @len bytes of @text (a print event's buf; a trailing
 * newline is ignored).  Returns the kind (also in r->kind), or -1 on ENOMEM.
 * r->buf is set only for the kinds from MARK_PROC on, and must be released
 * with mark_release().
 */
int mark_parse(const char *text, size_t len, struct mark_record *r);

/* mark_release - free r->buf; accepts a record mark_parse() did not fill. */
void mark_release(struct mark_record *r);

/* mark_kind_name - "proc", "map", ...: the <kind> of the line. */
const char *mark_kind_name(enum mark_kind kind);

/*
 * mark_number - field @i as a number: decimal, or hex with 0x.  Returns 0,
 * or -1 when the field is missing or not a whole number.
 */
int mark_number(const struct mark_record *r, int i, long long *value);

#endif
