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
# path, and no partial flip.dat is ever left.  Reusing the capture needs
# neither.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
T=/sys/kernel/tracing
INST=maptrail_bench_flip
CALLS="mmap mprotect mremap munmap"
SCHED="sched:sched_switch sched:sched_process_fork sched:sched_process_exec
	sched:sched_process_exit task:task_newtask task:task_rename"

die() { echo "bench/flip-capture: $*" >&2; exit 1; }
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

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
flipstorm=$BUILD/bench/flipstorm

mkdir -p "$work" || die "$work: cannot create the work directory"
work=$(cd "$work" && pwd)
case $work/ in "$root"/*) die "$work is inside the repository; use a directory outside it" ;; esac

if [ "$fresh" = 0 ] && [ -s "$work/$name.dat" ]; then
	echo "bench/flip-capture: reusing $work/$name.dat (--fresh records anew)"
	exit 0
fi

mounted=0
storm_pid=
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	# Its children die with it (PR_SET_PDEATHSIG).
	if [ -n "$storm_pid" ]; then kill "$storm_pid" 2>/dev/null || true; fi
	if [ -d "$T/instances/$INST" ]; then
		echo 0 > "$T/instances/$INST/tracing_on" 2>/dev/null || true
		rmdir "$T/instances/$INST" 2>/dev/null ||
			echo "bench/flip-capture: could not remove instance $INST" >&2
	fi
	if [ "$mounted" = 1 ]; then umount "$T"; fi
	rm -f "$work/$name.v6.tmp" "$work/$name.dat.tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v trace-cmd >/dev/null || die "trace-cmd is not installed (apt-get install trace-cmd)"
[ "$(id -u)" = 0 ] || die "recording $name.dat needs root (or reuse an existing capture in $work)"
[ -x "$flipstorm" ] || die "$flipstorm: missing (build first: meson compile -C $BUILD)"
trace-cmd list -c 2>/dev/null | grep -qw zstd ||
	die "this trace-cmd cannot compress with zstd (trace-cmd list -c)"
if ! mountpoint -q "$T"; then
	mount -t tracefs nodev "$T" || die "cannot mount tracefs on $T"
	mounted=1
fi
if [ -d "$T/instances/$INST" ]; then
	echo "bench/flip-capture: removing instance $INST left behind by an earlier run" >&2
	rmdir "$T/instances/$INST" || die "cannot remove $T/instances/$INST"
fi

# Each iteration is four calls, each an enter and an exit; the ring buffer
# must hold every one even if all land on one CPU (80 bytes an event, as in
# bench/storm-capture.sh), plus a quarter more for the sched events of a
# busy machine over the run's few seconds.
events=$((iterations * 8))
kb=$(( events * 80 / 1024 * 5 / 4 + 4096 ))
mkdir "$T/instances/$INST" || die "cannot create instance $INST"
echo "$kb" > "$T/instances/$INST/buffer_size_kb" ||
	die "cannot set a $kb KB per-CPU buffer for $INST (memory?)"
for e in $CALLS; do
	echo "syscalls:sys_enter_$e" >> "$T/instances/$INST/set_event"
	echo "syscalls:sys_exit_$e" >> "$T/instances/$INST/set_event"
done
for e in $SCHED; do
	echo "$e" >> "$T/instances/$INST/set_event" || die "cannot enable $e"
done
echo 1 > "$T/instances/$INST/tracing_on"
echo "bench/flip-capture: recording $name.dat: $iterations iterations in $procs processes, buffer $kb KB per CPU"
# In the background, so that a signal runs the trap at once.
"$flipstorm" --procs "$procs" --iterations "$iterations" > "$work/$name.flipstorm" &
storm_pid=$!
wait "$storm_pid" || die "$flipstorm failed (exit $?)"
storm_pid=
echo 0 > "$T/instances/$INST/tracing_on"
lost=0
for c in "$T/instances/$INST"/per_cpu/cpu*/stats; do
	v=$(awk '/^overrun:|^commit overrun:|^dropped events:/ { n += $NF } END { print n + 0 }' "$c")
	lost=$((lost + v))
done
[ "$lost" = 0 ] || echo "bench/flip-capture: WARNING: $lost events lost while recording $name.dat" >&2
trace-cmd extract -B "$INST" -o "$work/$name.v6.tmp" > "$work/$name.extract.log" 2>&1 ||
	{ cat "$work/$name.extract.log" >&2; die "trace-cmd extract of $INST failed"; }
# trace-cmd extract may have removed the instance already.
if [ -d "$T/instances/$INST" ]; then rmdir "$T/instances/$INST"; fi
trace-cmd convert --file-version 7 --compression zstd -i "$work/$name.v6.tmp" \
	-o "$work/$name.dat.tmp" > "$work/$name.convert.log" 2>&1 ||
	{ cat "$work/$name.convert.log" >&2; die "trace-cmd convert to v7 zstd failed"; }
mv "$work/$name.dat.tmp" "$work/$name.dat"
cat "$work/$name.flipstorm"
