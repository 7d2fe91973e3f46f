#!/bin/bash
# The record benchmark (issue #4): what `maptrail record` costs and whether it
# keeps up, on a storm of memory-mapping calls.
#
#   bench/record.sh [--work DIR] [--procs P] [--calls N] [--runs R] [--record-arg ARG]...
#
# Builds nothing: BUILD (default "build", relative to the repository root
# unless absolute) must hold bench/mapstorm and cli/maptrail.  Needs root.
#
# mapstorm forks P processes (default 2) that make N memory-mapping calls in
# all (default 1000000: mmap, mprotect, mremap, munmap in turn).  R times
# (default 3), alternately: the storm untraced, and the storm recorded with
# default settings (`maptrail record -o DIR/storm.dat -- mapstorm ...`).
# Printed, per traced run and as medians: events captured, events lost (the
# recorder's own count: ring-buffer overruns, drops and missed-event marks;
# target 0), the recorder's CPU time (its own threads, user + system, as it
# reports it), the storm's seconds untraced and traced and the slowdown, the
# file's size.  The last capture is checked with maptrail analyze (its event
# count and lost events).  --record-arg passes an option on to maptrail record
# (e.g. --no-identity, to measure the identity watch: record/watch.h).
#
# Tracefs is left as found: maptrail record removes its instance on every
# exit path, and a Ctrl-C here reaches it as well.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/common.sh"	# root, bench_workdir, median, spread

die() { echo "bench/record: $*" >&2; exit 1; }
usage() { echo "usage: bench/record.sh [--work DIR] [--procs P] [--calls N] [--runs R] [--record-arg ARG]..." >&2; exit 2; }

work=/tmp/maptrail-bench-record
procs=2
calls=1000000
runs=3
record_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	--procs) [ $# -ge 2 ] || usage; procs=$2; shift 2 ;;
	--calls) [ $# -ge 2 ] || usage; calls=$2; shift 2 ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	--record-arg) [ $# -ge 2 ] || usage; record_args+=("$2"); shift 2 ;;
	*) usage ;;
	esac
done
for v in "$procs" "$calls" "$runs"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || die "'$v' is not a positive number"
done

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
mapstorm=$BUILD/bench/mapstorm
maptrail=$BUILD/cli/maptrail
[ "$(id -u)" = 0 ] || die "recording needs root"
[ -x "$mapstorm" ] || die "$mapstorm: missing (build first: meson compile -C $BUILD)"
[ -x "$maptrail" ] || die "$maptrail: missing (build first: meson compile -C $BUILD)"
bench_workdir "$work"

per_proc=$(( (calls + procs - 1) / procs ))
echo "bench/record: $procs processes x $per_proc calls, $runs runs each way, in $work${record_args[*]+, record ${record_args[*]}}"

storm_seconds() { sed -n 's/.* seconds=\([0-9.]*\) .*/\1/p' "$1"; }

printf '%-4s %10s %7s %9s %9s %9s %8s %10s\n' run events lost rec-cpu-s untraced traced slowdown file-MB
: > "$work/untraced.s"
: > "$work/traced.s"
: > "$work/cpu.s"
: > "$work/events"
: > "$work/lost"
for run in $(seq "$runs"); do
	"$mapstorm" --procs "$procs" --calls "$per_proc" > "$work/untraced.out" ||
		die "mapstorm failed untraced"
	u=$(storm_seconds "$work/untraced.out")
	rm -f "$work/storm.dat"
	"$maptrail" record ${record_args[@]+"${record_args[@]}"} -o "$work/storm.dat" -- "$mapstorm" --procs "$procs" --calls "$per_proc" \
		> "$work/traced.out" 2> "$work/record.err" ||
		die "maptrail record failed: $(tail -n 3 "$work/record.err")"
	t=$(storm_seconds "$work/traced.out")
	line=$(grep '^maptrail: .* events in ' "$work/record.err") ||
		die "no summary from maptrail record: $(cat "$work/record.err")"
	events=$(sed 's/.*: \([0-9]*\) events in .*/\1/' <<< "$line")
	cpu=$(sed 's/.*recorder CPU \([0-9.]*\) s.*/\1/' <<< "$line")
	lost=$(sed -n 's/.*warning: .*: \([0-9]*\) events were lost.*/\1/p' "$work/record.err")
	lost=${lost:-0}
	mb=$(awk -v b="$(stat -c %s "$work/storm.dat")" 'BEGIN { printf "%.1f", b / 1048576 }')
	slow=$(awk -v u="$u" -v t="$t" 'BEGIN { printf "%.2f", (u > 0 ? t / u : 0) }')
	printf '%-4s %10s %7s %9s %9s %9s %8s %10s\n' "$run" "$events" "$lost" "$cpu" "$u" "$t" \
		"${slow}x" "$mb"
	echo "$u" >> "$work/untraced.s"
	echo "$t" >> "$work/traced.s"
	echo "$cpu" >> "$work/cpu.s"
	echo "$events" >> "$work/events"
	echo "$lost" >> "$work/lost"
done
u=$(median < "$work/untraced.s")
t=$(median < "$work/traced.s")
printf '%-4s %10s %7s %9s %9s %9s %8s %10s\n' median "$(median < "$work/events")" \
	"$(median < "$work/lost")" "$(median < "$work/cpu.s")" "$u" "$t" \
	"$(awk -v u="$u" -v t="$t" 'BEGIN { printf "%.2fx", (u > 0 ? t / u : 0) }')" "$mb"

# The last capture, read back by analyze.
"$maptrail" analyze "$work/storm.dat" -o "$work/storm.db" -q --force ||
	die "maptrail analyze refused $work/storm.dat"
n=$(sqlite3 -batch -noheader "$work/storm.db" "SELECT event_count || ' events, ' || lost_events || ' lost' FROM capture")
echo "bench/record: analyze reads the last capture: $n (the storm alone: $((2 * procs * per_proc)) events)"
