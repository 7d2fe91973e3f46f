# Sourced by the record tests: the tracing state a recording must leave as it
# found it.  Needs T (the tracefs mount point) and fail().
#
# What a recording may touch, and must leave as it was: maptrail's own
# instances and probes (always compared), and the top level (compared while
# nobody else uses tracefs: this machine may run other tracing sessions, whose
# instances are not maptrail's to compare or touch).
#
#   . tests/lib/tracefs-state.sh
#   ... record ...
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
ours() {
	mountpoint -q "$T" || { echo "tracefs not mounted"; return; }
	echo "instances: $(ls "$T/instances" | grep -E '^maptrail-[0-9]+$' | tr '\n' ' ' || true)"
	echo "maptrail probes: $(grep -c ' maptrail/\|:maptrail/' "$T/dynamic_events" || true)"
}
top() {
	mountpoint -q "$T" || return 0
	echo "other instances: $(ls "$T/instances" | grep -vE '^maptrail-[0-9]+$' | tr '\n' ' ' || true)"
	for f in tracing_on set_event set_event_pid buffer_size_kb current_tracer trace_clock \
		trace_options; do
		[ -e "$T/$f" ] && echo "$f: $(tr '\n' ' ' < "$T/$f")"
	done
}
ours_before=$(ours)
top_before=$(top)
check_state() {
	local o t
	o=$(ours)
	[ "$o" = "$ours_before" ] || fail "$1: maptrail's tracing state changed:
$(diff <(echo "$ours_before") <(echo "$o") || true)"
	t=$(top)
	[ "$t" = "$top_before" ] && return
	if [ "$(grep '^other instances' <<< "$t")" != "$(grep '^other instances' <<< "$top_before")" ]; then
		echo "note: $1: another tracefs user came or went; top level not compared"
		top_before=$t
		return
	fi
	fail "$1: top-level tracing state changed:
$(diff <(echo "$top_before") <(echo "$t") || true)"
}
