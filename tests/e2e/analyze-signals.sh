#!/bin/bash
# analyze stopped by signals, in each of its phases, on a real storm capture.
#
#   tests/e2e/analyze-signals.sh path/to/maptrail      (root: it records)
#
# - A two-million-event capture of bench/mapstorm is recorded with maptrail record
#   (the progress line shows only after a second: each phase must outlast it).
# - analyze runs on a terminal (script(1)), whose progress line names the phase
#   it is in: loading (a percentage), indexing, writing the address-space
#   history, running the detections.  Once a phase shows, SIGINT: the process
#   is gone within a second, exits 130 with one line ("interrupted") and
#   leaves nothing beside the output.  SIGTERM: 143, likewise.
# - SIGKILL after the load leaves its temporaries (the database and its
#   -history); the next analyze for that output removes them and says so.
# - maptrail record --force does not replace /dev/null, nor touch tracefs.
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
mapstorm=$(cd "$(dirname "$maptrail")/.." && pwd)/bench/mapstorm
. "$here/../lib/record-test.sh"

# A second is the bound; a sanitizer build runs several times slower.
bound_ms=1000
[ -z "${ASAN_OPTIONS:-}" ] || bound_ms=3000

run=
on_exit() { [ -z "$run" ] || kill -KILL "$run" 2> /dev/null || true; }
record_test_begin analyze-signals
command -v script > /dev/null || fail "script(1) is missing (util-linux)"
[ -x "$mapstorm" ] || fail "$mapstorm: not built"

tracefs_run "$maptrail" record -o "$work/storm.dat" -e mmap,mprotect,mremap,munmap -b 32768 \
	--no-identity -q -- "$mapstorm" --procs 2 --calls 500000 > /dev/null 2> "$work/record.err" ||
	fail "record: $(cat "$work/record.err")"
check_state "recording the storm"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# analyze on a terminal, stopped by SIG once its progress line shows PATTERN.
# Sets rc, stop_ms (from the signal to the end) and leaves what it printed in
# $work/tty.  Returns 1 when the run ended before PATTERN showed.
interrupt() {	# SIG PATTERN
	local sig=$1 pattern=$2 i pid t0
	rm -rf "$work/out" && mkdir "$work/out"
	script -qfec "exec '$maptrail' analyze '$work/storm.dat' -o '$work/out/storm.db'" \
		"$work/tty" < /dev/null > /dev/null 2>&1 &
	run=$!
	pid=
	for i in $(seq 100); do
		pid=$(pgrep -P "$run" || true)
		[ -n "$pid" ] && break
		sleep 0.05
	done
	[ -n "$pid" ] || fail "analyze did not start under script(1)"
	until grep -aq -- "$pattern" "$work/tty" 2> /dev/null; do
		kill -0 "$pid" 2> /dev/null || { wait "$run" || true; run=; return 1; }
		sleep 0.02
	done
	t0=$(now_ms)
	kill "-$sig" "$pid"
	while kill -0 "$pid" 2> /dev/null; do sleep 0.01; done
	stop_ms=$(( $(now_ms) - t0 ))
	rc=0
	wait "$run" || rc=$?
	run=
	return 0
}

phases=0
for phase in "%, " indexing "writing the address-space history" "running the detections"; do
	if ! interrupt INT "$phase"; then
		echo "note: '$phase' ended before its progress line showed; not interrupted there"
		continue
	fi
	[ "$rc" = 130 ] || fail "SIGINT in '$phase': exit $rc: $(tr '\r' '\n' < "$work/tty" | tail -n 3)"
	[ "$stop_ms" -le "$bound_ms" ] || fail "SIGINT in '$phase': $stop_ms ms to stop"
	[ -z "$(ls -A "$work/out")" ] || fail "SIGINT in '$phase': left $(ls -A "$work/out")"
	tr '\r' '\n' < "$work/tty" | grep -q "maptrail: $work/storm.dat: interrupted$" ||
		fail "SIGINT in '$phase': no 'interrupted' line: $(tr '\r' '\n' < "$work/tty" | tail -n 3)"
	echo "ok: SIGINT while '$phase': exit 130 after $stop_ms ms, nothing left"
	phases=$((phases + 1))
done
[ "$phases" -ge 3 ] || fail "only $phases phases were long enough to interrupt"

# The phases after the load are short now (a few tenths of a second each): SIGTERM and
# SIGKILL go at the first of them the progress line shows, not at one named phase.
after_load='indexing\|writing the address-space history\|running the detections'
interrupt TERM "$after_load" || fail "SIGTERM: the run ended before a phase after the load showed"
[ "$rc" = 143 ] || fail "SIGTERM: exit $rc"
[ "$stop_ms" -le "$bound_ms" ] || fail "SIGTERM: $stop_ms ms to stop"
[ -z "$(ls -A "$work/out")" ] || fail "SIGTERM: left $(ls -A "$work/out")"
echo "ok: SIGTERM after the load: exit 143 after $stop_ms ms, nothing left"

# SIGKILL cannot be caught: the next run for the output cleans up after it.
interrupt KILL "$after_load" || fail "SIGKILL: the run ended before a phase after the load showed"
left=$(ls -A "$work/out" | tr '\n' ' ')
[[ $left == *.storm.db.maptrail-*-history* ]] || fail "SIGKILL left no temporaries to collect: $left"
"$maptrail" analyze "$work/storm.dat" -o "$work/out/storm.db" 2> "$work/err" ||
	fail "the run after SIGKILL: $(cat "$work/err")"
grep -c "removed" "$work/err" | grep -qx 1 || fail "not one line about the leftovers: $(cat "$work/err")"
for f in $left; do
	grep -q -- "$f" "$work/err" || fail "$f not named: $(cat "$work/err")"
done
[ "$(ls -A "$work/out")" = storm.db ] || fail "after the next run: $(ls -A "$work/out")"
echo "ok: SIGKILL's leftovers ($left) removed by the next run: $(grep removed "$work/err")"

# record --force replaces a file, never /dev/null (and sets nothing up for it).
null_before=$(stat -c '%F %a %t:%T' /dev/null)
rc=0
tracefs_run "$maptrail" record -o /dev/null --force -- true > /dev/null 2> "$work/err" || rc=$?
[ "$rc" = 1 ] && [ "$(wc -l < "$work/err")" = 1 ] && grep -q "/dev/null: is a character device" "$work/err" ||
	fail "record -o /dev/null --force: exit $rc: $(cat "$work/err")"
[ "$(stat -c '%F %a %t:%T' /dev/null)" = "$null_before" ] || fail "record changed /dev/null"
check_state "record -o /dev/null"
echo "ok: record -o /dev/null --force refused: $(cat "$work/err")"
