#!/bin/bash
# The conventions every command keeps: a usage error is status 2 and one line,
# with the closest name for a misspelt command or option; --append refuses a
# capture the database already holds (by sha256) unless --force; analyze's
# progress line goes on through every phase after the load.
#
#   tests/e2e/conventions.sh path/to/maptrail      (FIXTURES: the fixtures folder)
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
build=$(cd "$(dirname "$maptrail")/.." && pwd)
work=$(mktemp -d /tmp/maptrail-conventions.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 -batch -noheader "$1" "$2"; }

# --- usage errors: 2, one line, the closest name ------------------------------
usage() {	# usage PATTERN ARGS...: status 2, nothing on stdout, one line matching
	local pattern=$1 rc=0
	shift
	"$maptrail" "$@" > "$work/out" 2> "$work/err" || rc=$?
	[ $rc = 2 ] || fail "maptrail $*: status $rc, not 2 ($(cat "$work/err"))"
	[ ! -s "$work/out" ] || fail "maptrail $*: wrote to stdout"
	[ "$(wc -l < "$work/err")" = 1 ] || fail "maptrail $*: not one line: $(cat "$work/err")"
	grep -Eq -- "$pattern" "$work/err" || fail "maptrail $*: $(cat "$work/err")"
}
db=$work/a.db
"$maptrail" analyze "$fixtures/mapwork-v7-zstd.dat" -o "$db" -q
usage "'analyse' is not a command; did you mean 'analyze'\?" analyse x.dat
usage "'qeury' is not a command; did you mean 'query'\?" qeury
usage "^maptrail analyze: unknown option '--forse' \(did you mean '--force'\?\)" analyze x.dat --forse
usage "^maptrail analyze: -o needs a value" analyze x.dat -o
usage "^maptrail record: unknown option '--pln' \(did you mean '--plan'\?\)" record --pln
usage "^maptrail record: no event named 'mmapp'; did you mean 'mmap'\?" record --plan -e mmapp
usage "^maptrail query: unknown option '--lst' \(did you mean '--list'\?\)" query --lst
usage "^maptrail report: unknown option '--forat' \(did you mean '--format'\?\)" report "$db" --forat md
usage "^maptrail report: --format is text, md, html or ecs" report "$db" --format pdf
usage "^maptrail schema: no event named 'mprotec'; did you mean 'mprotect'\?" schema mprotec
usage "^maptrail schema: unknown option '--lits' \(did you mean '--list'\?\)" schema --lits
echo "ok: usage errors: status 2, one line, the closest command, option or event"

# --- --append: a capture already in the database needs --force -----------------
sum=$(sha256sum < "$db")
rc=0; "$maptrail" analyze "$fixtures/mapwork-v7-zstd.dat" -o "$db" --append 2> "$work/err" || rc=$?
[ $rc = 1 ] && [ "$(wc -l < "$work/err")" = 1 ] &&
	grep -q "^maptrail: $db: already holds this capture (capture 1, .*); --append --force adds it again" "$work/err" ||
	fail "--append of the same capture: status $rc, $(cat "$work/err")"
[ "$(sha256sum < "$db")" = "$sum" ] || fail "a refused --append changed the database"
# the same bytes under another name are the same capture
cp "$fixtures/mapwork-v7-zstd.dat" "$work/renamed.dat"
rc=0; "$maptrail" analyze "$work/renamed.dat" -o "$db" --append -q 2> /dev/null || rc=$?
[ $rc = 1 ] || fail "--append of a renamed copy: status $rc"
"$maptrail" analyze "$fixtures/mapwork-v6.dat" -o "$db" --append -q || fail "--append of another capture"
"$maptrail" analyze "$fixtures/mapwork-v7-zstd.dat" -o "$db" --append --force -q ||
	fail "--append --force of the same capture"
[ "$(q "$db" "SELECT count(*), count(DISTINCT sha256) FROM capture")" = "3|2" ] ||
	fail "captures after --append, --append --force: $(q "$db" "SELECT id, sha256 FROM capture")"
echo "ok: --append refuses a capture already there (by sha256, whatever its name); --force adds it"

# --- progress through every phase (on a terminal, for a run over a second) ------
if [ "$(id -u)" != 0 ] || ! command -v script > /dev/null || [ ! -d /sys/kernel/tracing ]; then
	echo "ok (progress not checked: needs root, tracefs and script(1) to record a capture)"
	exit 0
fi
"$maptrail" record -q -e mmap,munmap,mprotect -o "$work/storm.dat" -- \
	"$build/bench/mapstorm" --procs 2 --calls 200000 > /dev/null 2> "$work/err" ||
	fail "recording the storm: $(cat "$work/err")"
script -qec "'$maptrail' analyze '$work/storm.dat' -o '$work/storm.db'" /dev/null > "$work/pty" ||
	fail "analyze on a terminal: $(tail -3 "$work/pty")"
tr '\r' '\n' < "$work/pty" | sed 's/\x1b\[K//g' > "$work/lines"
phases=$(sed -n 's/.* events loaded; \(.*\) ([0-9.]* s)$/\1/p' "$work/lines" | uniq | tr '\n' '/')
case $phases in
indexing/*"running the detections"/) ;;
*) fail "the progress line's phases: '$phases'; lines: $(sort -u "$work/lines" | head)" ;;
esac
grep -q "events ([0-9]*/s)" "$work/lines" || fail "no load progress: $(head -3 "$work/lines")"
# the load's percentage (of the event pages read) only grows, and stays within 0..100
sed -n 's/.*storm.dat: \([0-9]*\)%, .*/\1/p' "$work/lines" > "$work/pct"
[ -s "$work/pct" ] || fail "the load shows no percentage: $(sort -u "$work/lines" | head -3)"
sort -n -c "$work/pct" && [ "$(tail -1 "$work/pct")" -le 100 ] ||
	fail "the load's percentages: $(tr '\n' ' ' < "$work/pct")"
phases=${phases%/}
echo "ok: the progress line goes through the load ($(head -1 "$work/pct")% .. $(tail -1 "$work/pct")%) and then: ${phases//\// -> }"
