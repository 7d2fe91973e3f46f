#!/bin/bash
# End-to-end: real JIT runtimes from Debian are judged as runtimes, an unknown
# loader doing the same calls is not.
#
#   tests/e2e/jit-runtimes.sh path/to/maptrail
#
# Records, with `maptrail record -- COMMAND` (identity records on: the
# executable's path comes from the recorder's /proc snapshot):
#   luajit   3,000 loadstring chunks, each with a loop the JIT compiles;
#   node     300 functions made with new Function, each run hot;
#   java     (when a JRE is installed) java -Xcomp -version: every method run compiled;
#   ctypes   python3 mapping RW, writing x86 code, mprotect RX, calling it
#            (tests/workload/ctypes-loader.py);
#   fake     the same script run by a copy of python named luajit in /tmp.
# Analyzes each, and jit-runtimes.py checks: no high finding in the runtimes,
# every finding the detection judged above low lowered with lowered_by naming
# maptrail's rule for that runtime, exe the runtime's real path
# (readlink -f $(command -v luajit)); the ctypes and fake loaders' W->X stays
# high with no lowered_by, at the address the script printed.  Then the gate
# (--fail-on: 0 for the runtimes, 3 for ctypes with a complete database) and
# --baseline (a matching line lowers with FILE:LINE; a bad file: status 1, one
# line, nothing written).
#
# KEEP=DIR keeps the captures and databases.
# Needs root, tracefs, luajit, node, python3, sqlite3 (exit 77 otherwise).
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
loader=$here/../workload/ctypes-loader.py
. "$here/../lib/record-test.sh"
q() { sqlite3 -batch -noheader "$1" "$2"; }

[ "$(uname -m)" = x86_64 ] || skip "the ctypes loader writes x86_64 code"
record_test_begin jit luajit node python3 sqlite3
record_test_tracepoints mprotect or-kprobes

# record NAME COMMAND...: NAME.dat, NAME.out (its stdout), NAME.err, NAME.db
record() {
	local name=$1
	shift
	tracefs_run "$maptrail" record -o "$work/$name.dat" -- "$@" > "$work/$name.out" \
		2> "$work/$name.err" || fail "recording $name failed: $(cat "$work/$name.err")"
	check_state "after recording $name"
	grep -q "(pid [0-9]*) exited with status 0" "$work/$name.err" ||
		fail "$name did not exit with status 0: $(cat "$work/$name.err")"
	"$maptrail" analyze "$work/$name.dat" -o "$work/$name.db" -q 2> "$work/$name.analyze.err" ||
		fail "analyze of $name failed: $(cat "$work/$name.analyze.err")"
	echo "ok: $name recorded and analyzed: $(q "$work/$name.db" "SELECT count(*) FROM findings")" \
		"findings, $(q "$work/$name.db" "SELECT count(*) FROM findings WHERE severity = 'high'") high"
	# the detections judged during the replay give what their queries give
	python3 "$here/replayed.py" "$work/$name.db" "$here/../../queries" || fail "$name: replayed"
}

record luajit luajit -e 'local s = 0
for i = 1, 3000 do
	local f = loadstring("local x = 0 for j = 1, 100 do x = x + j * " .. i .. " end return x")
	s = s + f()
end
print(s)'
record node node -e 'let t = 0;
for (let k = 0; k < 300; k++) {
	const f = new Function("n", "let s = 0; for (let i = 0; i < n; i++) s += (i * " + k + ") % 7; return s");
	t += f(20000);
}
console.log(t);'
# Debian's python itself, not a wrapper in PATH (pyenv's shims are scripts).
if command -v java > /dev/null; then
	record java java -Xcomp -XX:TieredStopAtLevel=1 -version
	java=$(readlink -f "$(command -v java)")
else
	echo "note: no java (scripts/install-deps.sh --test installs default-jre-headless): the JVM not checked"
	java=
fi
python=$(readlink -f /usr/bin/python3)
[ -x "$python" ] || skip "no /usr/bin/python3"
record ctypes "$python" "$loader"
# The name of a runtime is not enough: a copy of python called luajit, outside /usr/bin.
mkdir "$work/bin"
cp "$python" "$work/bin/luajit"
record fake "$work/bin/luajit" "$loader"

python3 "$here/jit-runtimes.py" "$work" "$(readlink -f "$(command -v luajit)")" \
	"$(readlink -f "$(command -v node)")" "$python" "$work/bin/luajit" $java

# The gate: the runtimes pass --fail-on high, the ctypes loader does not, and its
# database is complete all the same.
for name in luajit node; do
	"$maptrail" analyze "$work/$name.dat" -o "$work/$name-gate.db" -q --fail-on high ||
		fail "$name: analyze --fail-on high exits $? (its findings were lowered)"
done
set +e
"$maptrail" analyze "$work/ctypes.dat" -o "$work/ctypes-gate.db" -q --fail-on high
rc=$?
set -e
[ "$rc" = 3 ] || fail "ctypes: analyze --fail-on high exits $rc, not 3"
[ "$(q "$work/ctypes-gate.db" "SELECT count(*) FROM findings WHERE severity = 'high'")" -ge 1 ] ||
	fail "ctypes: the database --fail-on left has no high finding"
cmp <(q "$work/ctypes.db" "SELECT * FROM findings ORDER BY id") \
	<(q "$work/ctypes-gate.db" "SELECT * FROM findings ORDER BY id") ||
	fail "ctypes: --fail-on changed the findings"
# The same gate on query findings and report, each output complete.
"$maptrail" query "$work/luajit.db" findings --fail-on high > /dev/null ||
	fail "luajit: query findings --fail-on high exits $?"
set +e
"$maptrail" query "$work/ctypes.db" findings --fail-on high --format csv > "$work/ctypes.csv" 2> /dev/null
rc_query=$?
"$maptrail" report "$work/ctypes.db" --fail-on high -o "$work/ctypes.html" 2> /dev/null
rc_report=$?
set -e
[ "$rc_query" = 3 ] && [ "$rc_report" = 3 ] ||
	fail "ctypes: query findings / report --fail-on high exit $rc_query / $rc_report, not 3"
[ "$(($(wc -l < "$work/ctypes.csv") - 1))" = "$(q "$work/ctypes.db" "SELECT count(*) FROM findings")" ] ||
	fail "ctypes: query --fail-on did not print every finding"
grep -q '</html>' "$work/ctypes.html" || fail "ctypes: report --fail-on left an incomplete page"
echo "ok: --fail-on high: 0 for luajit and node, 3 for the ctypes loader (analyze, query, report),"
echo "    the database, the answer and the report complete"

# The report names the runtime and the rule that lowered its findings, and the
# loader's executable, with its finding left high.
"$maptrail" report "$work/luajit.db" > "$work/luajit.txt"
flat() { tr -s ' \n' ' ' < "$1"; }
flat "$work/luajit.txt" | grep -qF "exe $(readlink -f "$(command -v luajit)"), parent" ||
	fail "report: luajit's findings do not name its executable"
flat "$work/luajit.txt" | grep -qF "lowered from high by runtimes.rules:" ||
	fail "report: luajit's findings do not say what lowered them"
"$maptrail" report "$work/fake.db" > "$work/fake.txt"
flat "$work/fake.txt" | grep -qF "[HIGH] Writable memory made executable (exec-after-write)" ||
	fail "report: the fake luajit's W->X is not high"
flat "$work/fake.txt" | grep -qF "exe $work/bin/luajit" ||
	fail "report: the fake luajit's executable is not named"
echo "ok: the reports name the executables and the rule that lowered luajit's findings"

# A baseline describing this environment: the line that matches is quoted.
printf '# the analyst'"'"'s own: our test harness loads code through ctypes\n%s medium exec-after-write  test harness (ctypes)\n' \
	"$python" > "$work/site.rules"
"$maptrail" analyze "$work/ctypes.dat" -o "$work/ctypes-base.db" -q --baseline "$work/site.rules"
want="$work/site.rules:2: $python medium exec-after-write test harness (ctypes)"
got=$(q "$work/ctypes-base.db" "SELECT DISTINCT lowered_by FROM findings WHERE detection = 'exec-after-write'")
[ "$got" = "$want" ] || fail "baseline: lowered_by is '$got', not '$want'"
[ "$(q "$work/ctypes-base.db" "SELECT DISTINCT severity || ' ' || detection_severity FROM findings
	WHERE detection = 'exec-after-write'")" = "medium high" ] || fail "baseline: not lowered to medium"
[ "$(q "$work/ctypes-base.db" "SELECT count(*) FROM severity_rule WHERE source = '$work/site.rules'")" = 1 ] ||
	fail "baseline: its rule is not in severity_rule"
echo "ok: --baseline lowers the ctypes loader to medium, quoting $work/site.rules:2"

# A bad baseline: one line naming FILE:LINE, status 1, nothing written.
printf '%s hihg exec-after-write why\n' "$python" > "$work/bad.rules"
set +e
"$maptrail" analyze "$work/ctypes.dat" -o "$work/bad.db" --baseline "$work/bad.rules" 2> "$work/bad.err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "bad baseline: exit $rc, not 1"
[ "$(wc -l < "$work/bad.err")" = 1 ] && grep -q "bad.rules:1: 'hihg' is not a severity" "$work/bad.err" ||
	fail "bad baseline: $(cat "$work/bad.err")"
[ ! -e "$work/bad.db" ] || fail "bad baseline: $work/bad.db was written"
ls "$work" | grep -q '^bad\.db' && fail "bad baseline: a temporary output was left"
echo "ok: a bad baseline: $(cat "$work/bad.err")"
echo "jit-runtimes: ok"
