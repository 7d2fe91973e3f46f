#!/bin/bash
# The detections benchmark (issue #14): how the detections' time grows on
# captures full of what they look for.  Each detection runs once per analyze,
# over the whole database, and one that pairs rows (a process's calls with its
# next calls, its mappings of a file with its other mappings of it) can grow
# with the square of what it pairs while the load grows with the events: on
# bench/analyze.sh's captures such a detection is cheap, and it shows only on
# a capture of its own shape.
#
#   bench/detections.sh [--fresh] [--work DIR] [--runs R]
#
# Records with `maptrail record`, once into DIR (default
# /tmp/maptrail-bench/detections; --fresh records anew), three workloads at
# two sizes, K = 1 and 2:
#   doublemap-Kx.dat  tests' identity workload, `doublemap 2000K`: one memfd,
#       each page mapped shared rw- and r-x (shared-wx-file, exec-memfd);
#   race-Kx.dat       bench/racestorm: 4 threads, 20000K mprotect calls each on
#       16 shared pages (toctou-race: nearly every call pairs);
#   flip-Kx.dat       tests' flip workload, 20000K W^X flips (exec-after-write).
# Then R rounds (default 3) of `maptrail analyze F -v` on each, and prints per
# capture: its events, calls and findings, the median [min-max] of analyze's
# detections phase, and the slowest detections of the last round; per
# workload, the growth of the median from 1x to 2x: about 2 when the
# detections' work grows with the capture, about 4 when with its square.
#
# BUILD (default "build", relative to the repository root unless absolute)
# must hold cli/maptrail, tests/identity, tests/flip and bench/racestorm.
# Recording needs root and tracefs (`maptrail record` leaves tracefs as it
# found it); measuring existing captures needs neither.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/common.sh"	# root, bench_workdir, median, spread

die() { echo "bench/detections: $*" >&2; exit 1; }
usage() {
	echo "usage: bench/detections.sh [--fresh] [--work DIR] [--runs R]" >&2
	exit 2
}

fresh=0
work=/tmp/maptrail-bench/detections
runs=3
while [ $# -gt 0 ]; do
	case $1 in
	--fresh) fresh=1; shift ;;
	--work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	*) usage ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs: '$runs' is not a positive number"

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
maptrail=$BUILD/cli/maptrail
identity=$BUILD/tests/identity
flip=$BUILD/tests/flip
racestorm=$BUILD/bench/racestorm
for x in "$maptrail" "$identity" "$flip" "$racestorm"; do
	[ -x "$x" ] || die "$x: missing (build first: meson compile -C $BUILD)"
done
command -v sqlite3 >/dev/null || die "sqlite3 is not installed (apt-get install sqlite3)"
bench_workdir "$work"

workloads=(doublemap race flip)
scales=(1 2)

# record NAME K: NAME-Kx.dat, unless it is there already (and not --fresh).
record() {
	local name=$1 k=$2 dat=$work/$1-$2x.dat
	local cmd
	[ "$fresh" = 0 ] && [ -s "$dat" ] && return 0
	[ "$(id -u)" = 0 ] || die "recording $name-${k}x.dat needs root (or reuse one in $work)"
	case $name in
	doublemap) cmd=("$identity" doublemap $((2000 * k)) "$work/$name-${k}x.maps") ;;
	race) cmd=("$racestorm" --threads 4 --calls $((20000 * k))) ;;
	flip) cmd=("$flip" $((20000 * k))) ;;
	esac
	echo "bench/detections: recording $name-${k}x.dat: ${cmd[*]##*/}"
	# under a temporary name: an interrupted recording leaves no capture to reuse
	rm -f "$dat.part"
	"$maptrail" record -o "$dat.part" -- "${cmd[@]}" > "$work/record.out" 2> "$work/record.err" ||
		die "recording $name-${k}x.dat failed: $(tail -n 3 "$work/record.err")"
	mv "$dat.part" "$dat"
}

for name in "${workloads[@]}"; do
	for k in "${scales[@]}"; do
		record "$name" "$k"
	done
done

declare -A det slowest made
for ((r = 1; r <= runs; r++)); do
	for name in "${workloads[@]}"; do
		for k in "${scales[@]}"; do
			c=$name-${k}x
			echo "bench/detections: round $r/$runs: $c.dat"
			rm -f "$work/$c.db"
			"$maptrail" analyze "$work/$c.dat" -o "$work/$c.db" -v 2> "$work/analyze.err" ||
				die "maptrail analyze $c.dat failed: $(head -n 3 "$work/analyze.err")"
			det[$c]+=" $(sed -n 's/.*, detections \([0-9.]*\) s,.*/\1/p' "$work/analyze.err")"
			slowest[$c]=$(sed -n 's/.*: slowest detections: //p' "$work/analyze.err")
			made[$c]=$(sqlite3 "$work/$c.db" "SELECT (SELECT event_count FROM capture) || ' events, '
				|| ((SELECT count(*) FROM mmap) + (SELECT count(*) FROM mprotect) +
				    (SELECT count(*) FROM mremap) + (SELECT count(*) FROM munmap))
				|| ' calls, ' || (SELECT count(*) FROM findings) || ' findings of '
				|| (SELECT coalesce(sum(calls), 0) FROM findings) || ' calls'")
		done
	done
done

echo
echo "bench/detections: $runs round(s); analyze's detections phase, median [min-max] seconds"
for name in "${workloads[@]}"; do
	echo
	for k in "${scales[@]}"; do
		c=$name-${k}x
		# shellcheck disable=SC2086 # the lists are words on purpose
		printf '%-13s %-22s %s\n' "$c" "$(spread ${det[$c]})" "${made[$c]}"
		printf '%-13s %-22s slowest: %s\n' "" "" "${slowest[$c]}"
	done
	# shellcheck disable=SC2086
	echo "  growth 1x -> 2x: $(awk -v a="$(printf '%s\n' ${det[$name-1x]} | median)" \
		-v b="$(printf '%s\n' ${det[$name-2x]} | median)" \
		'BEGIN { if (a > 0) printf "%.1fx", b / a; else printf "-" }') (2: linear; 4: quadratic)"
done
echo
echo "(captures in $work; kernel $(uname -r), $(nproc) CPUs)"
