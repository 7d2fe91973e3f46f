/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_EXP_BUF_H
#define MAPTRAIL_EXP_BUF_H

/*
 * A growable byte buffer: the batches sent to ClickHouse, the SQL built for
 * it and its answers.  Always NUL-terminated after @len (data may hold NULs).
 * Zero-initialise (struct exp_buf b = { 0 }), release with exp_buf_free().
 */

#include <stddef.h>

struct exp_buf {
	char *data;
	size_t len, cap;
};

/* exp_buf_add - append @n bytes.  0, or -ENOMEM (the buffer is unchanged). */
int exp_buf_add(struct exp_buf *b, const void *p, size_t n);

/* exp_buf_str - append a C string. */
int exp_buf_str(struct exp_buf *b, const char *s);

/* exp_buf_printf - append printf-style text. */
int exp_buf_printf(struct exp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* exp_buf_int - append @v in decimal: the cells of a batch, without printf's cost. */
int exp_buf_int(struct exp_buf *b, long long v);

/* exp_buf_free - release the memory; the buffer is empty and reusable after. */
void exp_buf_free(struct exp_buf *b);

#endif
