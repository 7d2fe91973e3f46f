#!/bin/bash
# maptrail's main job end to end, as root on a fresh Debian 12 machine:
#   scripts/demo.sh [CAPTURE.dat]
# installs what is missing to build and run (not what only the tests need),
# builds, records a workload's memory-mapping calls with `maptrail record` (or
# takes the CAPTURE.dat given), turns the capture into an SQLite database,
# asks it the canned forensic questions and writes an HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --run
scripts/build.sh

db=${DB:-/tmp/maptrail-demo.db}
report=${REPORT:-/tmp/maptrail-demo.html}
if [ $# -ge 1 ]; then
	capture=$1
else
	# The workload (tests/workload/injector.c) behaves like an injected loader:
	# an RWX mapping, a buffer written then made executable, a code patch, an
	# mremap over a live mapping, remap_file_pages, a burst of failing calls
	# and two threads racing on one range -- one printed line per call.
	capture=${CAPTURE:-/tmp/maptrail-demo.dat}
	build/cli/maptrail record -o "$capture" --force -- build/tests/injector > /dev/null
fi
build/cli/maptrail analyze "$capture" -o "$db" --force

q() { echo; echo "== maptrail query $*"; build/cli/maptrail query "$db" "$@"; }
q "SELECT path, file_version, compression, cpus, clock, event_count, lost_events FROM capture"
q process-summary
q findings
# What the most severe finding's address held once its call had returned, and its history.
read -r pid addr ts < <(sqlite3 -separator ' ' "$db" \
	"SELECT f.pid, f.addr, m.ts_exit FROM findings f
	   JOIN finding_evidence e ON e.finding_id = f.id
	   JOIN memory_call m ON m.call = e.call AND m.id = e.call_id
	  WHERE f.addr IS NOT NULL ORDER BY f.severity_rank DESC, f.ts LIMIT 1")
if [ -n "${pid:-}" ]; then
	q address-at --param pid="$pid" --param addr="$addr" --param ts="$ts"
	q address-history --param pid="$pid" --param addr="$addr"
fi
build/cli/maptrail report "$db" -o "$report" --force
echo
echo "database: $db  (build/cli/maptrail query --list; sqlite3 $db '.tables')"
echo "report:   $report  (or: build/cli/maptrail report $db | less)"
echo "install:  meson install -C build  (maptrail, its man pages and bash completion in /usr/local)"
