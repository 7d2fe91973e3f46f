// SPDX-License-Identifier: MIT
/*
 * trace-meta's bounded cursor: every read of the file, or of bytes taken out
 * of it, goes through a window that knows how many bytes it may touch, so a
 * damaged file ends in a reason and never in a read outside the mapping.
 * Also the parser's first reason, the one it returns.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "error-line.h"
#include "trace-meta-internal.h"

int tm_fail(struct parser *t, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmn_vfail(&t->reason, fmt, ap);
	va_end(ap);
	return err;
}

int tm_nomem(struct parser *t)
{
	return tm_fail(t, -ENOMEM, "out of memory");
}

/* @what needs the file to reach byte @end. */
int tm_truncated(struct parser *t, const char *what, uint64_t end)
{
	return tm_fail(t, -EINVAL, "truncated: %s ends at byte %llu of %llu", what,
		       (unsigned long long)end, (unsigned long long)t->size);
}

/*
 * A string from the file, made safe to put in a one-line reason: control bytes
 * become '?' and long names are cut.
 */
const char *tm_printable(char *buf, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

struct cur tm_file_cur(const struct parser *t, uint64_t off, const char *what)
{
	struct cur c = { .p = t->map + off, .len = t->size - off, .base = off, .what = what };

	return c;
}

struct cur tm_mem_cur(const uint8_t *p, uint64_t len, const char *what)
{
	struct cur c = { .p = p, .len = len, .base = NOT_IN_FILE, .what = what };

	return c;
}

/* Ensure @n more bytes; a window that ends with the file means the file was cut short. */
int tm_cur_need(struct parser *t, struct cur *c, uint64_t n)
{
	if (n <= c->len - c->pos)
		return 0;
	if (c->base != NOT_IN_FILE && c->base + c->len == t->size)
		return tm_truncated(t, c->what, sat_add(c->base + c->pos, n));
	return tm_fail(t, -EINVAL, "corrupt: %s ends early", c->what);
}

int tm_cur_take(struct parser *t, struct cur *c, uint64_t n, const uint8_t **out)
{
	int ret = tm_cur_need(t, c, n);

	if (ret)
		return ret;
	if (out)
		*out = c->p + c->pos;
	c->pos += n;
	return 0;
}

int tm_cur_num(struct parser *t, struct cur *c, int bytes, uint64_t *v)
{
	const uint8_t *p;
	int ret = tm_cur_take(t, c, bytes, &p);

	if (!ret)
		*v = get_num(t, p, bytes);
	return ret;
}

int tm_cur_str(struct parser *t, struct cur *c, const char **s)
{
	const uint8_t *nul = memchr(c->p + c->pos, 0, c->len - c->pos);

	if (!nul)
		return tm_cur_need(t, c, c->len - c->pos + 1);
	*s = (const char *)c->p + c->pos;
	c->pos = nul - c->p + 1;
	return 0;
}

int tm_cur_tag(struct parser *t, struct cur *c, const char *tag, size_t n)
{
	const uint8_t *p;
	int ret = tm_cur_take(t, c, n, &p);

	if (ret)
		return ret;
	if (memcmp(p, tag, n))
		return tm_fail(t, -EINVAL, "corrupt: %s: \"%s\" tag missing", c->what, tag);
	return 0;
}
