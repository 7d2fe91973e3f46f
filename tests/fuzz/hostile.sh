#!/bin/bash
# The hostile captures of tests/fixtures/hostile/ (inputs that once crashed
# analyze or made it copy its own heap into the database; README.md there):
# each must be refused with one line "maptrail: PATH: reason", status 1 and
# nothing left behind, or analyzed (status 0) into a database that SQLite
# finds whole and that holds no event larger than a page.  Both readers:
# maptrail's own, and libtracecmd's (MAPTRAIL_READER=libtracecmd).
#
#   tests/fuzz/hostile.sh path/to/maptrail      (FIXTURES: the fixtures folder)
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
work=$(mktemp -d /tmp/maptrail-hostile.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

captures=("$fixtures"/hostile/*.dat)
[ -e "${captures[0]}" ] || fail "no captures in $fixtures/hostile"
for input in "${captures[@]}"; do
	for reader in maptrail libtracecmd; do
		out=$work/out.db rc=0
		rm -f "$out"
		MAPTRAIL_READER=$reader timeout 120 "$maptrail" analyze -q "$input" -o "$out" \
			> "$work/stdout" 2> "$work/err" || rc=$?
		what="$(basename "$input") ($reader reader)"
		case $rc in
		1)
			[ "$(wc -l < "$work/err")" = 1 ] ||
				fail "$what: want one line, got: $(head -c 600 "$work/err")"
			grep -qF "maptrail: $input: " "$work/err" ||
				fail "$what: the line does not name the file: $(cat "$work/err")"
			[ ! -e "$out" ] || fail "$what: left a database behind"
			[ -z "$(ls -A "$work" | grep '^\.out\.db')" ] || fail "$what: left a temporary behind"
			echo "ok: $what: refused: $(cat "$work/err")"
			;;
		0)
			[ "$(sqlite3 "$out" 'PRAGMA integrity_check')" = ok ] ||
				fail "$what: the database is damaged"
			page=$(sqlite3 "$out" 'SELECT max(page_size) FROM capture')
			big=$(sqlite3 "$out" "SELECT count(*) FROM unknown_event WHERE length(data) > $page")
			[ "$big" = 0 ] || fail "$what: $big unknown events larger than a page ($page)"
			echo "ok: $what: analyzed: $(sqlite3 "$out" 'SELECT event_count FROM capture') events"
			;;
		*)
			fail "$what: exit status $rc: $(head -c 600 "$work/err")"
			;;
		esac
	done
done
