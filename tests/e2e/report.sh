#!/bin/bash
# maptrail report as a person sees it: the HTML rendered by headless Chromium
# (a screenshot that is a real page, the DOM it built checked against the
# database by report-check.py), the Markdown and the text with the same
# numbers, the output written only when complete, and bounded for big captures.
#
#   tests/e2e/report.sh path/to/maptrail      (FIXTURES: the fixtures folder)
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
fail() { echo "FAIL: $*" >&2; exit 1; }

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
	echo "SKIP: no chromium to render the HTML report (scripts/install-deps.sh installs it)"
	exit 77
fi
work=$(mktemp -d /tmp/maptrail-report.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Headless Chromium: a profile of its own in $work, no sandbox (root in CI).
browse() {
	timeout 120 "$chromium" --headless=new --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
		--user-data-dir="$work/chromium" "$@" 2>> "$work/chromium.err"
}

"$maptrail" analyze "$fixtures/mapwork-v7-zstd.dat" -o "$work/m.db" -q
"$maptrail" report "$work/m.db" > "$work/m.txt"
"$maptrail" report "$work/m.db" -o "$work/m.md"
"$maptrail" report "$work/m.db" -o "$work/m.html"
[ -s "$work/m.txt" ] && [ -s "$work/m.md" ] && [ -s "$work/m.html" ] || fail "an empty report"

# One self-contained file: nothing a browser would fetch, no script.
if grep -Eio '<script|<link|<img|<iframe|@import|src=|url\([^#]|href="[^#]' "$work/m.html"; then
	fail "the HTML refers to something outside itself"
fi

browse --screenshot="$work/shot.png" --window-size=1280,2000 "file://$work/m.html" > /dev/null ||
	fail "chromium could not render the report: $(tail -3 "$work/chromium.err")"
python3 "$here/png-check.py" "$work/shot.png" 64 || fail "the screenshot is not a page"
browse --dump-dom "file://$work/m.html" > "$work/dom.html" ||
	fail "chromium could not dump the DOM: $(tail -3 "$work/chromium.err")"
python3 "$here/report-check.py" "$work/m.db" "$work/dom.html" "$work/m.md" "$work/m.txt"

# A capture of an older maptrail record: its plan is prose only (no rows in
# capture_plan; record/plan.c's rows are checked by record-e2e), which the
# report says, and shows whole as it was recorded, never read back.
"$maptrail" analyze "$fixtures/vm61-tracepoint.dat" -o "$work/t.db" -q
[ "$(sqlite3 "$work/t.db" "SELECT count(*) FROM capture_plan")" = 0 ] ||
	fail "plan rows made up from an older recorder's prose"
"$maptrail" report "$work/t.db" > "$work/t.txt"
grep -q 'its plan is prose only, in capture.recorder_plan' "$work/t.txt" ||
	fail "the text report does not say the plan is prose only: $(cat "$work/t.txt")"
"$maptrail" report "$work/t.db" -o "$work/t.html"
"$maptrail" report "$work/t.db" -o "$work/t.md"
grep -q '<summary>The full plan</summary>' "$work/t.html" || fail "the full plan in the HTML"
python3 - "$work/t.db" "$work/t.md" <<'EOF'
import sqlite3, sys

plan = sqlite3.connect(sys.argv[1]).execute("SELECT recorder_plan FROM capture").fetchone()[0]
md = open(sys.argv[2]).read()
if not plan.startswith('plan: ') or plan not in md or 'its plan is prose only' not in md:
    sys.exit('FAIL: the Markdown report does not show the prose plan whole')
EOF

# Without analyze's process table the calls are counted from memory_call: the same report.
cp "$work/m.db" "$work/noproc.db"
sqlite3 "$work/noproc.db" 'DROP TABLE process;'
"$maptrail" report "$work/noproc.db" > "$work/noproc.txt"
diff <(tail -n +2 "$work/m.txt") <(tail -n +2 "$work/noproc.txt") ||
	fail "the report without the process table differs"

# A database of an older maptrail: the sections it cannot have are notes, not errors.
cp "$work/m.db" "$work/old.db"
sqlite3 "$work/old.db" 'DROP VIEW memory_call; DROP TABLE finding_evidence; DROP TABLE findings;
	DROP TABLE vma_history;'
"$maptrail" report "$work/old.db" -o "$work/old.html" || fail "a database without the new tables"
for t in findings memory_call vma_history; do
	grep -q "no $t" "$work/old.html" || fail "no note that $t is missing"
done

# Strings from the database are shown, never obeyed: HTML, Markdown, terminal escapes.
cp "$work/m.db" "$work/evil.db"
sqlite3 "$work/evil.db" "UPDATE findings SET title = '<img src=x onerror=alert(1)> | \`x\`',
	comm = 'ev' || char(27) || '[31mil' WHERE id = 1; UPDATE task SET comm = '<b>x</b>|y';"
"$maptrail" report "$work/evil.db" -o "$work/evil.html"
"$maptrail" report "$work/evil.db" -o "$work/evil.md"
"$maptrail" report "$work/evil.db" > "$work/evil.txt"
grep -q '<img' "$work/evil.html" && fail "a title from the database became HTML"
grep -q '&lt;img src=x onerror=alert(1)&gt;' "$work/evil.html" || fail "the title is not shown"
grep -q '<b>x</b>' "$work/evil.html" && fail "a process name became markup"
grep -q '| \\<b\\>x\\</b\\>\\|y |' "$work/evil.md" || fail "the Markdown does not escape a process name"
grep -q '\\<img src=x onerror=alert(1)\\> \\| \\`x\\`' "$work/evil.md" ||
	fail "the Markdown does not escape the title"
grep -q $'\e' "$work/evil.txt" "$work/evil.md" "$work/evil.html" && fail "an escape reached the output"

# An existing output is refused, and left as it was; --force replaces it.
cp "$work/m.md" "$work/keep.md"
rc=0; "$maptrail" report "$work/m.db" -o "$work/m.md" 2> "$work/err" || rc=$?
[ "$rc" = 1 ] || fail "an existing output: exit $rc"
[ "$(wc -l < "$work/err")" = 1 ] && grep -q 'already exists' "$work/err" || fail "$(cat "$work/err")"
cmp -s "$work/m.md" "$work/keep.md" || fail "the refused output was changed"
"$maptrail" report "$work/m.db" -o "$work/m.md" --force || fail "--force"

# Not a maptrail database, not a database at all, no database: one line, exit 1, no output.
sqlite3 "$work/other.db" 'CREATE TABLE capture (x); CREATE TABLE t (y);'
printf 'hello, not sqlite\n' > "$work/text.db"
for db in other.db text.db nosuch.db; do
	mkdir "$work/out"
	rc=0; "$maptrail" report "$work/$db" -o "$work/out/r.html" 2> "$work/err" || rc=$?
	[ "$rc" = 1 ] || fail "$db: exit $rc"
	[ "$(wc -l < "$work/err")" = 1 ] || fail "$db: $(cat "$work/err")"
	grep -q "^maptrail: $work/$db: " "$work/err" || fail "$db: $(cat "$work/err")"
	[ -z "$(ls -A "$work/out")" ] || fail "$db: left $(ls -A "$work/out")"
	rmdir "$work/out"
done
[ ! -e "$work/nosuch.db" ] || fail "report created the database it was asked to read"
rc=0; "$maptrail" report "$work/m.db" -o "$work/r.pdf" 2> /dev/null || rc=$?
[ "$rc" = 2 ] || fail "an output name without a known extension: exit $rc"

# Bounded: 2,000 processes, 300,000 more calls, 1,000 findings and 20,000 ranges
# in one process still make a small report, quickly, with "... and K more".
cp "$work/m.db" "$work/big.db"
sqlite3 "$work/big.db" <<'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
INSERT INTO mprotect (capture_id, ts, pid, tid, comm, source_id, addr, len, prot, ret)
	SELECT 1, c.first_ts + i * (c.last_ts - c.first_ts) / 300000, 100000 + i % 2000,
	       100000 + i % 2000, 'storm', 1, 4096 * i, 4096, 5, 0
	FROM n, capture c;
INSERT INTO process (capture_id, pid, comm, calls, failures, bytes_mapped, exec_bytes, first_ts,
		     last_ts, calls_by_table)
	SELECT 1, pid, 'storm', count(*), 0, 0, sum(len), min(ts), max(ts),
	       json_object('mprotect', count(*)) FROM mprotect WHERE pid >= 100000 GROUP BY pid;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO findings (capture_id, detection, title, severity, severity_rank, ts, pid, tid, comm,
		      addr, len, summary)
	SELECT 1, 'storm', 'Storm', 'low', 1, c.first_ts + i, 100001, 100001, 'storm', 4096 * i,
	       4096, 'one of many' FROM n, capture c;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO vma_history (capture_id, pid, start_addr, end_addr, prot, change, cause, ts_from)
	SELECT 1, 100001, 4096 * (i % 5000), 4096 * (i % 5000 + 1), i % 8, 'mapped', 'mmap',
	       c.first_ts + i * (c.last_ts - c.first_ts) / 20000 FROM n, capture c;
SQL
start=$(date +%s%N)
"$maptrail" report "$work/big.db" -o "$work/big.html"
"$maptrail" report "$work/big.db" > "$work/big.txt"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
size=$(stat -c %s "$work/big.html")
echo "big: two reports in $ms ms, HTML $size bytes" >&2
[ "$size" -lt 3000000 ] || fail "the HTML of a big database is $size bytes"
limit=30000
[ -z "${ASAN_OPTIONS:-}" ] || limit=120000	# the sanitizer build runs several times slower
[ "$ms" -lt "$limit" ] || fail "two reports of a big database took $ms ms"
grep -q '\.\.\. and 1952 more processes' "$work/big.txt" || fail "no '... and K more processes'"
grep -q '\.\.\. and 4968 more ranges' "$work/big.txt" || fail "no '... and K more ranges'"
# One flood hides nothing: the storm's group shows its first 20 and counts the rest
# exactly, and every other group is there in full, in all three renderings.
grep -q '\.\.\. and 980 more low storm findings' "$work/big.txt" ||
	fail "text: no '... and 980 more low storm findings'"
grep -q '\.\.\. and 980 more low <span class="mono">storm</span> findings' "$work/big.html" ||
	fail "HTML: no '... and 980 more low storm findings'"
"$maptrail" report "$work/big.db" -o "$work/big.md"
grep -q '\.\.\. and 980 more low `storm` findings' "$work/big.md" ||
	fail "Markdown: no '... and 980 more low storm findings'"
sqlite3 -batch -noheader -separator '|' "$work/big.db" "SELECT upper(severity), title, detection,
	count(*) FROM findings WHERE detection <> 'storm' GROUP BY severity_rank, detection" |
while IFS='|' read -r sev title det n; do
	tr -s ' \n' ' ' < "$work/big.txt" | grep -qF "[$sev] $title ($det): $n finding" ||
		fail "text: the storm hides the $sev $det group"
	grep -qF "($det): $n finding" <(tr -s ' \n' ' ' < "$work/big.txt") ||
		fail "text: no count of $det"
	grep -qF "<span class=\"mono\">$det</span>" "$work/big.html" || fail "HTML: the storm hides $det"
done
[ "$(grep -o '<tr id="f[0-9]*"' "$work/big.html" | wc -l)" = \
  "$(sqlite3 "$work/big.db" "SELECT sum(min(n, 20)) FROM (SELECT count(*) AS n FROM findings
	GROUP BY severity_rank, detection)")" ] || fail "HTML: not the first 20 findings of every group"
echo "report: ok"
