#!/bin/bash
# The whole test suite on a fresh Debian 12 machine, as root:
#   scripts/test.sh
# installs what is missing, builds, runs every unit and end-to-end test; then
# the fuzz harnesses' smoke runs (tests/fuzz), in a clang build of their own;
# then builds again with AddressSanitizer and UBSan (build-asan/) and runs the
# unit and end-to-end suites once more under them: a memory error, undefined
# behaviour or a leak of maptrail's own fails (the libraries' own leaks are
# tests/sanitizers/lsan.supp).  The VM and fleet suites run only in the first
# pass (they test maptrail against other machines, not its memory).
#   scripts/test.sh TEST...      those tests, in both builds (no fuzz smoke runs)
#   scripts/test.sh --no-asan    the first pass and the fuzz smoke runs
set -euo pipefail
cd "$(dirname "$0")/.."
asan=1
if [ "${1:-}" = --no-asan ]; then
	asan=0
	shift
fi
scripts/install-deps.sh --test
scripts/build.sh
meson test -C build --print-errorlogs "$@"

# tests/fuzz: the harnesses' smoke runs (a minute each), on a whole run only.  libFuzzer
# needs clang: build-fuzz builds the harnesses and nothing else.
if [ $# -eq 0 ]; then
	[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzz=enabled > /dev/null
	# ninja tells a failed compile on stdout: kept, and shown when it fails
	ninja -C build-fuzz fuzz-harnesses > build-fuzz/harnesses.log ||
		{ cat build-fuzz/harnesses.log; exit 1; }
	meson test -C build-fuzz --no-rebuild --print-errorlogs --suite fuzz --no-suite e2e
fi

[ "$asan" = 1 ] || exit 0
scripts/build.sh asan
if [ $# -eq 0 ]; then
	set -- --suite unit --suite e2e
fi
meson test -C build-asan --setup asan --print-errorlogs "$@"
