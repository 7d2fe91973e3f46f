#!/bin/bash
# A fuzzing campaign: each harness of tests/fuzz in turn, SECONDS each
# (tests/fuzz/README.md).  Builds the clang build folder build-fuzz first.
#   scripts/fuzz.sh SECONDS [HARNESS...]      HARNESS: tracedat open analyze history (default: all)
# Each harness's corpus is kept in build-fuzz/fuzz-corpus/HARNESS, so a
# campaign goes on from where the last one stopped; what fails is kept in
# build-fuzz/fuzz-artifacts/ (replay: build-fuzz/tests/fuzz/fuzz-HARNESS FILE).
# Prints for each: executions, exec/s, coverage (cov, ft), new inputs, and
# whether it failed.
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { echo "usage: scripts/fuzz.sh SECONDS [tracedat|open|analyze|history]..." >&2; exit 2; }
[[ ${1:-} =~ ^[0-9]+$ ]] || usage
seconds=$1
shift
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(tracedat open analyze history)
for h in "${harnesses[@]}"; do
	case $h in tracedat | open | analyze | history) ;; *) usage ;; esac
done
[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzz=enabled > /dev/null
ninja -C build-fuzz fuzz-harnesses > /dev/null
failed=0
for h in "${harnesses[@]}"; do
	case $h in
	tracedat) seeds=tracedat ;;
	open | analyze) seeds=small ;;
	history) seeds=history ;;
	esac
	FUZZ_CORPUS=build-fuzz/fuzz-corpus/$h FUZZ_ARTIFACTS=build-fuzz/fuzz-artifacts \
		FIXTURES=$PWD/tests/fixtures \
		tests/fuzz/run.sh "build-fuzz/tests/fuzz/fuzz-$h" "$seeds" "$seconds" || failed=1
done
exit $failed
