/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CMN_DB_IDENTITY_H
#define MAPTRAIL_CMN_DB_IDENTITY_H

/*
 * db-identity: how a maptrail database is known, defined once for the one
 * that writes it (analyze/) and the ones that read it (queries/, report/).
 */

/* PRAGMA application_id of every maptrail database: "MPTR". */
#define CMN_DB_APPLICATION_ID	0x4d505452

/*
 * PRAGMA user_version: the layout analyze/layout.sql creates.  A change that
 * an older maptrail could not read (or append to) takes the next number.
 */
#define CMN_DB_LAYOUT_VERSION	5

#include <sqlite3.h>

/*
 * cmn_db_check_identity - whether @db is a maptrail database that this
 * maptrail reads, before anything in it is trusted: its application id, a
 * layout version no newer than CMN_DB_LAYOUT_VERSION (an older one's readers
 * say what it lacks; analyze --append wants this one exactly), the tables
 * and views of the layout by name and kind (those of the first layout all
 * there; no view in place of a table), and no trigger (maptrail makes none;
 * one would run someone else's SQL as rows are written).  A view of
 * maptrail's name may still say something else: cmn_db_distrust() (sql.h)
 * bounds what running it costs.  Returns 0, or -1 with *@err the reason,
 * without the path ("not a maptrail database (application id 0x...)"; free()).
 */
int cmn_db_check_identity(sqlite3 *db, char **err);

/*
 * cmn_db_layout_object - the @i-th table or view cmn_db_check_identity()
 * requires (*@type: "table" or "view" in this maptrail's layout), NULL past
 * the last: for the test that holds the list to analyze/layout.sql.
 */
const char *cmn_db_layout_object(int i, const char **type);

/*
 * cmn_severity_rank - a finding's severity as findings.severity_rank holds it:
 * high 3, medium 2, low 1, info 0 (case does not matter); -1 for anything
 * else, NULL included.
 */
int cmn_severity_rank(const char *severity);

#endif
