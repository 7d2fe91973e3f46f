#!/bin/bash
# End-to-end: maptrail record on this machine's kernel, checked by the
# independent reader (trace-cmd report) and by maptrail analyze.
#
#   tests/e2e/record.sh path/to/maptrail       (mapwork: BUILD/tests/mapwork)
#
# Records `mapwork --loops 3` (through the syscall tracepoints where the kernel
# has no kprobes) while another process maps memory outside the command's
# tree, then: trace-cmd report reads the file with nothing on stderr and prints
# as many events as analyze loads; every event is equal in both readers
# (compare-report.py); every call mapwork printed is an enter/exit pair in the
# report (mapwork-match.sh) and a row of its call table with the same
# arguments (by the schema's names), ret and errno; no event comes from a task
# outside mapwork.  Then the failures: an existing output, an unwritable
# directory, a command that does not exist, no event recordable, not root --
# one line each, exit 1, nothing at the output path.  The tracing state of
# the machine must be the same after every run as before the first.
#
# Needs root, tracefs and syscall tracepoints (exit 77 otherwise).
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$(dirname "$maptrail")/.." && pwd)
mapwork=${MAPWORK:-$build/tests/mapwork}
lib=$here/../lib
. "$here/../lib/record-test.sh"
q() { sqlite3 -batch -noheader "$1" "$2"; }

bg=
on_exit() { [ -n "$bg" ] && kill "$bg" 2>/dev/null && wait "$bg" 2>/dev/null; }
record_test_begin record-e2e trace-cmd sqlite3 python3
[ -x "$mapwork" ] || fail "$mapwork: not built"
record_test_tracepoints mmap

# --- a recording of mapwork, with a stranger mapping memory beside it --------
# mapwork-match.sh reads syscall tracepoints: where kprobes exist (the VM),
# auto would take them instead.
backend=()
[ -e "$T/kprobe_events" ] && backend=(--backend tracepoint)
( while :; do "$mapwork" --loops 5 > /dev/null; done ) &
bg=$!
tracefs_run "$maptrail" record -o "$work/w.dat" "${backend[@]}" -- "$mapwork" --loops 3 \
	> "$work/mapwork.out" 2> "$work/record.err" ||
	fail "record failed: $(cat "$work/record.err")"
kill -0 "$bg" 2>/dev/null || fail "the background mapper died early"
kill "$bg"
wait "$bg" 2>/dev/null || true
bg=
check_state "after recording mapwork"
grep -q '^plan: ' "$work/record.err" || fail "no plan printed: $(cat "$work/record.err")"
grep -q 'mapwork (pid [0-9]*) exited with status 0' "$work/record.err" ||
	fail "no exit status reported: $(cat "$work/record.err")"
grep -q 'warning' "$work/record.err" && fail "warnings: $(cat "$work/record.err")"
pid=$(sed -n '1s/^pid=//p' "$work/mapwork.out")

trace-cmd report -i "$work/w.dat" > /dev/null 2> "$work/report.err" ||
	fail "trace-cmd report failed: $(cat "$work/report.err")"
[ ! -s "$work/report.err" ] || fail "trace-cmd report complained: $(cat "$work/report.err")"

"$maptrail" analyze "$work/w.dat" -o "$work/w.db" -q 2> "$work/analyze.err" ||
	fail "analyze refused the capture: $(cat "$work/analyze.err")"
want=$("$lib/report-count.sh" "$work/w.dat")
got=$(q "$work/w.db" "SELECT event_count FROM capture")
[ "$want" = "$got" ] || fail "trace-cmd report prints $want events, analyze loaded $got"
python3 "$here/compare-report.py" "$work/w.dat" "$work/w.db"
"$lib/mapwork-match.sh" "$work/mapwork.out" "$work/w.dat"
[ "$(q "$work/w.db" "SELECT lost_events FROM capture")" = 0 ] || fail "events lost"
# The plan travels in the file (maptrail's private option) into capture.recorder_plan.
plan=$(q "$work/w.db" "SELECT recorder_plan FROM capture")
grep -q '^mremap: tracepoint' <<< "$plan" ||
	fail "the recorder's plan is not in the capture: ${plan:0:300}"
# ... and as rows into capture_plan, from which that prose is printed: it is the
# plan `record --plan` prints on this kernel.
"$maptrail" record --plan "${backend[@]}" > "$work/plan.txt" 2>&1 || fail "record --plan failed"
diff <(printf '%s\n' "$plan") "$work/plan.txt" > /dev/null ||
	fail "the prose in the capture is not what record --plan prints: $(diff <(printf '%s\n' "$plan") "$work/plan.txt" | head -5)"
[ "$(q "$work/w.db" "SELECT count(*) FROM capture_plan WHERE kind = 'event'")" = \
  "$(q "$work/w.db" "SELECT count(*) FROM schema_event")" ] || fail "capture_plan: not one event row per schema event"
kprobes=0
[ -e "$T/kprobe_events" ] && kprobes=1
[ "$(q "$work/w.db" "SELECT available FROM capture_plan WHERE kind = 'plan'")" = "$kprobes" ] ||
	fail "capture_plan says kprobe_events available is not $kprobes"
# an event is recorded when one of its sources is used, and each used source's
# events are formats in the file, as trace-cmd reads them
bad=$(q "$work/w.db" "SELECT e.event FROM capture_plan e WHERE e.kind = 'event' AND e.used <>
	EXISTS (SELECT 1 FROM capture_plan s WHERE s.kind = 'source' AND s.event = e.event AND s.used)")
[ -z "$bad" ] || fail "capture_plan: recorded or not, against its sources: $bad"
trace-cmd report -i "$work/w.dat" --events 2> /dev/null |
	awk '/^system: / { sys = $2 } /^name: / { print sys ":" $2 }' | sort -u > "$work/formats"
q "$work/w.db" "SELECT enter FROM capture_plan WHERE kind = 'source' AND used
	UNION SELECT exit FROM capture_plan WHERE kind = 'source' AND used" | sort -u > "$work/planned"
missing=$(comm -23 "$work/planned" "$work/formats" | tr '\n' ' ')
[ -s "$work/planned" ] && [ -z "$missing" ] || fail "planned events not in the file: $missing"
# the report tells the plan from those rows: each event under its backend
"$maptrail" report "$work/w.db" -o "$work/report.md"
python3 - "$work/w.db" "$work/report.md" <<'EOF'
import re, sqlite3, sys

db = sqlite3.connect(sys.argv[1])
want = {}
for event, backend in db.execute("SELECT event, coalesce(backend, 'NOT RECORDED')"
                                 " FROM capture_plan WHERE kind = 'event' ORDER BY seq"):
    want.setdefault(backend, []).append(event)
got = {}
for line in open(sys.argv[2]):
    m = re.match(r'^\| (tracepoint|kprobe|NOT RECORDED) \| (.*) \|$', line.rstrip('\n'))
    if m:
        got[m.group(1)] = m.group(2).replace('\\_', '_').split(', ')
if got != want:
    sys.exit('FAIL: the report\'s plan %r, capture_plan %r' % (got, want))
EOF
echo "ok: the plan in capture_plan: $(q "$work/w.db" "SELECT count(*) FROM capture_plan") rows," \
	"the events of its used sources in the file, the report's plan from them"
# the recorder's summary counts what the file holds
summary=$(sed -n 's/^maptrail: .*: \([0-9]*\) events in .*/\1/p' "$work/record.err")
[ "$summary" = "$want" ] || fail "record says $summary events, the file holds $want"

# Only mapwork's own threads are in the capture, beside the recorder's own
# identity records (ftrace:print, written by its resolver thread).
tids=$(sed -n 's/.* tid=\([0-9]*\) .*/\1/p' "$work/mapwork.out" | sort -u | tr '\n' ',')
strangers=$(for t in $(q "$work/w.db" "SELECT table_name FROM event_type WHERE table_name IS NOT NULL
		AND NOT (system = 'ftrace' AND name = 'print')"); do
	q "$work/w.db" "SELECT DISTINCT pid FROM \"$t\" WHERE pid NOT IN (${tids}$pid)"
done | sort -u | tr '\n' ' ')
[ -z "$strangers" ] || fail "events of tasks outside the command: $strangers"
echo "ok: only mapwork's tasks ($pid, threads ${tids%,}) in $want events"

# The call tables: each printed call is a row, in order, per thread, with the
# arguments under the schema's names (tracepoint field -> schema argument).
python3 - "$work/mapwork.out" "$work/w.db" <<'EOF'
import sqlite3, sys

out, dbpath = sys.argv[1], sys.argv[2]
db = sqlite3.connect(dbpath)
M = 1 << 64
arg_name = {}
for event, field, name in db.execute(
        "SELECT s.event, s.field, a.name FROM schema_arg_source s JOIN schema_arg a"
        " ON a.event = s.event AND a.position = s.position WHERE s.backend = 'tracepoint'"):
    arg_name[(event, field)] = name
calls = []
for line in open(out).read().splitlines()[1:]:
    kv = dict(w.split('=', 1) for w in line.split())
    calls.append(kv)
rows = {}
pos = {}
matched = 0
for c in calls:
    name, tid = c['call'], int(c['tid'])
    key = (name, tid)
    if key not in rows:
        cur = db.execute('SELECT * FROM "%s" WHERE tid = ? ORDER BY ts' % name, (tid,))
        cols = [d[0] for d in cur.description]
        rows[key] = [dict(zip(cols, r)) for r in cur.fetchall()]
        pos[key] = 0
    want = {}
    for k, v in c.items():
        if k in ('call', 'tid', 'ret', 'errno'):
            continue
        want[arg_name[(name, k)]] = int(v, 0) % M
    ret = int(c['ret'], 0) % M
    err = int(c['errno'])
    found = False
    while pos[key] < len(rows[key]):
        r = rows[key][pos[key]]
        pos[key] += 1
        if r['ret'] is None or r['ts_exit'] is None:
            continue
        if all(r[a] is not None and r[a] % M == v for a, v in want.items()) and \
           r['ret'] % M == ret and (r['errno'] or 0) == err:
            found = True
            break
    if not found:
        sys.exit('call table %s has no row for: %s' % (name, ' '.join('%s=%s' % kv for kv in c.items())))
    matched += 1
print('ok: %d/%d printed calls are rows of their call tables' % (matched, len(calls)))
EOF

# --- failures: one line, exit 1, nothing left, tracing as it was -------------
as=()	# a command prefix to run maptrail as someone else
expect_failure() {	# expect_failure WHAT PATTERN maptrail-args...
	local what=$1 pattern=$2
	shift 2
	if tracefs_run "${as[@]}" "$maptrail" record "$@" > /dev/null 2> "$work/err"; then
		fail "$what: record succeeded"
	fi
	[ "$(wc -l < "$work/err")" = 1 ] && grep -q "^maptrail: .*$pattern" "$work/err" ||
		fail "$what: expected one line matching '$pattern', got: $(cat "$work/err")"
	check_state "$what"
	echo "ok: $what: $(cat "$work/err")"
}

sum=$(sha256sum < "$work/w.dat")
expect_failure "existing output" "$work/w.dat: already exists" -o "$work/w.dat" -- true
[ "$(sha256sum < "$work/w.dat")" = "$sum" ] || fail "a refused run changed the existing output"
expect_failure "unwritable directory" "/nonexistent/x.dat: cannot write" \
	-o /nonexistent/x.dat -- true
expect_failure "missing command" "/nonexistent-command: No such file or directory" \
	-o "$work/nf.dat" -- /nonexistent-command
[ ! -e "$work/nf.dat" ] || fail "a failed run left $work/nf.dat"
if [ ! -e "$T/kprobe_events" ]; then
	expect_failure "no kprobes" "no event can be recorded" \
		-o "$work/kp.dat" --backend kprobe -- true
	[ ! -e "$work/kp.dat" ] || fail "a failed run left $work/kp.dat"
fi
if command -v setpriv > /dev/null; then
	as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	expect_failure "not root" "needs root" -o "$work/nr.dat" -- true
	as=()
fi
# a misspelt event is a usage error: status 2, one line with the closest name
rc=0; "$maptrail" record -e mmap,mprotcet -o "$work/e.dat" -- true 2> "$work/err" || rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$work/err")" = 1 ] &&
	grep -q "^maptrail record: no event named 'mprotcet'; did you mean 'mprotect'?" "$work/err" ||
	fail "unknown event: status $rc, $(cat "$work/err")"
[ ! -e "$work/e.dat" ] || fail "a refused run left $work/e.dat"
# so is a misspelt option, on one line
rc=0; "$maptrail" record --durtion 3 -- true 2> "$work/err" || rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$work/err")" = 1 ] && grep -q "did you mean '--duration'" "$work/err" ||
	fail "misspelt option: status $rc, $(cat "$work/err")"
echo "ok: a misspelt event or option: status 2, one line, the closest name"

# The traced command's exit status is record's, a signal's as a shell gives it.
for c in 'exit 3:3' 'kill -SEGV $$:139' 'exit 0:0'; do
	rc=0
	"$maptrail" record -q -e mprotect --force -o "$work/x.dat" -- sh -c "${c%:*}" 2> "$work/err" || rc=$?
	[ "$rc" = "${c##*:}" ] || fail "record -- sh -c '${c%:*}' exited $rc, not ${c##*:}: $(cat "$work/err")"
	trace-cmd report -i "$work/x.dat" > /dev/null 2>&1 || fail "sh -c '${c%:*}': the capture is not complete"
	check_state "sh -c '${c%:*}'"
done
echo "ok: record exits with the command's status: 3, 139 (SIGSEGV), 0"
# SIGINT ends a whole-system recording with a complete file and status 130.
"$maptrail" record -q -e mprotect --force -o "$work/int.dat" --duration 60 2> "$work/err" &
rec=$!
for _ in $(seq 100); do
	grep -q . "$T/instances/maptrail-$rec/tracing_on" 2> /dev/null && break
	sleep 0.1
done
sleep 0.5
kill -INT $rec
rc=0; wait $rec || rc=$?
[ $rc = 130 ] || fail "SIGINT: record exited $rc, not 130: $(cat "$work/err")"
trace-cmd report -i "$work/int.dat" > /dev/null 2>&1 || fail "SIGINT: the capture is not complete"
check_state "SIGINT"
echo "ok: SIGINT ends the recording: status 130, the file complete"

# --force replaces, with a capture of its own
tracefs_run "$maptrail" record -q --force -o "$work/w.dat" -e mprotect -- "$mapwork" > /dev/null 2> "$work/err" ||
	fail "--force: $(cat "$work/err")"
[ "$(sha256sum < "$work/w.dat")" != "$sum" ] || fail "--force did not replace the output"
trace-cmd report -i "$work/w.dat" 2>&1 > /dev/null | grep . && fail "--force: report complained"
check_state "--force"
ls -A "$work" | grep '^\.' && fail "temporary files left behind: $(ls -A "$work")"
echo "ok: output handling, failures and tracing state"
