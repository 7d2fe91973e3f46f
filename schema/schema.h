/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_SCHEMA_H
#define MAPTRAIL_SCHEMA_H

/*
 * schema: maptrail's knowledge of each event (arguments, tags, hooks, sources,
 * flag and errno names) as SQL rows.  The SQL files of schema/ are compiled into
 * the binary; schema_load() runs them, then any extra files the user gives,
 * into a database: analyze's output, or record's in-memory plan database.
 */

#include <sqlite3.h>

#include "embedded.h"

/* The embedded schema files, in load order; ends with a NULL name. */
extern const struct embedded_file schema_sql_files[];

/*
 * schema_load - create the schema tables in @db and fill them: the embedded
 * files, then @extra (NULL-terminated list of paths, may be NULL).
 * Returns 0, or -1 with *@err set to one line naming the file at fault (free()).
 */
int schema_load(sqlite3 *db, const char *const *extra, char **err);

/*
 * schema_event_names - the names of the events of the schema loaded into @db,
 * in name order, as a NULL-terminated list in *@names (free it with
 * schema_names_free()).  Returns how many, or -1 with *@err set (free()).
 */
int schema_event_names(sqlite3 *db, char ***names, char **err);

/* schema_names_free - free a list of schema_event_names(); NULL is fine.  Returns NULL. */
char **schema_names_free(char **names);

#endif
