// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <traceevent/kbuffer.h>
#include <zlib.h>
#include <zstd.h>

#include "flyrecord.h"
#include "error-line.h"

#define READ_PAGES	16		/* uncompressed data is read this many pages at a time */
/*
 * kbuffer reads up to 8 bytes past the last event header it looks at (and the
 * lost-event count after the data): zeroed slack after the pages keeps those
 * reads inside memory of ours even on a damaged last page.
 */
#define SLACK		16

/* The ring buffer's event header (kernel's ring_buffer_event), as kbuffer reads it. */
#define RB_TYPE_PADDING		29
#define RB_TYPE_TIME_EXTEND	30
#define RB_TYPE_TIME_STAMP	31
#define RB_COMMIT_MASK		((1u << 27) - 1)
#define RB_MISSING_EVENTS	(1ull << 31)
#define RB_MISSING_STORED	(1ull << 30)

/* One CPU of one buffer. */
struct stream {
	int buffer, cpu;
	int page_size;
	bool compressed;
	uint64_t begin, pos, end;	/* the stream's bytes, and those still to read */
	uint32_t chunks_left;		/* compressed: chunks after the current one */
	uint8_t *data;			/* pages being read: a chunk, or READ_PAGES pages */
	size_t data_len, data_cap, page_off;
	struct kbuffer *kbuf;
	void *event;			/* the current event, NULL: none loaded */
	unsigned long long ts;
	long long missed;		/* of the current page, reported once */
};

struct fly_reader {
	int fd;
	bool zstd;
	bool big_endian;		/* of the file: where an event header keeps its type */
	int long_size;			/* the page header's commit field (trace_meta.page_long_size) */
	int64_t time_offset;
	ZSTD_DCtx *zctx;
	uint8_t *packed;		/* a compressed chunk as read from the file */
	size_t packed_cap;
	int nr_streams;
	struct stream *streams;
	int nr_heap;
	struct stream **heap;		/* streams with an event, earliest first */
	struct stream *last;		/* gave the event the caller holds */
	struct tep_handle *tep;		/* the file's byte order */
	char *err;
};

static int fail(struct fly_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct fly_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmn_vfail(&r->err, fmt, ap);
	va_end(ap);
	return -1;
}

static int read_exact(struct fly_reader *r, void *buf, size_t len, uint64_t off)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = pread(r->fd, (char *)buf + done, len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail(r, "cannot read CPU data at byte %llu: %s",
				    (unsigned long long)(off + done), n < 0 ? strerror(errno) : "end of file");
		done += n;
	}
	return 0;
}

/* Room for @len bytes, and SLACK zeroed bytes after them. */
static int reserve(uint8_t **buf, size_t *cap, size_t len)
{
	uint8_t *p;

	if (len > *cap) {
		p = realloc(*buf, len + SLACK);
		if (!p)
			return -1;
		*buf = p;
		*cap = len;
	}
	memset(*buf + len, 0, SLACK);
	return 0;
}

static uint32_t file_u32(const struct tep_handle *tep, const uint8_t *p)
{
	return tep_read_number((struct tep_handle *)tep, p, 4);
}

/* The next chunk of a compressed stream, uncompressed into s->data. */
static int load_chunk(struct fly_reader *r, struct stream *s)
{
	uint8_t head[8];
	uint32_t csize, usize;

	if (read_exact(r, head, 8, s->pos) < 0)
		return -1;
	csize = file_u32(r->tep, head);
	usize = file_u32(r->tep, head + 4);
	if (csize > TRACE_META_MAX_CHUNK || usize > TRACE_META_MAX_CHUNK ||
	    s->pos + 8 + csize > s->end + 4)
		return fail(r, "corrupt: CPU %d chunk of %u bytes (%u uncompressed)", s->cpu,
			    csize, usize);
	if (reserve(&r->packed, &r->packed_cap, csize) < 0 ||
	    reserve(&s->data, &s->data_cap, usize) < 0)
		return fail(r, "out of memory");
	if (read_exact(r, r->packed, csize, s->pos + 8) < 0)
		return -1;
	s->pos += 8 + csize;
	if (r->zstd) {
		size_t n = ZSTD_decompressDCtx(r->zctx, s->data, usize, r->packed, csize);

		if (ZSTD_isError(n))
			return fail(r, "corrupt: CPU %d data: %s", s->cpu, ZSTD_getErrorName(n));
		s->data_len = n;
	} else {
		uLongf n = usize;

		if (uncompress(s->data, &n, r->packed, csize) != Z_OK)
			return fail(r, "corrupt: CPU %d data: zlib cannot uncompress it", s->cpu);
		s->data_len = n;
	}
	s->page_off = 0;
	return 0;
}

/* Make s->data hold at least one more page.  Returns 1, 0 at the end, -1 on error. */
static int refill(struct fly_reader *r, struct stream *s)
{
	if (s->page_off + s->page_size <= s->data_len)
		return 1;
	if (s->compressed) {
		while (s->chunks_left) {
			s->chunks_left--;
			if (load_chunk(r, s) < 0)
				return -1;
			if (s->data_len >= (size_t)s->page_size)
				return 1;
		}
		return 0;
	}
	if (s->pos + s->page_size > s->end)
		return 0;	/* a partial page at the end holds nothing the kernel wrote */
	size_t len = s->end - s->pos;

	if (len > (size_t)READ_PAGES * s->page_size)
		len = (size_t)READ_PAGES * s->page_size;
	len -= len % s->page_size;
	if (reserve(&s->data, &s->data_cap, len) < 0)
		return fail(r, "out of memory");
	if (read_exact(r, s->data, len, s->pos) < 0)
		return -1;
	s->pos += len;
	s->data_len = len;
	s->page_off = 0;
	return 1;
}

/*
 * Walk the page at @page as kbuffer will, before kbuffer sees it.  kbuffer
 * trusts the page: a commit field past the page has it read the lost-event
 * count from anywhere, an event length that steps backwards has it loop
 * forever over padding, and a data event that claims more than the page
 * holds is given out whole.  A page is refused (the whole capture: its
 * events cannot be told from garbage) unless every event header lies in the
 * committed data, each step moves forward, and every data event ends inside
 * the committed data.
 */
static int check_page(struct fly_reader *r, const struct stream *s, const uint8_t *page)
{
	uint32_t head = 8 + r->long_size;	/* timestamp, commit */
	uint64_t flags = tep_read_number(r->tep, page + 8, r->long_size);
	uint64_t commit = flags & RB_COMMIT_MASK;
	uint32_t room = s->page_size - head;
	const uint8_t *data = page + head;

	if (commit > room ||
	    ((flags & RB_MISSING_EVENTS) && (flags & RB_MISSING_STORED) &&
	     commit + r->long_size > room))
		return fail(r, "corrupt: CPU %d: a page claims %llu bytes of data in %u", s->cpu,
			    (unsigned long long)commit, room);
	/* kbuffer's arithmetic is 32 bits wide: so is this, to see the steps it will take */
	for (uint32_t curr = 0, next, index; curr < commit; curr = next) {
		uint32_t word, type_len, len = 0;

		if (commit - curr < 4)
			goto torn;
		word = file_u32(r->tep, data + curr);
		type_len = r->big_endian ? word >> 27 : word & 0x1f;
		if (type_len == 0 || type_len >= RB_TYPE_PADDING) {
			if (commit - curr < 8)
				goto torn;
			len = file_u32(r->tep, data + curr + 4);
		}
		switch (type_len) {
		case RB_TYPE_PADDING:
			/* the rest of the page, or a discarded event: nothing is read from it */
			next = curr + 4 + len;
			break;
		case RB_TYPE_TIME_EXTEND:
		case RB_TYPE_TIME_STAMP:
			next = curr + 8;
			break;
		case 0:
			/* the length word counts itself; kbuffer rounds the rest up to 4 */
			index = curr + 8;
			next = index + ((len - 4 + 3) & ~3u);
			if (len < 4 || next < index || next > commit)
				goto overrun;
			break;
		default:
			index = curr + 4;
			next = index + 4 * type_len;
			if (next > commit)
				goto overrun;
			break;
		}
		if (next <= curr)
			return fail(r, "corrupt: CPU %d: an event steps back in its page", s->cpu);
	}
	return 0;
torn:
	return fail(r, "corrupt: CPU %d: an event header crosses the end of its page's data",
		    s->cpu);
overrun:
	return fail(r, "corrupt: CPU %d: an event runs past the end of its page's data", s->cpu);
}

/* Move @s to its next event.  Returns 1, 0 when it has no more, -1 on error. */
static int advance(struct fly_reader *r, struct stream *s)
{
	if (s->event) {
		s->event = kbuffer_next_event(s->kbuf, &s->ts);
		if (s->event)
			return 1;
		s->page_off += s->page_size;
	}
	for (;;) {
		int ret = refill(r, s);

		if (ret <= 0)
			return ret;
		if (check_page(r, s, s->data + s->page_off) < 0)
			return -1;
		if (kbuffer_load_subbuffer(s->kbuf, s->data + s->page_off) < 0)
			return fail(r, "corrupt: CPU %d: bad page header", s->cpu);
		s->missed = kbuffer_missed_events(s->kbuf);
		s->event = kbuffer_read_event(s->kbuf, &s->ts);
		if (s->event)
			return 1;
		s->page_off += s->page_size;	/* an empty page */
	}
}

static bool earlier(const struct stream *a, const struct stream *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts;
	return a < b;	/* streams are in (buffer, cpu) order */
}

static void sift_down(struct fly_reader *r, int i)
{
	for (;;) {
		int l = 2 * i + 1, m = i;

		if (l < r->nr_heap && earlier(r->heap[l], r->heap[m]))
			m = l;
		if (l + 1 < r->nr_heap && earlier(r->heap[l + 1], r->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		struct stream *t = r->heap[i];

		r->heap[i] = r->heap[m];
		r->heap[m] = t;
		i = m;
	}
}

struct fly_reader *fly_open(const char *path, const struct trace_meta *meta,
			    struct tep_handle *tep, char **err)
{
	struct fly_reader *r = calloc(1, sizeof(*r));
	enum kbuffer_endian endian = meta->big_endian ? KBUFFER_ENDIAN_BIG : KBUFFER_ENDIAN_LITTLE;
	enum kbuffer_long_size lsize = meta->page_long_size == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4;
	int n = 0;

	*err = NULL;
	if (!r)
		goto oom;
	r->tep = tep;
	r->big_endian = meta->big_endian;
	r->long_size = meta->page_long_size == 8 ? 8 : 4;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		fail(r, "%s", strerror(errno));
		goto out;
	}
	r->zstd = meta->compression && !strcmp(meta->compression, "zstd");
	r->time_offset = meta->time_offset;
	if (r->zstd && !(r->zctx = ZSTD_createDCtx()))
		goto oom;
	for (int b = 0; b < meta->nr_buffers; b++)
		n += meta->buffers[b].nr_cpus;
	r->streams = calloc(n ? n : 1, sizeof(*r->streams));
	r->heap = calloc(n ? n : 1, sizeof(*r->heap));
	if (!r->streams || !r->heap)
		goto oom;
	for (int b = 0; b < meta->nr_buffers; b++) {
		const struct meta_buffer *mb = &meta->buffers[b];

		for (int c = 0; c < mb->nr_cpus; c++) {
			struct stream *s = &r->streams[r->nr_streams];
			uint8_t count[4];

			if (!mb->cpus[c].size)
				continue;
			r->nr_streams++;
			s->buffer = b;
			s->cpu = mb->cpus[c].cpu;
			s->page_size = mb->page_size > 0 ? mb->page_size : meta->page_size;
			s->compressed = mb->compressed;
			s->begin = s->pos = mb->cpus[c].offset;
			s->end = mb->cpus[c].offset + mb->cpus[c].size;
			s->kbuf = kbuffer_alloc(lsize, endian);
			if (!s->kbuf)
				goto oom;
			/* a page must hold its header (timestamp, commit) and an event */
			if (s->page_size < 8 + r->long_size + 8) {
				fail(r, "corrupt: page size %d", s->page_size);
				goto out;
			}
			if (s->compressed) {
				if (read_exact(r, count, 4, s->pos) < 0)
					goto out;
				s->chunks_left = file_u32(tep, count);
				s->data_len = s->page_off = 0;
				s->pos += 4;
			}
			switch (advance(r, s)) {
			case 1:
				r->heap[r->nr_heap++] = s;
				break;
			case 0:
				break;
			default:
				goto out;
			}
		}
	}
	for (int i = r->nr_heap / 2 - 1; i >= 0; i--)
		sift_down(r, i);
	return r;
oom:
	if (r)
		fail(r, "out of memory");
out:
	if (r) {
		*err = r->err;
		r->err = NULL;
	} else {
		*err = strdup("out of memory");
	}
	fly_close(r);
	return NULL;
}

int fly_next(struct fly_reader *r, struct tep_record *rec, int *buffer, char **err)
{
	struct stream *s;

	*err = NULL;
	/* The caller is done with the previous event: move its stream on first. */
	if (r->last) {
		int ret = advance(r, r->last);

		r->last = NULL;
		if (ret < 0) {
			*err = r->err;
			r->err = NULL;
			return -1;
		}
		if (!ret)
			r->heap[0] = r->heap[--r->nr_heap];
		sift_down(r, 0);
	}
	if (!r->nr_heap)
		return 0;
	s = r->heap[0];
	memset(rec, 0, sizeof(*rec));
	rec->ts = s->ts + r->time_offset;
	rec->cpu = s->cpu;
	rec->data = s->event;
	rec->size = kbuffer_event_size(s->kbuf);
	/* check_page() let no event past its page's data: what callers copy is the page's */
	if (rec->size < 0 || (size_t)((uint8_t *)s->event - (s->data + s->page_off)) +
	    (size_t)rec->size > (size_t)s->page_size) {
		r->last = NULL;
		*err = NULL;
		cmn_fail(err, "corrupt: CPU %d: an event of %d bytes runs past its page", s->cpu,
			 rec->size);
		return -1;
	}
	rec->record_size = rec->size;
	rec->missed_events = s->missed;
	s->missed = 0;
	*buffer = s->buffer;
	r->last = s;
	return 1;
}

int fly_check(const char *path, const struct trace_meta *meta, struct tep_handle *tep, char **err)
{
	struct fly_reader *r = fly_open(path, meta, tep, err);
	struct tep_record rec;
	int buffer, ret;

	if (!r)
		return -1;
	while ((ret = fly_next(r, &rec, &buffer, err)) > 0)
		;
	fly_close(r);
	return ret;
}

void fly_close(struct fly_reader *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nr_streams; i++) {
		kbuffer_free(r->streams[i].kbuf);
		free(r->streams[i].data);
	}
	free(r->streams);
	free(r->heap);
	free(r->packed);
	ZSTD_freeDCtx(r->zctx);
	if (r->fd >= 0)
		close(r->fd);
	free(r->err);
	free(r);
}

int fly_percent(const struct fly_reader *r)
{
	uint64_t done = 0, total = 0;

	for (int i = 0; r && i < r->nr_streams; i++) {
		done += r->streams[i].pos - r->streams[i].begin;
		total += r->streams[i].end - r->streams[i].begin;
	}
	return total ? (int)(done * 100 / total) : -1;
}
