#!/bin/bash
# What analyze and report may do at their output path.
#
# - --force replaces a regular file or a symbolic link (the link itself, never
#   what it points to), and nothing else: /dev/null, a FIFO, a socket and a
#   directory are refused with one line, and stay what they were.
# - Temporaries left by killed runs (".NAME.maptrail-XXXXXX" and their
#   "-history") are removed by the next run for that output, which says so in
#   one line; one whose owner lives (it holds a lock, here flock(1)'s) and
#   files of the user's that merely look alike stay.
#
#   tests/e2e/outputs.sh path/to/maptrail      (FIXTURES: the fixtures folder)
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
work=$(mktemp -d /tmp/maptrail-outputs.XXXXXX)
holder=
cleanup() {
	[ -z "$holder" ] || kill "$holder" 2> /dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

dat=$fixtures/mapwork-v6.dat
"$maptrail" analyze "$dat" -o "$work/good.db" -q
null_before=$(stat -c '%F %a %t:%T' /dev/null)

refused() {	# LABEL PATTERN maptrail-args...: exit 1, one line matching
	local label=$1 pattern=$2 rc=0
	shift 2
	"$maptrail" "$@" > /dev/null 2> "$work/err" || rc=$?
	[ "$rc" = 1 ] || fail "$label: exit $rc: $(cat "$work/err")"
	[ "$(wc -l < "$work/err")" = 1 ] || fail "$label: not one line: $(cat "$work/err")"
	grep -Eq "$pattern" "$work/err" || fail "$label: $(cat "$work/err")"
	echo "ok: $label: $(cat "$work/err")"
}

# Not a regular file: never replaced, whatever the options.
refused "analyze -o /dev/null --force" "/dev/null: is a character device" \
	analyze "$dat" -o /dev/null --force
refused "report -o /dev/null --force" "/dev/null: is a character device" \
	report "$work/good.db" -o /dev/null --format text --force
[ "$(stat -c '%F %a %t:%T' /dev/null)" = "$null_before" ] || fail "/dev/null changed"
mkfifo "$work/fifo"
refused "analyze -o FIFO --force" "fifo: is a FIFO" analyze "$dat" -o "$work/fifo" --force
refused "report -o FIFO --force" "fifo: is a FIFO" \
	report "$work/good.db" -o "$work/fifo" --format html --force
[ -p "$work/fifo" ] || fail "the FIFO is no longer one"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$work/sock"
refused "analyze -o socket --force" "sock: is a socket" analyze "$dat" -o "$work/sock" --force
[ -S "$work/sock" ] || fail "the socket is no longer one"
mkdir "$work/dir"
ln -s "$work/dir" "$work/dirlink"
refused "analyze -o a link to a directory --force" "dirlink: is a directory" \
	analyze "$dat" -o "$work/dirlink" --force
refused "analyze -o /dev/null --append" "/dev/null: is a character device" \
	analyze "$dat" -o /dev/null --append

# A symbolic link is replaced, not followed: what it pointed to stays.
ln -s /dev/null "$work/nulllink"
"$maptrail" analyze "$dat" -o "$work/nulllink" --force -q || fail "--force over a link: refused"
[ -f "$work/nulllink" ] && [ ! -L "$work/nulllink" ] || fail "the link was not replaced by the database"
[ "$(stat -c '%F %a %t:%T' /dev/null)" = "$null_before" ] || fail "/dev/null changed through a link"
[ "$(stat -c %a "$work/nulllink")" != 777 ] || fail "the database took the link's mode"
sqlite3 -batch "$work/nulllink" "PRAGMA integrity_check" | grep -qx ok || fail "the database over the link"
echo "ok: a link to /dev/null is replaced, /dev/null is not"

# Leftovers of killed runs: removed, and said so; a live one and look-alikes stay.
cd "$work"
: > .out.db.maptrail-AbC123			# a killed run's database...
: > .out.db.maptrail-AbC123-history		# ...and its history part
: > .out.db.maptrail-XyZ789-history		# a history whose database went first
: > .out.db.backup				# the user's, not maptrail's
: > .out.db.maptrail-Lock12			# a run that still runs: it holds the lock
flock .out.db.maptrail-Lock12 sleep 60 &
holder=$!
for _ in $(seq 50); do	# until flock(1) holds it
	flock -n .out.db.maptrail-Lock12 true || break
	sleep 0.1
done
"$maptrail" analyze "$dat" -o out.db 2> err || fail "analyze beside leftovers: $(cat err)"
grep -c 'removed' err | grep -qx 1 || fail "not one line about the leftovers: $(cat err)"
grep -q "out.db: removed .*\.out\.db\.maptrail-AbC123, .*left by a run that was killed" err ||
	fail "the line: $(cat err)"
for f in .out.db.maptrail-AbC123 .out.db.maptrail-AbC123-history .out.db.maptrail-XyZ789-history; do
	grep -q -- "$f" err || fail "$f not named: $(cat err)"
	[ ! -e "$f" ] || fail "$f left"
done
[ -e .out.db.backup ] || fail "the user's .out.db.backup was removed"
[ -e .out.db.maptrail-Lock12 ] || fail "a live run's temporary was removed"
grep -q Lock12 err && fail "a live run's temporary named: $(cat err)"
echo "ok: leftovers removed and named, a live run's and the user's kept"

# The same for report's file, and -q says nothing about them.
: > .r.html.maptrail-Q1w2E3
"$maptrail" report good.db -o r.html 2> err || fail "report beside a leftover: $(cat err)"
grep -q "r.html: removed .r.html.maptrail-Q1w2E3" err || fail "report: $(cat err)"
[ ! -e .r.html.maptrail-Q1w2E3 ] || fail "report: leftover kept"
: > .q.db.maptrail-Q1w2E3
"$maptrail" analyze "$dat" -o q.db -q 2> err || fail "analyze -q beside a leftover"
[ ! -s err ] || fail "-q printed: $(cat err)"
[ ! -e .q.db.maptrail-Q1w2E3 ] || fail "-q: leftover kept"
kill "$holder" 2> /dev/null || true
wait "$holder" 2> /dev/null || true
holder=
echo "ok: report's leftovers too; -q quiet"
