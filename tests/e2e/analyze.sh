#!/bin/bash
# End-to-end: maptrail analyze on every committed fixture, checked against
# trace-cmd report (the independent reader) and the file itself.
#
#   tests/e2e/analyze.sh path/to/maptrail      (FIXTURES: the fixtures folder)
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
work=$(mktemp -d /tmp/maptrail-e2e.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 -batch -noheader "$1" "$2"; }

shopt -s nullglob
captures=("$fixtures"/*.dat)
[ ${#captures[@]} -ge 4 ] || fail "expected at least 4 fixtures in $fixtures, found ${#captures[@]}"

for dat in "${captures[@]}"; do
	name=$(basename "$dat" .dat)
	db=$work/$name.db
	"$maptrail" analyze "$dat" -o "$db" -q 2> "$work/err" || fail "$name: analyze failed: $(cat "$work/err")"
	[ ! -s "$work/err" ] || fail "$name: -q printed: $(cat "$work/err")"

	# Every event trace-cmd report prints is a row with the same values, and no more.
	python3 "$here/compare-report.py" "$dat" "$db"
	want=$("$here/../lib/report-count.sh" "$dat")
	got=$(q "$db" "SELECT event_count FROM capture")
	sum=$(q "$db" "SELECT sum(event_count) FROM event_type")
	[ "$want" = "$got" ] && [ "$want" = "$sum" ] ||
		fail "$name: report prints $want events, capture says $got, event tables hold $sum"

	# The capture row says what trace-cmd dump says of the file.
	summary=$(trace-cmd dump --summary -i "$dat" 2>&1)
	version=$(awk '/\[Version\]/ {print $1}' <<< "$summary")
	[ "$(q "$db" "SELECT file_version FROM capture")" = "$version" ] || fail "$name: version"
	comp=$(awk '/\[Compression algorithm\]/ {print $1}' <<< "$summary")
	[ "$(q "$db" "SELECT ifnull(compression, 'none') FROM capture")" = "${comp:-none}" ] ||
		fail "$name: compression is ${comp:-none}, database says $(q "$db" "SELECT compression FROM capture")"
	[ "$(q "$db" "SELECT sha256 FROM capture")" = "$(sha256sum < "$dat" | cut -d' ' -f1)" ] ||
		fail "$name: sha256"
	[ "$(q "$db" "SELECT size FROM capture")" = "$(stat -c %s "$dat")" ] || fail "$name: size"
	[ "$(q "$db" "SELECT page_size FROM capture")" = "$(awk '/\[Page size/ {print $1}' <<< "$summary")" ] ||
		fail "$name: page size"
	[ "$(q "$db" "SELECT clock FROM capture")" = local ] || fail "$name: clock is not local"
	case $name in
	lost-*)
		# Losses: the overruns the kernel counted, and one unknown per page marked lost.
		drops=$(trace-cmd report -i "$dat" | grep -c 'EVENTS DROPPED' || true)
		[ "$drops" -gt 0 ] || fail "$name: the report shows no loss"
		[ "$(q "$db" "SELECT lost_unknown FROM capture")" = "$drops" ] ||
			fail "$name: $drops pages marked lost, capture says $(q "$db" "SELECT lost_unknown FROM capture")"
		overrun=$(q "$db" "SELECT sum(stats_overrun) FROM capture_cpu")
		[ "$overrun" -gt 0 ] && [ "$(q "$db" "SELECT lost_events FROM capture")" = "$overrun" ] ||
			fail "$name: lost_events is not the overrun count $overrun"
		"$maptrail" analyze "$dat" -o "$work/loss.db" 2> "$work/err"
		grep -q "^maptrail: warning: $dat: the ring buffer lost $overrun events" "$work/err" ||
			fail "$name: no loss warning: $(cat "$work/err")"
		;;
	*)
		[ "$(q "$db" "SELECT lost_events + lost_unknown FROM capture")" = 0 ] ||
			fail "$name: lost events reported"
		;;
	esac

	# Tasks: every pid of an event is a task; the workload is known by name.
	for table in $(q "$db" "SELECT table_name FROM event_type WHERE table_name IS NOT NULL"); do
		n=$(q "$db" "SELECT count(*) FROM \"$table\" e LEFT JOIN task t USING (capture_id, pid) WHERE t.pid IS NULL")
		[ "$n" = 0 ] || fail "$name: $n rows of $table have no task"
		# A table's ids follow time (its only index: ORDER BY id is time order); entries and
		# exits of calls are views of the call tables (stored once, in the call rows).
		case $(q "$db" "SELECT type FROM sqlite_schema WHERE name = '$table'") in
		table)
			n=$(q "$db" "SELECT count(*) FROM (SELECT capture_id, ts, lag(ts) OVER w AS prev,
				lag(capture_id) OVER w AS prev_capture FROM \"$table\" WINDOW w AS (ORDER BY id))
				WHERE capture_id = prev_capture AND ts < prev")
			[ "$n" = 0 ] || fail "$name: $n rows of $table come before the one with the id below" ;;
		view)
			[ "$(q "$db" "SELECT count(*) FROM call_source WHERE enter_table = '$table' OR exit_table = '$table'")" -ge 1 ] ||
				fail "$name: $table is a view but no call source's" ;;
		*) fail "$name: $table is neither a table nor a view" ;;
		esac
	done
	# Tasks and call tables, for captures of mapwork (its output is beside them).
	out=$fixtures/$name.mapwork.out
	[ -f "$out" ] || out=$fixtures/mapwork.out
	case $name in mapwork-*|top-*|two-buffers-*)
		pid=$(sed -n '1s/^pid=//p' "$out")
		comm=$(q "$db" "SELECT comm FROM task WHERE pid = $pid")
		[ "$comm" = mapwork ] || fail "$name: task $pid is '$comm', not mapwork"
		# Every entry and exit in one call row, and mapwork's calls as it saw them.
		python3 "$here/calls.py" "$db" "$out"
	esac
	echo "ok: $name: $want events"
done

# maptrail reads the pages itself; libtracecmd's reader must give the same database.
MAPTRAIL_READER=libtracecmd "$maptrail" analyze "$fixtures/two-buffers-v7.dat" -o "$work/lib.db" -q
python3 "$here/compare-report.py" "$fixtures/two-buffers-v7.dat" "$work/lib.db"
"$maptrail" analyze "$fixtures/two-buffers-v7.dat" -o "$work/own.db" -q
for t in $(q "$work/own.db" "SELECT table_name FROM event_type WHERE table_name IS NOT NULL") mprotect mmap; do
	[ "$(q "$work/own.db" "SELECT * FROM \"$t\" ORDER BY id" | md5sum)" = \
	  "$(q "$work/lib.db" "SELECT * FROM \"$t\" ORDER BY id" | md5sum)" ] ||
		fail "$t differs between maptrail's reader and libtracecmd's"
done
echo "ok: maptrail's reader and libtracecmd's give the same tables"
# A call's id is given at its entry: in every call table ids grow with ts (mapwork has a
# call that entered before another and left after it).
"$maptrail" analyze "$fixtures/mapwork-v7-zstd.dat" -o "$work/order.db" -q
for t in $(q "$work/order.db" "SELECT name FROM schema_event") ; do
	has=$(q "$work/order.db" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$t'")
	[ "$has" = 1 ] || continue
	n=$(q "$work/order.db" "SELECT count(*) FROM (SELECT ts < lag(ts) OVER (ORDER BY id) AS back
		FROM \"$t\") WHERE back")
	[ "$n" = 0 ] || fail "$t: $n calls have a smaller ts than the call before them by id"
done
echo "ok: call ids grow with ts in every call table"

# An existing output is refused, and left as it was.
first=${captures[0]} second=${captures[1]}
db=$work/append.db
"$maptrail" analyze "$first" -o "$db" -q
before=$(sha256sum < "$db")
if "$maptrail" analyze "$second" -o "$db" 2> "$work/err"; then fail "existing output overwritten"; fi
[ "$(wc -l < "$work/err")" = 1 ] && grep -q "^maptrail: $db: already exists" "$work/err" ||
	fail "refusal message: $(cat "$work/err")"
[ "$(sha256sum < "$db")" = "$before" ] || fail "refused run changed the output"

# --append adds a second capture beside the first; both still match the report.
"$maptrail" analyze "$second" -o "$db" --append -q
[ "$(q "$db" "SELECT count(*) FROM capture")" = 2 ] || fail "--append: not two captures"
python3 "$here/compare-report.py" "$first" "$db" 1
python3 "$here/compare-report.py" "$second" "$db" 2
# The replayed detections: the first capture's from their queries, the second's from the replay.
python3 "$here/replayed.py" "$db" "$here/../../queries" || fail "--append: replayed detections"
# --force replaces.
"$maptrail" analyze "$second" -o "$db" --force -q
[ "$(q "$db" "SELECT count(*) FROM capture")" = 1 ] || fail "--force did not replace"

# Default output name: CAPTURE.dat -> CAPTURE.db, and a summary line when not quiet.
cp "$first" "$work/default.dat"
"$maptrail" analyze "$work/default.dat" 2> "$work/err"
[ -s "$work/default.db" ] || fail "default output name"
grep -q "^maptrail: $work/default.dat -> $work/default.db: [0-9]* events" "$work/err" ||
	fail "summary line: $(cat "$work/err")"
ls -A "$work" | grep -q '^\.' && fail "temporary files left behind: $(ls -A "$work")"
echo "ok: output handling"
