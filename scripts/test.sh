#!/bin/bash
# The whole test suite on a fresh Debian 12 machine, as root:
#   scripts/test.sh
# installs what is missing, builds, runs every unit and end-to-end test, then
# builds again with AddressSanitizer and UBSan (build-asan/) and runs the unit
# and end-to-end suites once more under them: a memory error, undefined
# behaviour or a leak of maptrail's own fails (the libraries' own leaks are
# tests/sanitizers/lsan.supp).  The VM and fleet suites run only in the first
# pass (they test maptrail against other machines, not its memory).
#   scripts/test.sh TEST...      those tests, in both builds
#   scripts/test.sh --no-asan    the first pass alone
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
[ "$asan" = 1 ] || exit 0
scripts/build.sh asan
if [ $# -eq 0 ]; then
	set -- --suite unit --suite e2e
fi
meson test -C build-asan --setup asan --print-errorlogs "$@"
