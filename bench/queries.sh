#!/bin/bash
# The queries benchmark (issues #6 and #14): how long analyze takes to build
# the address-space history and the findings, how long every canned query
# takes to answer, and `maptrail report`, on a benchmark capture.
#
#   bench/queries.sh [--capture storm-full|flip] [--fresh] [--work DIR]
#                    [--procs P] [--events N] [--runs R]
#
# Builds nothing: BUILD (default "build", relative to the repository root
# unless absolute) must hold cli/maptrail (and bench/mapstorm or
# bench/flipstorm if the capture must be recorded).  The capture (default
# storm-full) is bench/storm-capture.sh's storm-full.dat, no findings, or
# bench/flip-capture.sh's flip.dat, 300,000 findings' calls, in DIR (default
# /tmp/maptrail-bench; --fresh, --procs and --events are passed to the
# script): recorded once (root), reused after.
#
# 1. `maptrail analyze storm-full.dat -o DIR/storm-full.queries.db -v --force`:
#    prints analyze's own time per phase (-v).
# 2. Every canned query (`maptrail query --list`; without `maptrail query`,
#    the files queries/*.sql run by sqlite3), R times (default 3):
#    `maptrail query DB NAME --format csv > FILE` (or `sqlite3 -csv DB <
#    queries/NAME.sql`), and prints a table: query, rows, median wall seconds,
#    and whether that is under issue #14's target of half a second.  Queries
#    with parameters (the `-- params:` of their header) get pid (and tid) =
#    the process with the most history rows, addr = the start of one of its
#    mappings, ts = the middle of the capture, id = the finding with the most
#    calls; other parameters stay unbound (NULL: "any").  A query that needs
#    a finding is skipped on a capture without one.
# 3. `maptrail report DB` (text, to /dev/null), R times: the median, against
#    issue #14's target of one second.
#
# Exits 1 if analyze or a query fails (a slow query is printed, not an error).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

die() { echo "bench/queries: $*" >&2; exit 1; }
usage() {
	echo "usage: bench/queries.sh [--capture storm-full|flip] [--fresh] [--work DIR] [--procs P] [--events N] [--runs R]" >&2
	exit 2
}

capture=()
work=/tmp/maptrail-bench
runs=3
name=storm-full
while [ $# -gt 0 ]; do
	case $1 in
	--capture) [ $# -ge 2 ] || usage; name=$2; shift 2 ;;
	--fresh) capture+=(--fresh); shift ;;
	--work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	--procs|--events) [ $# -ge 2 ] || usage; capture+=("$1" "$2"); shift 2 ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	*) usage ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs: '$runs' is not a positive number"
case $name in
storm-full) make=storm-capture.sh ;;
flip) make=flip-capture.sh ;;
*) die "--capture: no capture '$name' (storm-full, flip)" ;;
esac

BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
maptrail=$BUILD/cli/maptrail
[ -x "$maptrail" ] || die "$maptrail: missing (build first: meson compile -C $BUILD)"
for tool in sqlite3 python3; do
	command -v "$tool" > /dev/null || die "$tool is not installed"
done

BUILD=$BUILD "$here/$make" --work "$work" "${capture[@]}" ||
	die "the capture could not be made"
work=$(cd "$work" && pwd)
dat=$work/$name.dat
db=$work/$name.queries.db
out=$(mktemp -d /tmp/maptrail-bench-queries.XXXXXX)
trap 'rm -rf "$out"' EXIT

# --- analyze ------------------------------------------------------------------
echo "bench/queries: maptrail analyze $dat"
t0=$EPOCHREALTIME
"$maptrail" analyze "$dat" -o "$db" -v --force > /dev/null 2> "$out/analyze.err" ||
	die "maptrail analyze failed: $(cat "$out/analyze.err")"
t1=$EPOCHREALTIME
grep -v '^\r' "$out/analyze.err" | sed 's/^/  /'
q() { sqlite3 -batch -noheader "$db" "$1"; }
has() { [ "$(q "SELECT count(*) FROM sqlite_master WHERE name = '$1'")" = 1 ]; }
echo "  wall $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s;" \
	"$(q "SELECT event_count FROM capture") events," \
	"$(has vma_history && q "SELECT count(*) FROM vma_history" || echo "no") history rows," \
	"$(has findings && q "SELECT count(*) FROM findings" || echo "no") findings"

# --- the parameters -----------------------------------------------------------
pid='' addr='' ts='' id=''
if has vma_history; then
	pid=$(q "SELECT pid FROM vma_history GROUP BY pid ORDER BY count(*) DESC LIMIT 1")
	[ -z "$pid" ] ||
		addr=$(q "SELECT start_addr FROM vma_history WHERE pid = $pid
			  ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM vma_history
			  WHERE pid = $pid)")
fi
ts=$(q "SELECT (first_ts + last_ts) / 2 FROM capture")
has findings && id=$(q "SELECT id FROM findings ORDER BY calls DESC, id LIMIT 1")
# the names in a query's `-- params:` header value (continued on `--  ` lines)
params_of() {
	[ -r "$root/queries/$1.sql" ] || return 0
	awk '/^--/ == 0 { exit }
	     /^-- params:/ { on = 1; v = substr($0, 12); next }
	     on && /^--  / { v = v " " substr($0, 3); next }
	     { on = 0 }
	     END { n = split(v, p, ";"); for (i = 1; i <= n; i++) {
		     sub(/^ */, "", p[i]); sub(/:.*/, "", p[i]);
		     if (p[i] ~ /^[a-z_][a-z_0-9]*$/) print p[i] } }' "$root/queries/$1.sql"
}
value_of() {
	case $1 in
	pid|tid) echo "$pid" ;;
	addr) [ -n "$addr" ] && printf '0x%x\n' "$addr" ;;
	ts) echo "$ts" ;;
	id) echo "$id" ;;
	esac
}

# --- the queries --------------------------------------------------------------
if "$maptrail" query --list > "$out/list" 2> /dev/null; then
	how="maptrail query --format csv"
	names=$(awk 'NR > 1 { print $1 }' "$out/list")
else
	how="sqlite3 -csv < queries/NAME.sql"
	names=$(for f in "$root"/queries/[a-z]*.sql; do [ -e "$f" ] && basename "$f" .sql; done)
fi
[ -n "$names" ] || die "no canned query to time"
echo "bench/queries: each query $runs times ($how), median wall time"

rows=()
failed=0
slow=0
for name in $names; do
	args=() sets="" shown=""
	if params_of "$name" | grep -qx id && [ -z "$id" ]; then
		rows+=("$(printf '%-24s %9s %8s  %-6s %s' "$name" - - skip "no finding in this capture")")
		continue
	fi
	for p in $(params_of "$name"); do
		v=$(value_of "$p")
		[ -n "$v" ] || continue
		args+=(--param "$p=$v")
		sets+=".param set :$p $v"$'\n'
		shown+="${shown:+ }$p=$v"
	done
	times=()
	for ((r = 0; r < runs; r++)); do
		t0=$EPOCHREALTIME
		if [ "$how" = "${how#sqlite3}" ]; then
			"$maptrail" query "$db" "$name" "${args[@]}" --format csv \
				> "$out/rows.csv" 2> "$out/err" || { failed=1; break; }
		else
			{ printf '%s' "$sets"; cat "$root/queries/$name.sql"; } |
				sqlite3 -batch -bail -csv -header "$db" > "$out/rows.csv" 2> "$out/err" ||
				{ failed=1; break; }
		fi
		t1=$EPOCHREALTIME
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
	done
	if [ "${#times[@]}" -lt "$runs" ]; then
		rows+=("$(printf '%-24s %9s %8s  %-6s %s' "$name" - - FAILED "$(head -n 1 "$out/err")")")
		continue
	fi
	n=$(python3 -c 'import csv, sys; print(max(0, sum(1 for _ in csv.reader(open(sys.argv[1]))) - 1))' \
		"$out/rows.csv")
	med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
	verdict=ok
	if awk -v s="$med" 'BEGIN { exit !(s >= 0.5) }'; then verdict=SLOW; slow=$((slow + 1)); fi
	rows+=("$(printf '%-24s %9s %8s  %-6s %s' "$name" "$n" "$med" "$verdict" "$shown")")
done

# --- the report ---------------------------------------------------------------
times=()
for ((r = 0; r < runs; r++)); do
	t0=$EPOCHREALTIME
	"$maptrail" report "$db" > /dev/null 2> "$out/err" || { failed=1; break; }
	t1=$EPOCHREALTIME
	times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
done
if [ "${#times[@]}" -lt "$runs" ]; then
	report_row=$(printf '%-24s %9s %8s  %-6s %s' "(maptrail report)" - - FAILED "$(head -n 1 "$out/err")")
else
	med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
	verdict=ok
	if awk -v s="$med" 'BEGIN { exit !(s >= 1) }'; then verdict=SLOW; slow=$((slow + 1)); fi
	report_row=$(printf '%-24s %9s %8s  %-6s %s' "(maptrail report)" - "$med" "$verdict" "text; target < 1 s")
fi

echo
printf '%-24s %9s %8s  %-6s %s\n' query rows seconds "< 0.5 s" params
for r in "${rows[@]}"; do echo "$r"; done
echo "$report_row"
echo "(database $db; $(nproc) CPUs; kernel $(uname -r))"
[ "$slow" = 0 ] || echo "bench/queries: $slow over their targets (0.5 s a query, 1 s the report)"
[ "$failed" = 0 ] || die "a query failed (see above)"
