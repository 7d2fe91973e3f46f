#!/bin/bash
# maptrail query against independent answers: the sqlite3 shell (and python3's
# csv and json readers) on the same database.  Every format gives sqlite3's
# rows; the table shows what the <call>_decoded views show; parameters are
# bound, never pasted; every error is one line, the right status, no stdout.
#
#   tests/e2e/query.sh path/to/maptrail      (FIXTURES: the fixtures folder)
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
queries=$here/../../queries
work=$(mktemp -d /tmp/maptrail-query.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 -batch -noheader "$db" "$1"; }

db=$work/a.db
"$maptrail" analyze "$fixtures/mapwork-v7-zstd.dat" -o "$db" -q
sum_before=$(sha256sum < "$db")

# Same rows, as python3 reads them: csv against sqlite3 -csv, json against sqlite3 -json
# (floats within 1e-12: the shell prints 20 digits, maptrail 17).
same_csv() {	# LABEL MAPTRAIL_OUTPUT SQLITE3_OUTPUT
	python3 - "$@" <<'PY' || fail "$1: csv differs from sqlite3 -csv"
import csv, sys
a = list(csv.reader(open(sys.argv[2], newline='')))
b = list(csv.reader(open(sys.argv[3], newline='')))
if a != b or len(a) < 1:
    sys.exit(f"{sys.argv[1]}: {len(a)} rows vs {len(b)}; first difference: "
             f"{next(((x, y) for x, y in zip(a, b) if x != y), None)}")
PY
}
same_json() {	# LABEL MAPTRAIL_OUTPUT SQLITE3_OUTPUT
	python3 - "$@" <<'PY' || fail "$1: json differs from sqlite3 -json"
import json, math, sys
a = json.load(open(sys.argv[2]))
text = open(sys.argv[3]).read()
b = json.loads(text) if text.strip() else []	# the shell prints nothing for no rows
def same(x, y):
    if isinstance(x, float) or isinstance(y, float):
        return isinstance(x, (int, float)) and isinstance(y, (int, float)) and \
            math.isclose(x, y, rel_tol=1e-12)
    return type(x) is type(y) and x == y
if not isinstance(a, list) or len(a) != len(b):
    sys.exit(f"{sys.argv[1]}: {len(a)} rows vs {len(b)}")
for i, (x, y) in enumerate(zip(a, b)):
    if list(x) != list(y) or not all(same(x[k], y[k]) for k in x):
        sys.exit(f"{sys.argv[1]}: row {i}: {x} vs {y}")
PY
}

# --list: every file of queries/, with its kind, severity and title; --describe each.
"$maptrail" query --list > "$work/list"
n=0
for f in "$queries"/[a-z]*.sql; do	# not TEMPLATE.sql
	name=$(basename "$f" .sql)
	title=$(sed -n 's/^-- title: *//p' "$f" | head -1)
	kind=$(sed -n 's/^-- kind: *//p' "$f" | head -1)
	severity=$(sed -n 's/^-- severity: *//p' "$f" | head -1)
	sed 's/  */ /g' "$work/list" | grep -qxF "$name $kind $severity $title" ||
		fail "--list: no line for $name ($kind $severity $title)"
	"$maptrail" query --describe "$name" > "$work/describe"
	[ "$(head -1 "$work/describe")" = "$name: $title" ] || fail "--describe $name: $(head -1 "$work/describe")"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no queries/*.sql"
[ "$(wc -l < "$work/list")" = $((n + 1)) ] || fail "--list has $(wc -l < "$work/list") lines for $n files"
[ "$("$maptrail" query --list -v | grep -c '^[a-z0-9-]*: ')" = "$n" ] || fail "--list -v"
"$maptrail" query --describe process-summary | grep -q '^  means ' || fail "--describe: no means"

# queries/TEMPLATE.sql, the file to copy, runs as it is and returns a detection's columns
# (sqlite3's own module: the column names are known even when no row comes back).
python3 - "$db" "$queries/TEMPLATE.sql" <<'PY' || fail "TEMPLATE.sql is not a working detection"
import sqlite3, sys
cur = sqlite3.connect(sys.argv[1]).execute(open(sys.argv[2]).read(), {"pid": None})
cols = [d[0] for d in cur.description]
want = ("capture_id severity ts pid tid comm addr len kind summary call call_id"
        " evidence").split()
if cols != want:
    sys.exit(f"TEMPLATE.sql: columns {cols}, not {want}")
print(f"ok: TEMPLATE.sql runs and returns a detection's columns ({len(cur.fetchall())} rows)")
PY

# Every canned query answers as the sqlite3 shell answers its file (parameters NULL there too).
for f in "$queries"/[a-z]*.sql; do	# not TEMPLATE.sql
	name=$(basename "$f" .sql)
	# the parameters a query requires (its types header): a real pid and address, the
	# same bound in the sqlite3 shell; the others NULL
	args=() shell=()
	for p in $(sed -n 's/^-- types: *//p' "$f" | tr ';' '\n' | awk '$3 == "required" { print $1 }'); do
		case $p in
		pid) v=$(q "SELECT pid FROM mprotect WHERE pid IS NOT NULL ORDER BY id LIMIT 1") ;;
		addr) v=$(q "SELECT addr FROM mprotect WHERE pid IS NOT NULL ORDER BY id LIMIT 1") ;;
		id) v=$(q "SELECT coalesce((SELECT id FROM findings ORDER BY calls DESC, id LIMIT 1), 1)") ;;
		*) fail "$name requires $p: the test knows no value for it" ;;
		esac
		args+=(--param "$p=$v") shell+=(-cmd ".parameter set :$p $v")
		rc=0; "$maptrail" query "$db" "$name" > /dev/null 2>&1 || rc=$?
		[ $rc = 2 ] || fail "$name without its required $p: status $rc"
	done
	set -- "${args[@]}"
	"$maptrail" query "$db" "$name" "$@" -f csv > "$work/m.csv" || fail "query $name -f csv"
	sqlite3 -batch -csv -header "${shell[@]}" "$db" < "$f" > "$work/s.csv"
	if [ -s "$work/s.csv" ]; then
		same_csv "$name" "$work/m.csv" "$work/s.csv"
	else	# no rows: the shell prints no header
		[ "$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1])))))' \
			"$work/m.csv")" = 1 ] || fail "$name: rows that sqlite3 does not have"
	fi
	"$maptrail" query "$db" "$name" "$@" -f json > "$work/m.json" || fail "query $name -f json"
	sqlite3 -batch -json "${shell[@]}" "$db" < "$f" > "$work/s.json"
	same_json "$name" "$work/m.json" "$work/s.json"
	"$maptrail" query "$db" "$name" "$@" > "$work/m.table" || fail "query $name (table)"
	rows=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/m.json")
	[ "$(wc -l < "$work/m.table")" = $((rows + 2)) ] || fail "$name: table has $(wc -l < "$work/m.table") lines for $rows rows"
done

# SQL of one's own: text, NULLs, floats, negative and 64-bit integers, quotes and commas.
sql="SELECT id, ts, pid, comm, addr, len, prot, ret, errno, duration_ns / 7.0 AS f,
	'a,\"b\"' || char(10) || comm AS odd, NULL AS missing FROM mprotect ORDER BY id"
"$maptrail" query "$db" "$sql" -f csv > "$work/m.csv"
sqlite3 -batch -csv -header "$db" "$sql" > "$work/s.csv"
same_csv "own SQL" "$work/m.csv" "$work/s.csv"
"$maptrail" query "$db" "$sql" --format json > "$work/m.json"
sqlite3 -batch -json "$db" "$sql" > "$work/s.json"
same_json "own SQL" "$work/m.json" "$work/s.json"
grep -q $'\r$' "$work/m.csv" || fail "csv rows do not end in CRLF (RFC 4180)"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[0]
assert r["missing"] is None and isinstance(r["ret"], int) and r["odd"].startswith("a,\"b\"\n"), r' \
	"$work/m.json" || fail "json types: $(head -c 300 "$work/m.json")"

# The table shows what the decoded views show: every mprotect row (addresses in hex, PROT_
# names, errno names), every successful mmap and mremap (flags, and ret as an address).
norm() { sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//'; }
check_table() {		# LABEL MAPTRAIL_SQL VIEW_SQL
	"$maptrail" query "$db" "$2" | tail -n +3 | norm > "$work/m.rows"
	sqlite3 -batch -separator ' ' "$db" "$3" | norm > "$work/s.rows"
	[ -s "$work/s.rows" ] || fail "$1: the fixture has no rows for this check"
	diff "$work/s.rows" "$work/m.rows" > "$work/diff" || fail "$1: table vs view: $(head -5 "$work/diff")"
}
check_table mprotect "SELECT id, addr, len, prot, errno FROM mprotect ORDER BY id" \
	"SELECT id, addr, len, prot, errno FROM mprotect_decoded ORDER BY id"
# (A call whose exit was not captured has a NULL ret, which the views print as 0x0: left out.)
check_table mmap "SELECT id, addr, prot, flags, ret FROM mmap WHERE ret >= 0 ORDER BY id" \
	"SELECT m.id, d.addr, d.prot, d.flags, d.ret FROM mmap m JOIN mmap_decoded d USING (id)
	WHERE m.ret >= 0 ORDER BY m.id"
check_table mremap "SELECT id, old_address, flags, new_address, ret FROM mremap
	WHERE ret >= 0 AND flags <> 0 ORDER BY id" \
	"SELECT m.id, d.old_address, d.flags, d.new_address, d.ret FROM mremap m
	JOIN mremap_decoded d USING (id) WHERE m.ret >= 0 AND m.flags <> 0 ORDER BY m.id"
# One known row, spelled out: a failed mprotect of PROT_READ at an unaligned address.
row=$(q "SELECT id, printf('0x%x', addr), len FROM mprotect WHERE errno = 22 AND prot = 1
	ORDER BY id LIMIT 1")
[ -n "$row" ] || fail "the fixture has no failed mprotect"
IFS='|' read -r id addr len <<< "$row"
"$maptrail" query "$db" "SELECT id, addr, len, prot, errno FROM mprotect WHERE id = :id" \
	--param id="$id" > "$work/one"
grep -Eq "^ *$id +$addr +$len +PROT_READ +EINVAL\$" "$work/one" || fail "known row: $(cat "$work/one")"
# Names apply to expressions too: prot of a view or an alias, an address column by name.
"$maptrail" query "$db" "SELECT 6 AS prior_prot, 4096 AS start_addr, 0x22 AS map_flags" \
	> "$work/names"
grep -Eq '^PROT_WRITE\|PROT_EXEC +0x1000 +MAP_PRIVATE\|MAP_ANONYMOUS$' "$work/names" ||
	fail "decoding by column name: $(cat "$work/names")"

# Parameters: bound, typed; a quote in a value is data; not given is NULL; hex is an integer.
evil="it's \"x\"; DROP TABLE mmap; --"
"$maptrail" query "$db" "SELECT :v AS v, typeof(:v) AS t, \$v = @v AS same" -p "v=$evil" -f json \
	> "$work/p.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
assert r == [{"v": sys.argv[2], "t": "text", "same": 1}], r' "$work/p.json" "$evil" ||
	fail "quoted parameter: $(cat "$work/p.json")"
addr_dec=$(q "SELECT addr FROM mprotect WHERE id = $id")
[ "$("$maptrail" query "$db" "SELECT count(*) AS n FROM mprotect WHERE addr = :a" -p "a=$addr" \
	-f csv | tail -1 | tr -d '\r')" = "$(q "SELECT count(*) FROM mprotect WHERE addr = $addr_dec")" ] ||
	fail "hex parameter"
[ "$("$maptrail" query "$db" "SELECT typeof(:x) AS t" -f csv | tail -1 | tr -d '\r')" = null ] ||
	fail "a parameter not given is not NULL"
pid=$(q "SELECT pid FROM mprotect WHERE pid IS NOT NULL LIMIT 1")
"$maptrail" query "$db" process-summary -p pid="$pid" -f csv > "$work/m.csv"
sqlite3 -batch -csv -header -cmd ".param set :pid $pid" "$db" < "$queries/process-summary.sql" \
	> "$work/s.csv"
same_csv "process-summary pid=$pid" "$work/m.csv" "$work/s.csv"
[ "$(wc -l < "$work/m.csv")" = 2 ] || fail "process-summary for one pid: $(cat "$work/m.csv")"

# Errors: one line on stderr, nothing on stdout, status 1 for bad input, 2 for misuse.
expect_error() {	# STATUS PATTERN ARGS...
	local status=$1 pattern=$2 rc=0
	shift 2
	"$maptrail" query "$@" > "$work/out" 2> "$work/err" || rc=$?
	[ "$rc" = "$status" ] || fail "query $*: status $rc, not $status ($(cat "$work/err"))"
	[ ! -s "$work/out" ] || fail "query $*: wrote to stdout: $(head -3 "$work/out")"
	[ "$(wc -l < "$work/err")" = 1 ] || fail "query $*: not one line: $(cat "$work/err")"
	grep -Eq "^maptrail( query)?: .*$pattern" "$work/err" || fail "query $*: $(cat "$work/err")"
}
sqlite3 "$work/other.db" "PRAGMA application_id = 1; CREATE TABLE mmap (x); INSERT INTO mmap VALUES (1)"
echo "just text, not a database at all, long enough for SQLite to look at its header" > "$work/text.db"
expect_error 1 "$work/missing.db: No such file" "$work/missing.db" "SELECT 1"
expect_error 1 "$work/other.db: not a maptrail database" "$work/other.db" "SELECT * FROM mmap"
expect_error 1 "$work/text.db: not a maptrail database" "$work/text.db" "SELECT 1"
expect_error 2 "no query named 'no-such-query'.*--list" "$db" no-such-query
expect_error 2 "no query named 'nope'" --describe nope
expect_error 1 "$db: SQL: near \"SELEC\": syntax error" "$db" "SELEC * FROM mmap"
expect_error 1 "$db: SQL: no such table: nosuch" "$db" "SELECT * FROM nosuch"
expect_error 1 "more than one statement" "$db" "SELECT 1; SELECT 2"
expect_error 1 "not a read-only statement" "$db" "DELETE FROM mmap"
expect_error 2 "no parameter :nope \(the query has :id\)" "$db" "SELECT :id" -p nope=1
expect_error 2 "process-summary: no parameter :nope" "$db" process-summary -p nope=1
expect_error 2 "--param takes NAME=VALUE" "$db" "SELECT 1" -p novalue
expect_error 2 "--format is table, csv, json, jsonl or ecs" "$db" "SELECT 1" -f xml
# misspelt names get the closest one; parameters are checked against their declared types
expect_error 2 "no query named 'finding'; did you mean 'findings'\\?" "$db" finding
expect_error 2 "no query named 'adress-at'; did you mean 'address-at'\\?" --describe adress-at
expect_error 2 "unknown option '--formt' \\(did you mean '--format'\\?\\)" "$db" findings --formt csv
expect_error 2 "findings: --param severity: 'hgh' is not high, medium, low or info; did you mean 'high'\\?" \
	"$db" findings --param severity=hgh
expect_error 2 "address-at needs --param addr" "$db" address-at --param pid=1
expect_error 2 "address-at needs --param pid" "$db" address-at --param addr=0x1000
expect_error 2 "address-at: --param pid: 'one' is not an integer" "$db" address-at --param pid=one --param addr=1
expect_error 2 "process-timeline: --param limit: '10x' is not an integer" "$db" process-timeline --param limit=10x
expect_error 2 "needs a database and a query" "$db"
[ "$(sha256sum < "$db")" = "$sum_before" ] || fail "the database changed under maptrail query"

# A reader that goes away ("| head") ends the answer quietly, in every format.
many="WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000)
	SELECT i AS addr, 'row ' || i AS text FROM n"
for format in table csv json jsonl; do
	set +o pipefail
	"$maptrail" query "$db" "$many" -f $format 2> "$work/err" | head -3 > /dev/null
	rc=${PIPESTATUS[0]}
	set -o pipefail
	[ "$rc" = 0 ] && [ ! -s "$work/err" ] || fail "| head with $format: status $rc: $(cat "$work/err")"
done

"$maptrail" query --help | grep -q '^usage: maptrail query DB' || fail "--help"
echo "query: $n canned queries, formats, decoding, parameters and errors checked"
