#!/bin/bash
# The analyze benchmark (issue #2): how fast, and in how much memory,
# `maptrail analyze` turns a large capture into SQLite, next to
# `trace-cmd report` reading the same file.
#
#   bench/analyze.sh [--fresh] [--work DIR] [--procs P] [--events N]
#
# Builds nothing: BUILD (default "build", relative to the repository root
# unless absolute) must hold bench/mapstorm (to record) and cli/maptrail (to
# be measured; without it only trace-cmd's figures are printed).
#
# Two captures, recorded once into DIR (default /tmp/maptrail-bench) by
# bench/storm-capture.sh and reused until --fresh: storm-full.dat with at
# least N events (default 2000000) and storm-half.dat with N/2, each the
# sys_enter/sys_exit events of mmap, mprotect, mremap and munmap, system-wide,
# while P (default 4) mapstorm processes run (how: see that script).
#
# For each capture: events (tests/lib/report-count.sh), lost events (from the
# stats saved in the file), then wall time and peak RSS (/usr/bin/time) of
# `trace-cmd report -i F > /dev/null` and of `maptrail analyze F -o W.db -v
# --force`, events/s for both, the ratio of analyze's time to report's, and
# analyze's own split of its time (open, load, index, detections) with the call
# rows made.
#
# Recording needs root and tracefs (and leaves them as found: see
# bench/storm-capture.sh).  Measuring an existing capture needs neither.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

die() { echo "bench/analyze: $*" >&2; exit 1; }
usage() {
	echo "usage: bench/analyze.sh [--fresh] [--work DIR] [--procs P] [--events N]" >&2
	exit 2
}

# --fresh, --procs and --events are bench/storm-capture.sh's: passed on, checked there.
capture=()
work=/tmp/maptrail-bench
while [ $# -gt 0 ]; do
	case $1 in
	--fresh) capture+=(--fresh); shift ;;
	--work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	--procs|--events) [ $# -ge 2 ] || usage; capture+=("$1" "$2"); shift 2 ;;
	*) usage ;;
	esac
done

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
maptrail=$BUILD/cli/maptrail
count=$root/tests/lib/report-count.sh

command -v trace-cmd >/dev/null || die "trace-cmd is not installed (apt-get install trace-cmd)"
if [ ! -x /usr/bin/time ]; then
	[ "$(id -u)" = 0 ] || die "/usr/bin/time is missing: apt-get install time"
	echo "bench/analyze: installing /usr/bin/time (package time)"
	apt-get install -y -qq time > /dev/null || die "apt-get install time failed"
fi

# --- recording (bench/storm-capture.sh, shared with bench/queries.sh) ---------
# It makes the work directory (outside the repository) and the captures in it.
BUILD=$BUILD "$here/storm-capture.sh" --work "$work" "${capture[@]}" ||
	die "the captures could not be made"
work=$(cd "$work" && pwd)

# --- measuring ----------------------------------------------------------------
# Lost events as the file's saved stats tell them: overrun, commit overrun and
# dropped events of the capture's own buffer (the last "Buffer:" section; the
# top-level section describes whatever else the machine was tracing).
# Also the sum of "read events" there: what extract read, a check on the count.
file_stats() {
	trace-cmd report --stat -i "$1" 2>/dev/null | awk '
		/^Buffer: / { buf = $2; lost[buf] = 0; got[buf] = 0 }
		/^overrun:|^commit overrun:|^dropped events:/ { lost[buf] += $NF }
		/^read events:/ { got[buf] += $NF }
		END { print lost[buf] + 0, got[buf] + 0 }'
}

# timed NAME COMMAND...: runs it, stdout to /dev/null, stderr to $work/NAME.err;
# sets time_s (wall seconds) and time_kb (peak RSS).
time_s='' time_kb=''
timed() {
	local p=$1 tf rc=0
	shift
	tf=$(mktemp "$work/time.XXXXXX")
	/usr/bin/time -f '%e %M' -o "$tf" "$@" > /dev/null 2> "$work/$p.err" || rc=$?
	read -r time_s time_kb < <(tail -n 1 "$tf")
	rm -f "$tf"
	return "$rc"
}

have_maptrail=0
if [ -x "$maptrail" ]; then have_maptrail=1; else
	echo "bench/analyze: $maptrail is missing: printing trace-cmd's figures only"
fi

rows=()
phases=()
failed=0
for name in storm-full storm-half; do
	f=$work/$name.dat
	echo "bench/analyze: measuring $name.dat"
	n=$("$count" "$f") || die "$f: cannot count its events"
	read -r lost got < <(file_stats "$f")
	[ "$got" = "$n" ] || echo "bench/analyze: WARNING: $name.dat: report shows $n events, its stats say $got were read" >&2
	timed rep trace-cmd report -i "$f" ||
		die "trace-cmd report -i $f failed: $(head -n 3 "$work/rep.err")"
	rep_s=$time_s rep_kb=$time_kb
	rep_evs=$(awk -v n="$n" -v s="$rep_s" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	an="-" an_mb="-" an_evs="-" ratio="-"
	if [ "$have_maptrail" = 1 ]; then
		if timed ana "$maptrail" analyze "$f" -o "$work/$name.db" -v --force; then
			phases+=("$name: $(grep -o 'open .*' "$work/ana.err"); $(sqlite3 "$work/$name.db" \
				"SELECT (SELECT count(*) FROM mmap) + (SELECT count(*) FROM mprotect) +
				 (SELECT count(*) FROM mremap) + (SELECT count(*) FROM munmap)") call rows")
			ana_s=$time_s ana_kb=$time_kb
			an=$ana_s
			an_mb=$(awk -v k="$ana_kb" 'BEGIN { printf "%.0f", k / 1024 }')
			an_evs=$(awk -v n="$n" -v s="$ana_s" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
			ratio=$(awk -v a="$ana_s" -v r="$rep_s" 'BEGIN { printf "%.2f", (r > 0 ? a / r : 0) }')
		else
			echo "bench/analyze: maptrail analyze $f failed: $(head -n 3 "$work/ana.err")" >&2
			an=FAILED
			failed=1
		fi
	fi
	rows+=("$(printf '%-10s %9s %7s %5s | %8s %7s %9s | %8s %7s %9s | %6s' \
		"$name" "$n" "$(awk -v b="$(stat -c %s "$f")" 'BEGIN { printf "%.1f", b / 1048576 }')" \
		"$lost" "$rep_s" "$(awk -v k="$rep_kb" 'BEGIN { printf "%.0f", k / 1024 }')" "$rep_evs" \
		"$an" "$an_mb" "$an_evs" "$ratio")")
done

echo
printf '%-10s %9s %7s %5s | %8s %7s %9s | %8s %7s %9s | %6s\n' \
	"" "" "file" "" "trace-cmd report" "" "" "maptrail analyze" "" "" "ratio"
printf '%-10s %9s %7s %5s | %8s %7s %9s | %8s %7s %9s | %6s\n' \
	capture events MB lost "wall s" "RSS MB" "events/s" "wall s" "RSS MB" "events/s" "an/rep"
for r in "${rows[@]}"; do echo "$r"; done
for p in "${phases[@]}"; do echo "maptrail analyze phases, $p"; done
echo "(captures in $work; kernel $(uname -r), trace-cmd $(trace-cmd --version 2>/dev/null | awk '/version/ { print $3; exit }'), $(nproc) CPUs)"
[ "$have_maptrail" = 1 ] || echo "maptrail: not built ($maptrail missing)"
[ "$failed" = 0 ] || die "maptrail analyze failed (see above)"
