#!/bin/bash
# Prints the number of events that `trace-cmd report` prints for FILE.
#
#   tests/lib/report-count.sh FILE
#
# trace-cmd 3.1 prints a `cpus=N` header line, then one line per event:
#
#   [BUFFER:]  COMM-PID  [CPU]  TS: EVENT: payload
#
# A file with instances prefixes each line with the buffer's name and a colon
# (the top buffer's lines are padded instead); the comm may hold spaces; the
# timestamp is an integer for clocks that are not in ns (counter, x86-tsc).
# Other lines are not events: the header, "CPU:N [N EVENTS DROPPED]" markers,
# a "version = 6" line some versions print, and continuation lines of an
# event whose payload spans lines (stacks, a trace_marker write with '\n').
# So an event is a line with "-PID [CPU] TS: " in it, matched as a whole:
# counting lines (`wc -l` minus one) would count the non-events too, and
# --cpu filters do not reach instance buffers in trace-cmd 3.1.6.
#
# trace-cmd report exits 0 with no output at all on many truncated files (and
# crashes on others), so a missing `cpus=` header is an error here, as is a
# non-zero exit: a broken file never counts as "0 events".
set -euo pipefail

die() { echo "report-count: $*" >&2; exit 1; }
[ $# -eq 1 ] || { echo "usage: report-count.sh FILE" >&2; exit 2; }
f=$1
[ -r "$f" ] || die "$f: cannot read"
command -v trace-cmd >/dev/null || die "trace-cmd is not installed"

export LC_ALL=C
n=$(trace-cmd report -i "$f" | awk '
	NR == 1 { header = ($0 ~ /^cpus=[0-9]+$/) }
	/-[0-9]+ +\[[0-9]+\] +[0-9]+(\.[0-9]+)?: / { n++ }
	END { if (!header) print "noheader"; else print n + 0 }') ||
	die "$f: trace-cmd report failed (exit $?)"
[ "$n" != noheader ] || die "$f: trace-cmd report printed no cpus= header (truncated or not a trace.dat?)"
echo "$n"
