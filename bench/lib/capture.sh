# Sourced by bench/storm-capture.sh and bench/flip-capture.sh: what making a
# benchmark capture takes besides the load itself.  The events are recorded in
# a tracefs instance of the script's own whose per-CPU buffer the script sizes
# to hold every event even if all land on one CPU; the per-CPU overrun and
# dropped counts are checked afterwards (the target is 0 lost), the buffers
# extracted with trace-cmd, and tracefs left as it was found on every exit
# path: the instance removed, and tracefs unmounted if this mounted it.
#
# The sourcing script sets CAPTURE_PROG (what its messages start with) and
# INST (the instance's name) first, and calls capture_teardown from its EXIT
# trap.  This sets root (the repository), T (tracefs) and BUILD (the build
# directory: $BUILD, default "build", relative to the repository unless
# absolute), and defines die.

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
T=/sys/kernel/tracing
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
capture_mounted=0
capture_pid=

die() { echo "$CAPTURE_PROG: $*" >&2; exit 1; }

# capture_check NAME LOADGEN: what recording NAME.dat with the load generator
# LOADGEN needs.
capture_check() {
	command -v trace-cmd >/dev/null || die "trace-cmd is not installed (apt-get install trace-cmd)"
	[ "$(id -u)" = 0 ] || die "recording $1.dat needs root (or reuse an existing capture in $work)"
	[ -x "$2" ] || die "$2: missing (build first: meson compile -C $BUILD)"
}

# capture_start KB EVENT...: the instance made anew (one an earlier run left
# behind is removed) with a per-CPU buffer of KB kilobytes and each EVENT
# (system:name) on, and tracing on.
capture_start() {
	local kb=$1 e
	shift
	if ! mountpoint -q "$T"; then
		mount -t tracefs nodev "$T" || die "cannot mount tracefs on $T"
		capture_mounted=1
	fi
	if [ -d "$T/instances/$INST" ]; then
		echo "$CAPTURE_PROG: removing instance $INST left behind by an earlier run" >&2
		rmdir "$T/instances/$INST" || die "cannot remove $T/instances/$INST"
	fi
	mkdir "$T/instances/$INST" || die "cannot create instance $INST"
	echo "$kb" > "$T/instances/$INST/buffer_size_kb" ||
		die "cannot set a $kb KB per-CPU buffer for $INST (memory?)"
	for e in "$@"; do
		echo "$e" >> "$T/instances/$INST/set_event" || die "cannot enable $e"
	done
	echo 1 > "$T/instances/$INST/tracing_on"
}

# capture_load NAME COMMAND...: COMMAND run while the instance records NAME.dat
# (in the background, so that a signal runs the EXIT trap at once), then
# tracing off and a warning on stderr if any CPU lost events.
capture_load() {
	local name=$1 c v lost=0
	shift
	"$@" &
	capture_pid=$!
	wait "$capture_pid" || die "$1 failed (exit $?)"
	capture_pid=
	echo 0 > "$T/instances/$INST/tracing_on"
	for c in "$T/instances/$INST"/per_cpu/cpu*/stats; do
		v=$(awk '/^overrun:|^commit overrun:|^dropped events:/ { n += $NF } END { print n + 0 }' "$c")
		lost=$((lost + v))
	done
	[ "$lost" = 0 ] || echo "$CAPTURE_PROG: WARNING: $lost events lost while recording $name.dat" >&2
}

# capture_extract OUT LOG: the instance's buffers into the trace.dat OUT
# (trace-cmd's output in LOG, shown on failure); the instance is removed.
capture_extract() {
	trace-cmd extract -B "$INST" -o "$1" > "$2" 2>&1 ||
		{ cat "$2" >&2; die "trace-cmd extract of $INST failed"; }
	# trace-cmd extract may have removed the instance already.
	if [ -d "$T/instances/$INST" ]; then rmdir "$T/instances/$INST"; fi
}

# capture_teardown: for the EXIT trap.  The load generator is killed (its
# children die with it: PR_SET_PDEATHSIG), the instance removed, tracefs
# unmounted if capture_start mounted it.
capture_teardown() {
	if [ -n "$capture_pid" ]; then kill "$capture_pid" 2>/dev/null || true; fi
	if [ -d "$T/instances/$INST" ]; then
		echo 0 > "$T/instances/$INST/tracing_on" 2>/dev/null || true
		rmdir "$T/instances/$INST" 2>/dev/null ||
			echo "$CAPTURE_PROG: could not remove instance $INST" >&2
	fi
	if [ "$capture_mounted" = 1 ]; then umount "$T"; fi
	capture_mounted=0
}
