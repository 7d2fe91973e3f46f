/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_FLYRECORD_H
#define MAPTRAIL_FLYRECORD_H

/*
 * flyrecord: the events of every buffer and CPU of a trace.dat, merged in
 * timestamp order, read with libtraceevent's kbuffer from the pages that
 * trace-meta located.
 *
 * libtracecmd 3.1 reads compressed captures by decompressing every chunk
 * and never freeing one (free_zpage() in trace-input.c tests an empty range),
 * so its memory grows with the capture.  Here each CPU holds one chunk or a
 * few pages at a time: memory depends on the number of CPUs, not of events.
 * Files whose timestamps need host/guest synchronisation or TSC conversion
 * (trace_meta.time_sync) are left to libtracecmd.
 *
 *	r = fly_open(path, meta, tep, &err);
 *	while ((ret = fly_next(r, &rec, &buffer)) > 0)
 *		use(&rec, buffer);	// rec.data is valid until the next call
 *	fly_close(r);
 */

#include <traceevent/event-parse.h>

#include "trace-meta.h"

struct fly_reader;

/*
 * fly_open - prepare to read @path, described by @meta; @tep has its formats
 * (endianness, long size).  Returns NULL with *@err set (free()) on failure.
 */
struct fly_reader *fly_open(const char *path, const struct trace_meta *meta,
			    struct tep_handle *tep, char **err);

/*
 * fly_next - the next event in time: fills @rec (data, size, ts, cpu,
 * missed_events on the first event of a page that follows a loss) and
 * *@buffer, the index of its buffer in meta->buffers.  Returns 1, 0 at the
 * end, or -1 with *@err set (free()) on a read or decompression error.
 */
int fly_next(struct fly_reader *r, struct tep_record *rec, int *buffer, char **err);

/*
 * fly_percent - how much of the capture's event pages has been read, 0 to
 * 100 (pages are read ahead of the events given out: a little early), or -1
 * when there is nothing to read.
 */
int fly_percent(const struct fly_reader *r);

/*
 * fly_check - read every page and event of @path as fly_next() would, and
 * keep none: for a capture whose events libtracecmd reads (it trusts every
 * chunk and event size), so a damaged one is refused before.  Returns 0, or
 * -1 with *@err set (free()).
 */
int fly_check(const char *path, const struct trace_meta *meta, struct tep_handle *tep, char **err);

/* fly_close - accepts NULL. */
void fly_close(struct fly_reader *r);

#endif
