#!/bin/bash
# maptrail's main job end to end, as root on a fresh Debian 12 machine:
#   sudo scripts/demo.sh [CAPTURE.dat]
# installs what is missing, builds, turns a capture (default: the bundled
# tests/fixtures/mapwork-v7-zstd.dat, recorded on a real kernel) into an
# SQLite database, and asks it a few forensic questions.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh

capture=${1:-tests/fixtures/mapwork-v7-zstd.dat}
db=${DB:-/tmp/maptrail-demo.db}
build/cli/maptrail analyze "$capture" -o "$db" --force

sql() { echo; echo "-- $1"; sqlite3 -header -column "$db" "$2"; }
sql "the capture" \
    "SELECT path, file_version, compression, cpus, clock, event_count, lost_events FROM capture"
sql "events by type" \
    "SELECT system, name, table_name, event_count FROM event_type WHERE event_count > 0 ORDER BY event_count DESC"
sql "who made memory executable (mprotect with PROT_EXEC)" \
    "SELECT e.ts, e.pid, t.comm, printf('0x%x', e.start) AS start, e.len, e.prot
       FROM syscalls__sys_enter_mprotect e JOIN task t USING (capture_id, pid)
      WHERE e.prot & 4 ORDER BY e.ts LIMIT 10"
echo
echo "database: $db  (try: sqlite3 $db '.tables')"
