#!/bin/bash
# maptrail's main job end to end, as root on a fresh Debian 12 machine:
#   scripts/demo.sh [CAPTURE.dat]
# installs what is missing, builds, records a workload's memory-mapping calls
# with `maptrail record` (or takes the CAPTURE.dat given), turns the capture
# into an SQLite database and asks it a few forensic questions.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh

db=${DB:-/tmp/maptrail-demo.db}
if [ $# -ge 1 ]; then
	capture=$1
else
	# The workload (tests/workload/mapwork.c) maps, protects, moves and unmaps
	# memory, fails on purpose twice a loop, and uses a second thread.
	capture=${CAPTURE:-/tmp/maptrail-demo.dat}
	build/cli/maptrail record -o "$capture" --force -- build/tests/mapwork --loops 3 > /dev/null
fi
build/cli/maptrail analyze "$capture" -o "$db" --force

sql() { echo; echo "-- $1"; sqlite3 -header -column "$db" "$2"; }
sql "the capture" \
    "SELECT path, file_version, compression, cpus, clock, event_count, lost_events FROM capture"
sql "events by type" \
    "SELECT system, name, table_name, event_count FROM event_type WHERE event_count > 0 ORDER BY event_count DESC"
sql "calls by system call, and how many failed" \
    "SELECT s.event, count(*) AS calls, count(c.errno) AS failed
       FROM call_source s
       JOIN (SELECT source_id, errno FROM mmap UNION ALL SELECT source_id, errno FROM mprotect
             UNION ALL SELECT source_id, errno FROM mremap UNION ALL SELECT source_id, errno FROM munmap)
            c ON c.source_id = s.id
      GROUP BY s.event"
sql "who made memory executable (mprotect with PROT_EXEC)" \
    "SELECT ts, pid, tid, comm, addr, len, prot, errno FROM mprotect_decoded
      WHERE prot LIKE '%PROT_EXEC%' ORDER BY ts LIMIT 10"
sql "mappings moved onto a chosen address (mremap with MREMAP_FIXED)" \
    "SELECT ts, pid, comm, old_address, old_size, new_size, new_address, flags, ret, errno
       FROM mremap_decoded WHERE flags LIKE '%MREMAP_FIXED%' LIMIT 10"
echo
echo "database: $db  (try: sqlite3 $db '.tables')"
