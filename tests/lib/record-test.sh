# Sourced by the end-to-end tests that record (tests/e2e/record.sh,
# detections.sh, flight.sh, identity.sh, jit-runtimes.sh, record-kill.sh,
# wallclock.sh, analyze-signals.sh): the start and the end every one of them
# shares.  Sets T, defines skip and fail (exit 77 and 1, as meson reads them).
#
#   . "$here/../lib/record-test.sh"
#   record_test_begin NAME TOOL...	# skips without root or a TOOL; then $work
#					# (/tmp/maptrail-NAME.XXXXXX), the EXIT trap
#					# and the tracing state (tracefs-state.sh)
#   record_test_tracepoints mmap		# skips without sys_enter_mmap
#   on_exit() { record_test_stop "$rec"; }	# a recorder in the background
#
# A test with more to undo on exit (a recorder or a workload left running)
# defines on_exit, which the EXIT trap runs first.  The trap then copies $work
# into $KEEP when KEEP=DIR is set, removes $work and leaves tracefs mounted or
# not as the test found it.
T=/sys/kernel/tracing

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

record_test_begin() {
	local name=$1 tool
	shift
	[ "$(id -u)" = 0 ] || skip "recording needs root"
	for tool in "$@"; do
		command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install-deps.sh --test)"
	done
	work=$(mktemp -d "/tmp/maptrail-$name.XXXXXX")
	trap record_test_end EXIT
	# The tracing state before, compared by check_state after each recording.
	. "$(dirname "${BASH_SOURCE[0]}")/tracefs-state.sh"
}

record_test_end() {
	if declare -F on_exit > /dev/null; then on_exit || true; fi
	if [ -n "${KEEP:-}" ]; then
		mkdir -p "$KEEP" && cp -r "$work"/* "$KEEP"/ && echo "kept in $KEEP"
	fi
	rm -rf "$work"
	if declare -F tracefs_restore > /dev/null; then tracefs_restore; fi
}

# record_test_stop PID: for on_exit.  The recording PID (maptrail record in
# the background; none when empty) stopped as a user stops it (SIGINT) if it
# still runs, and what a killed one left in tracefs removed (record --cleanup).
# Needs maptrail (the binary under test).
record_test_stop() {
	if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
		kill -INT "$1"
		wait "$1" 2>/dev/null || true
	fi
	"$maptrail" record --cleanup -q 2>/dev/null || true
}

# record_test_tracepoints CALL [or-kprobes]: skips without the syscall
# tracepoint sys_enter_CALL; with "or-kprobes", only when there are no kprobes
# either (the recorder takes whichever the kernel has).
record_test_tracepoints() {
	[ -d "$T/events/syscalls/sys_enter_$1" ] && return
	[ "${2:-}" = or-kprobes ] || skip "no syscall tracepoints in this kernel"
	[ -e "$T/kprobe_events" ] || skip "neither syscall tracepoints nor kprobes in this kernel"
}
