// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "marker.h"

#define PREFIX		"maptrail:"
#define PREFIX_LEN	(sizeof(PREFIX) - 1)

static const struct {
	const char *name;
	enum mark_kind kind;
	int fields;		/* at least; a newer recorder may add more at the end */
} kinds[] = {
	{ "proc", MARK_PROC, 7 },
	{ "cmdline", MARK_CMDLINE, 4 },
	{ "thread", MARK_THREAD, 2 },
	{ "map", MARK_MAP, 8 },
	{ "mapsend", MARK_MAPSEND, 2 },
	{ "fd", MARK_FD, 3 },
	{ "file", MARK_FILE, 7 },
	{ "clock", MARK_CLOCK, 2 },
};

const char *mark_kind_name(enum mark_kind kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return kind == MARK_NONE ? "none" : kind == MARK_BAD ? "bad" : "unknown";
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescape [@s, @end) into @out (never longer than the input); returns the length written. */
static size_t unescape(const char *s, const char *end, char *out)
{
	char *o = out;

	while (s < end) {
		if (*s != '\\' || s + 1 >= end) {
			*o++ = *s++;
			continue;
		}
		switch (s[1]) {
		case '\\':
			*o++ = '\\';
			s += 2;
			break;
		case 't':
			*o++ = '\t';
			s += 2;
			break;
		case 'n':
			*o++ = '\n';
			s += 2;
			break;
		case 'x':
			if (s + 3 < end && hex_digit(s[2]) >= 0 && hex_digit(s[3]) >= 0) {
				*o++ = (char)(hex_digit(s[2]) * 16 + hex_digit(s[3]));
				s += 4;
			} else {
				*o++ = *s++;	/* not an escape: kept as written */
			}
			break;
		default:
			*o++ = *s++;
		}
	}
	return (size_t)(o - out);
}

int mark_parse(const char *text, size_t len, struct mark_record *r)
{
	const char *end = text + len, *kind, *kind_end, *p;
	size_t k, nk = sizeof(kinds) / sizeof(kinds[0]);
	char *o;

	memset(r, 0, sizeof(*r));
	/* trace_marker adds a newline to a write without one; some writers leave NULs. */
	while (end > text && (end[-1] == '\n' || end[-1] == '\0'))
		end--;
	if ((size_t)(end - text) < PREFIX_LEN || memcmp(text, PREFIX, PREFIX_LEN))
		return r->kind = MARK_NONE;
	kind = text + PREFIX_LEN;
	for (kind_end = kind; kind_end < end && *kind_end != ' ' && *kind_end != '\t'; kind_end++)
		;
	for (k = 0; k < nk; k++)
		if (strlen(kinds[k].name) == (size_t)(kind_end - kind) &&
		    !memcmp(kinds[k].name, kind, kind_end - kind))
			break;
	/* " v1": a version this analyze reads; a v2 line is someone else's contract. */
	if (k == nk || end - kind_end < 3 || memcmp(kind_end, " v1", 3) ||
	    (kind_end + 3 < end && kind_end[3] != '\t'))
		return r->kind = MARK_UNKNOWN;
	r->version = 1;
	p = kind_end + 3;
	r->buf = malloc((size_t)(end - p) + MARK_MAX_FIELDS + 1);
	if (!r->buf)
		return -1;
	o = r->buf;
	while (p < end && *p == '\t' && r->nr < MARK_MAX_FIELDS) {
		const char *f = ++p, *fe = memchr(f, '\t', (size_t)(end - f));

		if (!fe)
			fe = end;
		r->field[r->nr] = o;
		r->len[r->nr] = unescape(f, fe, o);
		o += r->len[r->nr];
		*o++ = '\0';
		r->nr++;
		p = fe;
	}
	if (r->nr < kinds[k].fields) {
		mark_release(r);
		return r->kind = MARK_BAD;
	}
	return r->kind = kinds[k].kind;
}

void mark_release(struct mark_record *r)
{
	free(r->buf);
	r->buf = NULL;
}

int mark_number(const struct mark_record *r, int i, long long *value)
{
	const char *s;
	char *end;
	unsigned long long u;

	if (i < 0 || i >= r->nr || !r->len[i])
		return -1;
	s = r->field[i];
	errno = 0;
	if (s[0] == '-') {
		long long v = strtoll(s, &end, 10);

		if (errno || *end)
			return -1;
		*value = v;
		return 0;
	}
	u = strtoull(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	if (errno || *end || end == s)
		return -1;
	*value = (long long)u;	/* addresses above INT64_MAX keep their bits */
	return 0;
}
