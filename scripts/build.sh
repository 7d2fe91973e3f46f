#!/bin/bash
# Configures (once) and builds maptrail:
#   scripts/build.sh          in build/
#   scripts/build.sh asan     in build-asan/, with AddressSanitizer and UBSan (what
#                             scripts/test.sh runs the suites with a second time)
set -euo pipefail
cd "$(dirname "$0")/.."
case ${1:-} in
'')
	[ -f build/build.ninja ] || meson setup build > /dev/null
	ninja -C build > /dev/null ;;
asan)
	# No static recorder: a sanitizer runtime does not link statically.
	[ -f build-asan/build.ninja ] || meson setup build-asan -Db_sanitize=address,undefined \
		-Db_lundef=false -Dstatic_recorder=disabled -Dbuildtype=debugoptimized > /dev/null
	ninja -C build-asan > /dev/null ;;
*)
	echo "usage: scripts/build.sh [asan]" >&2
	exit 2 ;;
esac
