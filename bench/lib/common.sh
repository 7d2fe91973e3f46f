# Sourced by the benchmark scripts: what several of them need besides their
# own measuring.  The sourcing script defines die (one line, then exit 1);
# this sets root (the repository).

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# bench_workdir DIR: sets work to DIR, made and absolute; a directory inside
# the repository is refused (the captures are big and not the repository's).
bench_workdir() {
	mkdir -p "$1" || die "$1: cannot create the work directory"
	work=$(cd "$1" && pwd)
	case $work/ in
	"$root"/*) die "$work is inside the repository; use a directory outside it" ;;
	esac
}

# median: the median of the numbers on stdin, one a line, as awk prints it.
median() {
	sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# spread_as FORMAT V...: "median [min-max]" of the numbers given, each printed with the
# printf FORMAT (one value: itself).
spread_as() {
	local fmt=$1
	shift
	printf '%s\n' "$@" | sort -g | awk -v f="$fmt" '
		{ v[NR] = $1 }
		END {
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			if (NR == 1) printf f, m
			else printf f " [" f "-" f "]", m, v[1], v[NR]
		}'
}
# spread V...: two decimals; spread_int V...: whole numbers.
spread() { spread_as %.2f "$@"; }
spread_int() { spread_as %.0f "$@"; }
