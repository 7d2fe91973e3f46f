#!/bin/bash
# The whole test suite on a fresh Debian 12 machine, as root:
#   scripts/test.sh
# installs what is missing, builds, and runs every unit and end-to-end test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
meson test -C build --print-errorlogs "$@"
