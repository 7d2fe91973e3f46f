// SPDX-License-Identifier: MIT
/*
 * trace-meta's v7 sections and compression: a section's header and bounds,
 * the uncompressing of a metadata section or of a CPU's first chunk, the walk
 * over every section to the end of the file, and the BUFFER options that
 * name the data sections.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#include "trace-meta-internal.h"

/*
 * Uncompress @csize bytes at @src into @dst, which holds exactly @usize: it
 * must fill it.  Returns 0, or -1 with *@why set to the codec's reason.
 */
int tm_uncompress_exact(const struct parser *t, const uint8_t *src, uint64_t csize,
			uint8_t *dst, uint64_t usize, const char **why)
{
	if (t->comp == COMP_ZSTD) {
		size_t r = ZSTD_decompress(dst, usize, src, csize);

		if (ZSTD_isError(r)) {
			*why = ZSTD_getErrorName(r);
			return -1;
		}
		if (r != usize) {
			*why = "fewer bytes than it claims";
			return -1;
		}
	} else {
		uLongf dlen = usize;
		int r = uncompress(dst, &dlen, src, csize);

		if (r != Z_OK || dlen != usize) {
			*why = r != Z_OK ? zError(r) : "fewer bytes than it claims";
			return -1;
		}
	}
	return 0;
}

/*
 * Check the section header at @off: its id and that its data lies in the file.
 * On success *@data_off and *@size give the section's data.
 */
static int section_at(struct parser *t, uint64_t off, unsigned int want, const char *what,
		      uint16_t *flags, uint64_t *data_off, uint64_t *size)
{
	char header[96];
	const uint8_t *h;
	unsigned int id;

	if (off > t->size || t->size - off < TDAT_SEC_HEADER_SIZE) {
		snprintf(header, sizeof(header), "%s header", what);
		return tm_truncated(t, header, sat_add(off, TDAT_SEC_HEADER_SIZE));
	}
	h = t->map + off;
	id = get_num(t, h, 2);
	if (id != want)
		return tm_fail(t, -EINVAL, "corrupt: bad section id %u at byte %llu (%s expected)",
			       id, (unsigned long long)off, what);
	*flags = get_num(t, h + 2, 2);
	*size = get_num(t, h + 8, 8);
	*data_off = off + TDAT_SEC_HEADER_SIZE;
	if (*size > t->size - *data_off)
		return tm_truncated(t, what, sat_add(*data_off, *size));
	if ((*flags & TDAT_SEC_FL_COMPRESS) && t->comp == COMP_NONE)
		return tm_fail(t, -EINVAL, "corrupt: %s is compressed in an uncompressed file",
			       what);
	return 0;
}

/* Uncompress the block that makes up a compressed metadata section. */
static int uncompress_section(struct parser *t, uint64_t data_off, uint64_t size, const char *what,
			      uint8_t **out, uint64_t *out_len)
{
	const uint8_t *src = t->map + data_off;
	uint64_t csize, usize;
	uint8_t *buf;

	if (size < 8)
		return tm_fail(t, -EINVAL, "corrupt: %s: compression header missing", what);
	csize = get_num(t, src, 4);
	usize = get_num(t, src + 4, 4);
	if (csize > size - 8)
		return tm_fail(t, -EINVAL, "corrupt: %s: compressed size %llu beyond section",
			       what, (unsigned long long)csize);
	if (usize > MAX_UNCOMPRESSED)
		return tm_fail(t, -EINVAL, "corrupt: %s claims %llu bytes uncompressed", what,
			       (unsigned long long)usize);
	buf = malloc(usize ? usize : 1);
	if (!buf)
		return tm_nomem(t);

	if (t->comp == COMP_ZSTD) {
		size_t r = ZSTD_decompress(buf, usize, src + 8, csize);

		if (ZSTD_isError(r)) {
			free(buf);
			return tm_fail(t, -EINVAL, "corrupt: %s: decompression failed (%s)",
				       what, ZSTD_getErrorName(r));
		}
		usize = r;
	} else if (csize || usize) {
		uLongf dlen = usize;
		int r = uncompress(buf, &dlen, src + 8, csize);

		if (r != Z_OK) {
			free(buf);
			return tm_fail(t, -EINVAL, "corrupt: %s: decompression failed (%s)",
				       what, zError(r));
		}
		usize = dlen;
	}
	*out = buf;
	*out_len = usize;
	return 0;
}

/*
 * Open the metadata section at @off for reading; *@owned is the uncompressed
 * copy to free() after use, NULL when @c reads the file itself.
 */
int tm_open_section(struct parser *t, uint64_t off, unsigned int id, const char *what,
		    struct cur *c, uint8_t **owned)
{
	uint64_t data_off, size, len = 0;
	uint16_t flags;
	int ret;

	*owned = NULL;
	ret = section_at(t, off, id, what, &flags, &data_off, &size);
	if (ret)
		return ret;
	if (!(flags & TDAT_SEC_FL_COMPRESS)) {
		*c = tm_file_cur(t, data_off, what);
		c->len = size;
		return 0;
	}
	ret = uncompress_section(t, data_off, size, what, owned, &len);
	if (!ret)
		*c = tm_mem_cur(*owned, len, what);
	return ret;
}

static const char *section_name(unsigned int id)
{
	size_t i;

	switch (id) {
	case TDAT_OPT_DONE:
		return "options section";
	case TDAT_OPT_BUFFER:
		return "flyrecord section";
	case TDAT_OPT_STRINGS:
		return "strings section";
	case TDAT_OPT_BUFFER_TEXT:
		return "latency section";
	}
	for (i = 0; i < tm_nr_metadata; i++)
		if (tm_metadata[i].id == (int)id)
			return tm_metadata[i].name;
	return NULL;
}

/*
 * From the first options section on, trace-cmd writes its sections back to
 * back up to the end of the file, and libtracecmd finds the strings sections
 * by walking them so.  Walking them here too is what notices a file cut
 * short after its last options section.
 */
int tm_walk_sections(struct parser *t, uint64_t off)
{
	uint64_t data_off, size;
	const char *what;
	unsigned int id;
	uint16_t flags;
	uint8_t *owned;
	struct cur c;
	int ret;

	while (off != t->size) {
		if (t->size - off < TDAT_SEC_HEADER_SIZE)
			return tm_truncated(t, "section header", off + TDAT_SEC_HEADER_SIZE);
		id = get_num(t, t->map + off, 2);
		what = section_name(id);
		if (!what)
			return tm_fail(t, -EINVAL, "corrupt: bad section id %u at byte %llu", id,
				       (unsigned long long)off);
		ret = section_at(t, off, id, what, &flags, &data_off, &size);
		if (!ret && id == TDAT_OPT_STRINGS) {
			/* only checked: the descriptions they hold are for people */
			ret = tm_open_section(t, off, id, what, &c, &owned);
			free(owned);
		}
		if (ret)
			return ret;
		off = data_off + size;
	}
	return 0;
}

/* A v7 BUFFER (flyrecord) or BUFFER_TEXT (latency) option, and its section. */
int tm_buffer_option_v7(struct parser *t, unsigned int id, const uint8_t *data, uint64_t size)
{
	const char *what = id == TDAT_OPT_BUFFER ? "BUFFER option" : "BUFFER_TEXT option";
	struct cur c = tm_mem_cur(data, size, what);
	const char *name = NULL, *clock = NULL;
	uint64_t off, page_size = 0, nr = 0, v, data_off, sec_size, i;
	struct meta_buffer *b;
	struct meta_cpu *cpus = NULL;
	uint16_t flags;
	int ret;

	ret = tm_cur_num(t, &c, 8, &off);
	if (!ret)
		ret = tm_cur_str(t, &c, &name);
	if (!ret)
		ret = tm_cur_str(t, &c, &clock);
	if (!ret && id == TDAT_OPT_BUFFER)
		ret = tm_cur_num(t, &c, 4, &page_size);
	if (!ret && id == TDAT_OPT_BUFFER)
		ret = tm_cur_num(t, &c, 4, &nr);
	if (ret)
		return ret;
	/* 20 bytes a CPU: id, offset, size; the reads below stay within this check */
	if (nr > MAX_CPUS || nr * 20 > c.len - c.pos)
		return tm_fail(t, -EINVAL, "corrupt: BUFFER option: %" PRIu64 " CPUs", nr);
	if (id == TDAT_OPT_BUFFER && !page_size_ok(page_size))
		return tm_fail(t, -EINVAL, "corrupt: BUFFER option: page size %" PRIu64, page_size);

	ret = section_at(t, off, id, section_name(id), &flags, &data_off, &sec_size);
	if (ret)
		return ret;

	if (nr) {
		cpus = calloc(nr, sizeof(*cpus));
		if (!cpus)
			return tm_nomem(t);
	}
	for (i = 0; i < nr; i++) {
		(void)tm_cur_num(t, &c, 4, &v);
		cpus[i].cpu = v < MAX_CPUS ? (int)v : -1;
		(void)tm_cur_num(t, &c, 8, &cpus[i].offset);
		(void)tm_cur_num(t, &c, 8, &cpus[i].size);
		if (cpus[i].cpu < 0) {
			free(cpus);
			return tm_fail(t, -EINVAL, "corrupt: BUFFER option: CPU id %" PRIu64, v);
		}
	}

	if (!*name) {
		b = &t->meta->buffers[0];
		tm_buffer_clear(b);
	} else {
		b = tm_add_buffer(t, strdup(name), off);
		if (!b) {
			free(cpus);
			return -ENOMEM;
		}
	}
	b->cpus = cpus;
	b->nr_cpus = nr;
	b->compressed = flags & TDAT_SEC_FL_COMPRESS;
	if (id == TDAT_OPT_BUFFER)
		b->page_size = page_size;
	else
		t->latency = true;
	b->clock = *clock ? strdup(clock) : NULL;
	if (*clock && !b->clock)
		return tm_nomem(t);
	return tm_check_cpu_data(t, b, flags & TDAT_SEC_FL_COMPRESS);
}
