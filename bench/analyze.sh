#!/bin/bash
# The analyze benchmark (issues #2 and #14): how fast, and in how much
# memory, `maptrail analyze` turns a large capture into SQLite, next to
# `trace-cmd report` reading the same file.
#
#   bench/analyze.sh [--fresh] [--work DIR] [--procs P] [--events N] [--runs R]
#                    [--only NAME]... [--memory] [--floor]
#
# Builds nothing: BUILD (default "build", relative to the repository root
# unless absolute) must hold bench/mapstorm and bench/flipstorm (to record)
# and cli/maptrail (to be measured; without it only trace-cmd's figures are
# printed).
#
# Three captures, recorded once into DIR (default /tmp/maptrail-bench) and
# reused until --fresh:
#   storm-full.dat, storm-half.dat  bench/storm-capture.sh: at least N events
#       (default 2000000) and N/2, the sys_enter/sys_exit events of mmap,
#       mprotect, mremap and munmap while P (default 4) mapstorm processes run:
#       no findings at all;
#   flip.dat  bench/flip-capture.sh: 300,000 iterations of mmap RW -> write ->
#       mprotect RX -> mremap grow -> munmap in 4 processes, sched events on,
#       v7 zstd: one finding an iteration.
# --only NAME (storm-full, storm-half or flip; repeatable) measures only those.
#
# For each capture: events (tests/lib/report-count.sh) and lost events (from
# the stats saved in the file); then R rounds (default 3), interleaved (each
# round runs report then analyze on every capture in turn, so that the
# machine's slow moments fall on both), of `trace-cmd report -i F > /dev/null`
# and `maptrail analyze F -o W.db -v --force` (W.db removed first, untimed)
# under /usr/bin/time.  Printed:
# the median and [min-max] over the rounds of both wall times, of the ratio
# analyze/report (paired within a round), of events/s and of peak RSS, then
# analyze's own split of its time (-v: open, load, index, detections, close),
# the three detections that took longest in the last round (-v) and the rows
# it made.
#
# --floor adds, for each capture, what SQLite alone needs to write the rows of
# the last round's database (BUILD's bench/sqlite-floor: the same settings and
# schema, INSERTs of 32 bound rows as analyze's, untimed reading): the CPU
# seconds of one thread, and half of them against report's median, the bound
# no analyze on two cores can beat while it makes the same rows.
#
# --memory measures instead how peak memory grows with the events: flip.dat
# and the same shape with 2 and 4 times the iterations (flip-2x.dat,
# flip-4x.dat: bench/flip-capture.sh --scale), one run each of report and
# analyze, their peak RSS side by side, with the processes and the mappings
# still live at the end (the vma_history rows with no ts_to): analyze keeps
# each process's counters and address space while it loads, so its memory
# follows those, not the events.  The captures are recorded system-wide:
# record them on a quiet machine (--fresh), or the 4x one, recorded over
# more seconds, also holds more of the machine's other processes.
#
# Recording needs root and tracefs (and leaves them as found: see the two
# capture scripts).  Measuring existing captures needs neither.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/common.sh"	# root, bench_workdir, median, spread

die() { echo "bench/analyze: $*" >&2; exit 1; }
usage() {
	echo "usage: bench/analyze.sh [--fresh] [--work DIR] [--procs P] [--events N] [--runs R] [--only NAME]... [--memory] [--floor]" >&2
	exit 2
}

# --fresh, --procs and --events are the capture scripts': passed on, checked there.
capture=()
fresh=()
work=/tmp/maptrail-bench
runs=3
only=()
memory=0
floor=0
while [ $# -gt 0 ]; do
	case $1 in
	--fresh) capture+=(--fresh); fresh=(--fresh); shift ;;
	--work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	--procs|--events) [ $# -ge 2 ] || usage; capture+=("$1" "$2"); shift 2 ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	--only) [ $# -ge 2 ] || usage; only+=("$2"); shift 2 ;;
	--memory) memory=1; shift ;;
	--floor) floor=1; shift ;;
	*) usage ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs: '$runs' is not a positive number"
names=(storm-full storm-half flip)
if [ ${#only[@]} -gt 0 ]; then
	for n in "${only[@]}"; do
		case " ${names[*]} " in *" $n "*) ;; *) die "--only: no capture '$n' (storm-full, storm-half, flip)" ;; esac
	done
	names=("${only[@]}")
fi

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
maptrail=$BUILD/cli/maptrail
sqlite_floor=$BUILD/bench/sqlite-floor
count=$root/tests/lib/report-count.sh

command -v trace-cmd >/dev/null || die "trace-cmd is not installed (apt-get install trace-cmd)"
command -v sqlite3 >/dev/null || die "sqlite3 is not installed (apt-get install sqlite3)"
if [ ! -x /usr/bin/time ]; then
	[ "$(id -u)" = 0 ] || die "/usr/bin/time is missing: apt-get install time"
	echo "bench/analyze: installing /usr/bin/time (package time)"
	apt-get install -y -qq time > /dev/null || die "apt-get install time failed"
fi

# --- peak memory against the number of events (--memory) ----------------------
if [ "$memory" = 1 ]; then
	[ -x "$maptrail" ] || die "$maptrail: missing (build first: meson compile -C $BUILD)"
	out=()
	for k in 1 2 4; do
		BUILD=$BUILD "$here/flip-capture.sh" --work "$work" --scale "$k" "${fresh[@]}" ||
			die "the flip capture x$k could not be made"
		name=flip
		[ "$k" = 1 ] || name=flip-${k}x
		f=$(cd "$work" && pwd)/$name.dat
		n=$("$count" "$f") || die "$f: cannot count its events"
		echo "bench/analyze: measuring $name.dat ($n events)"
		tf=$(mktemp)
		/usr/bin/time -f '%e %M' -o "$tf" trace-cmd report -i "$f" > /dev/null 2>&1 ||
			die "trace-cmd report -i $f failed"
		read -r rs rkb < "$tf"
		/usr/bin/time -f '%e %M' -o "$tf" "$maptrail" analyze "$f" -o "$work/$name.db" --force -q ||
			die "maptrail analyze $f failed"
		read -r as akb < "$tf"
		# what analyze keeps while it loads grows with these, not with the events
		procs=$(sqlite3 "$work/$name.db" "SELECT count(*) FROM process")
		live=$(sqlite3 "$work/$name.db" "SELECT count(*) FROM vma_history WHERE ts_to IS NULL")
		rm -f "$tf" "$work/$name.db"
		out+=("$(printf '%-12s %9s %6s %7s | %8s %8s | %8s %8s | %6s' "$name" "$n" "$procs" "$live" \
			"$rs" "$((rkb / 1024))" "$as" "$((akb / 1024))" \
			"$(awk -v a="$akb" -v r="$rkb" 'BEGIN { printf "%.2f", (r > 0 ? a / r : 0) }')")")
	done
	echo
	printf '%-12s %9s %6s %7s | %-17s | %-17s | %6s\n' "" "" "" "" "trace-cmd report" \
		"maptrail analyze" "RSS"
	printf '%-12s %9s %6s %7s | %8s %8s | %8s %8s | %6s\n' capture events procs "live" \
		"wall s" "RSS MB" "wall s" "RSS MB" an/rep
	for r in "${out[@]}"; do echo "$r"; done
	exit 0
fi

# --- recording (made once into the work directory, shared with bench/queries.sh) ---
case " ${names[*]} " in *" storm-"*)
	BUILD=$BUILD "$here/storm-capture.sh" --work "$work" "${capture[@]}" ||
		die "the storm captures could not be made" ;;
esac
case " ${names[*]} " in *" flip "*)
	BUILD=$BUILD "$here/flip-capture.sh" --work "$work" "${fresh[@]}" ||
		die "the flip capture could not be made" ;;
esac
work=$(cd "$work" && pwd)

# --- measuring ----------------------------------------------------------------
# Lost events as the file's saved stats tell them: overrun, commit overrun and
# dropped events of the capture's own buffer (the last "Buffer:" section; the
# top-level section describes whatever else the machine was tracing).
# Also the sum of "read events" there: what extract read, a check on the count.
file_stats() {
	trace-cmd report --stat -i "$1" 2>/dev/null | awk '
		/^Buffer: / { buf = $2; lost[buf] = 0; got[buf] = 0 }
		/^overrun:|^commit overrun:|^dropped events:/ { lost[buf] += $NF }
		/^read events:/ { got[buf] += $NF }
		END { print lost[buf] + 0, got[buf] + 0 }'
}

# timed NAME COMMAND...: runs it, stdout to /dev/null, stderr to $work/NAME.err;
# sets time_s (wall seconds) and time_kb (peak RSS).
time_s='' time_kb=''
timed() {
	local p=$1 tf rc=0
	shift
	tf=$(mktemp "$work/time.XXXXXX")
	/usr/bin/time -f '%e %M' -o "$tf" "$@" > /dev/null 2> "$work/$p.err" || rc=$?
	read -r time_s time_kb < <(tail -n 1 "$tf")
	rm -f "$tf"
	return "$rc"
}


have_maptrail=0
if [ -x "$maptrail" ]; then have_maptrail=1; else
	echo "bench/analyze: $maptrail is missing: printing trace-cmd's figures only"
fi

declare -A events lost mb rep_s rep_mb rep_evs ana_s ana_mb ana_evs ratio phase made slowest
phase_names=()
for name in "${names[@]}"; do
	f=$work/$name.dat
	[ -s "$f" ] || die "$f: missing"
	n=$("$count" "$f") || die "$f: cannot count its events"
	read -r l got < <(file_stats "$f")
	[ "$got" = "$n" ] || echo "bench/analyze: WARNING: $name.dat: report shows $n events, its stats say $got were read" >&2
	events[$name]=$n lost[$name]=$l
	mb[$name]=$(awk -v b="$(stat -c %s "$f")" 'BEGIN { printf "%.1f", b / 1048576 }')
done

failed=0
for ((r = 1; r <= runs; r++)); do
	for name in "${names[@]}"; do
		f=$work/$name.dat n=${events[$name]}
		echo "bench/analyze: round $r/$runs: $name.dat"
		timed rep trace-cmd report -i "$f" ||
			die "trace-cmd report -i $f failed: $(head -n 3 "$work/rep.err")"
		rs=$time_s
		rep_s[$name]+=" $rs"
		rep_mb[$name]+=" $(awk -v k="$time_kb" 'BEGIN { printf "%.0f", k / 1024 }')"
		rep_evs[$name]+=" $(awk -v n="$n" -v s="$rs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')"
		[ "$have_maptrail" = 1 ] || continue
		# the last round's database is removed untimed: replacing it would
		# time the file system freeing its 200 MB (0.19 s of flip's close)
		rm -f "$work/$name.db"
		if ! timed ana "$maptrail" analyze "$f" -o "$work/$name.db" -v --force; then
			echo "bench/analyze: maptrail analyze $f failed: $(head -n 3 "$work/ana.err")" >&2
			failed=1
			continue
		fi
		ana_s[$name]+=" $time_s"
		ana_mb[$name]+=" $(awk -v k="$time_kb" 'BEGIN { printf "%.0f", k / 1024 }')"
		ana_evs[$name]+=" $(awk -v n="$n" -v s="$time_s" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')"
		ratio[$name]+=" $(awk -v a="$time_s" -v r="$rs" 'BEGIN { printf "%.3f", (r > 0 ? a / r : 0) }')"
		# "F: open 0.33 s, load 2.52 s, index 1.70 s, detections 0.17 s, close 0.15 s":
		# whatever phases analyze names, in its order.
		while read -r p v; do
			case " ${phase_names[*]} " in *" $p "*) ;; *) phase_names+=("$p") ;; esac
			phase[$name,$p]+=" $v"
		done < <(grep -m1 ': open [0-9.]* s' "$work/ana.err" | sed 's/.*: open /open /' |
			tr ',' '\n' | awk '{ print $1, $2 }')
		slowest[$name]=$(grep -m1 ': slowest detections: ' "$work/ana.err" |
			sed 's/.*: slowest detections: //')
		made[$name]=$(sqlite3 "$work/$name.db" \
			"SELECT ((SELECT count(*) FROM mmap) + (SELECT count(*) FROM mprotect) +
			         (SELECT count(*) FROM mremap) + (SELECT count(*) FROM munmap))
			 || ' call rows, ' || (SELECT count(*) FROM vma_history) || ' history rows, '
			 || (SELECT count(*) FROM findings) || ' findings'")
	done
done

# --- the floor (--floor): SQLite alone, on the last round's databases ----------
declare -A floor_s
if [ "$floor" = 1 ] && [ "$have_maptrail" = 1 ]; then
	[ -x "$sqlite_floor" ] || die "$sqlite_floor: missing (build first: meson compile -C $BUILD)"
	for name in "${names[@]}"; do
		[ -s "$work/$name.db" ] || continue
		echo "bench/analyze: the SQLite floor of $name.db"
		"$sqlite_floor" "$work/$name.db" > "$work/floor.out" ||
			die "sqlite-floor $work/$name.db failed"
		sed 's/^/  /' "$work/floor.out"
		floor_s[$name]=$(awk '$1 == "floor_s" { print $2 }' "$work/floor.out")
	done
fi

echo
echo "bench/analyze: $runs interleaved round(s); each figure is the median [min-max] over them"
for name in "${names[@]}"; do
	echo
	echo "$name.dat: ${events[$name]} events, ${mb[$name]} MB, ${lost[$name]} lost"
	# shellcheck disable=SC2086 # the lists are words on purpose
	{
	printf '  %-18s %-22s %-22s %s\n' "" "wall s" "peak RSS MB" "events/s"
	printf '  %-18s %-22s %-22s %s\n' "trace-cmd report" "$(spread ${rep_s[$name]})" \
		"$(spread_int ${rep_mb[$name]})" "$(spread_int ${rep_evs[$name]})"
	if [ -n "${ana_s[$name]:-}" ]; then
		printf '  %-18s %-22s %-22s %s\n' "maptrail analyze" "$(spread ${ana_s[$name]})" \
			"$(spread_int ${ana_mb[$name]})" "$(spread_int ${ana_evs[$name]})"
		echo "  ratio analyze/report: $(spread ${ratio[$name]}) (target 0.40)"
		line="  analyze phases (s):"
		for p in "${phase_names[@]}"; do
			[ -n "${phase[$name,$p]:-}" ] && line+=" $p $(spread ${phase[$name,$p]});"
		done
		echo "${line%;}"
		echo "  slowest detections (last round): ${slowest[$name]:-}"
		echo "  made: ${made[$name]}"
		[ -z "${floor_s[$name]:-}" ] || echo "  SQLite floor: ${floor_s[$name]} s CPU in one thread to write these rows;" \
			"half of it $(awk -v f="${floor_s[$name]}" -v r="$(spread_as %.3f ${rep_s[$name]} | cut -d' ' -f1)" \
				'BEGIN { printf "%.2f", (r > 0 ? f / 2 / r : 0) }')x report (two cores at best)"
	fi
	}
done
echo
echo "(captures in $work; kernel $(uname -r), trace-cmd $(trace-cmd --version 2>/dev/null | awk '/version/ { print $3; exit }'), $(nproc) CPUs)"
[ "$have_maptrail" = 1 ] || echo "maptrail: not built ($maptrail missing)"
[ "$failed" = 0 ] || die "maptrail analyze failed (see above)"
