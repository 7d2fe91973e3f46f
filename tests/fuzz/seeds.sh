#!/bin/bash
# The seed corpus of a harness, made from tests/fixtures, into DIR:
#   tests/fuzz/seeds.sh tracedat|small|history DIR
# tracedat: every fixture capture of at most 256 KB as it is, the v6 ones cut
# down to their memory calls' formats and two pages a CPU (cut-v6.py), and
# the hostile captures (tests/fixtures/hostile/).  small: those of them under
# 64 KB, for the harnesses that run libtracecmd, whose open parses every event
# format (a whole fixture's 1,500 formats take it a quarter of a second).
# history: the inputs of tests/fuzz/regressions/history/, which once failed it (it
# builds its call sequences from any bytes, and needs no other seed).
set -euo pipefail
shopt -s nullglob
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
kind=$1 dir=$2
mkdir -p "$dir"
case $kind in
history) cp "$here"/regressions/history/* "$dir"/ ;;
tracedat | small)
	for f in "$fixtures"/*.dat "$fixtures"/hostile/*.dat; do
		if [ "$(head -c 12 "$f" | tail -c 2 | tr '\0' ' ')" = "6 " ]; then
			python3 "$here/cut-v6.py" "$f" "$dir/cut-$(basename "$f")"
		elif [ "$(stat -c %s "$f")" -le 262144 ]; then
			cp "$f" "$dir/"
		fi
	done
	[ "$kind" = tracedat ] || find "$dir" -type f -size +64k -delete
	;;
*) echo "seeds.sh: no seeds of kind '$kind'" >&2; exit 2 ;;
esac
