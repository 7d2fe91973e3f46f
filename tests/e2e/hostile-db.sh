#!/bin/bash
# Databases made to hurt whoever reads them, built with the sqlite3 shell from
# a real maptrail database: a recursive view in place of memory_call, a view
# of a 999,999,999-byte randomblob, a trigger, load_extension in a view, a
# database of another application, maptrail's application id over a foreign
# layout (and a newer one).  query, report, export and analyze --append each
# answer with one line and a non-zero status, in bounded time (the --timeout
# budget) and memory (the ceiling of common/sql.h), and change nothing.
#
#   tests/e2e/hostile-db.sh path/to/maptrail      (FIXTURES: the fixtures folder)
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
work=$(mktemp -d /tmp/maptrail-hostile.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v sqlite3 > /dev/null || fail "the sqlite3 shell is not installed (scripts/install-deps.sh)"

good=$work/good.db
"$maptrail" analyze "$fixtures/mapwork-v7-zstd.dat" -o "$good" -q
# the whole database as the shell reads it: what "changed nothing" compares
dump() { sqlite3 -batch "$1" .dump | sha256sum; }

hostile() {	# NAME SQL: a copy of the good database, changed by the shell
	cp "$good" "$work/$1.db"
	sqlite3 -batch "$work/$1.db" "$2" || fail "$1: the shell refused to build it"
}

# Runs maptrail ARGS with a wall-clock bound; sets rc, secs, kb (peak RSS) and err.
MAX_SECONDS=20		# the budget below is 3 s: this is what "hangs" means here
MAX_KB=$((900 * 1024))	# the ceiling is 512 MiB of SQLite's heap
run() {
	local t0 t1
	rc=0
	t0=$(date +%s%N)
	/usr/bin/time -f %M -o "$work/rss" timeout -s KILL 120 "$maptrail" "$@" \
		> "$work/out" 2> "$work/err" || rc=$?
	t1=$(date +%s%N)
	secs=$(( (t1 - t0) / 1000000000 ))
	kb=$(tail -n1 "$work/rss" | tr -dc 0-9)
	err=$(cat "$work/err")
}
expect_refused() {	# LABEL PATTERN maptrail-args...
	local label=$1 pattern=$2
	shift 2
	run "$@"
	[ "$rc" != 0 ] || fail "$label: exit 0"
	[ "$rc" != 137 ] || fail "$label: still running after 120 s (killed)"
	[ "$(wc -l < "$work/err")" = 1 ] || fail "$label: not one line: $err"
	[[ $err =~ $pattern ]] || fail "$label: '$err' does not match '$pattern'"
	[ "$secs" -le "$MAX_SECONDS" ] || fail "$label: took $secs s"
	[ "${kb:-0}" -le "$MAX_KB" ] || fail "$label: peak memory $kb KB"
	echo "ok: $label: exit $rc in ${secs}s, ${kb} KB: $err"
}

# 1. memory_call redefined as an endless recursive CTE (each lap a row of the
# real calls): the report counts it and would never finish.
hostile recursive "CREATE TABLE calls_copy AS SELECT * FROM memory_call; DROP VIEW memory_call;
	CREATE VIEW memory_call AS WITH RECURSIVE lap(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM lap)
	SELECT c.* FROM lap, calls_copy AS c;"
before=$(dump "$work/recursive.db")
expect_refused "report, recursive memory_call" "recursive.db: stopped after 3 s, the time budget" \
	report "$work/recursive.db" --timeout 3
expect_refused "query, recursive memory_call" "recursive.db: stopped after 3 s, the time budget" \
	query "$work/recursive.db" "SELECT count(*) FROM memory_call" --timeout 3
expect_refused "query --format csv, recursive memory_call" "stopped after 2.5 s" \
	query "$work/recursive.db" "SELECT max(ts) FROM memory_call" --timeout 2.5 -f csv
[ "$(dump "$work/recursive.db")" = "$before" ] || fail "recursive: the database changed"
# --append makes the layout's views anew but keeps no one's memory_call: it is
# rebuilt from the call tables, so the detections read maptrail's own SQL.
run analyze "$fixtures/mapwork-v6.dat" -o "$work/recursive.db" --append -q
[ "$rc" = 0 ] || fail "--append onto the recursive view: exit $rc: $err"
[ "$secs" -le "$MAX_SECONDS" ] || fail "--append onto the recursive view: took $secs s"
sqlite3 -batch "$work/recursive.db" "SELECT sql FROM sqlite_schema WHERE name = 'memory_call'" |
	grep -q RECURSIVE && fail "--append kept the recursive memory_call"
echo "ok: --append onto the recursive view: memory_call is maptrail's again"

# 2. A view of one huge value: refused by the value limit, never allocated.
hostile blob "DROP VIEW event_count; CREATE VIEW event_count AS SELECT randomblob(999999999) AS n;
	CREATE TABLE calls_copy AS SELECT * FROM memory_call; DROP VIEW memory_call;
	CREATE VIEW memory_call AS SELECT c.* FROM calls_copy AS c
	WHERE length(randomblob(999999999)) > 0;"
expect_refused "query, randomblob view" "blob.db: .*(too big|memory)" \
	query "$work/blob.db" "SELECT * FROM event_count"
expect_refused "query --format csv, randomblob view" "blob.db: .*(too big|memory)" \
	query "$work/blob.db" "SELECT ts FROM memory_call" -f csv
expect_refused "report, randomblob in memory_call" "blob.db: .*(too big|memory)" \
	report "$work/blob.db" --format md
# an --append target's layout views are made anew: event_count is maptrail's again
cp "$work/blob.db" "$work/blob2.db"
sqlite3 -batch "$work/blob2.db" "DROP VIEW memory_call; CREATE VIEW memory_call AS SELECT * FROM calls_copy"
run analyze "$fixtures/mapwork-v6.dat" -o "$work/blob2.db" --append -q
[ "$rc" = 0 ] || fail "--append onto the randomblob view: exit $rc: $err"
sqlite3 -batch "$work/blob2.db" "SELECT sql FROM sqlite_schema WHERE name = 'event_count'" |
	grep -q randomblob && fail "--append kept the randomblob event_count"
echo "ok: --append onto a randomblob view: event_count is maptrail's again"

# 3. A trigger: maptrail makes none; on a write (--append) it would run someone's SQL.
hostile trigger "CREATE TRIGGER wipe AFTER INSERT ON capture BEGIN DELETE FROM findings; END;"
before=$(dump "$work/trigger.db")
expect_refused "query, a trigger" "trigger.db: .*trigger \(wipe\)" \
	query "$work/trigger.db" findings
expect_refused "report, a trigger" "trigger.db: .*trigger \(wipe\)" report "$work/trigger.db"
expect_refused "export, a trigger" "trigger.db: .*trigger \(wipe\)" \
	export "$work/trigger.db" --clickhouse http://127.0.0.1:9/
expect_refused "analyze --append, a trigger" "trigger.db: .*trigger \(wipe\)" \
	analyze "$fixtures/mapwork-v6.dat" -o "$work/trigger.db" --append
[ "$(dump "$work/trigger.db")" = "$before" ] || fail "trigger: the database changed"

# 4. load_extension in a view: SQLite refuses it (untrusted schema, extensions off).
hostile extension "DROP VIEW event_count; CREATE VIEW event_count AS
	SELECT load_extension('$work/nothing.so') AS table_name, 1 AS events;"
expect_refused "query, load_extension in a view" "extension.db: .*(unsafe use|not authorized)" \
	query "$work/extension.db" "SELECT * FROM event_count"

# 5. Another application's database, with a table of maptrail's name.
sqlite3 -batch "$work/other.db" "PRAGMA application_id = 1234567; CREATE TABLE capture (x);
	INSERT INTO capture VALUES (1);"
before=$(dump "$work/other.db")
expect_refused "query, another application's" "other.db: not a maptrail database \(application id 0x12d687\)" \
	query "$work/other.db" "SELECT * FROM capture"
expect_refused "report, another application's" "other.db: not a maptrail database" \
	report "$work/other.db"
expect_refused "export, another application's" "other.db: not a maptrail database" \
	export "$work/other.db" --clickhouse http://127.0.0.1:9/
expect_refused "analyze --append, another application's" "other.db: not a maptrail database" \
	analyze "$fixtures/mapwork-v6.dat" -o "$work/other.db" --append
[ "$(dump "$work/other.db")" = "$before" ] || fail "other: the database changed"

# 6. maptrail's application id and layout version over a foreign layout; a newer layout.
sqlite3 -batch "$work/foreign.db" "PRAGMA application_id = 1297110098; PRAGMA user_version = 4;
	CREATE TABLE capture (id INTEGER PRIMARY KEY, sha256 TEXT, path TEXT);"
expect_refused "query, a foreign layout" "foreign.db: not a maptrail database of layout 4: no table buffer" \
	query "$work/foreign.db" "SELECT * FROM capture"
expect_refused "report, a foreign layout" "foreign.db: not a maptrail database of layout 4" \
	report "$work/foreign.db"
expect_refused "analyze --append, a foreign layout" "foreign.db: not a maptrail database of layout 4" \
	analyze "$fixtures/mapwork-v6.dat" -o "$work/foreign.db" --append
hostile view-for-table "CREATE TABLE f AS SELECT * FROM findings; DROP TABLE findings;
	CREATE VIEW findings AS SELECT * FROM f;"
expect_refused "query, a view in place of a table" "findings is a view, not a table" \
	query "$work/view-for-table.db" findings
hostile newer "PRAGMA user_version = 99;"
expect_refused "query, a newer layout" "newer.db: made by a newer maptrail \(database layout 99" \
	query "$work/newer.db" findings
expect_refused "analyze --append, a newer layout" "newer.db: made by a newer maptrail" \
	analyze "$fixtures/mapwork-v6.dat" -o "$work/newer.db" --append
# (layout 3 as it was: prot_rwx a view; it became a table in layout 5)
hostile older "DROP TABLE prot_rwx; CREATE VIEW prot_rwx AS SELECT 0 AS prot, '---' AS rwx;
	PRAGMA user_version = 3;"
layout=$(sqlite3 -batch "$good" "PRAGMA user_version")
expect_refused "analyze --append, an older layout" "older.db: database layout 3, this maptrail writes layout $layout" \
	analyze "$fixtures/mapwork-v6.dat" -o "$work/older.db" --append

# The limits do not get in the way of a real database: the same answers as the shell.
[ "$("$maptrail" query "$good" "SELECT count(*) FROM memory_call" -f csv | tail -n1 | tr -d '\r')" = \
  "$(sqlite3 -batch "$good" "SELECT count(*) FROM memory_call")" ] ||
	fail "the good database: count(*) differs from the shell's"
"$maptrail" report "$good" > /dev/null || fail "the good database: report failed"
echo "ok: the good database still answers"

# A database's strings are shown, never obeyed: csv on a terminal escapes the
# ESC and BEL of a value (as the table does); in a pipe, csv keeps the bytes.
hostile escapes "UPDATE task SET comm = 'ev' || char(27) || '[31mil' || char(7) WHERE rowid = 1;"
script -qfec "'$maptrail' query '$work/escapes.db' 'SELECT comm FROM task WHERE rowid = 1' -f csv" \
	"$work/tty" < /dev/null > /dev/null 2>&1 || fail "csv on a terminal: $(cat "$work/tty")"
grep -aq 'ev\\x1b\[31mil\\x07' "$work/tty" || fail "csv on a terminal: not escaped: $(od -c "$work/tty" | head)"
grep -aq $'\x1b\\[31m' "$work/tty" && fail "csv on a terminal: a raw escape sequence"
"$maptrail" query "$work/escapes.db" 'SELECT comm FROM task WHERE rowid = 1' -f csv > "$work/out"
grep -aq $'ev\x1b\\[31mil\x07' "$work/out" || fail "csv in a pipe: the value changed"
echo "ok: csv escapes control bytes on a terminal only"

# A parameter given twice is a usage error, whatever its prefix.
rc=0
"$maptrail" query "$good" "SELECT :a" --param a=1 --param :a=2 > /dev/null 2> "$work/err" || rc=$?
[ "$rc" = 2 ] && grep -q -- "--param a given twice" "$work/err" ||
	fail "a repeated --param: exit $rc: $(cat "$work/err")"
echo "ok: a repeated --param is refused: $(cat "$work/err")"
