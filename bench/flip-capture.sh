#!/bin/bash
# The third benchmark capture (issue #14): a capture full of findings, where
# the storm captures of bench/storm-capture.sh have none.
#
#   bench/flip-capture.sh [--fresh] [--work DIR] [--procs P] [--iterations N]
#                         [--scale K]
#
# Makes DIR/flip.dat (DIR default /tmp/maptrail-bench) unless it is already
# there (--fresh records anew): bench/flipstorm's loop of mmap RW -> write ->
# mprotect RX -> mremap grow -> munmap, N iterations (default 300000) shared
# by P processes (default 4), recorded system-wide with the sys_enter/sys_exit
# events of mmap, mprotect, mremap and munmap and the sched events on
# (sched_switch, the process fork/exec/exit events and the task events that
# `maptrail record` takes beside the calls), then converted to a version 7,
# zstd-compressed file with `trace-cmd convert`.  --scale K (K > 1) makes
# DIR/flip-Kx.dat instead, of K times N iterations: the same shape, K times
# the events (bench/analyze.sh --memory).
#
# Like bench/storm-capture.sh, it records in a tracefs instance
# (maptrail_bench_flip) whose per-CPU buffer is sized to hold every event even
# if all land on one CPU, and checks the per-CPU overrun/dropped counts: the
# target is 0 lost.
#
# BUILD (default "build", relative to the repository root unless absolute)
# must hold bench/flipstorm.  Recording needs root and tracefs; the instance
# is removed and tracefs unmounted (if this script mounted it) on every exit
# path (bench/lib/capture.sh), and no partial flip.dat is ever left.  Reusing
# the capture needs neither.
set -euo pipefail

CAPTURE_PROG=bench/flip-capture
INST=maptrail_bench_flip
. "$(dirname "${BASH_SOURCE[0]}")/lib/capture.sh"
CALLS="mmap mprotect mremap munmap"
SCHED="sched:sched_switch sched:sched_process_fork sched:sched_process_exec
	sched:sched_process_exit task:task_newtask task:task_rename"

usage() {
	echo "usage: bench/flip-capture.sh [--fresh] [--work DIR] [--procs P] [--iterations N] [--scale K]" >&2
	exit 2
}

fresh=0
work=/tmp/maptrail-bench
procs=4
iterations=300000
scale=1
while [ $# -gt 0 ]; do
	case $1 in
	--fresh) fresh=1; shift ;;
	--work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	--procs) [ $# -ge 2 ] || usage; procs=$2; shift 2 ;;
	--iterations) [ $# -ge 2 ] || usage; iterations=$2; shift 2 ;;
	--scale) [ $# -ge 2 ] || usage; scale=$2; shift 2 ;;
	*) usage ;;
	esac
done
[[ $procs =~ ^[1-9][0-9]*$ ]] || die "--procs: '$procs' is not a positive number"
[[ $iterations =~ ^[1-9][0-9]*$ ]] || die "--iterations: '$iterations' is not a positive number"
[[ $scale =~ ^[1-9][0-9]*$ ]] || die "--scale: '$scale' is not a positive number"
name=flip
if [ "$scale" != 1 ]; then
	name=flip-${scale}x
	iterations=$((iterations * scale))
fi

flipstorm=$BUILD/bench/flipstorm
bench_workdir "$work"

if [ "$fresh" = 0 ] && [ -s "$work/$name.dat" ]; then
	echo "bench/flip-capture: reusing $work/$name.dat (--fresh records anew)"
	exit 0
fi

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	capture_teardown
	rm -f "$work/$name.v6.tmp" "$work/$name.dat.tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

capture_check "$name" "$flipstorm"
trace-cmd list -c 2>/dev/null | grep -qw zstd ||
	die "this trace-cmd cannot compress with zstd (trace-cmd list -c)"

# Each iteration is four calls, each an enter and an exit; the ring buffer
# must hold every one even if all land on one CPU (80 bytes an event, as in
# bench/storm-capture.sh), plus a quarter more for the sched events of a
# busy machine over the run's few seconds.
events=$((iterations * 8))
kb=$(( events * 80 / 1024 * 5 / 4 + 4096 ))
set=()
for e in $CALLS; do
	set+=("syscalls:sys_enter_$e" "syscalls:sys_exit_$e")
done
# shellcheck disable=SC2206	# one event a word
set+=($SCHED)
capture_start "$kb" "${set[@]}"
echo "bench/flip-capture: recording $name.dat: $iterations iterations in $procs processes, buffer $kb KB per CPU"
capture_load "$name" "$flipstorm" --procs "$procs" --iterations "$iterations" \
	> "$work/$name.flipstorm"
capture_extract "$work/$name.v6.tmp" "$work/$name.extract.log"
trace-cmd convert --file-version 7 --compression zstd -i "$work/$name.v6.tmp" \
	-o "$work/$name.dat.tmp" > "$work/$name.convert.log" 2>&1 ||
	{ cat "$work/$name.convert.log" >&2; die "trace-cmd convert to v7 zstd failed"; }
mv "$work/$name.dat.tmp" "$work/$name.dat"
cat "$work/$name.flipstorm"
