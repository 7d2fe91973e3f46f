#!/bin/bash
# maptrail analyze --baseline and --fail-on on a real capture (no root needed):
# the mapwork fixture, whose findings are in a process trace-cmd shows exec'ing
# /tmp/mtbuild/tests/mapwork.
#
#   tests/e2e/baseline.sh path/to/maptrail      (FIXTURES: the fixtures folder)
#
# Checks: findings.exe and ppid against trace-cmd report's sched_process_exec
# and sched_process_fork (the independent reader); a baseline line lowers the
# detections it names and only those, quoted as FILE:LINE: text; of two
# baselines the lower rule wins; --fail-on's status before and after lowering
# with the database complete; every bad baseline and a bad --fail-on is one
# line, its status, and nothing written.
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
capture=$fixtures/mapwork-v7-zstd.dat
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 -batch -noheader "$1" "$2"; }
for tool in sqlite3 trace-cmd; do
	command -v "$tool" > /dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
work=$(mktemp -d /tmp/maptrail-baseline.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The executable and parent of the findings' process, as trace-cmd reads them.
"$maptrail" analyze "$capture" -o "$work/plain.db" -q
pid=$(q "$work/plain.db" "SELECT pid FROM findings WHERE detection = 'mremap-fixed-overlap' LIMIT 1")
[ -n "$pid" ] || fail "the fixture has no mremap-fixed-overlap finding"
trace-cmd report -i "$capture" 2> /dev/null > "$work/report.txt"
exe=$(grep -o "sched_process_exec: *filename=[^ ]* pid=$pid " "$work/report.txt" | tail -1 |
	sed 's/.*filename=\([^ ]*\) .*/\1/')
parent=$(grep -o "sched_process_fork: *comm=[^ ]* pid=[0-9]* child_comm=[^ ]* child_pid=$pid\b" \
	"$work/report.txt" | head -1 | sed 's/.* pid=\([0-9]*\) child_comm.*/\1/')
[ -n "$exe" ] && [ -n "$parent" ] || fail "trace-cmd report shows no exec or fork of $pid"
[ "$(q "$work/plain.db" "SELECT DISTINCT exe || ' ' || ppid FROM findings WHERE pid = $pid")" = \
  "$exe $parent" ] || fail "findings of $pid do not say exe $exe, parent $parent"
[ "$(q "$work/plain.db" "SELECT count(*) FROM findings WHERE lowered_by IS NOT NULL
	OR severity IS NOT detection_severity")" = 0 ] || fail "findings lowered without a rule"
echo "ok: findings of $pid: exe $exe, parent $parent, as trace-cmd report shows"

# --fail-on: status 3, the database complete (the same findings as without it).
set +e
"$maptrail" analyze "$capture" -o "$work/gate.db" -q --fail-on high
rc=$?
set -e
[ "$rc" = 3 ] || fail "--fail-on high with high findings: exit $rc, not 3"
cmp <(q "$work/plain.db" "SELECT * FROM findings ORDER BY id") \
	<(q "$work/gate.db" "SELECT * FROM findings ORDER BY id") || fail "--fail-on changed the findings"
[ "$(q "$work/gate.db" "PRAGMA integrity_check")" = ok ] || fail "--fail-on: the database is damaged"
"$maptrail" analyze "$capture" -o "$work/gate-info.db" -q --fail-on info --baseline /dev/null 2> /dev/null &&
	fail "an empty baseline was taken"
echo "ok: --fail-on high exits 3 with the database complete"

# A baseline of this site: the workload's remaps and races are expected here.
printf '# our test workload\n\n%s  low  mremap-fixed-overlap,toctou-race  mapwork, the test workload\n' \
	"$exe" > "$work/site.rules"
"$maptrail" analyze "$capture" -o "$work/site.db" -q --baseline "$work/site.rules" --fail-on high ||
	fail "--fail-on high after the baseline lowered the highs: exit $?"
want="$work/site.rules:3: $exe low mremap-fixed-overlap,toctou-race mapwork, the test workload"
[ "$(q "$work/site.db" "SELECT DISTINCT lowered_by FROM findings WHERE lowered_by IS NOT NULL")" = "$want" ] ||
	fail "lowered_by: $(q "$work/site.db" "SELECT DISTINCT lowered_by FROM findings")"
# exactly the high and medium findings of the two detections named, nothing else
cmp <(q "$work/plain.db" "SELECT id, detection, severity FROM findings ORDER BY id") \
	<(q "$work/site.db" "SELECT id, detection, detection_severity FROM findings ORDER BY id") ||
	fail "detection_severity is not what the detections judged"
[ "$(q "$work/site.db" "SELECT count(*) FROM findings WHERE lowered_by IS NOT NULL")" = \
  "$(q "$work/plain.db" "SELECT count(*) FROM findings WHERE detection IN
	('mremap-fixed-overlap', 'toctou-race') AND pid = $pid AND severity_rank > 1")" ] ||
	fail "the baseline did not lower exactly the findings it names"
[ "$(q "$work/site.db" "SELECT count(*) FROM findings WHERE lowered_by IS NOT NULL
	AND severity <> 'low'")" = 0 ] || fail "lowered, but not to low"
set +e
"$maptrail" analyze "$capture" -o "$work/site2.db" -q --baseline "$work/site.rules" --fail-on medium
rc=$?
set -e
[ "$rc" = 3 ] || fail "--fail-on medium: failure-burst and remap-file-pages stay medium, exit $rc"
echo "ok: the baseline lowers $(q "$work/site.db" "SELECT count(*) FROM findings WHERE lowered_by IS NOT NULL")" \
	"findings, quoting $work/site.rules:3; --fail-on high 0, medium 3"

# Two baselines: the rule that lowers most wins, whichever file it is in.
printf '%s info * everything mapwork does\n' "$exe" > "$work/more.rules"
"$maptrail" analyze "$capture" -o "$work/two.db" -q --baseline "$work/site.rules" \
	--baseline "$work/more.rules"
[ "$(q "$work/two.db" "SELECT DISTINCT severity || ' ' || lowered_by FROM findings
	WHERE pid = $pid AND detection = 'mremap-fixed-overlap'")" = \
  "info $work/more.rules:1: $exe info * everything mapwork does" ] || fail "the lower rule did not win"
[ "$(q "$work/two.db" "SELECT count(*) FROM severity_rule WHERE source LIKE '$work/%'")" = 2 ] ||
	fail "severity_rule does not hold both baselines' rules"
echo "ok: of two baselines the lower rule wins"

# Bad input: one line, its status, nothing written (not even a temporary file).
bad() {	# bad STATUS PATTERN ARGS...
	local want=$1 pattern=$2 rc=0
	shift 2
	mkdir "$work/out"
	"$maptrail" analyze "$capture" -o "$work/out/x.db" "$@" 2> "$work/err" || rc=$?
	[ "$rc" = "$want" ] || fail "$*: exit $rc, not $want"
	[ "$(wc -l < "$work/err")" = 1 ] && grep -q -- "$pattern" "$work/err" ||
		fail "$*: $(cat "$work/err")"
	[ -z "$(ls -A "$work/out")" ] || fail "$*: left $(ls -A "$work/out")"
	rmdir "$work/out"
}
printf '%s low wx-mapping,exec-after-wrte why\n' "$exe" > "$work/typo.rules"
printf 'mapwork low * a name, not a path\n' > "$work/name.rules"
printf '# nothing but comments\n' > "$work/empty.rules"
bad 1 "typo.rules:1: 'exec-after-wrte' is not a detection" --baseline "$work/typo.rules"
bad 1 "name.rules:1: 'mapwork' is not a path" --baseline "$work/name.rules"
bad 1 "empty.rules: no rule in it" --baseline "$work/site.rules" --baseline "$work/empty.rules"
bad 1 "nosuch.rules: No such file or directory" --baseline "$work/nosuch.rules"
bad 2 "did you mean 'medium'" --fail-on meduim
bad 2 "option '--baseline' needs a value\|--baseline" --baseline
echo "ok: bad baselines and --fail-on values: one line, status 1 or 2, nothing written"
echo "baseline: ok"
