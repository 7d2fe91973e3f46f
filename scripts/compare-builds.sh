#!/bin/bash
# Compares what two maptrail builds make of the same captures, so that a change
# meant to keep behaviour (a move, a rename, a split) can be shown to keep it.
#
#   scripts/compare-builds.sh [--new-table NAME]... OLD_BIN NEW_BIN [CAPTURE.dat...]
#
# With no capture named, every tests/fixtures/*.dat.  For each capture, both
# binaries run `maptrail analyze` into capture.db in a directory of their own
# (the same relative name, so that nothing that names the output differs), then:
#
# - every table and view of the two databases is compared row by row, in the
#   order a full scan returns them, as the sqlite3 shell quotes the values; so
#   are each object's CREATE statement, PRAGMA application_id and user_version;
# - `maptrail report` writes the three outputs (text on stdout, -o report.md,
#   -o report.html), compared byte for byte.
#
# The only values left out are the ones that differ between two runs of the
# same build:
#   capture.analyzed_at       the wall-clock time of the run
#   capture.maptrail_version  the version string of the build
# Before the report runs, both are set to the same constant in both databases
# (the report prints them), so the report's bytes are compared whole.
#
# --new-table NAME declares a table (or view) that only NEW has, on purpose: it
# is listed as such instead of failing the comparison.  Exit status: 0 when
# everything is identical, 1 when anything differs, 2 on a usage error.
set -uo pipefail

new_tables=()
while [ $# -gt 0 ]; do
	case "$1" in
	--new-table) new_tables+=("$2"); shift 2 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;/^set -u/d'; exit 0 ;;
	*) break ;;
	esac
done
if [ $# -lt 2 ]; then
	echo "usage: $0 [--new-table NAME]... OLD_BIN NEW_BIN [CAPTURE.dat...]" >&2
	exit 2
fi
old_bin=$(realpath "$1") new_bin=$(realpath "$2")
shift 2
root=$(CDPATH= cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
	set -- "$root"/tests/fixtures/*.dat
fi
for b in "$old_bin" "$new_bin"; do
	[ -x "$b" ] || { echo "$0: $b: not an executable" >&2; exit 2; }
done

work=$(mktemp -d /tmp/compare-builds.XXXXXX)
trap 'rm -rf "$work"' EXIT

volatile_sql="UPDATE capture SET analyzed_at = '(compare-builds)',
	maptrail_version = '(compare-builds)';"

is_new_table() {
	local t
	for t in "${new_tables[@]}"; do [ "$t" = "$1" ] && return 0; done
	return 1
}

# The rows of one table or view, every column but the volatile ones.
dump_object() {	# DB NAME
	local cols
	cols=$(sqlite3 -batch "$1" "SELECT group_concat(printf('\"%w\"', name), ', ')
		FROM pragma_table_info('$2')
		WHERE NOT ('$2' = 'capture' AND name IN ('analyzed_at', 'maptrail_version'))")
	sqlite3 -batch -cmd '.mode quote' "$1" "SELECT $cols FROM \"$2\""
}

status=0
differ() { echo "  DIFFER: $*"; status=1; }

for capture in "$@"; do
	capture=$(realpath "$capture")
	name=$(basename "$capture" .dat)
	echo "$name"
	for side in old new; do
		bin=${side}_bin
		dir="$work/$name/$side"
		mkdir -p "$dir"
		(cd "$dir" && "${!bin}" analyze "$capture" -o capture.db -q > analyze.out 2> analyze.err
		 echo $? > analyze.rc)
	done
	o="$work/$name/old" n="$work/$name/new"
	if ! cmp -s "$o/analyze.rc" "$n/analyze.rc"; then
		differ "analyze exit status $(cat "$o/analyze.rc") vs $(cat "$n/analyze.rc")"
		continue
	fi
	if [ "$(cat "$o/analyze.rc")" != 0 ]; then
		cmp -s "$o/analyze.err" "$n/analyze.err" || differ "analyze's error line"
		echo "  analyze failed in both, same message: $(head -1 "$n/analyze.err")"
		continue
	fi

	for p in application_id user_version; do
		a=$(sqlite3 "$o/capture.db" "PRAGMA $p") b=$(sqlite3 "$n/capture.db" "PRAGMA $p")
		[ "$a" = "$b" ] || differ "PRAGMA $p $a vs $b"
	done
	objects() {
		sqlite3 -batch "$1" "SELECT name FROM sqlite_master
			WHERE type IN ('table', 'view') ORDER BY name"
	}
	objects "$o/capture.db" > "$o/objects"
	objects "$n/capture.db" > "$n/objects"
	tables=0 rows=0
	while read -r t; do
		if ! grep -qxF "$t" "$n/objects"; then differ "$t only in OLD"; continue; fi
		a=$(sqlite3 "$o/capture.db" "SELECT sql FROM sqlite_master WHERE name = '$t'")
		b=$(sqlite3 "$n/capture.db" "SELECT sql FROM sqlite_master WHERE name = '$t'")
		[ "$a" = "$b" ] || differ "$t: CREATE statement"
		dump_object "$o/capture.db" "$t" > "$o/rows"
		dump_object "$n/capture.db" "$t" > "$n/rows"
		if cmp -s "$o/rows" "$n/rows"; then
			tables=$((tables + 1)) rows=$((rows + $(wc -l < "$n/rows")))
		else
			differ "$t: rows ($(wc -l < "$o/rows") vs $(wc -l < "$n/rows"))"
			diff "$o/rows" "$n/rows" | head -6 | sed 's/^/    /'
		fi
	done < "$o/objects"
	while read -r t; do
		grep -qxF "$t" "$o/objects" && continue
		if is_new_table "$t"; then
			echo "  new in NEW (declared): $t, $(sqlite3 "$n/capture.db" \
				"SELECT count(*) FROM \"$t\"") rows"
		else
			differ "$t only in NEW"
		fi
	done < "$n/objects"
	echo "  $tables tables and views identical, $rows rows"

	for side in old new; do
		bin=${side}_bin
		dir="$work/$name/$side"
		sqlite3 "$dir/capture.db" "$volatile_sql"
		(cd "$dir" && "${!bin}" report capture.db > report.txt 2> report.err &&
		 "${!bin}" report capture.db -o report.md 2>> report.err &&
		 "${!bin}" report capture.db -o report.html 2>> report.err
		 echo $? > report.rc)
	done
	cmp -s "$o/report.rc" "$n/report.rc" || differ "report exit status"
	for f in report.txt report.md report.html; do
		if cmp -s "$o/$f" "$n/$f"; then
			echo "  $f identical ($(wc -c < "$n/$f") bytes)"
		else
			differ "$f ($(wc -c < "$o/$f") vs $(wc -c < "$n/$f") bytes)"
			diff "$o/$f" "$n/$f" | head -8 | sed 's/^/    /'
		fi
	done
done
if [ $status = 0 ]; then echo "ALL IDENTICAL"; else echo "DIFFERENCES FOUND"; fi
exit $status
