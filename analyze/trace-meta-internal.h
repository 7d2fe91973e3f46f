/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_TRACE_META_INTERNAL_H
#define MAPTRAIL_TRACE_META_INTERNAL_H

/*
 * What trace-meta's files share, and nothing outside them includes: the
 * parser's state, the bounded cursor, and each part's entry points.
 *
 *   trace-meta.c           the v6 and v7 layouts; trace_meta_read() and the
 *                          other public functions (trace-meta.h)
 *   trace-meta-cursor.c    the bounded cursor and the parser's reason
 *   trace-meta-metadata.c  header info, event formats, kallsyms, printk, cmdlines
 *   trace-meta-buffers.c   buffers, CPU data and its checks, CPU statistics
 *   trace-meta-sections.c  v7 sections and compression
 *   trace-meta-options.c   options
 *
 * A function here that can fail sets the parser's reason (tm_fail()) and
 * returns a negative errno, or 0 on success; tm_add_buffer() returns NULL
 * instead, and tm_uncompress_exact() leaves the reason to its caller (-1, the
 * codec's own in *why).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdat-format.h"
#include "trace-meta.h"

/* A cursor base for bytes that are not the file's (decompressed sections, option data). */
#define NOT_IN_FILE		UINT64_MAX

/*
 * Limits that only a corrupt file reaches.  A metadata section is a few MB
 * (kallsyms of a large kernel); refusing bigger claims keeps a flipped size from
 * becoming a huge allocation.
 */
#define MAX_UNCOMPRESSED	(256u << 20)
#define MAX_CPUS		65536
#define MAX_OPTION_SECTIONS	4096

enum compression { COMP_NONE, COMP_ZLIB, COMP_ZSTD };

/* Parser state of one trace_meta_read() call. */
struct parser {
	const uint8_t *map;
	uint64_t size;
	bool be;
	int version;
	enum compression comp;
	struct trace_meta *meta;
	char *reason;			/* the first failure; later ones are not recorded */

	uint64_t sec_off[TDAT_OPT_MAX];	/* v7: section offsets named by options, 0 if absent */
	bool has_traceclock;		/* v6: a clock string follows each CPU table */
	char *traceclock;		/* clock selected in OPTION_TRACECLOCK */
	uint64_t *buf_off;		/* v6: flyrecord table of each buffer, as meta->buffers */
	char *stat_buffer;		/* named by the last "Buffer:" CPUSTAT; NULL: top */
	bool cpucount_seen;
	bool latency;			/* the data is latency text, not ring-buffer pages */
};

/* A window on bytes the parser may read: [p, p + len), read up to pos. */
struct cur {
	const uint8_t *p;
	uint64_t len;
	uint64_t pos;
	uint64_t base;			/* file offset of p[0], or NOT_IN_FILE */
	const char *what;		/* names the data in reasons */
};

/* A sum of file offsets and sizes that a corrupt file cannot wrap around. */
static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* An unsigned number of @bytes bytes in the file's byte order. */
static inline uint64_t get_num(const struct parser *t, const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v |= (uint64_t)p[t->be ? bytes - 1 - i : i] << (8 * i);
	return v;
}

/* A page size a kernel can have written; libtracecmd divides by it, kbuffer reads its header. */
static inline bool page_size_ok(uint64_t size)
{
	return size >= TRACE_META_MIN_PAGE && size <= TRACE_META_MAX_PAGE && !(size & (size - 1));
}

/* trace-meta-cursor.c */
__attribute__((format(printf, 3, 4)))
int tm_fail(struct parser *t, int err, const char *fmt, ...);
int tm_nomem(struct parser *t);
int tm_truncated(struct parser *t, const char *what, uint64_t end);
const char *tm_printable(char *buf, size_t n, const char *s);
struct cur tm_file_cur(const struct parser *t, uint64_t off, const char *what);
struct cur tm_mem_cur(const uint8_t *p, uint64_t len, const char *what);
int tm_cur_need(struct parser *t, struct cur *c, uint64_t n);
int tm_cur_take(struct parser *t, struct cur *c, uint64_t n, const uint8_t **out);
int tm_cur_num(struct parser *t, struct cur *c, int bytes, uint64_t *v);
int tm_cur_str(struct parser *t, struct cur *c, const char **s);
int tm_cur_tag(struct parser *t, struct cur *c, const char *tag, size_t n);

/* trace-meta-metadata.c: the metadata parts, in v6 file order */
struct tm_metadata_part {
	int id;			/* its option (v7), TDAT_OPT_* */
	const char *name;
	int (*walk)(struct parser *t, struct cur *c);
};
extern const struct tm_metadata_part tm_metadata[];
extern const size_t tm_nr_metadata;

/* trace-meta-buffers.c */
struct meta_buffer *tm_add_buffer(struct parser *t, char *name, uint64_t off);
void tm_buffer_clear(struct meta_buffer *b);
int tm_check_cpu_data(struct parser *t, const struct meta_buffer *b, bool compressed);
int tm_check_pages(struct parser *t);
int tm_add_cpustat(struct parser *t, const uint8_t *data, uint64_t size);

/* trace-meta-sections.c */
int tm_uncompress_exact(const struct parser *t, const uint8_t *src, uint64_t csize,
			uint8_t *dst, uint64_t usize, const char **why);
int tm_open_section(struct parser *t, uint64_t off, unsigned int id, const char *what,
		    struct cur *c, uint8_t **owned);
int tm_walk_sections(struct parser *t, uint64_t off);
int tm_buffer_option_v7(struct parser *t, unsigned int id, const uint8_t *data, uint64_t size);

/* trace-meta-options.c */
char *tm_selected_clock(const char *text);
int tm_parse_options(struct parser *t, struct cur *c, uint64_t *next);

#endif
