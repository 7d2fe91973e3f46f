#!/bin/bash
# Lines per folder of the C sources, headers, SQL and shell scripts that git
# tracks at a commit (default HEAD): the tree's shape for a closing note, or
# two commits side by side to show what a change moved.
#
#   scripts/tree-lines.sh [REV]
#
# One row a folder (the files directly in it, not below): files counted, then
# lines of .c, .h, .sql and .sh; a total row last.  Reads the commit itself,
# not the working tree, so uncommitted changes do not count.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-HEAD}
git rev-parse --verify -q "$rev^{commit}" > /dev/null || { echo "usage: $0 [REV]" >&2; exit 2; }

git ls-tree -r --name-only "$rev" | grep -E '\.(c|h|sql|sh)$' | while read -r f; do
	printf '%s %s\n' "$f" "$(git show "$rev:$f" | wc -l)"
done | awk '{
	d = $1; sub(/\/[^\/]*$/, "", d); if (d == $1) d = "."
	e = $1; sub(/.*\./, "", e)
	n[d, e] += $2; files[d]++; total[e] += $2
} END {
	for (d in files)
		printf "%-16s %5d %6d %5d %5d %5d\n", d, files[d], n[d, "c"], n[d, "h"], n[d, "sql"],
		       n[d, "sh"]
	printf "~total           %5s %6d %5d %5d %5d\n", "", total["c"], total["h"], total["sql"],
	       total["sh"]
}' | sort | { printf '%-16s %5s %6s %5s %5s %5s\n' folder files C h SQL sh; sed 's/^~//'; }
