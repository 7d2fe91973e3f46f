#!/bin/bash
# End-to-end: wall-clock time (README "Time").  maptrail record stores how its
# trace clock relates to CLOCK_REALTIME; analyze puts each call on the wall
# clock; query and report show it; time parameters take every form.
#
#   tests/e2e/wallclock.sh path/to/maptrail       (clockwork: BUILD/tests/clockwork)
#
# The independent witness is the workload itself: clockwork reads
# CLOCK_REALTIME right before and right after one mmap and prints both; the
# UTC time the database gives that call (the view memory_call_utc, read by the
# sqlite3 shell) must lie between them, give or take the recorder's measured
# uncertainty (capture.utc_uncertainty).  The same for a flight recorder's
# dump.  trace-cmd report still reads the file, every event equal
# (compare-report.py).  Then --param ts as trace-cmd's seconds (taken from
# trace-cmd report's own line for the call), as ns and as UTC ISO 8601 binds
# the ts each means; a value that is none of them, or a UTC time for a
# capture without a wall clock, is one line and exit 2.  The table shows the
# ts in UTC, json adds ts_utc, the report shows the finding's UTC time.
#
# Needs root, tracefs and syscall tracepoints (exit 77 otherwise).
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$(dirname "$maptrail")/.." && pwd)
clockwork=${CLOCKWORK:-$build/tests/clockwork}
. "$here/../lib/record-test.sh"
q() { sqlite3 -batch -noheader "$1" "$2"; }

record_test_begin wallclock trace-cmd sqlite3 python3
[ -x "$clockwork" ] || fail "$clockwork: not built"
record_test_tracepoints mmap
backend=()
[ -e "$T/kprobe_events" ] && backend=(--backend tracepoint)

# The call's UTC in DB (capture CAPTURE_ID) against what clockwork printed in OUT.
check_call() {	# check_call DB OUT LABEL
	local db=$1 out=$2 label=$3 before after addr len unc utc
	before=$(sed -n 's/.* before=\([0-9]*\) .*/\1/p' "$out")
	after=$(sed -n 's/.* after=\([0-9]*\) .*/\1/p' "$out")
	addr=$(sed -n 's/.* addr=\(0x[0-9a-f]*\) .*/\1/p' "$out")
	len=$(sed -n 's/.* len=\([0-9]*\)$/\1/p' "$out")
	[ -n "$before" ] && [ -n "$after" ] && [ -n "$addr" ] || fail "$label: clockwork printed $(cat "$out")"
	[ "$(q "$db" "SELECT utc_source FROM capture")" = "maptrail record" ] ||
		fail "$label: the capture has no wall clock from the recorder"
	unc=$(q "$db" "SELECT utc_uncertainty FROM capture")
	[ -n "$unc" ] && [ "$unc" -ge 0 ] && [ "$unc" -lt 1000000 ] ||
		fail "$label: uncertainty '$unc' ns (a sample is a few clock reads: well under 1 ms)"
	# the call: the mmap of clockwork's length that returned its address (a flight
	# trigger froze the buffer at its entry: no exit, no ret)
	utc=$(q "$db" "SELECT u.utc_ns FROM memory_call m JOIN memory_call_utc u
		ON u.call = m.call AND u.id = m.id WHERE m.call = 'mmap' AND m.len = $len
		AND coalesce(m.ret, $(printf '%d' "$addr")) = $(printf '%d' "$addr")")
	[ -n "$utc" ] || fail "$label: no mmap of $len bytes at $addr in the database"
	[ "$utc" -ge $((before - unc)) ] && [ "$utc" -le $((after + unc)) ] ||
		fail "$label: the call's UTC $utc ns is outside [$before, $after] ± $unc"
	echo "ok: $label: the call at $utc ns UTC: $((utc - before)) ns after clockwork's" \
		"before, $((after - utc)) ns before its after (uncertainty ± $unc ns," \
		"drift $(q "$db" "SELECT utc_drift FROM capture"))"
}

# --- a recording ------------------------------------------------------------
tracefs_run "$maptrail" record -o "$work/w.dat" "${backend[@]}" -- "$clockwork" 200 \
	> "$work/clockwork.out" 2> "$work/record.err" ||
	fail "record failed: $(cat "$work/record.err")"
check_state "after recording clockwork"
trace-cmd report -i "$work/w.dat" > "$work/report.txt" 2> "$work/report.err" ||
	fail "trace-cmd report failed: $(cat "$work/report.err")"
[ ! -s "$work/report.err" ] || fail "trace-cmd report complained: $(cat "$work/report.err")"
"$maptrail" analyze "$work/w.dat" -o "$work/w.db" -q 2> "$work/analyze.err" ||
	fail "analyze refused the capture: $(cat "$work/analyze.err")"
python3 "$here/compare-report.py" "$work/w.dat" "$work/w.db"
[ "$(q "$work/w.db" "SELECT clock FROM capture")" = mono ] ||
	fail "the recording's trace clock is $(q "$work/w.db" "SELECT clock FROM capture"), not mono"
check_call "$work/w.db" "$work/clockwork.out" "record"

# --- time parameters ------------------------------------------------------------
len=$(sed -n 's/.* len=\([0-9]*\)$/\1/p' "$work/clockwork.out")
id=$(q "$work/w.db" "SELECT id FROM mmap WHERE len = $len")
ts=$(q "$work/w.db" "SELECT ts FROM mmap WHERE id = $id")
iso=$(q "$work/w.db" "SELECT utc FROM memory_call_utc WHERE call = 'mmap' AND id = $id")
pid=$(sed -n 's/^pid=\([0-9]*\) .*/\1/p' "$work/clockwork.out")
# trace-cmd report's own seconds for the call's entry (its default form: us)
secs=$(grep -E "sys_enter_mmap: .*len: 0x0*$(printf '%x' "$len")," "$work/report.txt" |
	sed -n 's/.*\] *\([0-9]*\.[0-9]*\): .*/\1/p')
[ -n "$secs" ] || fail "no sys_enter_mmap of $len bytes in trace-cmd report"
want_secs=$(python3 -c "s, f = '$secs'.split('.'); print(int(s) * 10**9 + int(f.ljust(9, '0')))")
bind() {	# bind VALUE: the ts address-at binds for --param ts=VALUE
	"$maptrail" query "$work/w.db" address-at --param pid="$pid" --param addr=0x1000 \
		--param ts="$1" --format csv | sed -n '2p' | tr -d '\r' | cut -d, -f3
}
[ "$(bind "$ts")" = "$ts" ] || fail "ts=$ts (ns) bound as $(bind "$ts")"
[ "$(bind "$secs")" = "$want_secs" ] || fail "ts=$secs (trace-cmd's seconds) bound as $(bind "$secs"), not $want_secs"
[ "$(bind "$iso")" = "$ts" ] || fail "ts=$iso (UTC) bound as $(bind "$iso"), not $ts"
# the same instant in another zone's notation
other=$(python3 -c "
import datetime
d, frac = '$iso'.rstrip('Z').split('.')
t = datetime.datetime.fromisoformat(d) + datetime.timedelta(hours=2)
print(t.isoformat() + '.' + frac + '+02:00')")
[ "$(bind "$other")" = "$ts" ] || fail "ts=$other bound as $(bind "$other"), not $ts"
# the user's SQL: a parameter named ts is a time too
[ "$("$maptrail" query "$work/w.db" "SELECT :ts AS t" --param ts="$secs" --format csv |
	sed -n 2p | tr -d '\r')" = "$want_secs" ] || fail "SQL :ts=$secs not bound as $want_secs"
echo "ok: --param ts as ns $ts, seconds $secs, UTC $iso and $other"
for bad in 658.5829x 12:00 2026-02-30T00:00:00Z "" 0x1.5; do
	rc=0
	"$maptrail" query "$work/w.db" address-at --param pid="$pid" --param addr=0x1000 \
		--param ts="$bad" > "$work/bad.out" 2> "$work/bad.err" || rc=$?
	[ "$rc" = 2 ] || fail "--param ts='$bad': exit $rc, not 2"
	[ ! -s "$work/bad.out" ] || fail "--param ts='$bad' printed: $(cat "$work/bad.out")"
	[ "$(wc -l < "$work/bad.err")" = 1 ] && grep -q "is not a time" "$work/bad.err" ||
		fail "--param ts='$bad': $(cat "$work/bad.err")"
done
rc=0
"$maptrail" query "$work/w.db" "SELECT :from_ts" --param from_ts=yesterday > /dev/null \
	2> "$work/bad.err" || rc=$?
[ "$rc" = 2 ] || fail "SQL --param from_ts=yesterday: exit $rc, not 2"
# a capture without a wall clock cannot place a UTC time, but takes the others
cp "$work/w.db" "$work/noclock.db"
q "$work/noclock.db" "UPDATE capture SET utc_source = NULL, utc_offset = NULL"
rc=0
"$maptrail" query "$work/noclock.db" address-at --param pid="$pid" --param addr=0x1000 \
	--param ts="$iso" > /dev/null 2> "$work/bad.err" || rc=$?
[ "$rc" = 2 ] && grep -q "no wall clock" "$work/bad.err" ||
	fail "a UTC time without a wall clock: exit $rc: $(cat "$work/bad.err")"
"$maptrail" query "$work/noclock.db" address-at --param pid="$pid" --param addr=0x1000 \
	--param ts="$secs" > /dev/null || fail "seconds refused on a capture without a wall clock"
echo "ok: bad times and a UTC time without a wall clock: one line, exit 2"

# --- what query and report show --------------------------------------------------
shown=$("$maptrail" query "$work/w.db" "SELECT ts FROM mmap WHERE id = $id" | sed -n 3p | tr -d ' ')
[ "$shown" = "$iso" ] || fail "the table shows ts as '$shown', not $iso"
json=$("$maptrail" query "$work/w.db" "SELECT ts FROM mmap WHERE id = $id" --format json)
python3 -c "
import json, sys
r = json.loads(sys.argv[1])[0]
assert r == {'ts': $ts, 'ts_utc': '$iso'}, r" "$json" || fail "json: $json"
[ "$("$maptrail" query "$work/noclock.db" "SELECT ts FROM mmap WHERE id = $id" | sed -n 3p |
	tr -d ' ')" = "$ts" ] || fail "a capture without a wall clock: the table changed its ts"
finding=$(q "$work/w.db" "SELECT u.utc FROM findings f JOIN finding_utc u ON u.finding_id = f.id
	JOIN finding_evidence e ON e.finding_id = f.id WHERE e.call = 'mmap' AND e.call_id = $id
	LIMIT 1")
[ -n "$finding" ] || fail "no finding rests on clockwork's rwx mmap"
"$maptrail" report "$work/w.db" -o "$work/r.txt"
grep -qF "$finding" "$work/r.txt" || fail "the report does not show the finding's UTC $finding"
echo "ok: table, json and report show $iso"

# --- a flight recorder's dump ---------------------------------------------------
mkdir "$work/dumps"
tracefs_run "$maptrail" record --flight -o "$work/dumps" --trigger wx "${backend[@]}" -- \
	"$clockwork" 200 > "$work/flight.out" 2> "$work/flight.err" ||
	fail "flight recording failed: $(cat "$work/flight.err")"
check_state "after the flight recording"
dump=$(ls "$work/dumps"/*.dat | head -1)
trace-cmd report -i "$dump" > /dev/null 2> "$work/report.err" && [ ! -s "$work/report.err" ] ||
	fail "trace-cmd report on the dump: $(cat "$work/report.err")"
"$maptrail" analyze "$dump" -o "$work/f.db" -q || fail "analyze refused the dump"
check_call "$work/f.db" "$work/flight.out" "flight dump"
