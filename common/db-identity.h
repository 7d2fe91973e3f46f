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

/*
 * cmn_severity_rank - a finding's severity as findings.severity_rank holds it:
 * high 3, medium 2, low 1, info 0 (case does not matter); -1 for anything
 * else, NULL included.
 */
int cmn_severity_rank(const char *severity);

#endif
