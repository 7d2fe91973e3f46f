#!/bin/bash
# The benchmark captures, made once and shared by bench/analyze.sh and
# bench/queries.sh: a storm of memory-mapping calls recorded system-wide.
#
#   bench/storm-capture.sh [--fresh] [--work DIR] [--procs P] [--events N]
#
# Makes DIR/storm-full.dat (at least N events, default 2000000) and
# DIR/storm-half.dat (N/2) in DIR (default /tmp/maptrail-bench), unless they
# are already there (--fresh records anew).  Each holds the sys_enter/sys_exit
# events of mmap, mprotect, mremap and munmap, system-wide, while P (default
# 4) mapstorm processes run.  They are recorded in a tracefs instance
# maptrail_bench whose buffer is sized to hold everything (80 bytes an event
# on one CPU alone), and the per-CPU overrun/dropped counts are checked: the
# target is 0 lost.
#
# BUILD (default "build", relative to the repository root unless absolute)
# must hold bench/mapstorm.  Recording needs root and tracefs; the instance is
# removed and tracefs unmounted (if this script mounted it) on every exit
# path.  Reusing existing captures needs neither.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
T=/sys/kernel/tracing
INST=maptrail_bench
EVENTS="mmap mprotect mremap munmap"

die() { echo "bench/storm-capture: $*" >&2; exit 1; }
usage() {
	echo "usage: bench/storm-capture.sh [--fresh] [--work DIR] [--procs P] [--events N]" >&2
	exit 2
}

fresh=0
work=/tmp/maptrail-bench
procs=4
events=2000000
while [ $# -gt 0 ]; do
	case $1 in
	--fresh) fresh=1; shift ;;
	--work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	--procs) [ $# -ge 2 ] || usage; procs=$2; shift 2 ;;
	--events) [ $# -ge 2 ] || usage; events=$2; shift 2 ;;
	*) usage ;;
	esac
done
[[ $procs =~ ^[1-9][0-9]*$ ]] || die "--procs: '$procs' is not a positive number"
[[ $events =~ ^[1-9][0-9]*$ ]] || die "--events: '$events' is not a positive number"

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
mapstorm=$BUILD/bench/mapstorm

mkdir -p "$work" || die "$work: cannot create the work directory"
work=$(cd "$work" && pwd)
case $work/ in "$root"/*) die "$work is inside the repository; use a directory outside it" ;; esac

mounted=0
storm_pid=
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	# Its children die with it (PR_SET_PDEATHSIG).
	if [ -n "$storm_pid" ]; then kill "$storm_pid" 2>/dev/null || true; fi
	if [ -d "$T/instances/$INST" ]; then
		rmdir "$T/instances/$INST" 2>/dev/null ||
			echo "bench/storm-capture: could not remove instance $INST" >&2
	fi
	if [ "$mounted" = 1 ]; then umount "$T"; fi
	rm -f "$work"/*.dat.tmp
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

record() {	# record NAME EVENTS
	local name=$1 n=$2 calls kb c lost=0 v e
	command -v trace-cmd >/dev/null || die "trace-cmd is not installed (apt-get install trace-cmd)"
	[ "$(id -u)" = 0 ] || die "recording $name.dat needs root (or reuse an existing capture in $work)"
	[ -x "$mapstorm" ] || die "$mapstorm: missing (build first: meson compile -C $BUILD)"
	if ! mountpoint -q "$T"; then
		mount -t tracefs nodev "$T" || die "cannot mount tracefs on $T"
		mounted=1
	fi
	if [ -d "$T/instances/$INST" ]; then
		echo "bench/storm-capture: removing instance $INST left behind by an earlier run" >&2
		rmdir "$T/instances/$INST" || die "cannot remove $T/instances/$INST"
	fi
	# Each call is an enter and an exit; the ring buffer must hold every
	# event even if all land on one CPU (an mmap enter is 72 bytes with
	# its header, an exit 32; 80 leaves room for time extends and pages).
	calls=$(( (n / 2 + procs - 1) / procs ))
	kb=$(( n * 80 / 1024 + 4096 ))
	mkdir "$T/instances/$INST" || die "cannot create instance $INST"
	echo "$kb" > "$T/instances/$INST/buffer_size_kb" ||
		die "cannot set a $kb KB per-CPU buffer for $INST (memory?)"
	for e in $EVENTS; do
		echo "syscalls:sys_enter_$e" >> "$T/instances/$INST/set_event"
		echo "syscalls:sys_exit_$e" >> "$T/instances/$INST/set_event"
	done
	echo 1 > "$T/instances/$INST/tracing_on"
	echo "bench/storm-capture: recording $name.dat: $procs x $calls calls, buffer $kb KB per CPU"
	# In the background, so that a signal runs the trap at once.
	"$mapstorm" --procs "$procs" --calls "$calls" > "$work/$name.mapstorm" &
	storm_pid=$!
	wait "$storm_pid" || die "$mapstorm failed (exit $?)"
	storm_pid=
	echo 0 > "$T/instances/$INST/tracing_on"
	for c in "$T/instances/$INST"/per_cpu/cpu*/stats; do
		v=$(awk '/^overrun:|^commit overrun:|^dropped events:/ { n += $NF } END { print n + 0 }' "$c")
		lost=$((lost + v))
	done
	[ "$lost" = 0 ] || echo "bench/storm-capture: WARNING: $lost events lost while recording $name.dat" >&2
	trace-cmd extract -B "$INST" -o "$work/$name.dat.tmp" > "$work/$name.extract.log" 2>&1 ||
		{ cat "$work/$name.extract.log" >&2; die "trace-cmd extract of $INST failed"; }
	if [ -d "$T/instances/$INST" ]; then rmdir "$T/instances/$INST"; fi
	mv "$work/$name.dat.tmp" "$work/$name.dat"
	cat "$work/$name.mapstorm"
}

for spec in "storm-full:$events" "storm-half:$((events / 2))"; do
	name=${spec%%:*}
	if [ "$fresh" = 1 ] || [ ! -s "$work/$name.dat" ]; then
		record "$name" "${spec#*:}"
	else
		echo "bench/storm-capture: reusing $work/$name.dat (--fresh records anew)"
	fi
done
