#!/bin/bash
# The flight recorder benchmark (issue #16): what `maptrail record --flight`
# costs, how much it keeps, and how fast a trigger becomes a file.
#
#   bench/flight.sh [--work DIR] [--procs P] [--calls N] [--runs R] [-b KB]
#
# Builds nothing: BUILD (default "build") must hold bench/mapstorm,
# tests/injector and cli/maptrail.  Needs root.  Run it nice'd on a shared
# machine: every figure is a ratio or a count, or is measured by wall clock
# against the same load.
#
# 1. The storm (mapstorm: P processes, N calls in all), R times each way,
#    alternately: untraced, under plain `maptrail record`, and under
#    `maptrail record --flight` (default triggers, which the storm never
#    fires: its mmap is RW, its mremap has no MREMAP_FIXED).  Printed per run
#    and as medians: the storm's seconds and the slowdown against untraced,
#    for both; for --flight, the recorder's CPU while armed (its own count,
#    getrusage) and the window its dump at the end holds at the default
#    buffer (-b KB per CPU, default the recorder's): the seconds from its
#    oldest event to its newest, from the complete start (the newest of the
#    CPUs' oldest events) to the end, and its events, read from analyze's
#    flight table.
# 2. Trigger to file, three times on an idle machine, then three times while
#    the storm runs: the recorder armed with wx; tests/injector --steps a (its
#    first call is an RWX mmap) is started, and the dump's directory is watched
#    every 5 ms: the wall time from the injector's start to the complete file
#    (it appears only once linked into place), which includes the recorder's
#    poll of tracing_on (every 200 ms) and the writing of the file (fsync
#    included).
#
# Tracefs is left as found: maptrail removes its instance on every exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/common.sh"	# root, bench_workdir, median, spread

die() { echo "bench/flight: $*" >&2; exit 1; }
usage() { echo "usage: bench/flight.sh [--work DIR] [--procs P] [--calls N] [--runs R] [-b KB]" >&2; exit 2; }

work=/tmp/maptrail-bench-flight
procs=2
calls=1000000
runs=3
buffer=
while [ $# -gt 0 ]; do
	case $1 in
	--work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	--procs) [ $# -ge 2 ] || usage; procs=$2; shift 2 ;;
	--calls) [ $# -ge 2 ] || usage; calls=$2; shift 2 ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	-b) [ $# -ge 2 ] || usage; buffer=$2; shift 2 ;;
	*) usage ;;
	esac
done
for v in "$procs" "$calls" "$runs" ${buffer:+"$buffer"}; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || die "'$v' is not a positive number"
done

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
mapstorm=$BUILD/bench/mapstorm
injector=$BUILD/tests/injector
maptrail=$BUILD/cli/maptrail
[ "$(id -u)" = 0 ] || die "recording needs root"
for x in "$mapstorm" "$injector" "$maptrail"; do
	[ -x "$x" ] || die "$x: missing (build first: meson compile -C $BUILD)"
done
command -v sqlite3 > /dev/null || die "sqlite3 is not installed"
bench_workdir "$work"
rec=
storm=
finish() {
	for p in $rec $storm; do
		kill -INT "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
	done
}
trap finish EXIT

per_proc=$(( (calls + procs - 1) / procs ))
bopt=${buffer:+-b $buffer}
echo "bench/flight: $procs processes x $per_proc calls, $runs runs each way, buffer" \
	"${buffer:-default} KB per CPU, in $work"

storm_seconds() { sed -n 's/.* seconds=\([0-9.]*\) .*/\1/p' "$1"; }
ratio() { awk -v u="$1" -v t="$2" 'BEGIN { printf "%.2f", (u > 0 ? t / u : 0) }'; }
q() { sqlite3 -batch -noheader "$1" "$2"; }

printf '%-6s %8s %8s %6s %8s %6s %11s %8s %8s %9s\n' run untraced record slow flight slow \
	armed-cpu-% window-s complete events
for f in untraced record flight cpu window complete events; do : > "$work/$f"; done
for run in $(seq "$runs"); do
	"$mapstorm" --procs "$procs" --calls "$per_proc" > "$work/u.out" || die "mapstorm failed"
	u=$(storm_seconds "$work/u.out")
	rm -f "$work/storm.dat"
	"$maptrail" record -q $bopt -o "$work/storm.dat" -- "$mapstorm" --procs "$procs" \
		--calls "$per_proc" > "$work/r.out" 2> "$work/r.err" ||
		die "maptrail record failed: $(tail -n 3 "$work/r.err")"
	r=$(storm_seconds "$work/r.out")
	rm -rf "$work/dumps" && mkdir "$work/dumps"
	"$maptrail" record --flight $bopt -o "$work/dumps" -- "$mapstorm" --procs "$procs" \
		--calls "$per_proc" > "$work/f.out" 2> "$work/f.err" ||
		die "maptrail record --flight failed: $(tail -n 3 "$work/f.err")"
	f=$(storm_seconds "$work/f.out")
	cpu=$(sed -n 's/.*armed [0-9.]* s at [0-9.]* s of recorder CPU (\([0-9.]*\)%).*/\1/p' "$work/f.err")
	dump=$(ls "$work/dumps"/maptrail-*-exit.dat) || die "no dump at the storm's end: $(cat "$work/f.err")"
	"$maptrail" analyze "$dump" -o "$work/flight.db" -q --force || die "analyze refused $dump"
	read -r win complete events < <(q "$work/flight.db" "SELECT printf('%.3f %.3f %d',
		(window_end - window_start) / 1e9, (window_end - window_complete) / 1e9, window_events)
		FROM flight")
	printf '%-6s %8s %8s %6s %8s %6s %11s %8s %8s %9s\n' "$run" "$u" "$r" "$(ratio "$u" "$r")x" \
		"$f" "$(ratio "$u" "$f")x" "$cpu" "$win" "$complete" "$events"
	echo "$u" >> "$work/untraced"; echo "$r" >> "$work/record"; echo "$f" >> "$work/flight"
	echo "$cpu" >> "$work/cpu"; echo "$win" >> "$work/window"
	echo "$complete" >> "$work/complete"; echo "$events" >> "$work/events"
done
u=$(median < "$work/untraced"); r=$(median < "$work/record"); f=$(median < "$work/flight")
printf '%-6s %8s %8s %6s %8s %6s %11s %8s %8s %9s\n' median "$u" "$r" "$(ratio "$u" "$r")x" "$f" \
	"$(ratio "$u" "$f")x" "$(median < "$work/cpu")" "$(median < "$work/window")" \
	"$(median < "$work/complete")" "$(median < "$work/events")"
echo "bench/flight: --flight against plain record: the storm takes $(ratio "$r" "$f")x as long"

# Trigger to file, on a loaded and on an idle machine.
now() { date +%s.%N; }
trigger_to_file() {	# trigger_to_file LABEL: one measurement, printed
	local d=$work/t.$1 t0 i
	rm -rf "$d" && mkdir "$d"
	"$maptrail" record --flight $bopt --trigger wx -o "$d" 2> "$work/t.err" &
	rec=$!
	for i in $(seq 200); do
		grep -q '^flight recorder armed' "$work/t.err" && break
		sleep 0.05
	done
	sleep 0.5
	t0=$(now)
	"$injector" --steps a > /dev/null
	until compgen -G "$d/maptrail-*-wx.dat" > /dev/null; do
		sleep 0.005
		awk -v a="$t0" -v b="$(now)" 'BEGIN { exit !(b - a > 10) }' && die "no dump after 10 s"
	done
	echo "trigger to file ($1): $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }') s;" \
		"the recorder: $(sed -n 's/.*; \([0-9.]*\) s from the freeze to the file.*/\1/p' \
		"$work/t.err") s from seeing the freeze to the file"
	wait "$rec" || true
	rec=
}
for i in 1 2 3; do trigger_to_file idle; done
"$mapstorm" --procs "$procs" --calls $((per_proc * 40)) > /dev/null &
storm=$!
sleep 0.5
for i in 1 2 3; do trigger_to_file storm; done
kill "$storm" 2>/dev/null || true
wait "$storm" 2>/dev/null || true
storm=
