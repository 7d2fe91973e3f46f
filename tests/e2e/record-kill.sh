#!/bin/bash
# End-to-end: recordings ended by signals.
#
#   tests/e2e/record-kill.sh path/to/maptrail
#
# - SIGINT to `maptrail record -- sleep 30` and SIGTERM to a whole-system
#   `--duration 30` recording: each ends at once, 130 (the command died of
#   SIGINT) and 143 (128 + SIGTERM), with a valid file (trace-cmd report silent,
#   analyze accepts it), and leaves tracefs as it was.
# - SIGKILL: the instance maptrail-<pid> stays behind and no file appears at
#   the output path; `maptrail record --cleanup` removes the instance and says
#   so; a second SIGKILLed run's leftovers are removed, with a message, by the
#   next ordinary recording.
#
# Other recordings may run at the same time (tests/lib/tracefs-state.sh): only
# this test's own instances are judged, and another recorder's killed
# leftovers, which --cleanup removes too, are no failure.
#
# Needs root and tracefs (exit 77 otherwise).
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/record-test.sh"

rec=
on_exit() { record_test_stop "$rec"; }
record_test_begin record-kill trace-cmd

# Start a recording in the background; return once it is recording (it
# prints the plan once tracing is on and the command runs).
start() {	# start NAME maptrail-record-args...
	local name=$1 i
	shift
	"$maptrail" record -o "$work/$name.dat" "$@" > /dev/null 2> "$work/$name.err" &
	rec=$!
	tracefs_mine "$rec"
	for i in $(seq 100); do
		grep -q '^plan: ' "$work/$name.err" && [ -d "$T/instances/maptrail-$rec" ] && return
		kill -0 "$rec" 2>/dev/null || fail "$name: record exited early: $(cat "$work/$name.err")"
		sleep 0.1
	done
	fail "$name: no instance maptrail-$rec recording after 10 s"
}

valid() {	# valid NAME
	trace-cmd report -i "$work/$1.dat" > /dev/null 2> "$work/report.err" ||
		fail "$1: trace-cmd report failed: $(cat "$work/report.err")"
	[ ! -s "$work/report.err" ] || fail "$1: trace-cmd report complained: $(cat "$work/report.err")"
	"$maptrail" analyze "$work/$1.dat" -o "$work/$1.db" -q ||
		fail "$1: analyze refused the capture"
}

# --- SIGINT and SIGTERM: a clean end --------------------------------------------
start int -- sleep 30
t0=$(date +%s)
kill -INT "$rec"
# record exits as its command did: killed by SIGINT, 130
rc=0; wait "$rec" || rc=$?
[ $rc = 130 ] || fail "SIGINT: record exited $rc, not 130: $(cat "$work/int.err")"
rec=
[ $(($(date +%s) - t0)) -le 5 ] || fail "SIGINT: record took more than 5 s to end"
grep -q "(interrupted)" "$work/int.err" || fail "SIGINT: not reported: $(cat "$work/int.err")"
grep -q "sleep (pid [0-9]*) was killed by signal 2" "$work/int.err" ||
	fail "SIGINT: the command's end is not reported: $(cat "$work/int.err")"
valid int
check_state "SIGINT"
echo "ok: SIGINT during 'record -- sleep 30'"

start term --duration 30
kill -TERM "$rec"
# a whole-system recording a signal ended: 128 + 15
rc=0; wait "$rec" || rc=$?
[ $rc = 143 ] || fail "SIGTERM: record exited $rc, not 143: $(cat "$work/term.err")"
rec=
valid term
check_state "SIGTERM"
echo "ok: SIGTERM during a whole-system 'record --duration 30'"

start short --duration 1
wait "$rec" || fail "--duration 1: record exited $?: $(cat "$work/short.err")"
rec=
grep -q "(--duration)" "$work/short.err" || fail "--duration: not reported: $(cat "$work/short.err")"
valid short
check_state "--duration"
echo "ok: --duration 1"

# --- SIGKILL: leftovers, found and removed -------------------------------------
start kill1 --duration 30
killed=$rec
kill -KILL "$rec"
wait "$rec" 2>/dev/null || true
rec=
[ -d "$T/instances/maptrail-$killed" ] || fail "SIGKILL: instance maptrail-$killed is not there"
[ ! -e "$work/kill1.dat" ] || fail "SIGKILL: a file appeared at the output path"
ls -A "$work" | grep '^\.' && fail "SIGKILL: temporary files left: $(ls -A "$work")"
"$maptrail" record --cleanup 2> "$work/cleanup.err" || fail "--cleanup failed: $(cat "$work/cleanup.err")"
grep -q "removed tracefs instance maptrail-$killed left by a killed recording" "$work/cleanup.err" ||
	fail "--cleanup did not say what it removed: $(cat "$work/cleanup.err")"
check_state "--cleanup after SIGKILL"
"$maptrail" record --cleanup 2> "$work/cleanup2.err"
# nothing of ours is left; another recorder's leftovers may have been
grep -q "maptrail-$killed" "$work/cleanup2.err" && fail "second --cleanup: $(cat "$work/cleanup2.err")"
grep -q "nothing left behind" "$work/cleanup2.err" ||
	! grep -qv "removed tracefs instance maptrail-[0-9]* left by a killed recording" \
		"$work/cleanup2.err" || fail "second --cleanup: $(cat "$work/cleanup2.err")"
echo "ok: SIGKILL, then --cleanup: $(head -1 "$work/cleanup.err")"

start kill2 --duration 30
killed=$rec
kill -KILL "$rec"
wait "$rec" 2>/dev/null || true
rec=
[ -d "$T/instances/maptrail-$killed" ] || fail "SIGKILL: instance maptrail-$killed is not there"
tracefs_run "$maptrail" record -o "$work/next.dat" -- true 2> "$work/next.err" ||
	fail "record after SIGKILL failed: $(cat "$work/next.err")"
grep -q "removed tracefs instance maptrail-$killed left by a killed recording" "$work/next.err" ||
	fail "the next record did not say it removed the leftovers: $(cat "$work/next.err")"
valid next
check_state "record after SIGKILL"
echo "ok: SIGKILL, then an ordinary record removes the leftovers"
