#!/bin/bash
# End-to-end: the identity records of maptrail record (issue 13) on this
# machine's kernel, checked with trace-cmd report against what the workloads
# saw of themselves (tests/workload/identity.c, their /proc/self/maps).
#
#   tests/e2e/identity.sh path/to/maptrail     (identity: BUILD/tests/identity)
#
#   memfd    -- identity memfd: the exec snapshot, the memfd's name behind its mmap
#   shm      -- identity shm: dlopen from /dev/shm, each mapping named, on a tmpfs
#   maps     -- identity maps: a file closed and unlinked right after its mmap
#   doublemap -- identity doublemap 2000: one memfd, each page mapped shared rw- and r-x
#            (a JIT's W^X by double mapping): every mmap there, the memfd named
#   attach   -p of a process with 3 threads: proc, threads and maps as it sees them
#   tracer   -p VICTIM while gdb injects mmap(0,4096,7,0x22,-1,0): gdb joins the
#            recording as a tracer, its ptrace calls and the victim's RWX mmap are there
#   system   the whole system while gdb injects: the victim (there before the
#            start) has its name, gdb's PTRACE_ATTACH of it is there
#
# KEEP=DIR keeps the captures and outputs.  Needs root, tracefs, syscall
# tracepoints and gdb (exit 77 otherwise).  Tracefs is left as found.
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$(dirname "$maptrail")/.." && pwd)
identity=${IDENTITY:-$build/tests/identity}
shmlib=$build/tests/libshmlib.so
. "$here/../lib/record-test.sh"

victim=
on_exit() { [ -n "$victim" ] && kill "$victim" 2>/dev/null && wait "$victim" 2>/dev/null; }
record_test_begin identity trace-cmd python3 gdb
[ -x "$identity" ] || fail "$identity: not built"
[ -e "$shmlib" ] || fail "$shmlib: not built"
export IDENTITY_BIN=$identity GDB_BIN=$(command -v gdb)
record_test_tracepoints mmap

check() { python3 "$here/identity.py" "$@" || fail "identity.py $1"; }

# record NAME COMMAND...: NAME.dat and NAME.out of the workload
record_cmd() {
	local name=$1
	shift
	tracefs_run "$maptrail" record --backend tracepoint -o "$work/$name.dat" -- "$@" \
		> "$work/$name.out" 2> "$work/$name.err" || fail "recording $name failed: $(cat "$work/$name.err")"
	check_state "after recording $name"
}

record_cmd memfd "$identity" memfd "$work/memfd.maps"
check memfd "$work/memfd.dat" "$work"
record_cmd shm "$identity" shm "$shmlib" "$work/shm.maps"
check shm "$work/shm.dat" "$work"
record_cmd maps "$identity" maps "$work/maps.maps"
check maps "$work/maps.dat" "$work"
record_cmd doublemap "$identity" doublemap 2000 "$work/doublemap.maps"
check doublemap "$work/doublemap.dat" "$work"

# start_victim NAME ARGS...: a waiting identity process, its pid in $victim
start_victim() {
	local name=$1
	shift
	"$identity" "$@" "$work/$name.maps" > "$work/$name.out" &
	victim=$!
	for _ in $(seq 100); do
		grep -q '^ready' "$work/$name.out" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "$name: the victim did not get ready"
}
stop_victim() {
	kill "$victim" && wait "$victim" || true
	victim=
}

# record_around NAME DURATION RECORD-ARGS...: a recording in the background
# while gdb injects an RWX mmap into the victim; gdb's pid in $gdb_pid
record_around() {
	local name=$1 duration=$2 rec
	shift 2
	"$maptrail" record --backend tracepoint -o "$work/$name.dat" --duration "$duration" "$@" \
		2> "$work/$name.err" &
	rec=$!
	tracefs_mine "$rec"
	# the recording is on once its instance has tracing on
	for _ in $(seq 100); do
		grep -qs 1 "$T"/instances/maptrail-"$rec"/tracing_on && break
		sleep 0.05
	done
	sleep 0.5
	# gdb stays a second after its call: the recorder snapshots a tracer from /proc when
	# it reads the tracer's first ptrace from its buffer, which on a loaded machine can
	# be after a bare `gdb -batch` has exited (then only the tracer record names it)
	gdb -p "$victim" -batch -ex 'call (void*)mmap(0,4096,7,0x22,-1,0)' \
		-ex 'python import time; time.sleep(1)' > "$work/gdb.out" 2>&1 &
	gdb_pid=$!
	wait "$gdb_pid" || fail "gdb failed: $(cat "$work/gdb.out")"
	wait "$rec" || fail "recording $name failed: $(cat "$work/$name.err")"
	check_state "after recording $name"
}

start_victim attach threads 3
tracefs_run "$maptrail" record --backend tracepoint -o "$work/attach.dat" --duration 1 \
	-p "$victim" 2> "$work/attach.err" || fail "recording attach failed: $(cat "$work/attach.err")"
check_state "after recording attach"
check attach "$work/attach.dat" "$work" attach
record_around tracer 4 -p "$victim"
grep -q "called ptrace on recorded process $victim" "$work/tracer.err" ||
	fail "record did not say that gdb joined: $(cat "$work/tracer.err")"
check tracer "$work/tracer.dat" "$work" attach "$gdb_pid"
stop_victim

start_victim system victim
record_around system 4
check system "$work/system.dat" "$work" system "$gdb_pid"
stop_victim
echo "identity: ok"
