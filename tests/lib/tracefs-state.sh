# Sourced by the record tests: the tracing state a recording must leave as it
# found it.  Needs T (the tracefs mount point) and fail().
#
# Other recordings may run on this machine at the same time (other test runs,
# other people): their maptrail-<pid> instances come and go, and a killed one
# leaves its instance until someone cleans up.  So a test judges only what it
# made itself: the recordings it starts through tracefs_run, whose pids it
# knows, must leave no instance maptrail-<pid> behind.  The rest is compared
# only while it is not shared: maptrail's kprobe group (shared by every
# recorder) while no other maptrail instance exists, the top level while no
# other instance at all comes or goes.
#
#   . tests/lib/tracefs-state.sh
#   tracefs_run "$maptrail" record ... > out 2> err || fail ...
#   check_state "after SIGINT"
#   tracefs_restore			# in the script's exit trap
#
# A SIGKILLed recording cannot unmount the tracefs it mounted, so the tests
# mount tracefs themselves when it is not mounted (and compare from there),
# and unmount it at the end: the machine is left as the test found it.
tracefs_mounted_here=
if ! mountpoint -q "$T"; then
	mount -t tracefs nodev "$T" || fail "cannot mount tracefs at $T"
	tracefs_mounted_here=1
fi
tracefs_restore() {
	if [ -n "$tracefs_mounted_here" ]; then umount "$T" 2>/dev/null || true; fi
}

# The pids of the recordings this test started: their instances are its own.
own_pids=
tracefs_mine() {	# tracefs_mine PID: a recording this test started
	own_pids="$own_pids $1"
}
# Runs a command (maptrail record, possibly behind a prefix that execs it, such
# as setpriv) in the background so that its pid is known, and waits for it.
tracefs_run() {	# tracefs_run COMMAND ARGS...; returns its exit status
	"$@" &
	tracefs_mine $!
	wait $!
}
own_instance() {	# own_instance NAME: whether NAME is maptrail-<one of own_pids>[-watch]
	local p
	for p in $own_pids; do
		[ "$1" = "maptrail-$p" ] || [ "$1" = "maptrail-$p-watch" ] && return 0
	done
	return 1
}
instances() {
	mountpoint -q "$T" && ls "$T/instances"
}
# Instances that are not this test's own, maptrail's or anyone else's.
foreign() {
	local i
	for i in $(instances); do own_instance "$i" || echo "$i"; done | tr '\n' ' '
}
ours() {
	local i
	mountpoint -q "$T" || { echo "tracefs not mounted"; return; }
	echo "own instances: $(for i in $(instances); do own_instance "$i" && echo "$i"; done |
		tr '\n' ' ')"
}
probes() {
	mountpoint -q "$T" || return 0
	echo "maptrail probes: $(grep -c ' maptrail/\|:maptrail/' "$T/dynamic_events" || true)"
}
top() {
	local f
	mountpoint -q "$T" || return 0
	for f in tracing_on set_event set_event_pid buffer_size_kb current_tracer trace_clock \
		trace_options; do
		[ -e "$T/$f" ] && echo "$f: $(tr '\n' ' ' < "$T/$f")"
	done
}
ours_before=$(ours)
foreign_before=$(foreign)
probes_before=$(probes)
top_before=$(top)
check_state() {
	local o f p t
	o=$(ours)
	[ "$o" = "$ours_before" ] || fail "$1: a recording of this test left tracing state:
$(diff <(echo "$ours_before") <(echo "$o") || true)"
	f=$(foreign)
	if [ "$f" != "$foreign_before" ]; then
		echo "note: $1: another tracefs user came or went ($foreign_before-> $f);" \
			"its state and the shared top level not compared"
		foreign_before=$f probes_before=$(probes) top_before=$(top)
		return
	fi
	p=$(probes)
	if ! grep -q 'maptrail-' <<< "$f"; then
		[ "$p" = "$probes_before" ] || fail "$1: maptrail's kprobes changed:
$(diff <(echo "$probes_before") <(echo "$p") || true)"
	fi
	t=$(top)
	[ "$t" = "$top_before" ] || fail "$1: top-level tracing state changed:
$(diff <(echo "$top_before") <(echo "$t") || true)"
}
