/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_EMBEDDED_H
#define MAPTRAIL_EMBEDDED_H

#include <stddef.h>

/*
 * A file compiled into the binary by tools/embed (see meson.build): the SQL
 * that defines maptrail's database and schema ships inside maptrail, so a
 * capture never depends on where the source tree was.
 */
struct embedded_file {
	const char *name;	/* base name, e.g. "layout.sql" */
	const char *text;	/* NUL-terminated contents */
	size_t size;		/* without the NUL */
};

#endif
