#!/bin/bash
# Machine-readable output for a SIEM: the findings as Elastic Common Schema
# alerts (query --format ecs, report -o x.ndjson), checked against ECS's
# published field list (tests/fixtures/ecs/fields.csv) and against the
# database read by Python's sqlite3; --format jsonl is json's objects, one a
# line, wherever json is; report writes to stdout with -o - in any format.
#
#   tests/e2e/siem.sh path/to/maptrail      (FIXTURES: the fixtures folder)
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
work=$(mktemp -d /tmp/maptrail-siem.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

db=$work/m.db
"$maptrail" analyze "$fixtures/mapwork-v7-zstd.dat" -o "$db" -q
n=$(sqlite3 -batch -noheader "$db" 'SELECT count(*) FROM findings')
[ "$n" -gt 0 ] || fail "the fixture has no findings to write"

"$maptrail" query "$db" findings --format ecs > "$work/q.ndjson"
python3 "$here/ecs.py" "$fixtures/ecs/fields.csv" "$db" "$work/q.ndjson"
"$maptrail" report "$db" -o "$work/r.ndjson"
cmp -s "$work/q.ndjson" "$work/r.ndjson" || fail "report -o x.ndjson differs from query findings --format ecs"
"$maptrail" report "$db" --format ecs -o - | cmp -s - "$work/q.ndjson" ||
	fail "report --format ecs -o - differs"
echo "ok: report -o findings.ndjson and --format ecs -o - write the same $n alerts"

# ecs is for findings: other rows are a usage error, one line
rc=0; "$maptrail" query "$db" process-summary --format ecs > /dev/null 2> "$work/err" || rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$work/err")" = 1 ] || fail "ecs of process-summary: $rc $(cat "$work/err")"

# jsonl: the objects of json, one a line, for every query that has rows
for q in findings process-summary "SELECT * FROM mprotect_decoded LIMIT 50" "SELECT * FROM capture"; do
	"$maptrail" query "$db" "$q" --format json > "$work/a.json"
	"$maptrail" query "$db" "$q" --format jsonl > "$work/a.jsonl"
	python3 - "$work/a.json" "$work/a.jsonl" "$q" <<'PY' || exit 1
import json, sys
whole = json.load(open(sys.argv[1]))
lines = [json.loads(l) for l in open(sys.argv[2])]
if whole != lines or not whole:
    sys.exit('FAIL: %s: jsonl (%d lines) is not json (%d objects)' % (sys.argv[3], len(lines), len(whole)))
PY
done
"$maptrail" query --list --format jsonl > "$work/list.jsonl"
python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; assert any(x["name"] == "findings" for x in r), r' "$work/list.jsonl" ||
	fail "query --list --format jsonl"
echo "ok: jsonl is json's objects one a line (4 queries and --list)"

# report -o - : each format to stdout, nothing else written
for f in text md html; do
	(cd "$work" && "$maptrail" report "$db" --format $f -o - > "$work/r.$f") || fail "report --format $f -o -"
	[ -s "$work/r.$f" ] || fail "report --format $f -o - wrote nothing"
done
grep -q '^<!DOCTYPE html>' "$work/r.html" || fail "report --format html is not HTML"
grep -q '^# ' "$work/r.md" || fail "report --format md is not Markdown"
echo "ok: report --format text|md|html -o - writes to stdout"
