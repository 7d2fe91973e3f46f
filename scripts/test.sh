#!/bin/bash
# The whole test suite on a fresh Debian 12 machine, as root:
#   scripts/test.sh
# installs what is missing, builds, and runs every unit and end-to-end test;
# then the fuzz harnesses' smoke runs (tests/fuzz), in a clang build of their own.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
meson test -C build --print-errorlogs "$@"

# tests/fuzz: the harnesses' smoke runs (a minute each), on a whole run only.  libFuzzer
# needs clang: build-fuzz builds the harnesses and nothing else.
[ $# -eq 0 ] || exit 0
[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dfuzz=enabled > /dev/null
ninja -C build-fuzz fuzz-harnesses > /dev/null
meson test -C build-fuzz --no-rebuild --print-errorlogs --suite fuzz --no-suite e2e
