#!/bin/bash
# End-to-end: the detections on real captures of this machine's kernel.
#
#   tests/e2e/detections.sh path/to/maptrail     (injector: BUILD/tests/injector)
#
# Records the injector workload (tests/workload/injector.c: an anonymous RWX
# mapping, a buffer written then made executable, a .bss page made executable,
# one mprotect over two mappings, code patching, mremap MREMAP_FIXED over a live
# mapping, remap_file_pages, a burst of failing calls, two threads racing on
# one mapping) and the benign one (tests/workload/benign.sh: a compiler run, a
# pipeline, python3) with `maptrail record`, analyzes both, and has
# detections.py check, in the databases, that every step of injector produced
# its finding with the right process, thread, address, length and time, with
# its call row as evidence, and the address-space history that explains it;
# and that the benign capture holds no high-severity finding.  Then asks the
# same of `maptrail query` where it exists: every detection query runs on the
# injector's database.  The tracing state of the machine must be the same after
# each recording as before.
#
# KEEP=DIR keeps the captures, outputs and databases in DIR.
# Needs root, tracefs and syscall tracepoints (exit 77 otherwise).
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$(dirname "$maptrail")/.." && pwd)
injector=${INJECTOR:-$build/tests/injector}
flip=$build/tests/flip
benign=$here/../workload/benign.sh
. "$here/../lib/record-test.sh"
q() { sqlite3 -batch -noheader "$1" "$2"; }

record_test_begin detections sqlite3 python3 cc
[ -x "$injector" ] || fail "$injector: not built"
[ -x "$flip" ] || fail "$flip: not built"
record_test_tracepoints mprotect or-kprobes

# record NAME COMMAND...: NAME.dat, NAME.out (its stdout), NAME.db
record() {
	local name=$1
	shift
	# --no-identity: these checks are of the calls' history alone.  With identity records, a
	# snapshot the resolver takes late can cover a range the calls already changed (a known
	# race of the identity snapshots; record-identity-analyze checks identity).
	tracefs_run "$maptrail" record --no-identity -o "$work/$name.dat" -- "$@" > "$work/$name.out" 2> "$work/$name.err" ||
		fail "recording $name failed: $(cat "$work/$name.err")"
	check_state "after recording $name"
	grep -q 'warning' "$work/$name.err" && fail "$name: warnings: $(cat "$work/$name.err")"
	grep -q "(pid [0-9]*) exited with status 0" "$work/$name.err" ||
		fail "$name did not exit with status 0: $(cat "$work/$name.err")"
	"$maptrail" analyze "$work/$name.dat" -o "$work/$name.db" -q 2> "$work/$name.analyze.err" ||
		fail "analyze of $name failed: $(cat "$work/$name.analyze.err")"
	[ "$(q "$work/$name.db" "SELECT lost_events FROM capture")" = 0 ] ||
		fail "$name: events lost"
	echo "ok: $name recorded and analyzed: $(q "$work/$name.db" "SELECT event_count FROM capture") events"
}
record injector "$injector"
record benign "$benign"
flips=2000
record flip "$flip" "$flips"

# The flip workload: its 2,000 W->X flips are one exec-after-write finding
# that counts them all, each of its mprotect rows (read from the call table
# itself) evidence of it, with their distinct ranges and bytes; and nothing
# else of that process is a finding (the r-x range grown by mremap is not
# writable, and nothing is left rwx).
fpid=$(sed -n 's/^pid=\([0-9]*\) flips=.*/\1/p' "$work/flip.out")
[ -n "$fpid" ] || fail "flip printed no pid: $(cat "$work/flip.out")"
fdb=$work/flip.db
[ "$(q "$fdb" "SELECT count(*) FROM mprotect WHERE pid = $fpid AND prot = 5 AND errno IS NULL")" = "$flips" ] ||
	fail "flip: the capture does not hold its $flips mprotect calls"
got=$(q "$fdb" "SELECT count(*) || ' ' || group_concat(detection || ':' || severity)
	FROM findings WHERE pid = $fpid")
[ "$got" = "1 exec-after-write:high" ] || fail "flip: findings of pid $fpid: $got, want one exec-after-write"
want=$(q "$fdb" "SELECT count(*) || ' ' || count(DISTINCT addr || ',' || len) || ' ' ||
	(SELECT sum(len) FROM (SELECT DISTINCT addr, len FROM mprotect WHERE pid = $fpid AND prot = 5))
	|| ' ' || min(ts) || ' ' || max(ts) FROM mprotect WHERE pid = $fpid AND prot = 5")
got=$(q "$fdb" "SELECT calls || ' ' || ranges || ' ' || bytes || ' ' || ts || ' ' || last_ts
	FROM findings WHERE pid = $fpid")
[ "$got" = "$want" ] || fail "flip: the group says calls ranges bytes ts last_ts = $got, the calls $want"
[ "$(q "$fdb" "SELECT count(*) FROM finding_evidence e JOIN findings f ON f.id = e.finding_id
	JOIN mprotect m ON e.call = 'mprotect' AND m.id = e.call_id
	WHERE f.pid = $fpid AND m.pid = $fpid AND m.prot = 5")" = "$flips" ] ||
	fail "flip: the finding's evidence is not its $flips mprotect calls"
[ "$(q "$fdb" "SELECT kind FROM findings WHERE pid = $fpid")" = "rw- -> r-x anonymous" ] ||
	fail "flip: kind $(q "$fdb" "SELECT kind FROM findings WHERE pid = $fpid")"
echo "ok: flip: $flips flips are one exec-after-write finding: calls ranges bytes ts last_ts = $got"
if "$maptrail" query --list > /dev/null 2>&1; then
	id=$(q "$fdb" "SELECT id FROM findings WHERE pid = $fpid")
	n=$("$maptrail" query "$fdb" finding-calls --param id="$id" --format csv | tail -n +2 | wc -l)
	[ "$n" = "$flips" ] || fail "flip: finding-calls lists $n calls, not $flips"
	"$maptrail" query "$fdb" finding-calls --param id="$id" --param limit=1 --format csv |
		grep -q "^mprotect,.*,addr=0x[0-9a-f]* len=$((4 * $(getconf PAGESIZE))) prot=r-x," ||
		fail "flip: finding-calls does not show the mprotect's arguments"
	echo "ok: flip: maptrail query finding-calls lists its $flips calls with their arguments"
fi

MAPTRAIL=$maptrail python3 "$here/detections.py" "$work/injector.out" "$work/injector.db" \
	"$work/benign.db"
for db in "$work/injector.db" "$work/benign.db" "$fdb"; do
	python3 "$here/replayed.py" "$db" "$here/../../queries" || fail "replayed: $db"
done

# The same findings through maptrail query, where it exists: every detection
# query runs, and the findings table holds one group for each capture, pid,
# kind and severity the query returns (a row without a kind is a group of its
# own).
if "$maptrail" query --list > "$work/list" 2>/dev/null; then
	n=0
	for name in $(q "$work/injector.db" "SELECT DISTINCT detection FROM findings"); do
		"$maptrail" query "$work/injector.db" "$name" --format csv > "$work/$name.csv" \
			2> "$work/query.err" || fail "maptrail query $name: $(cat "$work/query.err")"
		want=$(q "$work/injector.db" "SELECT count(*) FROM findings WHERE detection = '$name'")
		got=$(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(len({(r["capture_id"], r["pid"], r["kind"], r["severity"]) if r["kind"] else i
           for i, r in enumerate(rows)}))' "$work/$name.csv")
		[ "$got" = "$want" ] ||
			fail "maptrail query $name gives $got groups, findings holds $want"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || fail "no detection found anything in the injector's capture"
	echo "ok: maptrail query agrees with findings for $n detections"
else
	echo "note: no maptrail query here: the findings were checked in SQL only"
fi
