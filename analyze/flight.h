/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_ANA_FLIGHT_H
#define MAPTRAIL_ANA_FLIGHT_H

/*
 * flight: a flight recorder's dump (maptrail record --flight) told as such.
 *
 * The recorder writes what froze its buffer and what the dump covers as
 * "key=value" lines in a private option of the file (record/flight.h,
 * rec_flight_option()); this turns them into the capture's row of the flight
 * table (analyze/layout.sql), whose columns are the keys.  Keys it does not
 * know are skipped, so an older analyze reads a newer recorder's file.
 */

#include <stdint.h>

#include "sql.h"

/*
 * ana_flight_insert - the flight row of capture @capture_id from the
 * option's @text.  Returns 0, or -1 with db->err set.
 */
int ana_flight_insert(struct cmn_db *db, int64_t capture_id, const char *text);

#endif
