#!/bin/bash
# The export benchmark (issue #17): how fast maptrail export sends the
# benchmark capture's database to a local ClickHouse, and how long the fleet
# questions take on it.
#
#   bench/export.sh [--fresh] [--work DIR] [--procs P] [--events N] [--runs R] [--shards S]
#
# Builds nothing: BUILD (default "build") must hold cli/maptrail (and
# bench/mapstorm if the capture must be recorded, as root, by
# bench/storm-capture.sh into DIR, default /tmp/maptrail-bench).
#
# 1. storm-full.dat analyzed once to DIR/storm-full.export.db.
# 2. S (default 1) clickhouse-server on 127.0.0.1 (scripts/clickhouse-cluster.sh,
#    files in DIR/clickhouse), a fresh database each run.
# 3. `maptrail export DB --clickhouse URL [--cluster fleet] --host bench`, timed:
#    rows, MB of TabSeparated rows, wall seconds, rows/s and MB/s.
# 4. Every fleet question R times (default 3), `--format csv`: rows and the
#    median wall seconds.  host=bench; pid, addr and ts from the process with
#    the most history rows (a mapping's start, the middle of its life).
# The servers are stopped by pid on every exit.  Run it nice'd on a shared machine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

die() { echo "bench/export: $*" >&2; exit 1; }
usage() {
	echo "usage: bench/export.sh [--fresh] [--work DIR] [--procs P] [--events N] [--runs R] [--shards S]" >&2
	exit 2
}

capture=()
work=/tmp/maptrail-bench
runs=3
shards=1
while [ $# -gt 0 ]; do
	case $1 in
	--fresh) capture+=(--fresh); shift ;;
	--work) [ $# -ge 2 ] || usage; work=$2; shift 2 ;;
	--procs|--events) [ $# -ge 2 ] || usage; capture+=("$1" "$2"); shift 2 ;;
	--runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
	--shards) [ $# -ge 2 ] || usage; shards=$2; shift 2 ;;
	*) usage ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs: '$runs' is not a positive number"
[[ $shards =~ ^[1-9]$ ]] || die "--shards: '$shards' is not 1 to 9"

build=${BUILD:-build}
[[ $build = /* ]] || build=$root/$build
maptrail=$build/cli/maptrail
[ -x "$maptrail" ] || die "no $maptrail (scripts/build.sh)"
"$here/storm-capture.sh" --work "$work" "${capture[@]}"
work=$(cd "$work" && pwd)
dat=$work/storm-full.dat
db=$work/storm-full.export.db
if [ ! -f "$db" ] || [ "$dat" -nt "$db" ]; then
	"$maptrail" analyze "$dat" -o "$db" --force -q
fi

chdir=$work/clickhouse
"$root/scripts/clickhouse-cluster.sh" stop "$chdir" 2> /dev/null || true
rm -rf "$chdir"
trap '"$root/scripts/clickhouse-cluster.sh" stop "$chdir"' EXIT
mapfile -t urls < <("$root/scripts/clickhouse-cluster.sh" start "$chdir" "$shards")
args=()
for u in "${urls[@]}"; do args+=(--clickhouse "$u"); done
[ "$shards" -gt 1 ] && args+=(--cluster fleet)
database=bench$$

now() { date +%s.%N; }
echo "database: $db ($(du -m "$db" | cut -f1) MB), $shards ClickHouse server(s), $(clickhouse-client --version 2>/dev/null | head -1)"
t0=$(now)
line=$("$maptrail" export "$db" "${args[@]}" --database "$database" --host bench)
t1=$(now)
echo "$line"
rows=$(sed -n 's/.*: \([0-9]*\) rows, .*/\1/p' <<< "$line")
mb=$(sed -n 's/.* rows, \([0-9.]*\) MB in .*/\1/p' <<< "$line")
awk -v r="$rows" -v m="$mb" -v a="$t0" -v b="$t1" 'BEGIN {
	s = b - a
	printf "export: %d rows, %.1f MB in %.2f s wall (whole command): %.0f rows/s, %.1f MB/s\n", r, m, s, r / s, m / s }'

# Parameters from the database itself.
read -r pid start end from to < <(sqlite3 -separator ' ' "$db" \
	"SELECT pid, start_addr, end_addr, ts_from, coalesce(ts_to, ts_from + 1) FROM vma_history
	  WHERE pid = (SELECT pid FROM vma_history GROUP BY pid ORDER BY count(*) DESC LIMIT 1)
	  ORDER BY id LIMIT 1 OFFSET 100")
ts=$(( from + (to - from) / 2 ))
printf '\n%-15s %8s %10s\n' question rows median_s
for q in $("$maptrail" query --clickhouse "${urls[0]}" --list | awk 'NR > 1 { print $1 }'); do
	params=()
	case $q in
	host-timeline) params=(--param host=bench) ;;
	address-at) params=(--param host=bench --param "pid=$pid" --param "addr=$start" --param "ts=$ts") ;;
	esac
	times=()
	for _ in $(seq "$runs"); do
		a=$(now)
		n=$("$maptrail" query --clickhouse "${urls[0]}" --database "$database" "$q" "${params[@]}" \
			--format csv | wc -l)
		b=$(now)
		times+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b - a }')")
	done
	median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	printf '%-15s %8d %10s\n' "$q" $((n - 1)) "$median"
done
