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
# path (bench/lib/capture.sh).  Reusing existing captures needs neither.
set -euo pipefail

CAPTURE_PROG=bench/storm-capture
INST=maptrail_bench
. "$(dirname "${BASH_SOURCE[0]}")/lib/capture.sh"
EVENTS="mmap mprotect mremap munmap"

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

mapstorm=$BUILD/bench/mapstorm
bench_workdir "$work"

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	capture_teardown
	rm -f "$work"/*.dat.tmp
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

record() {	# record NAME EVENTS
	local name=$1 n=$2 calls kb e set=()
	capture_check "$name" "$mapstorm"
	# Each call is an enter and an exit; the ring buffer must hold every
	# event even if all land on one CPU (an mmap enter is 72 bytes with
	# its header, an exit 32; 80 leaves room for time extends and pages).
	calls=$(( (n / 2 + procs - 1) / procs ))
	kb=$(( n * 80 / 1024 + 4096 ))
	for e in $EVENTS; do
		set+=("syscalls:sys_enter_$e" "syscalls:sys_exit_$e")
	done
	capture_start "$kb" "${set[@]}"
	echo "bench/storm-capture: recording $name.dat: $procs x $calls calls, buffer $kb KB per CPU"
	capture_load "$name" "$mapstorm" --procs "$procs" --calls "$calls" > "$work/$name.mapstorm"
	capture_extract "$work/$name.dat.tmp" "$work/$name.extract.log"
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
