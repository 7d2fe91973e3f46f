// SPDX-License-Identifier: MIT
/*
 * marker: identity records as trace_marker writes.
 *
 * The writer is shared by the threads that take snapshots; write(2) on
 * trace_marker is one ring-buffer event per call, so records of different
 * threads never mix, and the counters are atomic.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "marker.h"

struct rec_marker {
	int fd;
	atomic_uint_fast64_t sent, failed;
};

struct rec_marker *rec_marker_open(struct tracefs_instance *instance)
{
	char *path = tracefs_instance_get_file(instance, "trace_marker");
	struct rec_marker *m;
	int e;

	if (!path)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		tracefs_put_tracing_file(path);
		errno = ENOMEM;
		return NULL;
	}
	m->fd = open(path, O_WRONLY | O_CLOEXEC);
	e = errno;
	tracefs_put_tracing_file(path);
	if (m->fd < 0) {
		free(m);
		errno = e;
		return NULL;
	}
	return m;
}

struct rec_marker *rec_marker_free(struct rec_marker *m)
{
	if (!m)
		return NULL;
	close(m->fd);
	free(m);
	return NULL;
}

ptrdiff_t rec_marker_escape(const char *s, size_t len, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		char e[4];
		size_t k = 0;

		if (c == '\\') {
			e[k++] = '\\';
			e[k++] = '\\';
		} else if (c == '\t') {
			e[k++] = '\\';
			e[k++] = 't';
		} else if (c == '\n') {
			e[k++] = '\\';
			e[k++] = 'n';
		} else if (c < 0x20 || c == 0x7f) {
			e[k++] = '\\';
			e[k++] = 'x';
			e[k++] = hex[c >> 4];
			e[k++] = hex[c & 15];
		} else {
			e[k++] = c;
		}
		if (n + k + 1 > cap) {
			out[n] = '\0';
			return -1;
		}
		memcpy(out + n, e, k);
		n += k;
	}
	if (cap)
		out[n] = '\0';
	return n;
}

void rec_line_start(struct rec_line *l, const char *kind)
{
	int n = snprintf(l->buf, sizeof(l->buf), "maptrail:%s " REC_MARKER_VERSION, kind);

	l->len = n > 0 && (size_t)n < sizeof(l->buf) ? (size_t)n : 0;
	l->cut = false;
}

void rec_line_str(struct rec_line *l, const char *s, ptrdiff_t len)
{
	/* room for the TAB, and for the "\x00" that marks a cut field */
	size_t room = REC_MARKER_MAX > l->len + 5 ? REC_MARKER_MAX - l->len - 5 : 0;
	ptrdiff_t n;

	if (!room) {
		l->cut = true;
		return;
	}
	if (len < 0)
		len = s ? strlen(s) : 0;
	l->buf[l->len++] = '\t';
	n = rec_marker_escape(s ? s : "", len, l->buf + l->len, room + 1);
	if (n >= 0) {
		l->len += n;
		return;
	}
	l->len += strlen(l->buf + l->len);
	memcpy(l->buf + l->len, "\\x00", 4);
	l->len += 4;
	l->cut = true;
}

void rec_line_fmt(struct rec_line *l, const char *fmt, ...)
{
	char field[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(field, sizeof(field), fmt, ap);
	va_end(ap);
	rec_line_str(l, field, n < 0 ? 0 : n < (int)sizeof(field) ? n : (int)sizeof(field) - 1);
}

int rec_marker_send(struct rec_marker *m, const struct rec_line *l)
{
	ssize_t w;

	do
		w = write(m->fd, l->buf, l->len);
	while (w < 0 && errno == EINTR);
	if (w == (ssize_t)l->len) {
		atomic_fetch_add(&m->sent, 1);
		return 0;
	}
	atomic_fetch_add(&m->failed, 1);
	return w < 0 ? -errno : -EIO;
}

uint64_t rec_marker_sent(const struct rec_marker *m)
{
	return atomic_load(&m->sent);
}

uint64_t rec_marker_failed(const struct rec_marker *m)
{
	return atomic_load(&m->failed);
}
