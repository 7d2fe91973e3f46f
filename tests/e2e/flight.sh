#!/bin/bash
# End-to-end: the flight recorder (maptrail record --flight) on this kernel.
#
#   tests/e2e/flight.sh path/to/maptrail     (injector: BUILD/tests/injector)
#
# - Armed with wx while a noisy benign workload runs (tests/workload/benign.sh:
#   a compiler, a pipeline, python3 -- none of it writable and executable),
#   then the injector: exactly one dump appears, maptrail-<UTC>-wx.dat, and
#   trace-cmd report reads it; it holds the injector's RWX mmap as the last
#   event of its CPU (the kernel froze the buffer at the call) and the benign
#   workload's calls before it; analyze's flight table names the trigger, the
#   call's thread and time, and the findings include the call (flight-trigger,
#   and flight_finding links it).  The report shows it.
# - --after: a second process's calls after the trigger are in the dump.
# - SIGUSR1 dumps on demand (-usr1.dat), SIGINT dumps and stops (-sigint.dat);
#   the recorder's CPU time while armed and idle for a few seconds is measured
#   from /proc and printed.
# - --keep 2: two injector runs, two dumps, then the recorder stops by itself.
# - A raw trigger the kernel refuses: one line with error_log's reason, exit 1.
# - SIGKILL of an armed recorder: its instance (with triggers and filters)
#   stays; maptrail record --cleanup removes it.
# Each run leaves tracefs as it found it (tests/lib/tracefs-state.sh).
#
# KEEP=DIR keeps the dumps and databases in DIR.
# Needs root, tracefs and syscall tracepoints (exit 77 otherwise).
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$(dirname "$maptrail")/.." && pwd)
injector=${INJECTOR:-$build/tests/injector}
benign=$here/../workload/benign.sh
. "$here/../lib/record-test.sh"
q() { sqlite3 -batch -noheader "$1" "$2"; }

rec=
on_exit() { record_test_stop "$rec"; }
record_test_begin flight sqlite3 trace-cmd cc python3
[ -x "$injector" ] || fail "$injector: not built"
record_test_tracepoints mprotect

# Wait until recorder $rec is armed: its instance is tracing and it said so.
armed() {	# armed ERRFILE
	local i tries=100
	[ -z "${ASAN_OPTIONS:-}" ] || tries=400	# the sanitizer build sets up several times slower
	for i in $(seq "$tries"); do
		grep -q '^flight recorder armed' "$1" && [ -d "$T/instances/maptrail-$rec" ] &&
			[ "$(cat "$T/instances/maptrail-$rec/tracing_on")" = 1 ] && return
		kill -0 "$rec" 2>/dev/null || fail "the recorder exited early: $(cat "$1")"
		sleep 0.1
	done
	fail "not armed after $((tries / 10)) s: $(cat "$1")"
}

# Wait for a file matching DIR/GLOB to appear (dumps appear only complete).
appears() {	# appears DIR GLOB
	local i
	for i in $(seq 100); do
		compgen -G "$1/$2" > /dev/null && return
		sleep 0.1
	done
	fail "no $1/$2 after 10 s: $(ls "$1")"
}

readable() {	# readable FILE: trace-cmd reads it without a complaint
	trace-cmd report -i "$1" > "$1.txt" 2> "$work/report.err" ||
		fail "$1: trace-cmd report failed: $(cat "$work/report.err")"
	[ ! -s "$work/report.err" ] || fail "$1: trace-cmd report complains: $(cat "$work/report.err")"
}

# 1. wx while benign runs, then the injector ---------------------------------
d=$work/wx
mkdir "$d"
cat > "$work/scenario.sh" <<EOF
#!/bin/sh
set -e
"$benign" > "$work/benign.out"
"$injector" --steps a > "$work/injector.out"
echo done > "$work/scenario.done"
EOF
chmod +x "$work/scenario.sh"
tracefs_run "$maptrail" record --flight -o "$d" --trigger wx -- "$work/scenario.sh" 2> "$work/wx.err" ||
	fail "flight recording failed: $(cat "$work/wx.err")"
check_state "after the wx flight recording"
# the recorder stopped at its one dump; the scenario ends on its own
for i in $(seq 50); do [ -f "$work/scenario.done" ] && break; sleep 0.1; done
[ -f "$work/scenario.done" ] || fail "the scenario failed: $(cat "$work/wx.err")"
n=$(ls "$d" | wc -l)
[ "$n" = 1 ] || fail "$n dumps, not 1: $(ls "$d")"
dump=$(ls "$d"/maptrail-*-wx.dat 2>/dev/null) || fail "no maptrail-<time>-wx.dat: $(ls "$d")"
[[ $(basename "$dump") =~ ^maptrail-[0-9]{8}T[0-9]{6}Z-wx\.dat$ ]] || fail "bad name: $dump"
readable "$dump"
read -r pid len <<< "$(sed -n 's/^step=rwx .* pid=\([0-9]*\) .* len=\([0-9]*\) prot=0x7 .*/\1 \2/p' \
	"$work/injector.out")"
[ -n "$pid" ] || fail "no rwx step in the injector's output: $(cat "$work/injector.out")"
# the RWX call, recorded; and the last event of its CPU: the buffer froze there
line=$(grep -E -- "-$pid +\[[0-9]+\].* sys_enter_mmap: .*prot: 0x0*7," "$dump.txt" | head -1)
[ -n "$line" ] || fail "the injector's RWX mmap is not in the dump"
cpu=$(sed -E 's/.*\[0*([0-9]+)\].*/\1/' <<< "$line")
last=$(grep -E "\[0*$cpu\]" "$dump.txt" | tail -1)
[ "$last" = "$line" ] || fail "the RWX call is not the last event of CPU $cpu: $last"
before=$(grep -c -E ' sys_(enter|exit)_' "$dump.txt")
benign_calls=$(grep -c -E '^ *(cc1|as|ld|collect2|python3|cc|sort|awk|hello)-[0-9]+ ' "$dump.txt" || true)
[ "$benign_calls" -gt 100 ] || fail "only $benign_calls calls of the benign workload before the trigger"
echo "ok: dump $(basename "$dump"): $before calls, $benign_calls of them the benign workload's," \
	"the RWX mmap of pid $pid last on CPU $cpu"

db=$work/wx.db
"$maptrail" analyze "$dump" -o "$db" -q || fail "analyze of the dump failed"
[ "$(q "$db" "SELECT reason || ' ' || trigger || ' ' || trigger_event || ' ' || trigger_tid FROM flight")" = \
	"trigger wx syscalls/sys_enter_mmap $pid" ] ||
	fail "flight row: $(q "$db" "SELECT * FROM flight")"
# a dump carries the plan as an ordinary recording does: rows, the trigger's event recorded
[ "$(q "$db" "SELECT backend IS NOT NULL AND used FROM capture_plan WHERE kind = 'event'
	AND event = 'mmap'")" = 1 ] || fail "the dump's plan rows: $(q "$db" "SELECT count(*) FROM capture_plan")"
[ "$(q "$db" "SELECT call || ' ' || len || ' ' || prot FROM flight_call")" = "mmap $len 7" ] ||
	fail "flight_call: $(q "$db" "SELECT * FROM flight_call")"
[ "$(q "$db" "SELECT count(*) FROM flight f, capture c WHERE f.window_start = c.first_ts
	AND f.window_end = c.last_ts AND f.trigger_ts BETWEEN f.window_start AND f.window_end")" = 1 ] ||
	fail "the window is not the capture's span: $(q "$db" "SELECT * FROM flight")"
[ "$(q "$db" "SELECT lost_events FROM capture")" = 0 ] || fail "events lost"
[ "$(q "$db" "SELECT count(*) FROM findings f JOIN finding_evidence e ON e.finding_id = f.id
	JOIN flight_call c ON c.call = e.call AND c.call_id = e.call_id
	WHERE f.detection = 'flight-trigger' AND f.severity = 'high' AND f.pid = $pid")" = 1 ] ||
	fail "no high flight-trigger finding on the call: $(q "$db" "SELECT * FROM findings")"
[ "$(q "$db" "SELECT count(*) FROM flight_finding")" -ge 1 ] || fail "flight_finding is empty"
[ "$(q "$db" "SELECT count(*) FROM findings WHERE severity = 'high' AND detection <> 'flight-trigger'")" = 0 ] ||
	fail "the benign workload made high findings: $(q "$db" "SELECT detection, comm, summary FROM findings")"
"$maptrail" report "$db" > "$work/report.txt" || fail "report failed"
grep -q "trigger wx froze it" "$work/report.txt" || fail "the report does not tell the trigger"
grep -q "<== the call that froze the flight recorder" "$work/report.txt" ||
	fail "the report does not mark the call"
echo "ok: analyze: flight row, flight_call, the flight-trigger finding; report shows them"

# 1b. --after: what followed the trigger is in the dump too ------------------------
d=$work/after
mkdir "$d"
cat > "$work/after.sh" <<EOF
#!/bin/sh
"$injector" --steps a > /dev/null
sleep 1.5
exec "$injector" --steps b > "$work/after.out"
EOF
chmod +x "$work/after.sh"
tracefs_run "$maptrail" record --flight -o "$d" --trigger wx --after 5 -- "$work/after.sh" \
	2> "$work/after.err" || fail "--after: $(cat "$work/after.err")"
check_state "after --after"
dump=$(ls "$d"/maptrail-*-wx.dat) || fail "--after: no dump: $(ls "$d")"
readable "$dump"
"$maptrail" analyze "$dump" -o "$work/after.db" -q || fail "analyze of the --after dump failed"
pid2=$(sed -n 's/^pid=\([0-9]*\) .*/\1/p' "$work/after.out")
[ -n "$pid2" ] || fail "--after: the second injector did not run: $(cat "$work/after.err")"
[ "$(q "$work/after.db" "SELECT count(*) FROM flight f JOIN mprotect m ON m.ts > f.trigger_ts
	WHERE m.tid = $pid2 AND m.prot = 5 AND m.ret IS NOT NULL AND f.after_seconds > 0.5
	AND f.window_end > f.trigger_ts")" = 1 ] ||
	fail "--after: the call after the trigger is not in the dump: $(q "$work/after.db" "SELECT * FROM flight")"
echo "ok: --after 5 (ended by the command's exit): the second injector's mprotect to RX, after the trigger, is in the dump"

# 2. SIGUSR1, CPU while armed, SIGINT -----------------------------------------
d=$work/usr1
mkdir "$d"
"$maptrail" record --flight -o "$d" --keep 3 -- sleep 60 2> "$work/usr1.err" &
rec=$!
tracefs_mine "$rec"
armed "$work/usr1.err"
ticks=$(getconf CLK_TCK)
cpu0=$(awk '{ print $14 + $15 }' "/proc/$rec/stat")
sleep 3
cpu1=$(awk '{ print $14 + $15 }' "/proc/$rec/stat")
ms=$(( (cpu1 - cpu0) * 1000 / ticks ))
echo "measured: the recorder's CPU while armed and idle: $ms ms in 3 s (/proc/$rec/stat utime+stime)"
[ "$ms" -le 60 ] || fail "the armed recorder used $ms ms of CPU in 3 s"
kill -USR1 "$rec"
appears "$d" 'maptrail-*-usr1.dat'
armed "$work/usr1.err"
kill -INT "$rec"
# the traced command is interrupted too, and its status (130) is record's
st=0; wait "$rec" || st=$?
[ "$st" = 130 ] || fail "SIGINT: exit $st, not 130: $(cat "$work/usr1.err")"
rec=
check_state "after SIGUSR1 and SIGINT"
grep -E "^maptrail: dump 1 .*recorder CPU" "$work/usr1.err" | sed 's/^maptrail: /recorder says: /'
for f in "$d"/maptrail-*-usr1.dat "$d"/maptrail-*-sigint.dat; do
	[ -f "$f" ] || fail "missing dump: $(ls "$d")"
	readable "$f"
	"$maptrail" analyze "$f" -o "$f.db" -q || fail "analyze $f failed"
	[ "$(q "$f.db" "SELECT count(*) FROM flight WHERE trigger IS NULL AND reason IN ('usr1', 'sigint')")" = 1 ] ||
		fail "$f: flight row: $(q "$f.db" "SELECT * FROM flight")"
done
[ "$(ls "$d" | grep -c '\.dat$')" = 2 ] || fail "not two dumps: $(ls "$d")"
echo "ok: SIGUSR1 and SIGINT dumps"

# 3. --keep 2 ------------------------------------------------------------------
d=$work/keep
mkdir "$d"
cat > "$work/twice.sh" <<EOF
#!/bin/sh
"$injector" --steps a > /dev/null
sleep 3
"$injector" --steps a > /dev/null
exec sleep 30
EOF
chmod +x "$work/twice.sh"
tracefs_run "$maptrail" record --flight -o "$d" --trigger wx --keep 2 -- "$work/twice.sh" \
	2> "$work/keep.err" || fail "--keep 2: exit $?: $(cat "$work/keep.err")"
check_state "after --keep 2"
[ "$(ls "$d" | grep -c -- '-wx\(-[0-9]*\)\?\.dat$')" = 2 ] || fail "--keep 2: $(ls "$d")"
grep -q "dump 2 of at most 2" "$work/keep.err" || fail "--keep 2: $(cat "$work/keep.err")"
# the recorder is done, its command is not: end it, by the pid the recorder names
left=$(sed -n 's/.*(pid \([0-9]*\)) is still running.*/\1/p' "$work/keep.err")
[ -n "$left" ] && kill "$left" 2>/dev/null || true
echo "ok: --keep 2: two dumps, then the recorder stopped"

# 4. a raw trigger the kernel refuses ----------------------------------------------
rc=0
tracefs_run "$maptrail" record --flight -o "$work" --trigger 'mprotect:nosuchfield & 4' \
	-- true 2> "$work/raw.err" || rc=$?
[ "$rc" = 1 ] && [ "$(wc -l < "$work/raw.err")" = 1 ] &&
	grep -q "refused the trigger.*Field not found" "$work/raw.err" ||
	fail "refused raw trigger: exit $rc: $(cat "$work/raw.err")"
check_state "after a refused trigger"
echo "ok: refused: $(cat "$work/raw.err")"

# 5. SIGKILL, then --cleanup -----------------------------------------------------------
d=$work/kill
mkdir "$d"
"$maptrail" record --flight -o "$d" --trigger wx --trigger 'mremap:flags & 1' -- sleep 60 \
	2> "$work/kill.err" &
rec=$!
tracefs_mine "$rec"
armed "$work/kill.err"
child=$(pgrep -P "$rec" || true)
grep -q traceoff "$T/instances/maptrail-$rec/events/syscalls/sys_enter_mprotect/trigger" ||
	fail "no trigger armed in the instance"
kill -KILL "$rec"
wait "$rec" 2>/dev/null || true
[ -d "$T/instances/maptrail-$rec" ] || fail "SIGKILL: the instance is gone already?"
"$maptrail" record --cleanup 2> "$work/cleanup.err" || fail "--cleanup: $(cat "$work/cleanup.err")"
grep -q "removed tracefs instance maptrail-$rec" "$work/cleanup.err" ||
	fail "--cleanup: $(cat "$work/cleanup.err")"
rec=
[ -n "$child" ] && kill "$child" 2>/dev/null || true
check_state "after SIGKILL and --cleanup"
[ -z "$(ls "$d")" ] || fail "SIGKILL left files: $(ls -a "$d")"
echo "ok: SIGKILL: instance, triggers and filters removed by --cleanup"
