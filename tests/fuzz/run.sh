#!/bin/bash
# One fuzzing run of one harness (tests/fuzz/README.md):
#   tests/fuzz/run.sh HARNESS-EXECUTABLE SEEDS SECONDS
# SEEDS names the seed corpus (seeds.sh).  The corpus grows in $FUZZ_CORPUS
# (default: a temporary folder, removed after: the smoke runs of the test
# suite); an input that crashes, leaks, times out or draws a sanitizer report
# is kept in $FUZZ_ARTIFACTS (default: fuzz-artifacts/ in the current folder,
# the build folder under meson test), the report printed, and the run fails.
# FUZZ_SEED=N fixes libFuzzer's seed.
# Prints the run's figures: executions, exec/s, coverage (cov) and features (ft).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exe=$(realpath "$1") kind=$2 seconds=$3
name=$(basename "$exe")
work=$(mktemp -d "/tmp/maptrail-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
corpus=$(realpath -m "${FUZZ_CORPUS:-$work/corpus}")
artifacts=$(realpath -m "${FUZZ_ARTIFACTS:-fuzz-artifacts}")
mkdir -p "$corpus" "$artifacts"
"$here/seeds.sh" "$kind" "$work/seeds"
args=(-max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1
	-artifact_prefix="$artifacts/$name-")
# FUZZ_SEED: the same mutations in the same order each run (the test suite's smoke runs, so
# that CI fails on a change, not on the luck of a draw); unset, a campaign explores anew.
[ -z "${FUZZ_SEED:-}" ] || args+=(-seed="$FUZZ_SEED")
case $kind in
tracedat) args+=(-dict="$here/tracedat.dict") ;;
small) args+=(-dict="$here/tracedat.dict" -max_len=65536) ;;
history) args+=(-max_len=4096 -len_control=0) ;;
esac
export LSAN_OPTIONS="suppressions=$here/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# An absurd size read from the input gets NULL from the sanitizer's malloc, as from glibc's
# (libtracecmd copes with it: tests/fixtures/hostile/G-*), not an abort the release never sees.
export ASAN_OPTIONS="allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
cd "$work"
status=0
"$exe" "${args[@]}" "$corpus" seeds > log 2>&1 || status=$?
if [ $status != 0 ]; then
	grep -v '^#[0-9]' log | tail -80
	echo "$name: failed (status $status); the input is in $artifacts/" >&2
	exit 1
fi
echo "$name: $(grep -E '^#[0-9]+' log | tail -1)"
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' log
