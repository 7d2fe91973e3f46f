// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the layers of analyze that read a trace.dat's bytes
 * before any database exists -- trace-meta's header, options and section
 * parser (with its chunk checks and trial decompression), then flyrecord's
 * page reader over every buffer and CPU it located.  Every event given out
 * is read whole, so a size past its page is an AddressSanitizer report, not
 * a silent copy.  Fast by design (no libtracecmd, no SQLite): the harness
 * the campaigns spend most of their time in (tests/fuzz/README.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include "flyrecord.h"
#include "fuzz-input.h"
#include "trace-meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the events' hashes go, so that reading them is not optimised away. */
volatile uint64_t fuzz_sink;

/* What a caller of fly_next() may do with an event: read all of it. */
static uint64_t touch(const struct tep_record *rec)
{
	const volatile uint8_t *p = rec->data;
	uint64_t h = rec->ts;

	if (rec->size < 0)
		abort();
	for (int i = 0; i < rec->size; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static void read_pages(const char *path, const struct trace_meta *meta)
{
	struct tep_handle *tep = tep_alloc();
	struct fly_reader *r;
	struct tep_record rec;
	char *err = NULL;
	int buffer, ret;

	if (!tep)
		abort();
	tep_set_file_bigendian(tep, meta->big_endian ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_long_size(tep, meta->long_size);
	r = fly_open(path, meta, tep, &err);
	if (!r) {
		/* refused: the reason is one line, as analyze prints it */
		if (!err || strchr(err, '\n'))
			abort();
		free(err);
		tep_free(tep);
		return;
	}
	while ((ret = fly_next(r, &rec, &buffer, &err)) > 0) {
		if (buffer < 0 || buffer >= meta->nr_buffers)
			abort();
		fuzz_sink += touch(&rec);
	}
	if (ret < 0 && (!err || strchr(err, '\n')))
		abort();
	free(err);
	fly_close(r);
	tep_free(tep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_path(data, size);
	struct trace_meta *meta = NULL;
	char *reason = NULL;

	if (trace_meta_read(path, &meta, &reason) < 0) {
		if (!reason || strchr(reason, '\n'))
			abort();
		free(reason);
		return 0;
	}
	if (!strcmp(meta->data_kind, "flyrecord"))
		read_pages(path, meta);
	trace_meta_free(meta);
	return 0;
}
